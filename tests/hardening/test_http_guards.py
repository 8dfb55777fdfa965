"""What every HTTP exchange is held to: body limits (413 before parsing), security headers on every
response, and no cookie-authenticated API write without the CSRF token (bearer tokens unaffected)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import time
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from estation.accounts.models import Role
from estation.app import create_app
from estation.config import Settings
from tests.factories import create_user

MB = 1024 * 1024
HOUSEHOLD = {"community_code": "370102009001", "address": "甸柳新村二区3号楼"}


@pytest.fixture(scope="module")
def clerk(api):
    with api.db() as s:
        user = create_user(s, role=Role.counter_staff)
        s.commit()
    return user


# --- body limits -------------------------------------------------------------------------------------


def test_a_json_body_over_1_mb_is_413_in_chinese(api, clerk) -> None:
    client = api.client_for(clerk)
    big = {**HOUSEHOLD, "hardship_reason": "很" * (MB // 3 + 10)}  # 3 bytes a character in UTF-8
    response = client.post("/api/v1/households", content=json.dumps(big, ensure_ascii=False).encode(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "内容太大" in response.json()["detail"][0]["msg"] and "1 MB" in response.json()["detail"][0]["msg"]
    small = client.post("/api/v1/households", json=HOUSEHOLD)
    assert small.status_code == 201, small.text


def test_a_form_over_the_limit_is_a_chinese_page(api) -> None:
    client = TestClient(api.app)
    response = client.post("/login", data={"csrf_token": "x", "username": "a" * (MB + 10), "password": "p"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html") and "内容太大" in response.text


def test_uploads_have_their_own_larger_limit(api, clerk) -> None:
    client = api.client_for(clerk)
    files = {"file": ("a.xlsx", b"0" * (5 * MB), "application/octet-stream")}
    allowed = client.post("/counter", data={"csrf_token": "x"}, files=files)
    assert allowed.status_code != 413  # over the JSON limit, within the upload limit: parsed (and refused later)
    files = {"file": ("a.xlsx", b"0" * (11 * MB), "application/octet-stream")}
    refused = client.post("/counter", data={"csrf_token": "x"}, files=files)
    assert refused.status_code == 413 and "10 MB" in refused.text


def _raw(live, head: str, body_chunks: list[bytes], *, wait: float = 10.0) -> tuple[str, float]:
    """Send ``head`` and the chunks on a plain socket; the status line and how long it took to come."""
    url = urlparse(live.url)
    with socket.create_connection((url.hostname, url.port), timeout=wait) as sock:
        started = time.monotonic()
        sock.sendall(head.encode())
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: what we want to see
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        return answer.split(b"\r\n", 1)[0].decode(), time.monotonic() - started


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(live) -> None:
    head = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {500 * MB}\r\n\r\n")
    status, took = _raw(live, head, [b'{"username": "'])  # 500 MB announced, a few bytes sent
    assert status.startswith("HTTP/1.1 413"), status
    assert took < 5, f"the server waited {took:.1f} s for a body it should refuse unread"


def test_a_streamed_body_is_cut_off_once_past_the_limit(live) -> None:
    head = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    piece = b"a" * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * 40  # 2.5 MB, no end chunk: never a complete body
    status, _ = _raw(live, head, chunks)
    assert status.startswith("HTTP/1.1 413"), status


# --- headers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/kiosk", "/login", "/api/v1/communities", "/api/v1/nothing-here",
                                  "/counter", "/healthz", "/static/css/base.css", "/openapi.json"])
def test_every_response_carries_the_security_headers(api, path: str) -> None:
    response = TestClient(api.app).get(path, follow_redirects=False)
    h = response.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert h["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self';" in h["content-security-policy"]  # no inline scripts on our pages
    assert "strict-transport-security" not in h  # plain http: HSTS would lock out a site without TLS


def test_hsts_when_served_over_https(tmp_path) -> None:
    app = create_app(Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                              var_dir=tmp_path, https=True))
    response = TestClient(app).get("/", follow_redirects=False)
    app.state.parts.stop_workers()
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_server_error_is_told_in_chinese_with_the_security_headers(tmp_path) -> None:
    """Starlette answers a bug outside every middleware: the answer must still carry the headers, say
    what happened in Chinese (a page for the UIs, the one JSON error shape for the API), and leak nothing."""
    app = create_app(Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", var_dir=tmp_path))

    def broken() -> None:
        raise RuntimeError("secret internals 370102197603126029")

    app.add_api_route("/counter/broken", broken)
    app.add_api_route("/api/v1/broken", broken)
    client = TestClient(app, raise_server_exceptions=False)
    page, api_answer = client.get("/counter/broken"), client.get("/api/v1/broken")
    app.state.parts.stop_workers()
    for response in (page, api_answer):
        assert response.status_code == 500
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "secret internals" not in response.text and "370102197603126029" not in response.text
    assert "系统出错了" in page.text and page.headers["content-type"].startswith("text/html")
    assert api_answer.json()["detail"][0]["msg"].startswith("系统出了错")


def test_the_api_docs_pages_admit_exactly_their_own_scripts(api) -> None:
    response = TestClient(api.app).get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    (script,) = re.findall(r"<script>(.*?)</script>", response.text, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    scripts = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert scripts == f"script-src 'self' 'sha256-{digest}'"  # no 'unsafe-inline', no other host
    assert "frame-ancestors 'none'" in policy and "http" not in policy
    redoc = TestClient(api.app).get("/redoc")
    assert redoc.status_code == 200 and "script-src 'self';" in redoc.headers["content-security-policy"]


# --- CSRF on cookie-authenticated API writes --------------------------------------------------------------


def test_a_cookie_signed_in_api_write_needs_the_csrf_header(api, clerk) -> None:
    client = api.client_for(clerk)
    token = client.headers.pop("X-CSRF-Token")
    assert client.get("/api/v1/auth/me").status_code == 200  # reads need no token
    refused = client.post("/api/v1/households", json=HOUSEHOLD)
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "X-CSRF-Token"]
    wrong = client.post("/api/v1/households", json=HOUSEHOLD, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert client.post("/api/v1/households", json=HOUSEHOLD, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post("/api/v1/auth/logout").status_code == 403  # every write, signing out too


def test_bearer_token_writes_need_no_csrf_header(api, clerk) -> None:
    login = TestClient(api.app).post("/api/v1/auth/login", json={"username": clerk.username,
                                                                  "password": "test-password"})
    bearer = TestClient(api.app, headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert bearer.post("/api/v1/households", json=HOUSEHOLD).status_code == 201
