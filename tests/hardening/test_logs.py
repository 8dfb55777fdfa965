"""Id numbers and phones never reach the server log: `estation serve` (uvicorn, with its request log asked
for) is sent requests that carry them in forms, JSON bodies and addresses, and its whole output is scanned.
Without being asked, it logs no request line at all (the counter's look-up addresses carry residents' names)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from estation.accounts.models import Role
from estation.db import make_engine, make_session_factory, session_scope
from estation.migrate import upgrade
from tests.factories import TEST_PASSWORD, create_household, create_resident, create_user, new_id_number
from tests.server import estation_serve

NUMBER = new_id_number(birth=date(1971, 4, 23), sex="male")
PHONE = "13688886666"
OTHER_NUMBER = new_id_number(birth=date(1983, 9, 30), sex="female")
OTHER_PHONE = "15977775555"
RAW_VALUES = (NUMBER, PHONE, OTHER_NUMBER, OTHER_PHONE)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, subprocess.Popen[bytes], Path]]:
    """`estation serve` on a seeded SQLite database, its stdout and stderr going to one file."""
    tmp = tmp_path_factory.mktemp("logs")
    url = f"sqlite:///{tmp / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as s:
        household = create_household(s)
        resident = create_resident(s, household=household, id_number=NUMBER, phone=PHONE, name="孙建华")
        clerk = create_user(s, role=Role.counter_staff, window=1)
        credentials = {"clerk": clerk.username, "resident_id": resident.id, "household_id": household.id}
    engine.dispose()
    log = tmp / "server.log"
    with log.open("wb") as out, estation_serve(url, tmp, output=out, search_backend="embedded", request_log="true") as (base, proc):
        yield base, credentials, proc, log


def test_no_id_number_or_phone_reaches_the_server_log(served) -> None:
    base, who, proc, log = served
    with httpx.Client(base_url=base, timeout=30) as web:
        signed_in = web.post("/api/v1/auth/login", json={"username": who["clerk"], "password": TEST_PASSWORD})
        assert signed_in.status_code == 200
        bearer = {"authorization": f"Bearer {signed_in.json()['token']}"}
        web.get("/counter")  # the CSRF cookie
        csrf = web.cookies.get("estation_csrf")
        for query in (NUMBER, PHONE):
            found = web.post("/counter", data={"csrf_token": csrf, "q": query})
            assert found.status_code == 200 and f"/counter/residents/{who['resident_id']}" in found.text
        # addresses that carry them anyway: a stale bookmark, a hand-typed API query
        web.get("/counter", params={"q": NUMBER})
        web.get("/api/v1/residents", params={"name": PHONE}, headers=bearer)
        web.get(f"/api/v1/residents/{who['resident_id']}", params={"reason": f"核对{NUMBER}"}, headers=bearer)
        body = {"household_id": who["household_id"], "relation": "spouse", "name": "刘芳", "hukou_province": "37",
                "employment_status": "flexible", "id_number": OTHER_NUMBER, "phone": OTHER_PHONE}
        refused = web.post("/api/v1/residents", json=body | {"birth_date": "1983-10-01"}, headers=bearer)
        assert refused.status_code == 422
        assert web.post("/api/v1/residents", json=body, headers=bearer).status_code == 201
        web.post("/kiosk/signin/pin", data={"csrf_token": csrf, "id_number": NUMBER, "pin": "000000"})
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    output = log.read_text(errors="replace")
    assert '"POST /counter HTTP/1.1" 200' in output, output  # the request log was on and captured
    assert '"GET /counter?q=' in output  # ... including the address that carried the id number
    for value in RAW_VALUES:
        assert value not in output, value


def test_no_request_line_is_logged_unless_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    log = tmp_path / "server.log"
    with log.open("wb") as out, estation_serve(url, tmp_path, output=out, search_backend="embedded") as (base, proc):
        assert httpx.get(f"{base}/kiosk/jobs/results", params={"q": "孙建华"}, timeout=30).status_code == 200
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    output = log.read_text(errors="replace")
    assert "Application startup complete" in output, output  # the log was captured
    assert "/kiosk/jobs/results" not in output and "GET /" not in output, output


def test_estation_and_library_loggers_go_through_the_same_redaction(tmp_path: Path) -> None:
    """The server's own warnings and errors (a failed query quoting a value, a traceback) are masked
    the same way: the configuration `estation serve` runs with, in a process of its own."""
    script = (
        "import logging, logging.config\n"
        "from estation.privacy import server_log_config\n"
        "logging.config.dictConfig(server_log_config())\n"
        f"logging.getLogger('estation.kiosk').warning('sign-in failed for %s', {NUMBER!r})\n"
        f"logging.getLogger('sqlalchemy.engine').error('bad row: phone=%(p)s', {{'p': {PHONE!r}}})\n"
        "try:\n"
        f"    raise ValueError('input_value={OTHER_NUMBER}')\n"
        "except ValueError:\n"
        "    logging.getLogger('uvicorn.error').exception('Exception in ASGI application')\n"
        f"logging.getLogger('estation.notifications').info('sms to {OTHER_PHONE}')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    output = done.stdout + done.stderr
    assert "sign-in failed for" in output and "Exception in ASGI application" in output and "sms to" in output
    assert NUMBER[0] + "*" * 16 + NUMBER[-1] in output and "136****6666" in output
    for value in RAW_VALUES:
        assert value not in output, value
