"""Search answered by the database alone: the degraded path and the benchmark's naive baseline.

When the engine cannot be reached, search still answers from the records themselves, with the same
query object: words become ``LIKE '%word%'`` over title and description (any synonym of a word will
do), filters become plain SQL. It reads every candidate row, which is why it is the baseline the
engines are measured against, and it knows no pinyin initials; but it is always up to date and works
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import math
import operator
from datetime import date
from enum import Enum
from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, false, func, or_, select
from sqlalchemy.orm import Session

from estation.jobs.models import StartupOpportunity, Vacancy, VacancyStatus
from estation.physical import DOMAIN_NAMES, MAX_LEVEL
from indexing.documents import Kind, normalise_occupation_filter
from indexing.query import FACETS, LexicalSearch, SearchHits, SearchQuery, Sort

_KM_PER_DEGREE = 111.195
Listing = type[Vacancy] | type[StartupOpportunity]


class DatabaseSearch(LexicalSearch):
    """Lexical search only: no index of its own, no vectors."""

    name = "database"

    def __init__(self, session: Session) -> None:
        self.session = session

    def ping(self) -> bool:
        return True

    def _distance_sq(self, model: Listing, lat: float, lon: float) -> ColumnElement[float]:
        # Equirectangular distance: exact enough within a walking radius, and portable SQL.
        kx = _KM_PER_DEGREE * math.cos(math.radians(lat))
        dx = (model.lon - lon) * kx
        dy = (model.lat - lat) * _KM_PER_DEGREE
        return dx * dx + dy * dy

    def _conditions(self, q: SearchQuery) -> list:
        m = Vacancy if q.kind == "vacancy" else StartupOpportunity
        cond = [m.status == VacancyStatus.open, m.valid_until >= q.today]
        for group in q.groups:
            words = [m.title.ilike(f"%{w}%") for w in group.alternatives]
            words += [m.description.ilike(f"%{w}%") for w in group.alternatives]
            cond.append(or_(*words))
        if q.community_codes:
            cond.append(m.community_code.in_(q.community_codes))
        box = q.bounding_box()
        if box is not None and q.near is not None and q.radius_km is not None:
            cond += [m.lat.between(box[0], box[1]), m.lon.between(box[2], box[3])]
            cond.append(self._distance_sq(m, *q.near) <= q.radius_km**2)
        if q.posted_since is not None:
            cond.append(m.posted_at >= q.posted_since)
        if q.home_based is not None:
            cond.append(m.home_based.is_(q.home_based))
        for domain, level in q.max_demands:
            if domain not in DOMAIN_NAMES:
                raise ValueError(f"unknown functional domain {domain}")
            # an unstated demand may be anything: only "at most MAX_LEVEL" lets it through
            cond.append(func.coalesce(m.demands[domain].as_integer(), MAX_LEVEL) <= level)
        if q.kind == "vacancy":
            cond += self._vacancy_conditions(q)
        else:
            if q.startup_kinds:
                cond.append(StartupOpportunity.kind.in_(q.startup_kinds))
            if q.occupation:
                code = normalise_occupation_filter(q.occupation)
                cond.append(cast(StartupOpportunity.occupation_codes, String).like(f'%"{code}%'))
            if q.min_wage is not None or q.max_hours_per_day is not None or q.employer_id is not None:
                cond.append(false())  # start-ups have no wage, hours or employer: nothing can match
        return cond

    def _vacancy_conditions(self, q: SearchQuery) -> list:
        v, cond = Vacancy, []
        if q.min_wage is not None:
            cond.append(v.wage_max >= q.min_wage)
        if q.max_hours_per_day is not None:
            cond.append(v.hours_per_day <= q.max_hours_per_day)
        if q.max_days_per_week is not None:
            cond.append(v.days_per_week <= q.max_days_per_week)
        if q.shifts:
            cond.append(v.shift.in_(q.shifts))
        if q.employment_types:
            cond.append(v.employment_type.in_(q.employment_types))
        for adj in q.adjustments:
            cond.append(cast(v.adjustments, String).like(f'%"{adj}"%'))
        if q.occupation:
            code = normalise_occupation_filter(q.occupation)
            cond.append(or_(v.occupation_code == code, v.occupation_code.like(f"{code}-%")))
        if q.employer_id is not None:
            cond.append(v.employer_id == q.employer_id)
        if q.startup_kinds:
            cond.append(false())
        return cond

    def search(self, q: SearchQuery) -> SearchHits:
        m = Vacancy if q.kind == "vacancy" else StartupOpportunity
        where = and_(*self._conditions(q))
        sort = q.effective_sort
        order: list[ColumnElement[Any]]
        if sort == Sort.distance and q.near is not None:
            order = [self._distance_sq(m, *q.near).asc(), m.id.desc()]
        elif sort == Sort.wage and q.kind == "vacancy":
            order = [Vacancy.wage_max.desc(), m.id.desc()]
        elif sort == Sort.relevance:
            # No scores here: a word in the title ranks above a word only in the description.
            in_title = [case((m.title.ilike(f"%{g.word}%"), 1), else_=0) for g in q.groups]
            order = [reduce(operator.add, in_title).desc(), m.posted_at.desc(), m.id.desc()]
        else:
            order = [m.posted_at.desc(), m.id.desc()]
        ids = list(self.session.scalars(select(m.id).where(where).order_by(*order).limit(q.per_page).offset(q.offset)))
        total = self.session.scalar(select(func.count()).select_from(m).where(where)) or 0
        facets: dict[str, dict[str, int]] = {}
        if q.facets:
            facets = self._facets(q, m, where)
        return SearchHits(ids=ids, total=total, facets=facets)

    def _facets(self, q: SearchQuery, m: Listing, where: ColumnElement[bool]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        columns = {"community_code": m.community_code, "home_based": m.home_based}
        if q.kind == "vacancy":
            columns |= {"employment_type": Vacancy.employment_type, "shift": Vacancy.shift}
        else:
            columns["startup_kind"] = StartupOpportunity.kind
        for name in FACETS[q.kind]:
            col = columns.get(name)
            if col is None:
                out[name] = {}
                continue
            rows = self.session.execute(select(col, func.count()).where(where).group_by(col)).all()
            out[name] = {_key(k): n for k, n in rows if k is not None}
        return out

    def suggest(self, kind: Kind, prefix: str, *, today: date, limit: int = 8) -> list[str]:
        m = Vacancy if kind == "vacancy" else StartupOpportunity
        n = func.count().label("n")
        rows = self.session.execute(
            select(m.title, n)
            .where(m.status == VacancyStatus.open, m.valid_until >= today, m.title.ilike(f"%{prefix.strip()}%"))
            .group_by(m.title).order_by(n.desc(), m.title).limit(limit)
        ).all()
        return [r[0] for r in rows]


def _key(value: object) -> str:
    """A facet's key as the engines write it: an enum by its value, a flag as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value.value if isinstance(value, Enum) else value)
