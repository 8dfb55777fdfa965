"""SQLite has one writer at a time: a request that waits on the model or the search engine must not hold
the write lock meanwhile, or every sign-in and every other write in the hall waits for it.

A real server (``estation serve``) on a file SQLite, started without loading the model: the first matching
request waits for the model to load, seconds. Meanwhile another client signs in, and a probe connection
tries to take the write lock every 20 ms.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx

from estation.accounts.models import Role
from estation.db import make_engine, make_session_factory
from estation.migrate import upgrade
from tests.factories import TEST_PASSWORD, create_employer, create_resident, create_user, create_vacancy, seed_places
from tests.server import estation_serve

def _login(base: str, username: str) -> tuple[str, float]:
    started = time.monotonic()
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["token"], time.monotonic() - started


def test_a_request_waiting_on_the_model_holds_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "estation.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        seed_places(s)
        staff, other = create_user(s, role=Role.counter_staff), create_user(s, role=Role.counter_staff)
        resident = create_resident(s)
        create_vacancy(s, employer=create_employer(s))
        s.commit()
        names, resident_id = (staff.username, other.username), resident.id
    engine.dispose()

    with estation_serve(url, tmp_path) as (base, _):
        token, baseline = _login(base, names[0])

        slow: dict = {}

        def match() -> None:
            slow["start"] = time.monotonic()
            slow["response"] = httpx.get(f"{base}/api/v1/match/resident/{resident_id}", timeout=300,
                                         headers={"Authorization": f"Bearer {token}"})
            slow["end"] = time.monotonic()

        held: list[tuple[float, bool]] = []

        def probe() -> None:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            while "end" not in slow:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("ROLLBACK")
                    held.append((time.monotonic(), False))
                except sqlite3.OperationalError:  # database is locked: someone holds the write lock
                    held.append((time.monotonic(), True))
                time.sleep(0.02)
            conn.close()

        worker, prober = threading.Thread(target=match), threading.Thread(target=probe)
        worker.start()
        prober.start()
        time.sleep(1.0)  # the matching request has read its session and resident and waits for the model
        login_start = time.monotonic()
        _, during = _login(base, names[1])
        login_done = time.monotonic()
        worker.join(timeout=300)
        prober.join(timeout=10)

    took = slow["end"] - slow["start"]
    assert slow["response"].status_code == 200, slow["response"].text
    assert took > 3, f"the model loaded in {took:.1f} s: too fast to show anything"
    # The sign-in takes the write lock itself for a moment (its attempt, its session): not counted.
    held = [(at, locked) for at, locked in held if not login_start <= at <= login_done + 0.1]
    longest, run_start = 0.0, None
    for at, locked in held:
        if locked and run_start is None:
            run_start = at
        elif not locked and run_start is not None:
            longest, run_start = max(longest, at - run_start), None
    if run_start is not None:
        longest = max(longest, held[-1][0] - run_start)
    print(f"slow request {took:.1f} s; login {during:.2f} s under it (alone {baseline:.2f} s); "
          f"write lock held {sum(locked for _, locked in held)} of {len(held)} probes, longest {longest:.2f} s")
    assert longest < 0.5, f"the write lock was held for {longest:.1f} s in one stretch"
    assert login_done < slow["end"] - 1, "the sign-in waited for the slow request to finish"
    assert during < took / 2, f"the sign-in took {during:.1f} s under a {took:.1f} s request"
