"""Hard limits: what a resident cannot do, and which jobs that rules out. Pure functions only.

A limit is never a score penalty: a job that demands more than the resident manages in any
functional domain, needs more hours a day than they can work, is farther than they can travel (and
not home-based), is not home-based when they can only work at home, or is closed or expired, is not
shown at all. The same rules are given to the search engine as filters (:func:`search_filters`) and
checked again here on the rows read from the database, so a stale or wrong index can never put such
a job in front of a resident.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from estation.geo import distance_km
from estation.physical import DOMAIN_NAMES, MAX_LEVEL, demand_ceiling, domain_label, label

# Limit keys, used for counting and naming what removed a job. Physical ones are "physical:<domain>".
HOURS = "hours"
DISTANCE = "distance"
HOME_ONLY = "home_based_only"
CLOSED = "closed"
EXPIRED = "expired"


STANDARD_DAY_HOURS = 8.0
"""The ordinary working day, and every resident's default: a daily-hours figure of 8 or more is no limit
(the counter shows "每天最多…小时" only below it), so a guard's 12-hour shift is not hidden from a guard."""


def physical_key(domain: str) -> str:
    return f"physical:{domain}"


@dataclass(frozen=True)
class ResidentLimits:
    physical: tuple[tuple[str, int], ...]
    """(domain, highest level managed) for every domain, in DOMAIN_NAMES order."""
    max_hours_per_day: float | None = None
    """None: no daily-hours limit."""
    max_travel_km: float = 3.0
    home_based_only: bool = False
    home: tuple[float, float] | None = None

    @classmethod
    def of(cls, resident) -> ResidentLimits:
        raw = dict(resident.limits or {})
        physical = tuple((d, int(raw.get(d, MAX_LEVEL))) for d in DOMAIN_NAMES)
        hours = resident.max_hours_per_day
        return cls(
            physical=physical,
            max_hours_per_day=float(hours) if hours is not None and hours < STANDARD_DAY_HOURS else None,
            max_travel_km=float(resident.max_travel_km if resident.max_travel_km is not None else 3.0),
            home_based_only=bool(resident.home_based_only),
            home=(resident.lat, resident.lon) if resident.lat is not None and resident.lon is not None else None,
        )

    @property
    def levels(self) -> dict[str, int]:
        return dict(self.physical)

    @property
    def restricted(self) -> list[str]:
        """Domains in which the resident manages less than the top level: the ones that shape lists."""
        return [d for d, level in self.physical if level < MAX_LEVEL]

    def tightened(self, **changes) -> ResidentLimits:
        """A copy with some limits changed; ``physical={domain: level}`` merges into the levels."""
        physical = changes.pop("physical", None)
        levels = self.levels | (physical or {})
        return ResidentLimits(
            physical=tuple((d, levels[d]) for d in DOMAIN_NAMES),
            max_hours_per_day=changes.get("max_hours_per_day", self.max_hours_per_day),
            max_travel_km=changes.get("max_travel_km", self.max_travel_km),
            home_based_only=changes.get("home_based_only", self.home_based_only),
            home=changes.get("home", self.home),
        )


@dataclass(frozen=True)
class JobFacts:
    """What matching needs of a vacancy or start-up opportunity, detached from the ORM row."""

    kind: str
    id: int
    title: str
    text: str
    """Title, occupation words, description (and conditions): what the resident's words are compared to."""
    lat: float
    lon: float
    demands: tuple[tuple[str, int], ...]
    """(domain, level) for every domain; a demand the employer left unstated is MAX_LEVEL (unknown, so it
    fits nobody limited there and no reason ever says the job does not need it)."""
    hours_per_day: float | None = None
    days_per_week: int | None = None
    home_based: bool = False
    adjustments: tuple[str, ...] = ()
    wage_min: int | None = None
    wage_max: int | None = None
    occupation_codes: tuple[str, ...] = ()
    occupation_names: tuple[str, ...] = ()
    open: bool = True
    valid_until: date | None = None
    employer_name: str = ""
    shift: str | None = None
    employment_type: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def job_facts(row, *, kind: str) -> JobFacts:
    from estation.jobs.models import VacancyStatus

    stated = dict(row.demands or {})
    demands = tuple((d, demand_ceiling(stated, d)) for d in DOMAIN_NAMES)
    if kind == "vacancy":
        code = row.occupation_code or row.inferred_occupation_code
        codes = (code,) if code else ()
        occ = row.occupation if row.occupation_code else None
        names = (occ.name,) if occ is not None else ()
        parts = [row.title, *names, row.description or ""]
        return JobFacts(
            kind=kind, id=row.id, title=row.title, text="。".join(p for p in parts if p),
            lat=row.lat, lon=row.lon, demands=demands,
            hours_per_day=row.hours_per_day, days_per_week=row.days_per_week, home_based=bool(row.home_based),
            adjustments=tuple(row.adjustments or ()), wage_min=row.wage_min, wage_max=row.wage_max,
            occupation_codes=codes, occupation_names=names, open=row.status == VacancyStatus.open,
            valid_until=row.valid_until, employer_name=row.employer.name if row.employer else "",
            shift=row.shift.value if row.shift else None,
            employment_type=row.employment_type.value if row.employment_type else None,
        )
    parts = [row.title, row.description or "", row.conditions or ""]
    return JobFacts(
        kind=kind, id=row.id, title=row.title, text="。".join(p for p in parts if p), lat=row.lat, lon=row.lon,
        demands=demands, home_based=bool(row.home_based),
        occupation_codes=tuple(row.occupation_codes or ()), open=row.status == VacancyStatus.open,
        valid_until=row.valid_until, employer_name=row.provider or "",
        extra={"startup_kind": row.kind.value, "amount_yuan": row.amount_yuan, "conditions": row.conditions or ""},
    )


