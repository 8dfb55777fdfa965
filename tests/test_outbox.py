"""Several runners over one outbox, each row applied once (estation.outbox): on PostgreSQL two runners in
parallel threads claim with FOR UPDATE SKIP LOCKED and never write one entity at once; on SQLite one
runner at a time holds the lock file, which a killed process drops. The two-process test over real
servers is tests/test_several_processes.py."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from sqlalchemy import URL, select
from sqlalchemy.orm import Session, sessionmaker

from estation.db import make_engine, make_session_factory, session_scope
from estation.migrate import upgrade
from estation.outbox import OutboxEntry, claim, hold_entities, one_runner
from indexing.elasticsearch import ElasticsearchBackend
from indexing.sync import SyncReport, pending_count, sync_pending
from tests.conftest import fresh_postgres_database
from tests.engines import ES_URL, drop_backend, make_backend
from tests.factories import seed_places
from tests.search.conftest import VECTOR_DIMS
from tests.search.factories import create_employer, create_vacancy
from tests.server import ROOT

ROWS = 60


def slow_vectors(kind: str, rows: list) -> list[list[float]]:
    """The vectors hook of a slow model: each batch takes a moment, so two runners' rounds overlap."""
    time.sleep(0.2)
    return [[1.0, 0.0, 0.0, 0.0] for _ in rows]


@pytest.fixture(scope="module")
def postgres_factory() -> Iterator[sessionmaker[Session]]:
    with fresh_postgres_database("estation_outbox") as url:
        upgrade(url)
        engine = make_engine(url)
        yield make_session_factory(engine)
        engine.dispose()


@pytest.fixture
def es_backend(tmp_path: Path) -> Iterator[ElasticsearchBackend]:
    backend = make_backend("elasticsearch", tmp_path, stem="outbox")
    backend.ensure_indexes(vector_dims=VECTOR_DIMS, model_id="test")
    assert isinstance(backend, ElasticsearchBackend)
    yield backend
    drop_backend(backend)


def post_vacancies(factory: sessionmaker[Session], n: int) -> list[int]:
    with session_scope(factory) as s:
        seed_places(s)
        employer = create_employer(s)
        return [create_vacancy(s, employer=employer, title=f"保洁员{i}", index=True).id for i in range(n)]


def run_until_done(factory: sessionmaker[Session], backend, url: str | URL, reports: list[SyncReport],
                   start: threading.Barrier) -> None:
    """A runner as the index worker runs it (estation.composition), in small batches until nothing is left."""
    start.wait()
    while True:
        with one_runner(url, "index", wait=5) as alone, session_scope(factory) as s:
            report = sync_pending(s, backend, limit=7, vectors=slow_vectors) if alone else SyncReport()
        reports.append(report)
        with factory() as s:
            if pending_count(s) == 0:
                return


def versions(backend: ElasticsearchBackend, ids: list[int]) -> Counter[int]:
    """How many times each document was written: Elasticsearch counts every write in its ``_version``."""
    client = Elasticsearch(ES_URL)
    try:
        docs = client.mget(index=backend.alias("vacancy"), ids=[str(i) for i in ids])["docs"]
        return Counter({int(d["_id"]): d["_version"] for d in docs if d["found"]})
    finally:
        client.close()


def race(factory: sessionmaker[Session], backend, url: str | URL) -> list[list[SyncReport]]:
    reports: list[list[SyncReport]] = [[], []]
    start = threading.Barrier(2)
    threads = [threading.Thread(target=run_until_done, args=(factory, backend, url, r, start)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return reports


def test_two_runners_on_postgresql_apply_each_row_once_and_both_work(
        postgres_factory: sessionmaker[Session], es_backend: ElasticsearchBackend) -> None:
    ids = post_vacancies(postgres_factory, ROWS)
    reports = race(postgres_factory, es_backend, postgres_factory.kw["bind"].url)
    applied = [sum(r.applied for r in mine) for mine in reports]
    assert sum(applied) == ROWS and all(n > 0 for n in applied), applied  # SKIP LOCKED: the second never waited
    assert versions(es_backend, ids) == Counter(dict.fromkeys(ids, 1))  # each document written once
    with postgres_factory() as s:
        rows = s.scalars(select(OutboxEntry).where(OutboxEntry.entity_id.in_(ids))).all()
        assert len(rows) == ROWS and all(r.done_at is not None and r.attempts == 1 for r in rows)


def test_a_runner_skips_rows_another_holds_and_an_entity_another_writes(postgres_factory: sessionmaker[Session]) -> None:
    ids = post_vacancies(postgres_factory, 3)
    pending = select(OutboxEntry).where(OutboxEntry.done_at.is_(None), OutboxEntry.entity_id.in_(ids))
    with postgres_factory() as first, postgres_factory() as second:
        held = first.scalars(claim(first, pending.where(OutboxEntry.entity_id == ids[0]))).all()
        assert [r.entity_id for r in held] == [ids[0]]
        assert sorted(r.entity_id for r in second.scalars(claim(second, pending))) == ids[1:]
        second.rollback()
        # A second row of the first vacancy (an edit) is claimable, but the vacancy is being written.
        assert hold_entities(first, "index.vacancy", [ids[0]]) == {ids[0]}
        assert hold_entities(second, "index.vacancy", ids) == set(ids[1:])
        first.rollback()
        assert hold_entities(second, "index.vacancy", ids) == set(ids)  # let go when the first one ended
        second.rollback()


def test_two_runners_on_sqlite_take_turns_and_apply_each_row_once(tmp_path: Path, es_backend: ElasticsearchBackend) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        ids = post_vacancies(factory, ROWS)
        reports = race(factory, es_backend, url)
        assert sum(r.applied for mine in reports for r in mine) == ROWS
        assert versions(es_backend, ids) == Counter(dict.fromkeys(ids, 1))
    finally:
        engine.dispose()


HOLDER = """
import sys, time
from estation.outbox import one_runner
with one_runner(sys.argv[1], "index", wait=0) as alone:
    print("held" if alone else "busy", flush=True)
    time.sleep(600)
"""


def test_the_sqlite_lock_is_one_runners_at_a_time_and_dies_with_its_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with one_runner(url, "index", wait=0.3) as alone:
            assert not alone
        with one_runner(url, "notify", wait=0) as alone:
            assert alone  # another kind of row has a runner of its own
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        with one_runner(url, "index", wait=5) as alone:
            assert alone
            with one_runner(url, "index", wait=0) as again:
                assert not again  # another thread of this process waits its turn too
    finally:
        holder.kill()
        holder.wait()
