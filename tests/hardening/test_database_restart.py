"""The database restarted under a running app: requests fail cleanly (503, a Chinese message, nothing
half-written) and the app recovers by itself when the database is back.

The test runs its own PostgreSQL instance (Debian's binaries, a throw-away data directory, a free
port), so stopping it disturbs nothing else in the run. Traffic keeps flowing from a background
thread across the stop and the start; no response may be a 500.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from estation.accounts.models import Role, User
from estation.labour.models import Household
from estation.migrate import upgrade
from tests.conftest import ApiHarness
from tests.factories import create_household, create_resident, create_user
from tests.server import free_port

ROLE = "estation"
DOWN_MESSAGE = "数据库暂时不可用，请稍后再试"


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"PostgreSQL's {name} is missing: scripts/postgres installs it"
    return str(found[-1])


class PrivateCluster:
    """initdb + pg_ctl on a free loopback port; as root the server runs as the postgres user."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="estation-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-U", ROLE, "--auth=trust", "-E", "UTF8", "--no-sync")

    def _run(self, *argv: str) -> None:
        cmd = list(argv)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Served:
    cluster: PrivateCluster
    harness: ApiHarness
    staff: User
    person_id: int


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """A private cluster, migrated, holding one resident and a counter clerk, under an app of its own."""
    cluster = PrivateCluster()
    cluster.start()
    try:
        upgrade(cluster.url)
        harness = ApiHarness(cluster.url, tmp_path)
        with harness.db() as s:
            person = create_resident(s, household=create_household(s), name="周丽华")
            staff = create_user(s, role=Role.counter_staff)
            s.commit()
            person_id = person.id
        yield Served(cluster, harness, staff, person_id)
        harness.app.state.parts.stop_workers()
        harness.app.state.parts.session_factory.kw["bind"].dispose()
    finally:
        cluster.remove()


def _households(harness: ApiHarness) -> int:
    with harness.db() as s:
        return s.scalar(select(func.count()).select_from(Household))


def test_requests_fail_cleanly_while_the_database_restarts_and_then_recover(served: Served) -> None:
    cluster, harness, staff, person_id = served.cluster, served.harness, served.staff, served.person_id
    client = harness.client_for(staff)
    assert client.get(f"/api/v1/residents/{person_id}").status_code == 200
    new_household = {"community_code": "370102009001", "address": "甸柳新村二区3号楼"}

    # Traffic from another thread the whole time: reads of the record (each read also writes the access log).
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    reader = harness.client_for(staff)  # signed in before the stop, however slowly the thread starts

    def traffic() -> None:
        while not stop.is_set():
            statuses[reader.get(f"/api/v1/residents/{person_id}").status_code] += 1
            time.sleep(0.02)

    before = _households(harness)
    worker = threading.Thread(target=traffic, daemon=True)
    worker.start()
    time.sleep(0.5)
    cluster.stop()
    try:
        down_read = client.get(f"/api/v1/residents/{person_id}")
        down_write = client.post("/api/v1/households", json=new_household)
        for down in (down_read, down_write):  # the API's one error body
            assert down.status_code == 503 and down.json()["detail"] == [
                {"loc": ["body"], "msg": DOWN_MESSAGE, "type": "database_unavailable"}]
        page = client.get("/counter", follow_redirects=False)  # a staff page: HTML, in Chinese
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert DOWN_MESSAGE in page.text
        time.sleep(1.0)
    finally:
        cluster.start()

    # Back without restarting the app: stale pooled connections are noticed (pre-ping) and replaced.
    deadline = time.monotonic() + 20
    while client.get(f"/api/v1/residents/{person_id}").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover after the database came back"
        time.sleep(0.2)
    time.sleep(0.5)
    stop.set()
    worker.join(timeout=30)

    assert statuses[500] == 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0 and statuses[200] > 0, f"traffic did not span the restart: {statuses}"
    assert _households(harness) == before, "the write refused while the database was down left nothing behind"
    created = client.post("/api/v1/households", json=new_household)
    assert created.status_code == 201, created.text
    assert _households(harness) == before + 1


def test_the_outage_page_renders_for_a_signed_in_user_caught_mid_request(served: Served) -> None:
    """The database goes away after the request has loaded who is signed in and while it writes (the access
    log of a record it shows): the write fails, the session rolls back, and the page still says, in
    Chinese, that the database is unavailable (it once failed with a DetachedInstanceError, a 500)."""
    cluster, harness, staff, person_id = served.cluster, served.harness, served.staff, served.person_id
    browser = TestClient(harness.app, raise_server_exceptions=False, cookies=harness.client_for(staff).cookies)
    url = f"/counter/residents/{person_id}?reason=办理业务"
    assert browser.get(url).status_code == 200

    # Park the request at its access-log write: another connection holds the table locked.
    blocker = create_engine(cluster.url).connect()
    blocker.begin()
    blocker.execute(text("LOCK TABLE access_log IN EXCLUSIVE MODE"))
    answer: dict = {}
    worker = threading.Thread(target=lambda: answer.setdefault("page", browser.get(url)))
    worker.start()
    try:
        time.sleep(1.5)
        assert worker.is_alive(), f"the request did not wait for the lock: {answer}"
        cluster.stop()
        worker.join(timeout=60)
    finally:
        blocker.invalidate()
        cluster.start()

    page = answer["page"]
    assert page.status_code == 503, page.text[:500]
    assert page.headers["content-type"].startswith("text/html") and DOWN_MESSAGE in page.text
