"""Signing an admin in without a browser, reading a form's hidden fields, and the access log's lines."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.models import AccessLog, Role, User
from estation.accounts.service import start_session
from estation.deps import SESSION_COOKIE
from tests.factories import create_user


def make_user(api, role: Role, name: str, **fields) -> User:
    with api.db() as s:
        user = create_user(s, role=role, **fields)
        user.display_name = name
        s.commit()
    return user


def signed_in(api, user: User) -> TestClient:
    client = TestClient(api.app, follow_redirects=False)
    with api.db() as s:
        token, _ = start_session(s, user=s.merge(user))
        s.commit()
    client.cookies.set(SESSION_COOKIE, token)
    return client


def tokens(client: TestClient, path: str) -> dict[str, str]:
    """The hidden fields of a form on the page (CSRF and a one-time submission token)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
            "submission_token": re.search(r'name="submission_token" value="([^"]+)"', page.text).group(1)}


def log_lines(api, action: str) -> list[AccessLog]:
    with api.db() as s:
        return list(s.scalars(select(AccessLog).where(AccessLog.action == action).order_by(AccessLog.id)))
