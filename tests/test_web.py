"""The shared web layer: landing page, staff sign-in with CSRF, friendly Chinese errors, static caching."""

import re

from estation.accounts.models import Role
from tests.factories import TEST_PASSWORD, create_user


def _csrf(client, path: str) -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_home_page_is_chinese_and_links_every_surface(api) -> None:
    r = api.anonymous.get("/")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    for href in ("/kiosk", "/counter", "/ledger", "/employer"):
        assert f'href="{href}"' in r.text


def test_sign_in_needs_the_csrf_token(api) -> None:
    from fastapi.testclient import TestClient

    with api.db() as s:
        user = create_user(s, role=Role.counter_staff)
        s.commit()
    client = TestClient(api.app)
    r = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403 and "页面已过期" in r.text
    token = _csrf(client, "/login")
    r = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/counter"
    assert client.cookies.get("estation_session")


def test_open_redirect_is_refused(api) -> None:
    from fastapi.testclient import TestClient

    with api.db() as s:
        user = create_user(s, role=Role.employer)
        s.commit()
    client = TestClient(api.app)
    token = _csrf(client, "/login")
    r = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/employer"


def test_wrong_password_shows_a_chinese_message(api) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(api.app)
    token = _csrf(client, "/login")
    r = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text


def test_static_files_are_cached_for_a_year(api) -> None:
    page = api.anonymous.get("/").text
    css = re.search(r'href="(/static/css/base\.css\?v=[0-9a-f]+)"', page).group(1)
    r = api.anonymous.get(css)
    assert r.status_code == 200
    assert "max-age=31536000" in r.headers["cache-control"]


def test_error_page_for_a_signed_in_user_after_rollback(api) -> None:
    with api.db() as s:
        user = create_user(s, role=Role.counter_staff)
        s.commit()
    client = api.client_for(user)
    from fastapi import APIRouter

    from estation.deps import DB
    from estation.errors import NotFound
    from estation.web.counter.routes import Clerk

    router = APIRouter()

    @router.get("/counter/__boom")
    def boom(db: DB, principal: Clerk):
        raise NotFound("没有这个业务")

    api.app.include_router(router)
    r = client.get("/counter/__boom")
    assert r.status_code == 404
    assert "没有这个业务" in r.text and "测试用户" in r.text
