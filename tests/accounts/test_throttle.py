"""Sign-in throttling under parallel requests: real threads against a real server, on SQLite and PostgreSQL.

Every request carries its own X-Forwarded-For (uvicorn trusts it from 127.0.0.1), so each test is one
client address of its own and the per-address limit of one test never spills into another.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role, SignInAttempt
from estation.migrate import upgrade
from estation.privacy import lookup_hash
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_resident, create_user, seed_places

PIN = "386214"
PARALLEL = 30


@dataclass
class Throttled:
    harness: ApiHarness
    server: LiveServer
    _addresses = iter(range(1, 250))

    @property
    def url(self) -> str:
        return self.server.url

    def address(self) -> str:
        """A client address no other test uses."""
        return f"198.51.100.{next(self._addresses)}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def throttled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Throttled]:
    tmp = tmp_path_factory.mktemp("throttle")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'throttle.sqlite3'}"
    else:
        url = request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        s.commit()
    server = LiveServer(harness)
    yield Throttled(harness, server)
    server.stop()
    harness.app.state.parts.engine.dispose()


def _resident_with_pin(t: Throttled) -> str:
    with t.harness.db() as s:
        resident = create_resident(s, name="周桂香")
        set_pin(s, resident=resident, pin=PIN)
        s.commit()
        return resident.id_number


def _kiosk_client(t: Throttled, address: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=t.url, headers={"X-Forwarded-For": address}, timeout=60)
    page = client.get("/kiosk/signin/pin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client, token


def _post_pin(client: httpx.Client, token: str, id_number: str, pin: str) -> httpx.Response:
    return client.post("/kiosk/signin/pin", data={"csrf_token": token, "id_number": id_number, "pin": pin})


def _in_parallel(calls: list, *, meanwhile=None) -> list[int]:
    """Run the calls at once (a barrier releases them together) and ``meanwhile`` while they run."""
    barrier = threading.Barrier(len(calls) + 1)
    codes: list[int] = []

    def run(call) -> None:
        barrier.wait()
        codes.append(call().status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for th in threads:
        th.start()
    barrier.wait()
    if meanwhile is not None:
        meanwhile()
    for th in threads:
        th.join(timeout=120)
    return codes


def _evaluated(t: Throttled, login: str) -> list[bool]:
    with t.harness.db() as s:
        return list(s.scalars(select(SignInAttempt.success).where(SignInAttempt.login == login)))


def test_thirty_parallel_wrong_pins_then_the_right_one_does_not_sign_in(throttled: Throttled) -> None:
    id_number = _resident_with_pin(throttled)
    address = throttled.address()
    clients = [_kiosk_client(throttled, address) for _ in range(PARALLEL)]
    owner, owner_token = _kiosk_client(throttled, address)
    during: list[httpx.Response] = []

    def right_pin_while_they_run() -> None:
        time.sleep(0.5)
        during.append(_post_pin(owner, owner_token, id_number, PIN))

    codes = _in_parallel([lambda c=c, tok=tok, i=i: _post_pin(c, tok, id_number, f"{900000 + i}")
                          for i, (c, tok) in enumerate(clients)], meanwhile=right_pin_while_they_run)
    assert len(codes) == PARALLEL
    assert set(codes) <= {401, 429}, codes  # never a 500 or a "database is locked" 503
    # The right PIN sent while the guesses are still being checked finds the account already held.
    assert during[0].status_code == 429, during[0].status_code
    # Counted before checking: only the free tries reach the PIN check, however many arrive at once.
    evaluated = _evaluated(throttled, lookup_hash(id_number))
    assert evaluated == [False] * 3, evaluated
    assert codes.count(401) == 3

    client, token = _kiosk_client(throttled, address)
    right = _post_pin(client, token, id_number, PIN)
    assert right.status_code == 429, right.status_code
    assert "estation_session" not in right.cookies
    assert re.search(r"请\d+(秒|分钟)后再试", right.text), right.text
    assert client.get("/kiosk/me/insurance", follow_redirects=False).status_code == 303  # not signed in


def test_thirty_parallel_wrong_passwords_then_the_right_one_does_not_sign_in(throttled: Throttled) -> None:
    with throttled.harness.db() as s:
        user = create_user(s, role=Role.counter_staff, window=2)
        s.commit()
        username = user.username
    address = throttled.address()
    client = httpx.Client(base_url=throttled.url, headers={"X-Forwarded-For": address}, timeout=60)

    def wrong(i: int) -> httpx.Response:
        return client.post("/api/v1/auth/login", json={"username": username, "password": f"wrong-password-{i}"})

    codes = _in_parallel([lambda i=i: wrong(i) for i in range(PARALLEL)])
    assert set(codes) <= {401, 429}, codes
    assert _evaluated(throttled, username) == [False] * 3
    right = client.post("/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert re.search(r"请\d+(秒|分钟)后再试", right.json()["detail"][0]["msg"])
    assert "estation_session" not in right.cookies
    # The staff web form holds the same line: the account is locked there too.
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    web = client.post("/login", data={"csrf_token": token, "username": username, "password": TEST_PASSWORD},
                      follow_redirects=False)
    assert web.status_code == 429 and "后再试" in web.text


def test_one_address_guessing_many_accounts_is_slowed_down(throttled: Throttled) -> None:
    address = throttled.address()
    client = httpx.Client(base_url=throttled.url, headers={"X-Forwarded-For": address}, timeout=60)
    codes = [client.post("/api/v1/auth/login", json={"username": f"guess{i}", "password": "wrong-password"}).status_code
             for i in range(31)]
    assert codes[:30] == [401] * 30
    assert codes[30] == 429
    assert "这台设备" in client.post("/api/v1/auth/login",
                                  json={"username": "guess-other", "password": "x" * 12}).json()["detail"][0]["msg"]
    # Another address is not held up by this one.
    other = httpx.Client(base_url=throttled.url, headers={"X-Forwarded-For": throttled.address()}, timeout=60)
    assert other.post("/api/v1/auth/login", json={"username": "guess0", "password": "wrong-password"}).status_code == 401


def test_an_unknown_username_takes_as_long_as_a_wrong_password(throttled: Throttled) -> None:
    with throttled.harness.db() as s:
        names = [create_user(s, role=Role.cadre).username for _ in range(5)]
        s.commit()
    client = httpx.Client(base_url=throttled.url, headers={"X-Forwarded-For": throttled.address()}, timeout=60)

    def timed(username: str) -> float:
        start = time.perf_counter()
        r = client.post("/api/v1/auth/login", json={"username": username, "password": "not-the-password"})
        assert r.status_code == 401
        return time.perf_counter() - start

    known = statistics.median(timed(n) for n in names)
    unknown = statistics.median(timed(f"nobody-{i}") for i in range(5))
    # Without a dummy hash an unknown name answers in a few milliseconds, a known one after argon2.
    assert unknown > 0.6 * known, (unknown, known)
