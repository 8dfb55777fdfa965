"""The index follows the database through the outbox, on every backend."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from estation.db import make_session_factory, session_scope
from estation.jobs.models import Vacancy, VacancyStatus
from estation.outbox import OutboxEntry, Worker, enqueue
from indexing.elasticsearch import ElasticsearchBackend
from indexing.query import SearchBackend, SearchQuery
from indexing.sync import kick_after_commit, pending_count, rebuild, sync_pending
from indexing.vectors import VectorSpaceMismatch
from tests.engines import BACKENDS
from tests.search.conftest import VECTOR_DIMS, seeded_factory
from tests.search.factories import create_employer, create_startup, create_vacancy

pytestmark = pytest.mark.parametrize("fresh_backend", BACKENDS, indirect=True)


@pytest.fixture(scope="module")
def scratch_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """A database of its own, so the writes here never change the contract suite's corpus."""
    yield from seeded_factory(tmp_path_factory, "syncdb")


@pytest.fixture
def db(scratch_factory: sessionmaker[Session]) -> Iterator[Session]:
    with scratch_factory() as s:
        yield s


def unique(word: str) -> str:
    # A made-up word per test, so each test finds only its own listings in a shared database.
    return word + "".join(chr(0x4E00 + int(c, 16) * 7) for c in uuid.uuid4().hex[:4])


def found(backend: SearchBackend, text: str, kind: str = "vacancy") -> list[int]:
    backend.refresh(kind)  # type: ignore[arg-type]
    return backend.search(SearchQuery(kind=kind, text=text, per_page=100)).ids  # type: ignore[arg-type]


def entries(db: Session, entity_id: int, topic: str = "index.vacancy") -> list[OutboxEntry]:
    db.expire_all()
    return list(db.scalars(select(OutboxEntry).where(OutboxEntry.entity_id == entity_id, OutboxEntry.topic == topic)))


def test_change_reaches_the_index_only_after_commit_and_sync(db: Session, fresh_backend: SearchBackend) -> None:
    title = unique("保洁")
    v = create_vacancy(db, employer=create_employer(db), title=title, index=True)
    db.commit()
    assert found(fresh_backend, title) == []
    report = sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert report.failed == 0 and report.applied >= 1
    assert found(fresh_backend, title) == [v.id]
    (entry,) = entries(db, v.id)
    assert entry.done_at is not None and entry.attempts == 1 and entry.last_error is None


def test_rolled_back_change_leaves_no_outbox_row(db: Session, fresh_backend: SearchBackend) -> None:
    v = create_vacancy(db, employer=create_employer(db), title=unique("门卫"), index=True)
    vid = v.id
    db.rollback()
    assert entries(db, vid) == []


def test_closing_and_deleting_remove_from_the_index(db: Session, fresh_backend: SearchBackend) -> None:
    title = unique("帮厨")
    employer = create_employer(db)
    a = create_vacancy(db, employer=employer, title=title, index=True)
    b = create_vacancy(db, employer=employer, title=title, index=True)
    db.commit()
    sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert sorted(found(fresh_backend, title)) == sorted([a.id, b.id])
    a.status = VacancyStatus.closed
    enqueue(db, topic="index.vacancy", entity_id=a.id)
    db.execute(delete(Vacancy).where(Vacancy.id == b.id))
    enqueue(db, topic="index.vacancy", entity_id=b.id)
    db.commit()
    sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert found(fresh_backend, title) == []


def test_many_changes_to_one_listing_collapse_to_its_latest_state(db: Session, fresh_backend: SearchBackend) -> None:
    v = create_vacancy(db, employer=create_employer(db), title=unique("收银"), index=True)
    db.commit()
    new_title = unique("理货")
    for wage in (3000, 3100, 3200):
        v.wage_max = wage
        v.title = new_title
        enqueue(db, topic="index.vacancy", entity_id=v.id)
        db.commit()
    sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert found(fresh_backend, new_title) == [v.id]
    assert all(e.done_at is not None for e in entries(db, v.id))
    hits = fresh_backend.search(SearchQuery(text=new_title, min_wage=3200))
    assert hits.ids == [v.id]


