"""The public copy of a suggestion and its answer: names, id numbers and phone numbers taken out for good.

Unlike the masks on staff screens (estation.privacy keeps an id number's first and last character), the
public copy keeps nothing of a number: every id number and every run of seven or more digits (a mobile,
a landline with or without its area code) becomes a placeholder, so no digit of it can be read back. A
name becomes its surname and 某某. The names known to belong to the case (the resident who wrote it and
their household) are masked wherever they stand; other names are caught where the text introduces them
(我叫…, 姓名…, 本人…). The answering staff see the public copy before they choose to publish it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ID_PLACEHOLDER = "[证件号已隐去]"
NUMBER_PLACEHOLDER = "[号码已隐去]"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_NUMBER = re.compile(r"(?<!\d)\d(?:[\d\- ]{5,}\d)(?!\d)")
_INTRODUCED = re.compile(r"(我叫|我是|名叫|叫做|姓名[:：]?\s*|本人[:：]?\s*|联系人[:：]?\s*)([\u4e00-\u9fff]{2,3})")
_NOT_NAMES = ("居民", "退休", "本社", "社区", "残疾", "失业", "下岗", "老人", "工作", "一名", "一个", "外地", "这里",
              "来办", "想问", "需要", "家里", "党员", "志愿", "自己")
"""Words that follow 我是/本人 and are not names."""


def _surname(name: str) -> str:
    return name[0] + "某某"


def introduced_names(*texts: str) -> list[str]:
    """The names the texts introduce (我叫张志强 -> 张志强): masked wherever else they appear, in the answer too."""
    return [m.group(2) for text in texts for m in _INTRODUCED.finditer(text)
            if not m.group(2).startswith(_NOT_NAMES) and not m.group(2).endswith("某某")]


def mask_public(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` fit for the public page: no id number, phone or other long number, no known or introduced name."""
    text = _ID_NUMBER.sub(ID_PLACEHOLDER, text)
    text = _NUMBER.sub(lambda m: NUMBER_PLACEHOLDER if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, _surname(name))
        # The given name alone (秀兰 for 刘秀兰) is as telling as the whole name.
        if len(name) >= 3:
            text = text.replace(name[1:], "某某")

    def introduced(m: re.Match[str]) -> str:
        lead, name = m.group(1), m.group(2)
        if name.startswith(_NOT_NAMES) or name.endswith("某某"):
            return m.group()
        return lead + _surname(name)

    return _INTRODUCED.sub(introduced, text)
