"""The on-screen pinyin keyboard's candidate table: the words the job search understands, by pinyin.

The table goes into the page with the search form (kiosk/_keyboard.html) and kiosk/pinyin.js offers its
words as the resident types letters: by whole pinyin (baojie) or by initials (bj). Nothing is fetched
from elsewhere; hand-written input is a later step.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from pypinyin import Style, lazy_pinyin

from estation.jobs.phrases import typing_words


def _letters(syllables: list[str]) -> str:
    return "".join(s for s in syllables if s.isascii() and s.isalpha()).lower()


@lru_cache(maxsize=1)
def pinyin_table() -> tuple[tuple[str, str, str], ...]:
    """(word, its pinyin without tones, its initials) for each word, e.g. ("保洁", "baojie", "bj")."""
    rows = []
    for word in typing_words():
        full = _letters(lazy_pinyin(word, errors="ignore"))
        if full:
            rows.append((word, full, _letters(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore"))))
    return tuple(rows)


@lru_cache(maxsize=1)
def pinyin_json() -> Markup:
    """The table as the page carries it (JSON safe inside a script element), written once per process:
    every page with the search form has it."""
    return htmlsafe_json_dumps(pinyin_table())
