"""The public application form (/m/volunteer) refuses bad input with a 422 naming the field in plain
Chinese, keeps what was typed, writes nothing, and never puts the applicant in the address."""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import Role
from estation.volunteers import service
from estation.privacy import lookup_hash
from estation.volunteers.models import Volunteer, VolunteerStatus
from tests.factories import create_user
from tests.server import form_tokens
from tests.volunteers.helpers import FIRST, THIRD

GOOD = {"name": "冯秀梅", "phone": "13905312468", "community_code": THIRD, "age_band": "from_60", "interests": "剪纸",
        "activities": ["culture"], "free_slots": ["sun:evening"], "consent_to_contact": "1"}
ADDRESSES = itertools.count(1)


def _phone(api) -> TestClient:
    """A phone of its own (its own client address): sendings are counted per address."""
    return TestClient(api.app, follow_redirects=False, client=(f"10.20.0.{next(ADDRESSES)}", 50000))


def _count(api) -> int:
    with api.db() as s:
        return s.scalar(select(func.count()).select_from(Volunteer))


@pytest.mark.parametrize(("change", "said", "field"), [
    ({"phone": "1380531"}, "“手机”：请填写11位手机号码", "v-phone"),
    ({"name": "  "}, "“姓名”：请填写您的姓名", "v-name"),
    ({"community_code": ""}, "“社区”：请选择您住的社区", "v-community"),
    ({"age_band": ""}, "“年龄段”：请选择您的年龄段", None),
    ({"free_slots": []}, "“空余时间”：请至少选一个有空的时间", None),
    ({"consent_to_contact": ""}, "请勾选同意：社区工作人员要打电话向您核实", None),
])
def test_a_mistake_is_named_and_what_was_typed_stays(api, change, said, field) -> None:
    client = _phone(api)
    before = _count(api)
    answer = client.post("/m/volunteer", data=form_tokens(client, "/m/volunteer") | GOOD | change)
    assert answer.status_code == 422
    assert said in answer.text and "剪纸" in answer.text
    if field:
        assert f'id="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    assert _count(api) == before


def test_sent_twice_it_is_one_application_and_the_address_says_nothing_of_who(api) -> None:
    client = _phone(api)
    form = form_tokens(client, "/m/volunteer") | GOOD | {"phone": "13905312469"}
    before = _count(api)
    first, second = (client.post("/m/volunteer", data=form) for _ in range(2))
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"] == "/m/volunteer?sent=1"
    assert _count(api) == before + 1
    assert "报名已收到" in client.get("/m/volunteer?sent=1").text


def test_a_form_without_its_csrf_token_is_refused(api) -> None:
    client = _phone(api)
    client.get("/m/volunteer")
    before = _count(api)
    assert client.post("/m/volunteer", data=GOOD | {"phone": "13905312470"}).status_code == 403
    assert _count(api) == before


def test_the_admin_home_counts_the_waiting_applications_and_leaders_find_the_volunteers(api) -> None:
    client = _phone(api)
    client.post("/m/volunteer", data=form_tokens(client, "/m/volunteer") | GOOD | {"phone": "13905312471"})
    with api.db() as s:
        admin, leader = create_user(s, role=Role.admin), create_user(s, role=Role.leader, community_code=THIRD)
        waiting = len(service.applications(s, user=admin, today=clock.today()))
        s.commit()
    assert waiting >= 1
    home = api.client_for(admin).get("/admin").text
    assert re.search(rf'<a class="tile" href="/volunteers"><strong>志愿服务</strong><span class="count">{waiting}份志愿者报名待核实</span>',
                     home)
    landing = api.client_for(leader).get("/ledger").text
    assert 'id="volunteer-links"' in landing and 'href="/volunteers"' in landing


def test_one_address_sending_too_often_waits_and_others_do_not(api) -> None:
    client, other = _phone(api), _phone(api)
    tokens = form_tokens(client, "/m/volunteer")
    bad = {"csrf_token": tokens["csrf_token"]} | GOOD | {"phone": "1390531"}
    assert [client.post("/m/volunteer", data=bad).status_code for _ in range(10)] == [422] * 10
    before = _count(api)
    waited = client.post("/m/volunteer", data=bad | {"phone": "13905312472"})
    assert waited.status_code == 429 and "这台设备提交的次数过多，请30秒后再试" in waited.text
    assert _count(api) == before
    sent = other.post("/m/volunteer", data=form_tokens(other, "/m/volunteer") | GOOD | {"phone": "13905312473"})
    assert sent.status_code == 303 and _count(api) == before + 1


def test_staff_decline_with_a_reason_and_another_community_s_staff_cannot_decide(api) -> None:
    client = _phone(api)
    client.post("/m/volunteer", data=form_tokens(client, "/m/volunteer") | GOOD | {"phone": "13905312474"})
    with api.db() as s:
        [applied] = s.scalars(select(Volunteer).where(Volunteer.phone_hash == lookup_hash("13905312474")))
        keeper = create_user(s, role=Role.community_staff, community_code=THIRD)
        stranger = create_user(s, role=Role.community_staff, community_code=FIRST)
        s.commit()
    outsider = api.client_for(stranger)
    assert f'id="a-{applied.id}"' not in outsider.get("/volunteers").text
    refused = outsider.post(f"/volunteers/applications/{applied.id}/confirm", data=form_tokens(outsider, "/volunteers/new"),
                            follow_redirects=False)
    assert refused.status_code == 403 and "只能核实本社区的报名" in refused.text
    staff = api.client_for(keeper)
    path = f"/volunteers/applications/{applied.id}/decline"
    empty = staff.post(path, data=form_tokens(staff, "/volunteers/new") | {"reason": " "}, follow_redirects=False)
    assert empty.status_code == 422 and "“原因”：" in empty.text
    assert f'id="reason-{applied.id}"' in empty.text and 'aria-invalid="true"' in empty.text
    done = staff.post(path, data=form_tokens(staff, "/volunteers/new") | {"reason": "电话无人接听"}, follow_redirects=False)
    assert done.status_code == 303 and "冯秀梅" not in done.headers["location"]
    with api.db() as s:
        row = s.get(Volunteer, applied.id)
        assert (row.status, row.decline_reason, row.decided_by_id) == (VolunteerStatus.declined, "电话无人接听", keeper.id)
    assert f'id="a-{applied.id}"' not in staff.get("/volunteers").text
