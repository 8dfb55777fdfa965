"""Job and start-up search: the one interface the API, the web surfaces and the matcher use.

The configured backend ranks (embedded SQLite FTS5 by default, or Elasticsearch); the database
answers: hits come back as ids in rank order and the rows are read from the database, dropping any
the index still holds but that are gone, closed or expired. If the engine cannot be reached, the
database answers the same query itself and the page says it is degraded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from estation import clock
from estation.geo import distance_km, walking_minutes
from estation.jobs.models import StartupOpportunity, Vacancy, VacancyStatus
from indexing.database import DatabaseSearch
from indexing.documents import Kind
from indexing.query import EngineUnavailable, SearchBackend, SearchHits, SearchQuery, Sort
from indexing.text import TermGroup, highlight

log = logging.getLogger("estation.search")

DEGRADED_NOTICE = "搜索服务暂时不可用，以下结果直接来自数据库，排序和拼音首字母检索可能不够准确。"
_SNIPPET_CHARS = 80

__all__ = ["SearchItem", "SearchPage", "SearchService", "SearchQuery", "Sort"]


@dataclass
class SearchItem:
    row: Vacancy | StartupOpportunity
    title_html: str
    snippet_html: str
    distance_km: float | None = None
    walking_minutes: int | None = None


@dataclass
class SearchPage:
    items: list[SearchItem]
    total: int
    page: int
    per_page: int
    sort: Sort
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    degraded: bool = False
    backend: str = "embedded"

    @property
    def notice(self) -> str | None:
        return DEGRADED_NOTICE if self.degraded else None


def _snippet(text: str, groups: list[TermGroup]) -> str:
    """A short piece of the description around the first matched word, highlighted."""
    if not text:
        return ""
    start = 0
    lowered = text.lower()
    positions = [lowered.find(a) for g in groups for a in g.alternatives if a and lowered.find(a) >= 0]
    if positions:
        start = max(0, min(positions) - 20)
    piece = text[start : start + _SNIPPET_CHARS]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + _SNIPPET_CHARS < len(text) else ""
    return prefix + highlight(piece, groups) + suffix


class SearchService:
    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def close(self) -> None:
        self.backend.close()

    def _hits(self, session: Session, query: SearchQuery) -> tuple[SearchHits, bool, str]:
        try:
            return self.backend.search(query), False, self.backend.name
        except (EngineUnavailable, LookupError) as exc:
            # LookupError: the embedded index was never built; the database still knows the answer.
            log.warning("search degraded to the database: %s", exc)
            return DatabaseSearch(session).search(query), True, "database"

    def search(self, session: Session, query: SearchQuery) -> SearchPage:
        hits, degraded, backend = self._hits(session, query)
        rows = hydrate(session, query.kind, hits.ids, today=query.today)
        items = []
        for row in rows:
            dist = distance_km(query.near[0], query.near[1], row.lat, row.lon) if query.near else None
            items.append(
                SearchItem(
                    row=row,
                    title_html=highlight(row.title, query.groups),
                    snippet_html=_snippet(row.description, query.groups),
                    distance_km=round(dist, 2) if dist is not None else None,
                    walking_minutes=walking_minutes(dist) if dist is not None else None,
                )
            )
        return SearchPage(
            items=items, total=hits.total, page=query.page, per_page=query.per_page, sort=query.effective_sort,
            facets=hits.facets, degraded=degraded, backend=backend,
        )

    def suggest(self, session: Session, kind: Kind, prefix: str, *, today: date | None = None,
                limit: int = 8) -> tuple[list[str], bool]:
        today = today or clock.today()
        try:
            return self.backend.suggest(kind, prefix, today=today, limit=limit), False
        except (EngineUnavailable, LookupError) as exc:
            log.warning("typeahead degraded to the database: %s", exc)
            return DatabaseSearch(session).suggest(kind, prefix, today=today, limit=limit), True


def hydrate(session: Session, kind: Kind, ids: list[int], *, today: date) -> list[Vacancy | StartupOpportunity]:
    """Rows for ``ids`` in the same order; ids whose row is gone, closed or expired are dropped."""
    if not ids:
        return []
    stmt: Select[tuple[Vacancy]] | Select[tuple[StartupOpportunity]]
    if kind == "vacancy":
        stmt = select(Vacancy).where(Vacancy.id.in_(ids)).options(joinedload(Vacancy.employer))
    else:
        stmt = select(StartupOpportunity).where(StartupOpportunity.id.in_(ids))
    found = {r.id: r for r in session.scalars(stmt)}
    return [
        found[i] for i in ids
        if i in found and found[i].status == VacancyStatus.open and found[i].valid_until >= today
    ]
