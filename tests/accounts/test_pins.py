"""Kiosk PINs: trivial ones refused, set or reset at the counter after the id card (logged), changed at the kiosk."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.kiosk import set_pin
from estation.accounts.models import AccessLog, Role
from estation.accounts.passwords import check_pin
from estation.errors import InvalidInput
from estation.labour.models import Resident
from tests.factories import create_household, create_resident, create_user, new_id_number

BIRTH = date(1968, 9, 27)


@pytest.mark.parametrize(("pin", "words"), [
    ("123456", "太简单"), ("000000", "太简单"), ("999999", "太简单"), ("654321", "太简单"), ("890123", "太简单"),
    ("121212", "太简单"), ("123123", "太简单"),
    ("680927", "出生日期"), ("270968", "出生日期"), ("092768", "出生日期"), ("196809", "出生日期"), ("092700", "出生日期"),
    ("12345", "6位数字"), ("12345a", "6位数字"), ("１２３４５７", "6位数字"),
])
def test_trivial_pins_are_refused_in_plain_chinese(pin: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_pin(pin, birth_date=BIRTH)
    assert words in refused.value.message and refused.value.field == "pin"


def test_the_id_numbers_last_six_digits_are_refused_and_ordinary_pins_pass() -> None:
    number = "370102196809275718"
    with pytest.raises(InvalidInput, match="身份证号后六位"):
        check_pin("275718", birth_date=BIRTH, id_number=number)
    for pin in ("386214", "246810", "135790", "112233", " 570318 "):
        assert check_pin(pin, birth_date=BIRTH, id_number=number) == pin.strip()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _kiosk_sign_in(app, id_number: str, pin: str) -> tuple[TestClient, int]:
    client = TestClient(app, follow_redirects=False)
    token = _csrf(client.get("/kiosk/signin/pin").text)
    response = client.post("/kiosk/signin/pin", data={"csrf_token": token, "id_number": id_number, "pin": pin})
    return client, response.status_code


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        home = create_household(s, community_code="370102009001")
        people = {
            "fresh": create_resident(s, household=home, name="吴凤兰", id_number=new_id_number(birth=BIRTH)),
            "locked": create_resident(s, household=home, name="郑国庆"),
            "changer": create_resident(s, household=home, name="冯秀珍", id_number=new_id_number(birth=BIRTH)),
            "guessed": create_resident(s, household=home, name="何建华"),
        }
        for key in ("locked", "changer", "guessed"):
            set_pin(s, resident=people[key], pin="386214")
        staff = create_user(s, role=Role.counter_staff, window=2)
        other = create_user(s, role=Role.community_staff, community_code="370102009002")
        s.commit()
        return {k: (r.id, r.id_number) for k, r in people.items()} | {"staff": staff, "other": other}


def _pin_log(api, resident_id: int) -> list[AccessLog]:
    with api.db() as s:
        return list(s.scalars(select(AccessLog).where(AccessLog.resident_id == resident_id,
                                                      AccessLog.what == "自助终端密码").order_by(AccessLog.id)))


def test_counter_staff_set_a_pin_after_checking_the_id_card_and_the_log_says_who(api, people) -> None:
    resident_id, id_number = people["fresh"]
    clerk = api.client_for(people["staff"])
    url = f"/counter/residents/{resident_id}/pin"
    page = clerk.get(url)
    assert page.status_code == 200 and "吴凤兰" in page.text and "还没有设置密码" in page.text
    assert id_number not in page.text  # masked

    def post(**form) -> object:
        return clerk.post(url, data={"csrf_token": _csrf(clerk.get(url).text), **form}, follow_redirects=False)

    unchecked = post(pin="570318", pin_again="570318")
    assert unchecked.status_code == 422 and "请先核验居民本人的身份证原件" in unchecked.text
    trivial = post(pin="123456", pin_again="123456", id_card_checked="true")
    assert trivial.status_code == 422 and "太简单" in trivial.text
    birthday = post(pin="680927", pin_again="680927", id_card_checked="true")
    assert birthday.status_code == 422 and "不能用出生日期" in birthday.text
    mismatch = post(pin="570318", pin_again="570319", id_card_checked="true")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    assert _pin_log(api, resident_id) == []  # nothing was set by the refused tries
    _, before = _kiosk_sign_in(api.app, id_number, "570318")
    assert before == 401

    done = post(pin="570318", pin_again="570318", id_card_checked="true")
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=1"
    assert "密码已设置" in clerk.get(done.headers["location"]).text
    [row] = _pin_log(api, resident_id)
    assert (row.user_id, row.role, row.action, row.reason) == (people["staff"].id, "counter_staff", "update", "核验身份证后设置")
    _, after = _kiosk_sign_in(api.app, id_number, "570318")
    assert after == 303
    # The resident page links to it and says a PIN is set now.
    assert f'href="{url}"' in clerk.get(f"/counter/residents/{resident_id}", params={"reason": "窗口办理业务"}).text


def test_a_reset_at_the_counter_lifts_the_wait_and_the_api_checks_who_and_the_card(api, people) -> None:
    resident_id, id_number = people["locked"]
    for _ in range(3):
        assert _kiosk_sign_in(api.app, id_number, "111222")[1] == 401
    assert _kiosk_sign_in(api.app, id_number, "386214")[1] == 429  # locked out, even with the right PIN

    def put(user, body: dict):
        token = api.client_for(user).cookies["estation_session"]
        return api.anonymous.put(f"/api/v1/residents/{resident_id}/pin", json=body,
                                 headers={"Authorization": f"Bearer {token}"})

    assert put(people["other"], {"pin": "570318", "id_card_checked": True}).status_code == 403  # not a clerk
    unchecked = put(people["staff"], {"pin": "570318", "id_card_checked": False})
    assert unchecked.status_code == 422 and unchecked.json()["detail"][0]["loc"] == ["body", "id_card_checked"]
    trivial = put(people["staff"], {"pin": "000000", "id_card_checked": True})
    assert trivial.status_code == 422 and trivial.json()["detail"][0]["loc"] == ["body", "pin"]
    assert put(people["staff"], {"pin": "570318", "id_card_checked": True}).status_code == 204
    assert _pin_log(api, resident_id)[-1].reason == "核验身份证后重置"
    assert _kiosk_sign_in(api.app, id_number, "570318")[1] == 303  # no wait left
    assert _kiosk_sign_in(api.app, id_number, "386214")[1] == 401  # the old PIN is gone


def test_the_resident_changes_the_pin_at_the_kiosk(api, people) -> None:
    resident_id, id_number = people["changer"]
    client, status = _kiosk_sign_in(api.app, id_number, "386214")
    assert status == 303
    home = client.get("/kiosk/home")
    assert 'href="/kiosk/me/pin"' in home.text and "修改密码" in home.text

    def change(old: str, new: str, again: str):
        token = _csrf(client.get("/kiosk/me/pin").text)
        return client.post("/kiosk/me/pin", data={"csrf_token": token, "old_pin": old, "new_pin": new,
                                                  "new_pin_again": again})

    mismatch = change("386214", "570318", "570381")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    trivial = change("386214", "654321", "654321")
    assert trivial.status_code == 422 and "太简单" in trivial.text
    birthday = change("386214", "092768", "092768")
    assert birthday.status_code == 422 and "出生日期" in birthday.text
    wrong_old = change("386215", "570318", "570318")
    assert wrong_old.status_code == 422 and "原密码不正确" in wrong_old.text
    done = change("386214", "570318", "570318")
    assert done.status_code == 303 and done.headers["location"] == "/kiosk/me/pin?done=1"
    assert "密码已经改好了" in client.get("/kiosk/me/pin?done=1").text
    [row] = _pin_log(api, resident_id)
    assert (row.role, row.action, row.reason) == ("resident", "update", "本人在自助终端修改")
    assert _kiosk_sign_in(api.app, id_number, "386214")[1] == 401
    assert _kiosk_sign_in(api.app, id_number, "570318")[1] == 303
    with api.db() as s:
        assert s.get(Resident, resident_id).pin_hash.startswith("$argon2")


def test_the_old_pin_on_the_change_form_cannot_be_guessed_either(api, people) -> None:
    _, id_number = people["guessed"]
    client, _ = _kiosk_sign_in(api.app, id_number, "386214")

    def change(old: str):
        token = _csrf(client.get("/kiosk/me/pin").text)
        return client.post("/kiosk/me/pin", data={"csrf_token": token, "old_pin": old, "new_pin": "570318",
                                                  "new_pin_again": "570318"})

    assert [change(f"11122{i}").status_code for i in range(3)] == [422, 422, 422]
    held = change("386214")
    assert held.status_code == 429 and "后再试" in held.text


def test_changing_the_pin_needs_a_signed_in_resident(api) -> None:
    response = TestClient(api.app, follow_redirects=False).get("/kiosk/me/pin")
    assert response.status_code == 303 and response.headers["location"] == "/kiosk/signin?next=/kiosk/me/pin"
