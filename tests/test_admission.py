"""A burst of requests on one `estation serve` process holds no more database connections than its pool:
requests past the process's threads wait at the door (estation.middleware.Admission), holding nothing, and
every one of them is answered. Without the door each request in flight held a connection between its hops
to the worker threads: 200 users ran a process's pool dry (pages waited 10 s for a 503) and two processes
asked PostgreSQL for more connections than it allows."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from estation.accounts.models import Role
from estation.db import POOL, make_engine, make_session_factory, session_scope
from estation.migrate import upgrade
from tests.conftest import fresh_postgres_database
from tests.factories import TEST_PASSWORD, create_user
from tests.server import estation_serve

BURST = 150


def _most_connections(url: str, name: str, stop: threading.Event, seen: list[int]) -> None:
    engine = create_engine(url.replace(f"?application_name={name}", ""))
    with engine.connect() as conn:
        while not stop.is_set():
            seen.append(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"),
                                     {"n": name}).scalar_one())
            time.sleep(0.01)
    engine.dispose()


async def _burst(base: str, token: str) -> list[int]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        answers = await asyncio.gather(*(client.get("/api/v1/auth/me") for _ in range(BURST)))
    return [r.status_code for r in answers]


def test_a_burst_is_answered_within_the_pool(tmp_path: Path) -> None:
    with fresh_postgres_database("estation_burst") as url:
        upgrade(url)
        engine = make_engine(url)
        with session_scope(make_session_factory(engine)) as s:
            username = create_user(s, role=Role.counter_staff, window=1).username
        engine.dispose()
        name = "estation-burst"
        with estation_serve(f"{url}?application_name={name}", tmp_path, search_backend="embedded") as (base, _):
            token = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD},
                               timeout=30).json()["token"]
            stop, seen = threading.Event(), []
            watcher = threading.Thread(target=_most_connections, args=(f"{url}?application_name={name}", name, stop, seen))
            watcher.start()
            codes: list[int] = []
            # A thread of its own: a browser test of the same run may have left an event loop running in this one.
            burst = threading.Thread(target=lambda: codes.extend(asyncio.run(_burst(base, token))))
            try:
                burst.start()
                burst.join()
            finally:
                stop.set()
                watcher.join()
    assert codes == [200] * BURST, sorted(set(codes))
    assert seen and max(seen) <= POOL["pool_size"] + POOL["max_overflow"], max(seen)
