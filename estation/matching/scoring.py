"""How well a job the resident can do fits them: one score from a few plain signals. Pure functions.

The resident's words (skills, experience, wishes) are split into short items and treated as a set:
the order in which they were written never matters, and adding an item can only raise a job's
score, because every text signal is a maximum or a count over the items (e5 cosines sit in a narrow
band, so the semantic signal is calibrated to that band rather than thresholded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from estation.matching.encoder import BANDS
from estation.matching.limits import STANDARD_DAY_HOURS, JobFacts, ResidentLimits, job_distance_km
from estation.physical import eases

# Where the model's cosines between a seeker's phrase and postings fall: below FLOOR unrelated, at
# CEILING a paraphrase (its card's phrase band, estation.matching.encoder). Chosen with the weights on
# the evaluation set (benchmarks/results/matching.md): nDCG@10 moved by less than 0.01 across the grid
# tried, so round values were kept; distance and wage stay small, as tie-breakers between jobs that fit
# equally well.
COS_FLOOR, COS_CEILING = BANDS.phrase
CLOSE = 0.6
"""A calibrated similarity from which an item is said to be "close" to the job in the explanation."""

WEIGHTS: dict[str, float] = {
    "semantic": 0.50,
    "skills": 0.25,
    "occupation": 0.15,
    "experience": 0.20,
    "distance": 0.04,
    "hours": 0.05,
    "adjustments": 0.06,
    "wage": 0.02,
}

_SPLIT = re.compile(r"[，,、；;。.！!？?\s/|｜\n\r\t（）()：:]+")
_MIN_ITEM_CHARS = 2
# Tokens that say nothing about which job fits: they must not count as a skill that matched.
_WEAK_TOKENS = frozenset(
    "经验 工作 能 会 做过 熟悉 年 以上 希望 想 可以 附近 家附近 做 干 一些 有 过 多年 简单 一般 比较 "
    "喜欢 愿意 不 不想 只能 每天 小时 公里 以内 左右 岗位 职位 的 了 和 与 及 在 我 能够 擅长 掌握".split()
    # Every listing here is in Jinan and names its company: place and company words fit every job alike
    # (a wish to move one's pension back to 济南 is no reason a nanny job suits).
    + "济南 济南市 山东 山东省 历下 历下区 甸柳 甸柳新村 甸柳街道 街道 小区 社区 公司 有限公司 回来 后来".split()
)
SOURCES = ("skills", "experience", "wishes")
SOURCE_LABELS = {"skills": "技能", "experience": "经历", "wishes": "意愿"}


@dataclass(frozen=True)
class ProfileItem:
    source: str
    text: str


@dataclass(frozen=True)
class ResidentOccupations:
    """The occupations a resident is known by: the codes on their record, and those read with confidence
    from their own words (each with the item it was read from). Read from an experience line, a code is
    work they have done: their occupation history."""

    stated: tuple[str, ...] = ()
    read: tuple[tuple[ProfileItem, str], ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.stated) | {c for _i, c in self.read}))

    @property
    def history(self) -> tuple[str, ...]:
        return tuple(sorted({c for i, c in self.read if i.source == "experience"}))

    def items_for(self, code: str, source: str) -> list[ProfileItem]:
        return [i for i, c in self.read if c == code and i.source == source]


@dataclass(frozen=True)
class Profile:
    """The resident's words as a set of short items, plus the occupation codes they stated."""

    items: tuple[ProfileItem, ...]
    occupation_codes: tuple[str, ...] = ()
    preferred_hours_per_day: float | None = None

    @property
    def texts(self) -> list[str]:
        return [i.text for i in self.items]

    def with_item(self, source: str, text: str) -> Profile:
        return build_profile(**{s: [i.text for i in self.items if i.source == s] for s in SOURCES} | {
            source: [*(i.text for i in self.items if i.source == source), text]},
            occupation_codes=self.occupation_codes, preferred_hours_per_day=self.preferred_hours_per_day)


_PERIOD = re.compile(r"^\s*\d{4}\s*年?(\s*[-—~至到]\s*(\d{4}\s*年?|至今|现在))?")
_PLACE = re.compile(r"^在.{1,40}?(?=做|当|干|任)")


