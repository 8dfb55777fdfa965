"""Two app processes (real `estation serve`, as two replicas would run) on one PostgreSQL database and one
Elasticsearch node: each loads the model before it takes traffic, a vacancy posted through one is found
through the other within seconds, every outbox row is applied once, the listings' vectors are kept in
the database for both, and a process killed (SIGKILL) in the middle of a sync loses nothing."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from estation.accounts.models import Role
from estation.app import create_app
from estation.config import Settings
from estation.db import make_engine, make_session_factory, session_scope
from estation.matching.models import PassageVector
from estation.migrate import upgrade
from estation.outbox import OutboxEntry
from tests.conftest import fresh_postgres_database
from tests.engines import ES_URL, require_elasticsearch
from tests.factories import TEST_PASSWORD, create_employer, create_user, seed_places
from tests.server import estation_serve

DEMANDS = ("standing_walking", "lifting_carrying", "fine_hand", "seeing", "hearing", "speaking", "learning_memory")
Served = tuple[str, subprocess.Popen[bytes]]
"""A running `estation serve`: its base address and its process."""
STARTING = 300.0
"""Seconds a process may take to start: it loads the model first (under a minute unless the machine is very busy)."""
WITHIN = 90.0
"""Seconds a change may take to be searchable through the other process: it takes one or two on a quiet
machine, but a CI machine running browsers beside it took over 30 (the bound says "found", not "fast")."""


def unique(word: str) -> str:
    """A made-up word per listing, found by nothing else in the index."""
    return word + "".join(chr(0x4E00 + int(c, 16) * 7) for c in uuid.uuid4().hex[:4])


def wait_for(check: Callable[[], bool], what: str, seconds: float = WITHIN) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.2)
    return time.monotonic() - started


class Instance:
    """One database, one index prefix, the employer who posts, and what the test reads back."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)
        with session_scope(self.factory) as s:
            seed_places(s)
            employer = create_employer(s)
            self.employer_id = employer.id
            self.username = create_user(s, role=Role.employer, employer_id=employer.id).username
        self.es = Elasticsearch(ES_URL)

    def serve(self, name: str, var_dir: Path) -> AbstractContextManager[Served]:
        """`estation serve` on this database (its connections named ``estation-<name>`` in pg_stat_activity)
        and index, as a real instance starts: the model loads before the process takes traffic."""
        var_dir.mkdir()
        return estation_serve(f"{self.url}?application_name=estation-{name}", var_dir,
                              output=(var_dir / "serve.log").open("wb"), start_within=STARTING, environment="development",
                              search_backend="elasticsearch", elasticsearch_url=ES_URL, index_prefix=self.prefix)

    def post(self, base: str, token: str, title: str, description: str = "") -> int:
        body = dict(employer_id=self.employer_id, title=title, description=description, community_code="370102009001",
                    address="甸柳新村第三社区", wage_min=2600, wage_max=3000, hours_per_day=8, days_per_week=5,
                    employment_type="full_time", demands=dict.fromkeys(DEMANDS, 1),
                    valid_until=(date.today() + timedelta(days=30)).isoformat())
        r = httpx.post(f"{base}/api/v1/vacancies", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def found(self, base: str, title: str) -> list[int]:
        r = httpx.get(f"{base}/api/v1/search/jobs", params={"q": title}, timeout=30)
        assert r.status_code == 200 and r.json()["backend"] == "elasticsearch" and not r.json()["degraded"], r.text
        return [hit["id"] for hit in r.json()["items"]]

    def finds(self, base: str, title: str, vid: int, *, seconds: float = WITHIN) -> float:
        """Seconds until vacancy ``vid`` is among the hits for ``title`` through ``base``."""
        return wait_for(lambda: vid in self.found(base, title), f"{title} found through {base}", seconds)

    def pending(self) -> int:
        with self.factory() as s:
            return s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.done_at.is_(None))) or 0

    def rows_of(self, ids: list[int]) -> dict[int, int]:
        """How many index rows the outbox holds for each vacancy (each applied once: at most that many writes)."""
        with self.factory() as s:
            rows = s.execute(select(OutboxEntry.entity_id, func.count()).where(
                OutboxEntry.topic == "index.vacancy", OutboxEntry.entity_id.in_(ids)).group_by(OutboxEntry.entity_id))
            return dict(rows.tuples().all())

    def writes(self, ids: list[int]) -> dict[int, int]:
        """How many times each vacancy's document was written: Elasticsearch counts each in its ``_version``."""
        docs = self.es.mget(index=f"{self.prefix}-vacancy", ids=[str(i) for i in ids])["docs"]
        return {int(d["_id"]): d["_version"] for d in docs if d["found"]}

    def claims_held_by(self, name: str) -> int:
        """Listings the process ``name`` is writing to the index right now (its advisory locks, estation.outbox)."""
        with self.engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = :name"),
                {"name": f"estation-{name}"}).scalar_one()

    def close(self) -> None:
        self.es.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True)
        self.es.close()
        self.engine.dispose()


