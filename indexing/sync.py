"""The index follows the database: outbox rows applied after commit, and full rebuilds.

Services write ``enqueue(session, topic="index.vacancy", entity_id=...)`` in the user's transaction
(estation/outbox.py). After commit, :func:`sync_pending` turns each pending row into an upsert (the
listing is searchable) or a delete (closed, draft, expired or gone). A failed engine write keeps the
row, counts the attempt and records the error; the next run retries it, so nothing is lost while the
engine is down. The composition root runs the sync in a background worker (estation.outbox.Worker),
woken after each commit that wrote an outbox row (:func:`kick_after_commit`) and otherwise every few
seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, event, func, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from estation import clock
from estation.db import utcnow
from estation.jobs.models import StartupOpportunity, Vacancy, VacancyStatus
from estation.outbox import OutboxEntry, claim, hold_entities
from indexing.documents import KINDS, Kind, SearchDocument, startup_document, vacancy_document
from indexing.query import EngineUnavailable, IndexStore

log = logging.getLogger("estation.indexing")

TOPICS: dict[str, Kind] = {"index.vacancy": "vacancy", "index.startup": "startup"}
TOPIC_OF: dict[Kind, str] = {v: k for k, v in TOPICS.items()}
Progress = Callable[[str, int, int], None]
Vectors = Callable[[Kind, list], list[list[float]]]
"""Optional: the vectors of a batch of listing rows, made by whoever builds the sync (the composition
root passes matching's encoder through the embedding store); None leaves vectors out. Indexing never
makes a vector and only reads the rows: it writes no business data (inferred occupation codes are
set when a vacancy is written, estation.jobs.service)."""


@dataclass
class SyncReport:
    applied: int = 0
    failed: int = 0
    deferred: int = 0
    """Rows of entities another runner was writing: still pending, for the next round."""
    errors: list[str] = field(default_factory=list)


Listing = Vacancy | StartupOpportunity
"""A row the index holds a document of."""


def _model(kind: Kind) -> type[Listing]:
    return Vacancy if kind == "vacancy" else StartupOpportunity


def _select(kind: Kind) -> Select[tuple[Vacancy]] | Select[tuple[StartupOpportunity]]:
    """The rows of ``kind`` with what their documents read (a vacancy's employer and occupation)."""
    if kind == "vacancy":
        return select(Vacancy).options(selectinload(Vacancy.employer), selectinload(Vacancy.occupation))
    return select(StartupOpportunity)


def _load(session: Session, kind: Kind, ids: Iterable[int]) -> dict[int, Listing]:
    stmt = _select(kind).where(_model(kind).id.in_(list(ids)))
    return {row.id: row for row in session.scalars(stmt)}


def build_document(row: Listing, *, today: date, vector: Sequence[float] | None = None) -> SearchDocument | None:
    if isinstance(row, Vacancy):
        return vacancy_document(row, today=today, vector=vector)
    return startup_document(row, today=today, vector=vector)


def _apply(backend: IndexStore, kind: Kind, session: Session, ids: set[int], today: date,
           vectors: Vectors | None) -> None:
    rows = _load(session, kind, ids)
    present = [rows[i] for i in sorted(ids) if i in rows]
    vecs = vectors(kind, present) if vectors and present else [None] * len(present)
    docs, gone = [], set(ids) - set(rows)
    for row, vec in zip(present, vecs):
        doc = build_document(row, today=today, vector=vec)
        if doc is None:
            gone.add(row.id)
        else:
            docs.append(doc)
    backend.upsert(kind, docs)
    backend.delete(kind, sorted(gone))


def sync_pending(
    session: Session, backend: IndexStore, *, limit: int = 500, today: date | None = None,
    refresh: bool = False, vectors: Vectors | None = None,
) -> SyncReport:
    """Apply up to ``limit`` pending index rows to ``backend``; the caller commits the session.

    Rows for one entity collapse into one write of its current state, so the order of changes inside
    a batch does not matter. If the engine is unreachable every row stays pending; if one document is
    refused, the others of the batch are still applied and only the refused one is retried.

    Several processes run this at once: the rows are claimed (estation.outbox.claim: each applied by
    one runner, SQLite's callers hold ``one_runner``) and an entity another runner is writing now is
    left pending for a later round (``deferred``), so a stale state never lands after a newer one.
    """
    today = today or clock.today()
    report = SyncReport()
    pending = session.scalars(claim(session, (
        select(OutboxEntry)
        .where(OutboxEntry.done_at.is_(None), OutboxEntry.topic.in_(list(TOPICS)))
        .order_by(OutboxEntry.id)
        .limit(limit)
    ))).all()
    claimed: dict[Kind, list[OutboxEntry]] = {}
    for entry in pending:
        claimed.setdefault(TOPICS[entry.topic], []).append(entry)
    by_kind: dict[Kind, list[OutboxEntry]] = {}
    for kind, entries in claimed.items():
        free = hold_entities(session, TOPIC_OF[kind], [e.entity_id for e in entries])
        if held := [e for e in entries if e.entity_id in free]:
            by_kind[kind] = held
        report.deferred += len(entries) - len(held)
    # The marks (done, failed) are flushed once, after the last batch: a flush
    # between batches would hold the database's write lock while the next one waits on the model and engine.
    with session.no_autoflush:
        for kind, entries in by_kind.items():
            try:
                _apply(backend, kind, session, {e.entity_id for e in entries}, today, vectors)
                if refresh:
                    backend.refresh(kind)
                _done(entries)
                report.applied += len(entries)
            except EngineUnavailable as exc:
                _failed(entries, exc, report)
            except Exception as exc:  # noqa: BLE001 - one bad document must not block the rest
                log.warning("index batch for %s failed, retrying one by one: %s", kind, exc)
                for entity_id in sorted({e.entity_id for e in entries}):
                    mine = [e for e in entries if e.entity_id == entity_id]
                    try:
                        _apply(backend, kind, session, {entity_id}, today, vectors)
                        _done(mine)
                        report.applied += len(mine)
                    except Exception as one_exc:  # noqa: BLE001 - one bad document must not block the rest
                        _failed(mine, one_exc, report)
                if refresh:
                    try:
                        backend.refresh(kind)
                    except Exception:  # noqa: BLE001 - the rows are already recorded either way
                        pass
    session.flush()
    return report


def _done(entries: list[OutboxEntry]) -> None:
    now = utcnow()
    for e in entries:
        e.attempts += 1
        e.done_at = now
        e.last_error = None


def _failed(entries: list[OutboxEntry], exc: BaseException, report: SyncReport) -> None:
    message = f"{type(exc).__name__}: {exc}{_first_reason(exc)}"[:2000]
    for e in entries:
        e.attempts += 1
        e.last_error = message
    report.failed += len(entries)
    report.errors.append(message)
    log.warning("index write failed (%d rows kept for retry): %s", len(entries), message)


def _first_reason(exc: BaseException) -> str:
    """What the engine said about the first document it refused (a bulk error's own text says only how many)."""
    for item in getattr(exc, "errors", None) or []:
        for op in item.values():
            if isinstance(op, dict) and isinstance(error := op.get("error"), dict):
                return f" (document {op.get('_id')}: {error.get('type')}: {error.get('reason')})"
    return ""


def pending_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxEntry)
        .where(OutboxEntry.done_at.is_(None), OutboxEntry.topic.in_(list(TOPICS)))
    ) or 0


