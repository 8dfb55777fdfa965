"""The UIs' error pages speak Chinese (issue 16.4): an unknown address, a wrong method, a refused role and a
bad value each get a page in the surface's own frame, never a bare ``{"detail": "Not Found"}`` or a field's
code name; under /api/ the same errors keep the one JSON error shape."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from estation.accounts.models import Role
from tests.factories import TEST_PASSWORD, create_user

LATIN = re.compile(r"[A-Za-z]{2,}")


def visible(html: str) -> str:
    """The page's text as shown: no scripts, styles, tags or attributes."""
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def signed_in(api, role: Role) -> TestClient:
    with api.db() as s:
        user = create_user(s, role=role, window=2 if role == Role.counter_staff else None)
        s.commit()
    client = TestClient(api.app)
    assert client.post("/login", data={"username": user.username, "password": TEST_PASSWORD,
                                       "csrf_token": _csrf(client)}).status_code in (200, 303)
    return client


def _csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


@pytest.mark.parametrize(("url", "home"), [
    ("/counter/no-such-page", "/counter"), ("/ledger/households/1/no-such-page", "/ledger"),
    ("/employer/no-such-page", "/employer"), ("/admin/no-such-page", "/admin"), ("/no-such-page", "/no-such-page"),
])
def test_an_unknown_address_of_a_ui_is_a_chinese_page(api, url: str, home: str) -> None:
    response = api.anonymous.get(url)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    text = visible(response.text)
    assert "没有这个页面" in text and "没有找到" in text and not LATIN.search(text), text
    assert f'href="{home}"' in response.text


def test_an_unknown_kiosk_address_stays_in_the_kiosk_frame(api) -> None:
    response = api.anonymous.get("/kiosk/no-such-page")
    assert response.status_code == 404 and response.headers["cache-control"] == "no-store"
    text = visible(response.text)
    assert "没有这个页面" in text and "回到首页" in text and "找工作" in text and not LATIN.search(text), text


def test_a_wrong_method_on_a_page_is_a_chinese_page(api) -> None:
    for url in ("/kiosk/jobs", "/counter/figures"):
        response = api.anonymous.put(url)
        assert response.status_code == 405 and response.headers["content-type"].startswith("text/html"), url
        text = visible(response.text)
        assert "这个页面不能这样打开" in text and not LATIN.search(text), text


def test_a_role_that_may_not_see_a_page_is_told_in_chinese(api) -> None:
    cadre = signed_in(api, Role.cadre)
    response = cadre.get("/counter")
    assert response.status_code == 403
    text = visible(response.text)
    assert "没有权限" in text and not LATIN.search(text), text


def test_a_bad_value_names_the_field_as_people_call_it(api) -> None:
    clerk = signed_in(api, Role.counter_staff)
    response = clerk.get("/counter/contribution", params={"months": "十二"})
    assert response.status_code == 422
    text = visible(response.text)
    assert "月数：请填写整数" in text and "months" not in text and not LATIN.search(text), text


def test_the_api_keeps_its_json_error_shape(api) -> None:
    response = api.anonymous.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": [{"loc": ["path"], "msg": "没有这个接口，请检查地址（接口列表见 /docs）",
                                           "type": "not_found"}]}
    response = api.anonymous.put("/api/v1/communities")
    assert response.status_code == 405 and response.json()["detail"][0]["msg"] == "这个接口不支持该请求方法"
