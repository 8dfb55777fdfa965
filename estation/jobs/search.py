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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation import clock
from estation.config import Settings
from estation.geo import distance_km, walking_minutes
from estation.jobs.models import StartupOpportunity, Vacancy, VacancyStatus
from indexing.database import DatabaseSearch
from indexing.documents import Kind
from indexing.query import EngineUnavailable, SearchBackend, SearchHits, SearchQuery, Sort
from indexing.text import TermGroup, highlight

log = logging.getLogger("estation.search")

DEGRADED_NOTICE = "搜索服务暂时不可用，以下结果直接来自数据库，排序和拼音首字母检索可能不够准确。"
_SNIPPET_CHARS = 80

__all__ = ["SearchItem", "SearchPage", "SearchService", "SearchQuery", "Sort", "build_backend", "build_search"]


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


def build_backend(settings: Settings) -> SearchBackend:
    """The engine named by ``ESTATION_SEARCH_BACKEND``; engine clients are imported only here."""
    if settings.search_backend == "elasticsearch":
        from indexing.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(settings.elasticsearch_url, prefix=settings.index_prefix)
    from indexing.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.var_dir / "search.sqlite3", prefix=settings.index_prefix)


def build_search(settings: Settings, *, vector_dims: int = 384, model_id: str = "none") -> SearchService:
    """Built once at start-up; indexes are created if missing, and an unreachable engine is not fatal."""
    backend = build_backend(settings)
    try:
        backend.ensure_indexes(vector_dims=vector_dims, model_id=model_id)
    except EngineUnavailable as exc:
        log.warning("search engine not reachable at start-up, answering from the database: %s", exc)
    return SearchService(backend)


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


def hydrate(session: Session, kind: Kind, ids: list[int], *, today: date) -> list:
    """Rows for ``ids`` in the same order; ids whose row is gone, closed or expired are dropped."""
    if not ids:
        return []
    model = Vacancy if kind == "vacancy" else StartupOpportunity
    stmt = select(model).where(model.id.in_(ids))
    if kind == "vacancy":
        stmt = stmt.options(selectinload(Vacancy.employer))
    found = {r.id: r for r in session.scalars(stmt)}
    return [
        found[i] for i in ids
        if i in found and found[i].status == VacancyStatus.open and found[i].valid_until >= today
    ]



def install_search(app, *, start_worker: bool = True, interval: float = 5.0) -> SearchService:  # noqa: ANN001
    """Put the search service on ``app.state.search`` and the outbox worker on ``app.state.search_worker``.

    Call once in ``create_app`` after ``app.state.settings`` and ``app.state.session_factory`` are set.
    The worker applies index changes after each commit that wrote an outbox row, and every
    ``interval`` seconds (which is how the index catches up after the engine was down). Stop it with
    ``app.state.search_worker.stop()`` on shutdown; it is a daemon thread, so a plain exit is safe too.
    """
    from estation.matching.vectors import model_id_for, runtime_vectors
    from indexing.sync import OutboxWorker, kick_after_commit

    service = build_search(app.state.settings, model_id=model_id_for(app.state.settings))
    app.state.search = service
    # Listings are embedded with the app's own encoder as they are indexed, so matching finds them by
    # meaning; while the model is unavailable the rows stay in the outbox and are retried.
    worker = OutboxWorker(app.state.session_factory, service.backend, interval=interval,
                          vectors=runtime_vectors(app.state))
    kick_after_commit(app.state.session_factory, worker.kick)
    app.state.search_worker = worker
    if start_worker:
        worker.start()
    return service
