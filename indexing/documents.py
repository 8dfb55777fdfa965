"""Search documents: one flat record per searchable vacancy or start-up opportunity.

Built here once and handed unchanged to every backend, so the embedded index and Elasticsearch hold
the same fields with the same tokens. A listing that should not be found (closed, draft, expired)
builds to ``None``, which the sync turns into a delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Literal

from estation.jobs.models import (
    Adjustment,
    Occupation,
    StartupKind,
    StartupOpportunity,
    Vacancy,
    VacancyStatus,
)
from estation.physical import DOMAIN_NAMES, demand_ceiling
from indexing.lexicon import occupation_terms
from indexing.text import document_text, initials_tokens

Kind = Literal["vacancy", "startup"]
KINDS: tuple[Kind, ...] = ("vacancy", "startup")

STARTUP_KIND_TERMS = {
    StartupKind.shop_space: "创业 店铺 场地",
    StartupKind.project: "创业 项目",
    StartupKind.loan: "创业 担保贷款 贷款",
    StartupKind.subsidy: "创业 补贴",
}
"""Words a start-up opportunity is found by (its label, StartupKind.label, is what screens show)."""


@dataclass
class SearchDocument:
    kind: Kind
    id: int
    title: str
    """The title as written, for typeahead; the searchable forms are the ``text_*`` fields."""
    text_title: str
    text_body: str
    text_terms: str
    """Occupation name and aliases and the listing's labels (全职, 夜班, 居家就业 ...)."""
    initials: str
    lat: float
    lon: float
    posted_at: datetime
    valid_until: date
    community_code: str | None = None
    wage_min: int | None = None
    wage_max: int | None = None
    hours_per_day: float | None = None
    days_per_week: int | None = None
    shift: str | None = None
    employment_type: str | None = None
    home_based: bool = False
    adjustments: list[str] = field(default_factory=list)
    demands: dict[str, int] = field(default_factory=dict)
    """Every functional domain, at the most the listing may demand there: MAX_LEVEL where its employer
    stated none (unknown passes no "demands at most" filter below the top level)."""
    occupation_codes: list[str] = field(default_factory=list)
    occupation_groups: list[str] = field(default_factory=list)
    """Every ancestor of every code (``4``, ``4-07``, ``4-07-05``, ``4-07-05-01``): filter by any level."""
    occupation_mid: list[str] = field(default_factory=list)
    """The middle groups (``4-07``), the level shown as a facet."""
    employer_id: int | None = None
    startup_kind: str | None = None
    amount_yuan: int | None = None
    vector: list[float] | None = None

    @property
    def posted_ts(self) -> float:
        return _utc(self.posted_at).timestamp()


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def occupation_groups(codes: Sequence[str]) -> list[str]:
    out: list[str] = []
    for code in codes:
        for prefix in _prefixes(code):
            if prefix not in out:
                out.append(prefix)
    return out


def _prefixes(code: str) -> list[str]:
    parts = code.split("-")
    # 4-07-05-00 is the minor group 4-07-05 itself, not a detailed occupation below it.
    while len(parts) > 1 and parts[-1].strip("0") == "":
        parts.pop()
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def normalise_occupation_filter(code: str) -> str:
    """``4-07-00-00`` and ``4-07`` both mean the middle group 4-07."""
    return _prefixes(code.strip())[-1]


def _occupation_words(codes: Sequence[str], occupation: Occupation | None = None) -> str:
    words: list[str] = []
    if occupation is not None:
        words += [occupation.name, *(occupation.aliases or [])]
    for code in codes:
        words += list(occupation_terms().get(code, ()))
    return " ".join(dict.fromkeys(words))


def _demands(raw: dict[str, int] | None) -> dict[str, int]:
    raw = raw or {}
    return {d: demand_ceiling(raw, d) for d in DOMAIN_NAMES}


def is_searchable(status: VacancyStatus, valid_until: date, today: date) -> bool:
    return status == VacancyStatus.open and valid_until >= today


def vacancy_document(v: Vacancy, *, today: date, vector: Sequence[float] | None = None) -> SearchDocument | None:
    if not is_searchable(v.status, v.valid_until, today):
        return None
    code = v.occupation_code or v.inferred_occupation_code
    codes = [code] if code else []
    adjustments = [Adjustment(a) for a in (v.adjustments or [])]
    labels = [v.employment_type.label, v.shift.label]
    labels += [a.label for a in adjustments]
    if v.home_based:
        labels.append("居家就业")
    groups = occupation_groups(codes)
    return SearchDocument(
        kind="vacancy",
        id=v.id,
        title=v.title,
        text_title=document_text(v.title),
        text_body=document_text(v.description, v.address, v.employer.name if v.employer else None),
        text_terms=document_text(_occupation_words(codes, v.occupation), " ".join(labels)),
        initials=initials_tokens(v.title),
        lat=v.lat,
        lon=v.lon,
        posted_at=_utc(v.posted_at),
        valid_until=v.valid_until,
        community_code=v.community_code,
        wage_min=v.wage_min,
        wage_max=v.wage_max,
        hours_per_day=v.hours_per_day,
        days_per_week=v.days_per_week,
        shift=v.shift.value,
        employment_type=v.employment_type.value,
        home_based=bool(v.home_based),
        adjustments=[a.value for a in adjustments],
        demands=_demands(v.demands),
        occupation_codes=codes,
        occupation_groups=groups,
        occupation_mid=[g for g in groups if g.count("-") == 1],
        employer_id=v.employer_id,
        vector=list(vector) if vector is not None else None,
    )


def startup_document(
    s: StartupOpportunity, *, today: date, vector: Sequence[float] | None = None
) -> SearchDocument | None:
    if not is_searchable(s.status, s.valid_until, today):
        return None
    codes = list(s.occupation_codes or [])
    groups = occupation_groups(codes)
    labels = [STARTUP_KIND_TERMS[s.kind]] + (["居家就业"] if s.home_based else [])
    return SearchDocument(
        kind="startup",
        id=s.id,
        title=s.title,
        text_title=document_text(s.title),
        text_body=document_text(s.description, s.conditions, s.address, s.provider),
        text_terms=document_text(_occupation_words(codes), " ".join(labels)),
        initials=initials_tokens(s.title),
        lat=s.lat,
        lon=s.lon,
        posted_at=_utc(s.posted_at),
        valid_until=s.valid_until,
        community_code=s.community_code,
        home_based=bool(s.home_based),
        demands=_demands(s.demands),
        occupation_codes=codes,
        occupation_groups=groups,
        occupation_mid=[g for g in groups if g.count("-") == 1],
        startup_kind=s.kind.value,
        amount_yuan=s.amount_yuan,
        vector=list(vector) if vector is not None else None,
    )
