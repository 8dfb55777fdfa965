"""Job titles as employers write them: the words that name the job, and what two titles share.

``clean_title`` keeps what names the job out of an advert's title ("急招保洁员（包吃住）月入5000" ->
"保洁员"): brackets, pay, perks and calls to apply say nothing about the occupation and pull an encoder
towards the wrong one. "招聘" is only dropped as the call to apply in front of a job (招聘保洁员), never
where it is the job (招聘专员, 招聘师); what stands before it is the employer (海底捞餐饮招聘后厨 -> 后厨,
揭阳市榕城区睿斯...招聘木工 -> 木工: about one advert title in nine is written so).

``ngram_similarity`` is the lexical evidence of job-title similarity: the cosine of the two titles'
character uni- and bigram counts (保姆 / 住家保姆 share much, 保姆 / 宠物保姆 as much: which of those is
the same job is for the other signals to say).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_BRACKETS = re.compile(r"[（(【\[「<《][^）)】\]」>》]*[）)】\]」>》]?")
# Pay, hours and perks: what an advert adds to a title to sell it.
_PERKS = re.compile(
    r"(月入|月薪|底薪|年薪|日薪|时薪|保底|综合)?(?<![a-z])\d+(\.\d+)?(?![a-jl-vx-z\d])\s*([kKwW千万元块]|%|天|小时|岁)?(以上|起|左右)?(/[天月时])?"
    r"|包吃住|包住|包吃|管吃住|管住|五险一金|六险一金|五险|社保|双休|单休|周末双休|不加班|不压班|无责底薪|高提成|提成"
    r"|高薪|急招|急聘|诚聘|热招|直招|长期招|招募|底薪|带薪|免费培训|可兼职|兼职|全职|无经验|无需经验|经验不限|小白可|可小白"
    r"|学徒(?!工)|储备|实习|应届|日结|周结|多劳多得|朝九晚五|早九晚六|上六休一|做六休一|薪资面议|面议"
)
_CALL_TO_APPLY = re.compile(r"^招聘(?!专员|师|经理|主管|助理|顾问|管理|$)")
# The employer's name before its call to apply (or before the "..." that shortens it).
_EMPLOYER = re.compile(r"^(?:[^招聘]|招(?!聘)|(?<!招)聘)+?(?:高薪聘请|聘请|诚聘|急聘|诚招|急招|(?=招聘)|\.{3}|…+)(?=\S{2})")
_SEPARATORS = re.compile(r"[+＋,，;；|｜!！。~～\s]+")
_NOISE_SEGMENT = re.compile(r"^[\d\W_]*$")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def clean_title(text: str) -> str:
    """The words of a title that name the job; the normalised title itself if nothing would be left."""
    raw = normalise(text)
    cut = _BRACKETS.sub(" ", raw)
    cut = _EMPLOYER.sub("", cut, count=1)
    cut = _PERKS.sub(" ", cut)
    parts = [p.strip("/-_·.、 ") for p in _SEPARATORS.split(cut)]
    parts = [_CALL_TO_APPLY.sub("", p) for p in parts if p and not _NOISE_SEGMENT.match(p)]
    parts = [p for p in parts if len(p) >= 2]
    cleaned = " ".join(parts[:4])
    return cleaned or raw


def ngram_matrix(left: list[str], right: list[str]) -> np.ndarray:
    """:func:`ngram_similarity` of every pair (``left`` x ``right``), as one sparse matrix product."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}

    def rows(texts: list[str]):
        data, cols, ptr = [], [], [0]
        for text in texts:
            t = [c for c in normalise(text) if not c.isspace()]
            grams: dict[int, float] = {}
            for g in [*t, *(a + b for a, b in zip(t, t[1:]))]:
                j = vocab.setdefault(g, len(vocab))
                grams[j] = grams.get(j, 0.0) + 1.0
            norm = np.sqrt(sum(v * v for v in grams.values())) or 1.0
            cols += list(grams)
            data += [v / norm for v in grams.values()]
            ptr.append(len(cols))
        return data, cols, ptr

    a, b = rows(left), rows(right)
    shape = len(vocab)
    ma = csr_matrix((a[0], a[1], a[2]), shape=(len(left), shape))
    mb = csr_matrix((b[0], b[1], b[2]), shape=(len(right), shape))
    return (ma @ mb.T).toarray().astype(np.float32)


def ngram_similarity(a: str, b: str) -> float:
    """Cosine of character uni- and bigram counts: 1 for the same title, 0 for no character shared."""
    return float(ngram_matrix([a], [b])[0, 0])
