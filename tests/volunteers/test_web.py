"""The volunteer forms refuse bad input with the field named in plain Chinese, keep what was typed, and
write nothing; the kiosk's page the same, for a signed-in resident only."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from estation.volunteers.models import Volunteer, VolunteerNeed
from tests.factories import create_household, create_resident, create_user, new_id_number, seed_places
from tests.server import form_tokens
from tests.volunteers.helpers import THIRD

PIN = "246810"


@pytest.fixture(scope="module")
def world(api):
    with api.db() as s:
        seed_places(s)
        keeper = create_user(s, role=Role.community_staff, community_code=THIRD)
        resident = create_resident(s, household=create_household(s, community_code=THIRD), name="周桂英",
                                   phone=None, id_number=new_id_number(birth=date(1962, 4, 4)))
        set_pin(s, resident=resident, pin=PIN)
        s.commit()
        return {"keeper": keeper, "id_number": resident.id_number}


def _count(api, model) -> int:
    with api.db() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("change", "said", "field"), [
    ({"id_number": "370102196204041235"}, "“身份证号”：身份证号校验位不正确", "v-id"),
    ({"phone": "1380531"}, "“手机”", "v-phone"),
    ({"free_slots": []}, "“空余时间”", None),
    ({"name": ""}, "“姓名”：不能为空", "v-name"),
])
def test_the_desk_form_names_the_mistake_and_keeps_the_rest(api, world, change, said, field) -> None:
    client = api.client_for(world["keeper"])
    form = form_tokens(client, "/volunteers/new") | {
        "name": "冯秀梅", "id_number": new_id_number(birth=date(1970, 1, 1)), "phone": "13905310123",
        "interests": "剪纸", "activities": ["culture"], "free_slots": ["sun:evening"], "consent_to_contact": "1"} | change
    before = _count(api, Volunteer)
    answer = client.post("/volunteers/new", data=form, follow_redirects=False)
    assert answer.status_code == 422
    assert said in answer.text and "剪纸" in answer.text  # what was typed is still there
    if field:
        assert f'id="{field}"' in answer.text and "aria-invalid" in answer.text
    assert _count(api, Volunteer) == before


def test_a_need_without_a_place_is_refused_by_name(api, world) -> None:
    client = api.client_for(world["keeper"])
    form = form_tokens(client, "/volunteers/needs") | {
        "activity": "cleanup", "title": "楼道清洁", "first_on": "2099-01-03", "part_of_day": "morning", "hours": "2",
        "wanted": "3"}
    before = _count(api, VolunteerNeed)
    answer = client.post("/volunteers/needs", data=form, follow_redirects=False)
    assert answer.status_code == 422 and "请填写地点" in answer.text and "楼道清洁" in answer.text
    assert _count(api, VolunteerNeed) == before


def test_the_kiosk_page_is_the_resident_s_own_and_names_the_mistake(api, world) -> None:
    client = TestClient(api.app, follow_redirects=False)
    assert client.get("/kiosk/me/volunteer").headers["location"].startswith("/kiosk/signin")
    tokens = form_tokens(client, "/kiosk/signin/pin")
    assert client.post("/kiosk/signin/pin", data={"csrf_token": tokens["csrf_token"], "id_number": world["id_number"],
                                                  "pin": PIN}).status_code == 303
    form = form_tokens(client, "/kiosk/me/volunteer") | {"activities": ["hygiene"], "free_slots": ["mon:morning"],
                                                         "interests": "打太极", "consent_to_contact": "1"}
    no_phone = client.post("/kiosk/me/volunteer", data=form)
    assert no_phone.status_code == 422 and "请填写手机号码" in no_phone.text and "打太极" in no_phone.text
    assert "周桂英" not in _names(api)
    form = form_tokens(client, "/kiosk/me/volunteer") | {"activities": ["hygiene"], "free_slots": ["mon:morning"],
                                                         "interests": "打太极", "phone": "13605317777",
                                                         "consent_to_contact": "1"}
    assert client.post("/kiosk/me/volunteer", data=form).status_code == 303
    assert "您已是联盟成员" in client.get("/kiosk/me/volunteer").text and "周桂英" in _names(api)


def _names(api) -> list[str]:
    with api.db() as s:
        return list(s.scalars(select(Volunteer.name)))