def test_unreachable_engine_keeps_rows_and_a_later_run_catches_up(
    db: Session, fresh_backend: SearchBackend
) -> None:
    title = unique("育婴")
    v = create_vacancy(db, employer=create_employer(db), title=title, index=True)
    s = create_startup(db, title=unique("商铺"), index=True)
    db.commit()
    # A real client pointed at a port where nothing listens: the engine is down.
    down = ElasticsearchBackend("http://127.0.0.1:9", prefix="down", request_timeout=2)
    report = sync_pending(db, down)
    db.commit()
    down.close()
    assert report.applied == 0 and report.failed >= 2
    (entry,) = entries(db, v.id)
    assert entry.done_at is None and entry.attempts == 1 and "unreachable" in (entry.last_error or "")
    assert db.get(Vacancy, v.id) is not None  # the user's write stands
    assert pending_count(db) >= 2
    report = sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert report.failed == 0
    assert found(fresh_backend, title) == [v.id]
    (entry,) = entries(db, v.id)
    assert entry.done_at is not None and entry.attempts == 2 and entry.last_error is None
    assert entries(db, s.id, "index.startup")[0].done_at is not None


def test_one_refused_document_does_not_block_the_batch(db: Session, fresh_backend: SearchBackend) -> None:
    employer = create_employer(db)
    good = create_vacancy(db, employer=employer, title=unique("保安"), index=True)
    bad = create_vacancy(db, employer=employer, title=unique("保安"), index=True)
    db.commit()

    def vectors(kind: str, rows: list) -> list[list[float]]:
        # The bad listing gets a vector of the wrong size, which every backend must refuse.
        return [[0.5] * (VECTOR_DIMS + (1 if r.id == bad.id else 0)) for r in rows]

    report = sync_pending(db, fresh_backend, refresh=True, vectors=vectors)
    db.commit()
    assert report.failed == 1
    assert found(fresh_backend, good.title) == [good.id]
    (bad_entry,) = entries(db, bad.id)
    assert bad_entry.done_at is None and bad_entry.last_error
    if fresh_backend.name == "elasticsearch":  # what the engine said, not only how many it refused
        assert f"document {bad.id}: " in bad_entry.last_error and "dimensions" in bad_entry.last_error
    (good_entry,) = entries(db, good.id)
    assert good_entry.done_at is not None
    # Without the bad vector it goes through on the next run.
    sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    assert found(fresh_backend, bad.title) == [bad.id]


def test_rebuild_swaps_to_a_new_index_with_metadata(db: Session, fresh_backend: SearchBackend) -> None:
    title = unique("编织")
    employer = create_employer(db)
    keep = create_vacancy(db, employer=employer, title=title)
    closed = create_vacancy(db, employer=employer, title=title, status=VacancyStatus.closed)
    db.commit()
    before = fresh_backend.index_meta("vacancy")["index"]
    counts = rebuild(db, fresh_backend, vector_dims=VECTOR_DIMS, model_id="model-b")
    db.commit()
    meta = fresh_backend.index_meta("vacancy")
    assert meta["index"] != before and meta["model_id"] == "model-b" and meta["vector_dims"] == VECTOR_DIMS
    assert meta["documents"] == counts["vacancy"]
    # Only this test's two listings are looked at: the shared database holds other tests' listings, and
    # the engine's relevance may also rank one whose made-up word shares characters with this one.
    assert [i for i in found(fresh_backend, title) if i in (keep.id, closed.id)] == [keep.id]
    if isinstance(fresh_backend, ElasticsearchBackend):
        assert not fresh_backend.client.indices.exists(index=before)
        assert list(fresh_backend.client.indices.get_alias(name=fresh_backend.alias("vacancy")).body) == [meta["index"]]