def job_phrase(line: str) -> str:
    """What an experience line says was done, without when and where: "2012年-2020年在郑州正阳物业服务有限
    公司做保安员" -> "做保安员". The years and the employer's name dilute what the occupation index reads."""
    phrase = _PLACE.sub("", _PERIOD.sub("", line).strip()).strip()
    return phrase if len(phrase) >= _MIN_ITEM_CHARS else line


def split_items(text: str | Sequence[str] | None) -> list[str]:
    if not text:
        return []
    parts = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for part in parts:
        for piece in _SPLIT.split(part or ""):
            piece = piece.strip()
            if len(piece) >= _MIN_ITEM_CHARS:
                out.append(piece)
    return out


def build_profile(*, skills=None, experience=None, wishes=None, occupation_codes=(),
                  preferred_hours_per_day: float | None = None) -> Profile:
    """Items sorted and deduplicated: an item said twice (say as a skill and a wish) counts once."""
    seen: dict[str, ProfileItem] = {}
    for source, raw in (("skills", skills), ("experience", experience), ("wishes", wishes)):
        for text in split_items(raw):
            seen.setdefault(text, ProfileItem(source, text))
    items = tuple(sorted(seen.values(), key=lambda i: i.text))
    return Profile(items=items, occupation_codes=tuple(sorted(set(occupation_codes or ()))),
                   preferred_hours_per_day=preferred_hours_per_day)


def profile_of(resident) -> Profile:
    return build_profile(skills=resident.skills, experience=resident.experience, wishes=resident.wishes,
                         occupation_codes=resident.occupation_codes or (),
                         preferred_hours_per_day=resident.preferred_hours_per_day)


# --------------------------------------------------------------------------- lexical overlap


