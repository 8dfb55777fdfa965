"""Suggest occupation codes for a vacancy title by matching it against occupation names and aliases.

Simple and explainable on purpose: a title that contains an occupation's name (小区保安员 -> 保安员)
or is contained in it ranks highest; otherwise the share of the title's words (jieba, with the search
engineer's synonym table) found in the name. Each suggestion says which name or alias matched, so the
employer can judge it; the employer always picks the code, nothing is filled in silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.jobs.models import Occupation

MIN_SCORE = 0.15


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched: str
    """The occupation name or alias the title matched."""


def _word_groups(title: str) -> list[tuple[str, tuple[str, ...]]]:
    try:
        from indexing.text import expand_query

        return [(g.word, g.alternatives) for g in expand_query(title)]
    except ImportError:  # the search package is optional for this feature: fall back to the whole title
        return [(title, (title,))]


def _score(title: str, name: str, groups: list[tuple[str, tuple[str, ...]]]) -> float:
    if not name:
        return 0.0
    if name == title:
        return 1.0
    if name in title:
        return 0.5 + 0.45 * len(name) / len(title)
    if title in name:
        return 0.4 + 0.4 * len(title) / len(name)
    title_chars = name_chars = 0
    for word, alternatives in groups:
        # A synonym counts only if it shares a character with the word: the search lexicon maps some
        # words to whole occupations (社区 -> 全媒体运营师), which is right for recall, wrong for a code.
        hits = [a for a in alternatives if len(a) >= 2 and a in name and (a == word or set(a) & set(word))]
        if hits:
            title_chars += len(word)
            name_chars += max(len(a) for a in hits)
    if not title_chars:
        return 0.0
    return 0.6 * (title_chars / len(title)) * sqrt(min(1.0, name_chars / len(name)))


def suggest_occupations(session: Session, title: str, *, limit: int = 5) -> list[Suggestion]:
    title = "".join(title.split())
    if len(title) < 2:
        return []
    groups = _word_groups(title)
    rows = session.execute(select(Occupation.code, Occupation.name, Occupation.aliases).where(Occupation.level == 4))
    found: list[Suggestion] = []
    for code, name, aliases in rows:
        best, matched = 0.0, ""
        for candidate in (name, *(aliases or [])):
            s = _score(title, candidate, groups)
            if s > best:
                best, matched = s, candidate
        if best >= MIN_SCORE:
            found.append(Suggestion(code=code, name=name, score=round(best, 3), matched=matched))
    found.sort(key=lambda s: (-s.score, len(s.name), s.code))
    return found[:limit]