def searchable_rows(session: Session, kind: Kind, *, today: date, batch: int = 1000) -> Iterator[Listing]:
    model = _model(kind)
    stmt = _select(kind).where(model.status == VacancyStatus.open, model.valid_until >= today).order_by(model.id)
    yield from session.scalars(stmt.execution_options(yield_per=batch))


def rebuild(
    session: Session, backend: IndexStore, *, vector_dims: int, model_id: str, kinds: Iterable[Kind] = KINDS,
    today: date | None = None, progress: Progress | None = None, vectors: Vectors | None = None,
) -> dict[str, int]:
    """Fill a new index per kind from the database and swap the alias to it atomically.

    ``vector_dims`` and ``model_id`` name the vector space ``vectors`` embeds into (written into the
    index metadata, so vectors of two models are never mixed).

    Commits ``session`` once (see below); the caller commits the replay it leaves pending.

    Changes committed while the rebuild runs are written to the old index by the outbox worker; their
    outbox rows are set pending again after the swap, so the new index gets them too.
    """
    today = today or clock.today()
    start_id = session.scalar(select(func.max(OutboxEntry.id))) or 0
    written: dict[str, int] = {}
    for kind in kinds:
        model = _model(kind)
        total = session.scalar(
            select(func.count()).select_from(model).where(model.status == VacancyStatus.open, model.valid_until >= today)
        ) or 0

        def docs(kind: Kind = kind, total: int = total) -> Iterator[SearchDocument]:
            done, chunk = 0, []
            for row in searchable_rows(session, kind, today=today):
                chunk.append(row)
                if len(chunk) >= 500:
                    yield from _chunk_docs(kind, chunk, today, vectors)
                    done += len(chunk)
                    chunk = []
                    if progress:
                        progress(f"重建{_LABEL[kind]}索引", done, total)
            yield from _chunk_docs(kind, chunk, today, vectors)
            if progress:
                progress(f"重建{_LABEL[kind]}索引", total, total)

        written[kind] = backend.rebuild(kind, docs(), vector_dims=vector_dims, model_id=model_id)
        session.expunge_all()
    # End the long read transaction first: on SQLite a write from a snapshot older than another
    # session's commit would be refused.
    session.commit()
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id > start_id, OutboxEntry.topic.in_(list(TOPICS)))
        .values(done_at=None)
    )
    session.flush()
    return written


_LABEL = {"vacancy": "岗位", "startup": "创业机会"}


def _chunk_docs(kind: Kind, rows: list, today: date, vectors: Vectors | None) -> Iterator[SearchDocument]:
    if not rows:
        return
    vecs = vectors(kind, rows) if vectors else [None] * len(rows)
    for row, vec in zip(rows, vecs):
        doc = build_document(row, today=today, vector=vec)
        if doc is not None:
            yield doc


def kick_after_commit(session_factory: sessionmaker[Session], kick: Callable[[], None]) -> None:
    """Call ``kick`` after each commit of a session from ``session_factory`` that wrote an index row."""

    @event.listens_for(session_factory, "after_flush")
    def _note(session: Session, _ctx: object) -> None:
        if any(isinstance(o, OutboxEntry) and o.topic in TOPICS for o in session.new):
            session.info["estation_index_dirty"] = True

    @event.listens_for(session_factory, "after_commit")
    def _kick(session: Session) -> None:
        if session.info.pop("estation_index_dirty", False):
            kick()

    @event.listens_for(session_factory, "after_rollback")
    def _clear(session: Session) -> None:
        session.info.pop("estation_index_dirty", None)