def job_distance_km(job: JobFacts, limits: ResidentLimits) -> float | None:
    if limits.home is None:
        return None
    return distance_km(limits.home[0], limits.home[1], job.lat, job.lon)


def violations(job: JobFacts, limits: ResidentLimits, *, today: date) -> list[str]:
    """Every hard limit the job breaks, as limit keys; empty when the resident can take it."""
    out: list[str] = []
    if not job.open:
        out.append(CLOSED)
    if job.valid_until is not None and job.valid_until < today:
        out.append(EXPIRED)
    levels = limits.levels
    for domain, demand in job.demands:
        if demand > levels.get(domain, MAX_LEVEL):
            out.append(physical_key(domain))
    if limits.max_hours_per_day is not None and job.hours_per_day is not None \
            and job.hours_per_day > limits.max_hours_per_day + 1e-9:
        out.append(HOURS)
    if limits.home_based_only and not job.home_based:
        out.append(HOME_ONLY)
    elif not job.home_based:
        dist = job_distance_km(job, limits)
        if dist is not None and dist > limits.max_travel_km + 1e-9:
            out.append(DISTANCE)
    return out


def listing_over(job: JobFacts, *, today: date) -> bool:
    """Closed or expired: nobody is shown it, whoever they are."""
    return not job.open or (job.valid_until is not None and job.valid_until < today)


def allowed(job: JobFacts, limits: ResidentLimits, *, today: date) -> bool:
    return not violations(job, limits, today=today)


def limit_effects(jobs: Iterable[JobFacts], limits: ResidentLimits, *, today: date) -> dict[str, tuple[int, int]]:
    """For each limit that rules out any of ``jobs`` (listings that are over aside): how many it rules
    out (a job breaking two limits counts under both) and how many it alone rules out."""
    removed: Counter = Counter()
    alone: Counter = Counter()
    for job in jobs:
        if listing_over(job, today=today):
            continue
        broken = violations(job, limits, today=today)
        removed.update(broken)
        if len(broken) == 1:
            alone.update(broken)
    return {k: (removed[k], alone[k]) for k in order_keys(list(removed))}


def search_filters(limits: ResidentLimits) -> dict:
    """The hard limits as :class:`indexing.query.SearchQuery` fields (distance is handled by the caller:
    a home-based job is fine at any distance, and a query cannot say "near OR home-based")."""
    return {
        "max_demands": tuple((d, level) for d, level in limits.physical if level < MAX_LEVEL),
        "max_hours_per_day": limits.max_hours_per_day,
    }


def limit_label(key: str, limits: ResidentLimits) -> str:
    """The limit in plain Chinese, as a resident would say it."""
    if key.startswith("physical:"):
        domain = key.split(":", 1)[1]
        return f"{domain_label(domain)}（您能做到：{label(domain, limits.levels[domain])}）"
    if key == HOURS:
        return f"每天工作不超过{_hours(limits.max_hours_per_day)}小时"
    if key == DISTANCE:
        return f"离家不超过{_km(limits.max_travel_km)}公里（居家岗位除外）"
    if key == HOME_ONLY:
        return "只能居家工作"
    raise KeyError(key)


def limit_keys(limits: ResidentLimits) -> list[str]:
    """The keys of the resident's own limits, in :func:`order_keys` order."""
    keys = [physical_key(d) for d in limits.restricted]
    if limits.max_hours_per_day is not None:
        keys.append(HOURS)
    if limits.home_based_only:
        keys.append(HOME_ONLY)
    elif limits.home is not None:
        keys.append(DISTANCE)
    return keys


def _hours(h: float) -> str:
    return f"{h:g}"


def _km(km: float) -> str:
    return f"{km:g}"


def order_keys(keys: Sequence[str]) -> list[str]:
    """Limit keys in a stable, readable order: physical domains first, then hours, distance, home, state."""
    rank = {physical_key(d): i for i, d in enumerate(DOMAIN_NAMES)}
    tail = {HOURS: 100, DISTANCE: 101, HOME_ONLY: 102, CLOSED: 103, EXPIRED: 104}
    return sorted(set(keys), key=lambda k: rank.get(k, tail.get(k, 200)))
