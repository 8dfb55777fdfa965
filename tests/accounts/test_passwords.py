"""Passwords: under 10 characters or on the common-password list are refused wherever one is set."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.models import User
from estation.accounts.passwords import check_password_strength
from estation.errors import InvalidInput
from estation.identifiers import make_uscc


@pytest.mark.parametrize(("password", "words"), [
    ("short-pw", "至少要10位"), ("nine-char", "至少要10位"), ("qwertyuiop", "太常见"), ("1234567890", "太常见"),
    ("woaini1314", "太常见"), ("QwertyUIOP", "太常见"), ("1qaz2wsx3edc", "太常见"), ("xxxxxxxxxxxx", "太常见"),
])
def test_weak_passwords_are_refused(password: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password_strength(password)
    assert words in refused.value.message and refused.value.field == "password"


def test_the_common_password_list_is_shipped_and_large() -> None:
    from estation.accounts.passwords import _common_passwords

    listed = _common_passwords()
    assert len(listed) > 1500 and all(len(p) >= 10 for p in listed)


@pytest.mark.parametrize("password", ["qwertyuiop", "short-pw"])
def test_the_employer_registration_form_refuses_a_weak_password(api, password: str) -> None:
    client = TestClient(api.app)
    form = client.get("/employer/register")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    username = f"laundry-{len(password)}"
    r = client.post("/employer/register", data={
        "csrf_token": token, "uscc": make_uscc(f"91370102MA3CPW{len(password):03d}"), "name": "济南甸柳洗衣店",
        "contact_name": "冯女士", "contact_phone": "13566667777", "address": "甸柳新村", "community_code": "370102009001",
        "staff_count": "5", "disabled_staff_grade12": "0", "disabled_staff_other": "0", "username": username,
        "password": password, "password_confirm": password,
    }, follow_redirects=False)
    assert r.status_code == 422
    assert ("太常见" if password == "qwertyuiop" else "10") in r.text and password not in r.text
    with api.db() as s:
        assert s.scalar(select(User.id).where(User.username == username)) is None