def test_a_rebuild_for_another_model_is_queried_at_once_and_the_old_space_refused(
    db: Session, fresh_backend: SearchBackend
) -> None:
    """A backend that rebuilt its index in another vector space (another model, another size) answers kNN in
    the new one at once: it does not keep trusting what it knew of the index it replaced."""
    listing = create_vacancy(db, employer=create_employer(db), title=unique("保洁"))
    db.commit()
    assert fresh_backend.knn("vacancy", [1.0] * VECTOR_DIMS, 1, SearchQuery(), model_id="test-model") == []
    rebuild(db, fresh_backend, kinds=("vacancy",), vector_dims=3, model_id="model-3",
            vectors=lambda kind, rows: [[1.0, 0.0, 0.0] if r.id == listing.id else [0.0, 1.0, 0.0] for r in rows])
    db.commit()
    assert fresh_backend.knn("vacancy", [1.0, 0.0, 0.0], 1, SearchQuery(), model_id="model-3")[0][0] == listing.id
    with pytest.raises(VectorSpaceMismatch):
        fresh_backend.knn("vacancy", [1.0] * VECTOR_DIMS, 1, SearchQuery(), model_id="test-model")


def test_changes_committed_during_a_rebuild_reach_the_new_index(
    db: Session, scratch_factory: sessionmaker[Session], fresh_backend: SearchBackend
) -> None:
    first = create_vacancy(db, employer=create_employer(db), title=unique("值班"))
    db.commit()
    title = unique("值班")
    during: list[int] = []

    def vectors(kind: str, rows: list) -> list[None]:
        # While the new index is being filled, a user saves a listing and the worker applies it
        # to the index the alias still points at: the old one.
        if not during:
            with scratch_factory() as other:
                during.append(create_vacancy(other, employer=create_employer(other), title=title, index=True).id)
                other.commit()
                sync_pending(other, fresh_backend)
                other.commit()
        return [None] * len(rows)

    rebuild(db, fresh_backend, vector_dims=VECTOR_DIMS, model_id="m", vectors=vectors)
    db.commit()
    (entry,) = entries(db, during[0])
    assert entry.done_at is None  # replayed: the new index may not have it
    sync_pending(db, fresh_backend, refresh=True)
    db.commit()
    # A rebuild indexes the whole shared database: look only at this test's own listings.
    assert [i for i in found(fresh_backend, title) if i in (first.id, *during)] == during


def test_worker_applies_commits_in_the_background(
    scratch_factory: sessionmaker[Session], fresh_backend: SearchBackend
) -> None:
    factory = make_session_factory(scratch_factory.kw["bind"])

    def index_round() -> None:  # as the composition root wires the app's index worker
        with session_scope(factory) as session:
            sync_pending(session, fresh_backend)

    worker = Worker(index_round, name="test-index", interval=30)
    kick_after_commit(factory, worker.kick)
    worker.start()
    try:
        title = unique("陪护")
        with factory() as s:
            v = create_vacancy(s, employer=create_employer(s), title=title, index=True)
            s.commit()  # the commit kicks the worker; the 30 s poll would be far too late
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and found(fresh_backend, title) != [v.id]:
            time.sleep(0.1)
        assert found(fresh_backend, title) == [v.id]
    finally:
        worker.stop()


def test_kick_only_after_a_commit_that_wrote_an_index_row(
    scratch_factory: sessionmaker[Session], fresh_backend: SearchBackend
) -> None:
    factory = make_session_factory(scratch_factory.kw["bind"])
    kicks: list[int] = []
    kick_after_commit(factory, lambda: kicks.append(1))
    with factory() as s:
        create_vacancy(s, employer=create_employer(s), title=unique("搬运"), index=True)
        s.rollback()
        assert kicks == []
        create_employer(s)
        s.commit()
        assert kicks == []
        create_vacancy(s, employer=create_employer(s), title=unique("搬运"), index=True)
        s.commit()
        assert kicks == [1]