@pytest.fixture
def instance() -> Iterator[Instance]:
    require_elasticsearch()
    with fresh_postgres_database("estation_two") as url:
        upgrade(url)
        made = Instance(url, f"two{uuid.uuid4().hex[:8]}")
        yield made
        made.close()


def start_together(stack: ExitStack, servers: list[AbstractContextManager[Served]]) -> list[Served]:
    """Start the servers at once (each loads the model meanwhile); each is stopped when ``stack`` closes."""
    with ThreadPoolExecutor(len(servers)) as pool:
        starting = [pool.submit(server.__enter__) for server in servers]
    for server, started in zip(servers, starting):
        if started.exception() is None:
            stack.push(server)
    return [started.result() for started in starting]


def sign_in(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def test_two_app_processes_share_the_database_the_index_and_the_vectors(instance: Instance, tmp_path: Path) -> None:
    started = time.monotonic()
    with ExitStack() as stack:
        (a, proc_a), (b, _) = start_together(stack, [instance.serve(name, tmp_path / name) for name in ("a", "b")])
        # Each took traffic only once its model had loaded: the first answer already says so.
        for base in (a, b):
            assert httpx.get(f"{base}/healthz").json()["matching"] == "ready"
            assert httpx.get(f"{base}/readyz").json() == {"ready": True, "matching": "ready"}
        token = sign_in(a, instance.username)  # a session made by one process holds in the other

        title = unique("保洁员")
        vid = instance.post(a, token, title)
        took = instance.finds(b, title, vid)  # posted through A, found through B
        print(f"started both in {time.monotonic() - started:.1f} s; posted through A, found through B after {took:.1f} s")

        # Both processes write at once, and both run their index workers over the same outbox.
        titles = [unique("门卫") for _ in range(16)]
        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(lambda i: instance.post((a, b)[i % 2], token, titles[i]), range(len(titles))))
        wait_for(lambda: instance.pending() == 0, "every outbox row applied")
        for i, title in enumerate(titles):  # through the process it was not posted to (the engine refreshes each second)
            instance.finds((b, a)[i % 2], title, ids[i], seconds=5)
        rows, writes = instance.rows_of([vid, *ids]), instance.writes([vid, *ids])
        assert set(writes) == set(rows) and all(1 <= writes[i] <= rows[i] for i in rows), (writes, rows)
        with instance.factory() as s:
            # One store of vectors for both processes: the database's, and no file beside either.
            assert s.scalar(select(func.count()).select_from(PassageVector)) == len(ids) + 1
        assert not list(tmp_path.glob("*/embeddings.sqlite3"))

        print(f"both writing, each row once: {time.monotonic() - started:.1f} s")

        # A is killed while it writes listings to the index: what it held goes back and B applies it.
        described = "；".join(["负责小区楼道、电梯间和地下车库的日常清洁，按物业要求完成消杀和垃圾分类"] * 8)
        titles = [unique("保洁员") for _ in range(12)]
        with ThreadPoolExecutor(4) as pool:
            posting = [pool.submit(instance.post, a, token, t, described) for t in titles]
            wait_for(lambda: instance.claims_held_by("a") > 0, "A in the middle of a sync", seconds=60)
            proc_a.send_signal(signal.SIGKILL)
            proc_a.wait(10)
        posted = {f.result(): t for f, t in zip(posting, titles) if f.exception() is None}
        assert posted, "A took posts before it was killed"
        wait_for(lambda: instance.pending() == 0, "the rows A held applied by B")
        for i, t in posted.items():
            instance.finds(b, t, i, seconds=5)
        ids = list(posted)
        rows, writes = instance.rows_of(ids), instance.writes(ids)
        # A may have written a document before it died without marking its row: B writes it once more.
        assert set(writes) == set(rows) and all(1 <= writes[i] <= rows[i] + 1 for i in rows), (writes, rows)
    print(f"two-process test: {time.monotonic() - started:.1f} s")


def test_ready_says_when_the_model_is_not_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, environment="test", var_dir=tmp_path,
                              embedding_model=str(tmp_path / "no-such-model")))
    client = TestClient(app)
    assert client.get("/readyz").status_code == 503 and client.get("/readyz").json()["matching"] == "not_loaded"
    app.state.parts.matching.load()  # what the server's start-up does: a failure is told, not raised
    assert client.get("/readyz").status_code == 503 and client.get("/readyz").json()["matching"] == "unavailable"
    assert client.get("/healthz").json()["status"] == "ok"  # the rest still serves
    app.state.parts.close()
