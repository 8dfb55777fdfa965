"""Real databases for the tests: SQLite and PostgreSQL, each migrated up by Alembic from empty.

Repository and service tests take the ``session`` fixture and so run on both engines. Each test runs in a
transaction that is rolled back. PostgreSQL is required: the test command starts it (scripts/postgres);
without it these tests fail rather than skip.
"""

from __future__ import annotations

import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from estation.db import make_engine
from estation.migrate import upgrade
from tests.factories import TEST_PASSWORD, seed_places

# The hall's day is Beijing's (estation.clock.today()): tests that write date.today() mean that day, at
# any hour the run starts (between 16:00 and 24:00 UTC the two calendars differ). Servers started by tests
# inherit it.
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()
# The test apps never write the daily digests by the clock (a long-lived app whose matcher a test loaded
# would write them into its data in the background); tests run estation.matching.digest.run_daily themselves.
os.environ.setdefault("ESTATION_ALERT_DIGEST_TIME", "")

POSTGRES_ADMIN_URL = os.environ.get(
    "ESTATION_TEST_POSTGRES_URL", "postgresql+psycopg://estation:estation@127.0.0.1:5432/postgres"
)


def drop_database(conn, name: str) -> None:
    """Drop a test database: end this role's own sessions on it, then DROP, which cancels an autovacuum
    worker by itself. (WITH (FORCE) would try to terminate that worker too, which a role that is not a
    superuser may not do: the drop then failed now and then, right after a large restore.)"""
    for _ in range(40):
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"),
                     {"name": name})
        try:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except DBAPIError:
            time.sleep(0.25)
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@contextmanager
def fresh_postgres_database(prefix: str = "estation_test") -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards. Tests whose app commits (a live server, a CLI)
    take one of their own: committed rows in the shared ``postgres_url`` would leak into rolled-back tests."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            drop_database(conn, name)
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test run's rolled-back tests, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def private_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test module's own, for apps that commit."""
    with fresh_postgres_database("estation_private") as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'estation.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with engine.connect() as conn:
        outer = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
            yield s
        outer.rollback()


class ApiHarness:
    """A migrated SQLite database, the app built on it and a way to sign in as anyone."""

    def __init__(self, url: str, tmp: Path) -> None:
        from estation.app import create_app
        from estation.config import Settings

        self.settings = Settings(database_url=url, environment="test", var_dir=tmp)
        self.app = create_app(self.settings)
        self.factory = self.app.state.parts.session_factory
        self.anonymous = TestClient(self.app)

    def db(self) -> Session:
        return self.factory()

    def client_for(self, user) -> TestClient:
        client = TestClient(self.app)
        response = client.post("/api/v1/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.text
        # Signed in by cookie, as a browser is: API writes echo the CSRF token the login gave.
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiHarness:
    tmp = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{tmp / 'api.sqlite3'}"
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        s.commit()
    return harness


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


class LiveServer:
    """The app of an ApiHarness served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, harness: ApiHarness) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(harness.app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live(api: ApiHarness) -> Iterator[LiveServer]:
    server = LiveServer(api)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download exists here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot for the README, only when ESTATION_SCREENSHOT_DIR is set (e.g.
    ``ESTATION_SCREENSHOT_DIR=docs/screenshots scripts/test tests/ledger``): a test run changes no files."""
    folder = os.environ.get("ESTATION_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in(page, base: str, username: str, then: str, *, password: str = TEST_PASSWORD) -> None:
    """Sign in at the shared sign-in page in the browser and wait until it lands on ``then``."""
    page.goto(f"{base}/login?next={then}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")