@lru_cache(maxsize=4096)
def item_words(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The meaningful words the resident wrote in one item, each with what it also means (the job-word
    synonyms: 看门 -> 门卫, 保安员)."""
    from indexing.text import expand_query

    out: dict[str, set[str]] = {}
    for group in expand_query(text):
        if group.word in _WEAK_TOKENS or len(group.word) < 2:
            continue
        out.setdefault(group.word, set()).update(a for a in group.alternatives if len(a) >= 2)
    return tuple((w, frozenset(alts)) for w, alts in out.items())


def item_terms(text: str) -> frozenset[str]:
    """The meaningful words of one item, widened by the job-word synonyms."""
    return frozenset(a for _w, alts in item_words(text) for a in alts)


def shared_words(item: str, text: str) -> list[str]:
    """The words the resident wrote in ``item`` that ``text`` also says (itself or a synonym)."""
    words = job_terms(text)
    return [w for w, alts in item_words(item) if alts & words]


@lru_cache(maxsize=8192)
def job_terms(text: str) -> frozenset[str]:
    from indexing.text import segment_document

    return frozenset(segment_document(text))


def matched_items(profile: Profile, job: JobFacts) -> list[ProfileItem]:
    words = job_terms(job.text)
    return [i for i in profile.items if item_terms(i.text) & words]


# --------------------------------------------------------------------------- the signals


def semantic_signal(sims: Sequence[float]) -> float:
    """Best item plus half the second best, each calibrated to e5's band: monotone in the item set."""
    calibrated = sorted((calibrate(s) for s in sims), reverse=True)
    best = calibrated[0] if calibrated else 0.0
    second = calibrated[1] if len(calibrated) > 1 else 0.0
    return (best + 0.5 * second) / 1.5


def calibrate(cos: float) -> float:
    """A phrase cosine mapped onto 0..1 by the model's phrase band (0 unrelated, 1 a paraphrase)."""
    return min(1.0, max(0.0, (cos - COS_FLOOR) / (COS_CEILING - COS_FLOOR)))


def occupation_signal(resident_codes: Sequence[str], job_codes: Sequence[str]) -> tuple[float, str | None]:
    """1 for the same occupation, less for the same minor or middle group; the code that matched."""
    best, which = 0.0, None
    for r in resident_codes:
        rp = r.split("-")
        for j in job_codes:
            jp = j.split("-")
            common = 0
            for a, b in zip(rp, jp):
                if a != b:
                    break
                common += 1
            value = {4: 1.0, 3: 0.6, 2: 0.3}.get(common, 0.0)
            if value > best:
                best, which = value, j
    return best, which


def distance_signal(job: JobFacts, limits: ResidentLimits) -> tuple[float, float | None]:
    if job.home_based:
        return 1.0, job_distance_km(job, limits)
    dist = job_distance_km(job, limits)
    if dist is None:
        return 0.5, None
    reach = max(limits.max_travel_km, 0.1)
    return max(0.0, 1.0 - 0.7 * min(1.0, dist / reach)), dist


def hours_signal(job: JobFacts, limits: ResidentLimits, preferred: float | None) -> float:
    if job.hours_per_day is None:
        return 0.5
    if preferred:
        return max(0.0, 1.0 - abs(job.hours_per_day - preferred) / max(preferred, 1.0))
    return 1.0 if job.hours_per_day <= (limits.max_hours_per_day or STANDARD_DAY_HOURS) else 0.0


def helpful_adjustments(job: JobFacts, limits: ResidentLimits) -> list[str]:
    """The job's adjustments that ease one of this resident's limits (a ramp helps a wheelchair user)."""
    lv = limits.levels

    def eased(adjustment: str) -> bool:  # at a level the domain's declaration says it helps at
        return any(lv[d] <= most for d, most in eases(adjustment))

    helps = {
        "flexible_hours": limits.max_hours_per_day is not None and limits.max_hours_per_day < STANDARD_DAY_HOURS,
        "home_based": limits.home_based_only or limits.max_travel_km <= 1.5 or eased("home_based"),
    }
    return [a for a in job.adjustments if helps.get(a) or eased(a)]


def wage_signal(job: JobFacts) -> float:
    top = job.wage_max or job.wage_min
    if not top:
        return 0.0
    return min(1.0, max(0.0, (top - 2000) / 4000))


# --------------------------------------------------------------------------- the score


@dataclass
class Scored:
    job: JobFacts
    score: float
    components: dict[str, float]
    matched: list[ProfileItem] = field(default_factory=list)
    closest: ProfileItem | None = None
    """The item whose meaning is closest to the job (the semantic signal's best item)."""
    closest_similarity: float = 0.0
    """That item's calibrated similarity (0-1)."""
    occupation_code: str | None = None
    """The job's code that matched one of the resident's (the occupation signal's)."""
    distance_km: float | None = None
    helpful: list[str] = field(default_factory=list)


def score_job(profile: Profile, limits: ResidentLimits, job: JobFacts, sims: Sequence[float], *,
              occupations: ResidentOccupations | None = None, weights: dict[str, float] | None = None) -> Scored:
    """``sims``: the cosine of each profile item (in ``profile.items`` order) with the job. ``occupations``:
    the resident's (by default only the codes on their record)."""
    if len(sims) != len(profile.items):
        raise ValueError("one similarity per profile item")
    w = weights or WEIGHTS
    occupations = occupations or ResidentOccupations(stated=profile.occupation_codes)
    matched = matched_items(profile, job)
    occ, occ_code = occupation_signal(tuple(sorted(set(profile.occupation_codes) | set(occupations.codes))),
                                      job.occupation_codes)
    done, _ = occupation_signal(occupations.history, job.occupation_codes)
    dist_value, dist = distance_signal(job, limits)
    helpful = helpful_adjustments(job, limits)
    components = {
        "semantic": semantic_signal(sims),
        "skills": 1.0 - 0.5 ** len(matched),
        "occupation": occ,
        "experience": done,
        "distance": dist_value,
        "hours": hours_signal(job, limits, profile.preferred_hours_per_day),
        "adjustments": 1.0 - 0.5 ** len(helpful),
        "wage": wage_signal(job),
    }
    total = sum(w[k] * v for k, v in components.items())
    best = max(range(len(sims)), key=lambda i: (sims[i], -i)) if sims else None
    return Scored(job=job, score=round(total, 6), components=components, matched=matched,
                  closest=profile.items[best] if best is not None else None,
                  closest_similarity=calibrate(sims[best]) if best is not None else 0.0, occupation_code=occ_code,
                  distance_km=dist, helpful=helpful)


def rank(scored: Sequence[Scored]) -> list[Scored]:
    """Highest score first; ties broken by id so the order never depends on retrieval order."""
    return sorted(scored, key=lambda s: (-s.score, s.job.kind, s.job.id))


def cosine_rows(a, b):
    import numpy as np

    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T


def rrf(rankings: Sequence[Sequence[int]], *, k: int = 60) -> list[int]:
    """Reciprocal rank fusion of several ranked id lists (Cormack et al. 2009)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for pos, doc in enumerate(ranking):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + pos + 1)
    return sorted(scores, key=lambda d: (-scores[d], d))

