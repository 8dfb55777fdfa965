"""Staff and employer sessions end after idle time and after an absolute lifetime; cookies are Secure over https."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from estation.accounts.models import AuthSession, Role
from estation.accounts.service import _token_hash
from estation.db import utcnow
from estation.migrate import upgrade
from tests.conftest import ApiHarness
from tests.factories import TEST_PASSWORD, create_user, seed_places


class HttpsHarness(ApiHarness):
    def __init__(self, url: str, tmp, **settings) -> None:
        from estation.app import create_app
        from estation.config import Settings

        self.settings = Settings(database_url=url, environment="test", var_dir=tmp, **settings)
        self.app = create_app(self.settings)
        self.factory = self.app.state.parts.session_factory
        self.anonymous = TestClient(self.app)


def _age(api: ApiHarness, client: TestClient, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)) -> None:
    """Make the client's session look unused for ``idle`` and signed in ``age`` ago."""
    now = utcnow()
    with api.db() as s:
        s.execute(update(AuthSession).where(AuthSession.token_hash == _token_hash(client.cookies["estation_session"]))
                  .values(last_seen_at=now - idle, created_at=now - age))
        s.commit()


@pytest.fixture(scope="module")
def staff(api):
    with api.db() as s:
        users = {role: create_user(s, role=role, window=1 if role is Role.counter_staff else None)
                 for role in (Role.counter_staff, Role.employer)}
        s.commit()
        return users


@pytest.mark.parametrize(("role", "page"), [(Role.counter_staff, "/counter"), (Role.employer, "/employer/quota")])
def test_a_session_unused_for_longer_than_the_idle_time_ends(api, staff, role, page) -> None:
    idle = timedelta(minutes=api.settings.session_idle_minutes)
    client = api.client_for(staff[role])
    _age(api, client, idle=idle - timedelta(minutes=1), age=timedelta(hours=1))
    assert client.get("/api/v1/auth/me").status_code == 200  # still in time: and now seen again
    _age(api, client, idle=idle + timedelta(minutes=1), age=timedelta(hours=1))
    assert client.get("/api/v1/auth/me").status_code == 401
    browser = api.client_for(staff[role])
    _age(api, browser, idle=idle + timedelta(minutes=1), age=timedelta(hours=1))
    response = browser.get(page, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={page}"


def test_a_busy_session_still_ends_after_its_lifetime(api, staff) -> None:
    client = api.client_for(staff[Role.counter_staff])
    lifetime = timedelta(hours=api.settings.session_lifetime_hours)
    _age(api, client, age=lifetime - timedelta(minutes=5))
    assert client.get("/api/v1/auth/me").status_code == 200
    _age(api, client, age=lifetime + timedelta(minutes=1))  # used a second ago, signed in too long ago
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/counter", follow_redirects=False).headers["location"].startswith("/login")


def _last_seen(api: ApiHarness, client: TestClient):
    with api.db() as s:
        return s.get(AuthSession, _token_hash(client.cookies["estation_session"])).last_seen_at


def test_last_seen_is_written_once_a_tenth_of_the_idle_time_has_passed_not_on_every_request(api, staff) -> None:
    """Most requests only read the session; a used session still never ends while it is used."""
    idle = timedelta(minutes=api.settings.session_idle_minutes)
    client = api.client_for(staff[Role.counter_staff])
    _age(api, client, idle=idle / 10 - timedelta(seconds=20), age=timedelta(hours=1))
    before = _last_seen(api, client)
    for _ in range(3):
        assert client.get("/counter").status_code == 200
    assert _last_seen(api, client) == before  # within the tenth: nothing written
    _age(api, client, idle=idle / 10 + timedelta(seconds=1), age=timedelta(hours=1))
    assert client.get("/counter").status_code == 200
    assert utcnow() - _last_seen(api, client) < timedelta(seconds=30)  # due: stamped now
    _age(api, client, idle=idle - timedelta(seconds=30), age=timedelta(hours=1))
    assert client.get("/api/v1/auth/me").status_code == 200  # late in the idle time: used, so kept...
    assert utcnow() - _last_seen(api, client) < timedelta(seconds=30)  # ...and counted from now


def test_the_defaults_are_half_an_hour_idle_and_twelve_hours_in_all(api) -> None:
    assert (api.settings.session_idle_minutes, api.settings.session_lifetime_hours) == (30, 12)


def _set_cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


@pytest.fixture(scope="module")
def https(tmp_path_factory: pytest.TempPathFactory) -> HttpsHarness:
    tmp = tmp_path_factory.mktemp("https")
    url = f"sqlite:///{tmp / 'https.sqlite3'}"
    upgrade(url)
    harness = HttpsHarness(url, tmp, https=True)
    with harness.db() as s:
        seed_places(s)
        s.commit()
    return harness


def test_cookies_are_secure_when_the_site_is_served_over_https(https, api, staff) -> None:
    with https.db() as s:
        user = create_user(s, role=Role.counter_staff, window=2)
        s.commit()
    for harness, username, secure in ((https, user.username, True), (api, staff[Role.counter_staff].username, False)):
        client = TestClient(harness.app, base_url="https://testserver" if secure else "http://testserver")
        api_login = client.post("/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD})
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        web_login = client.post("/login", data={"csrf_token": token, "username": username, "password": TEST_PASSWORD},
                                follow_redirects=False)
        cookies = _set_cookies(api_login) | _set_cookies(form)
        assert set(cookies) >= {"estation_session", "estation_csrf"}
        cookies["web_session"] = _set_cookies(web_login)["estation_session"]
        for name, header in cookies.items():
            assert ("; secure" in header.lower()) is secure, (name, header)
            assert "httponly" in header.lower() and "samesite=strict" in header.lower()
