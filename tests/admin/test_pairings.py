"""Pairings at /admin/pairings: a cadre paired with a household, replaced by another from a date, a leader
holding a community; the ledger's rules, Chinese errors naming the field, one pairing per submission, logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import Role
from estation.ledger.models import CommunityAssignment, HouseholdPairing
from tests.admin.helpers import log_lines, make_user, signed_in, tokens
from tests.admin.plain import assert_plain
from tests.conftest import sign_in
from tests.factories import create_household, create_resident

COMMUNITY = "370102009004"


@pytest.fixture(scope="module")
def people(api):
    admin = make_user(api, Role.admin, "钱管理")
    first = make_user(api, Role.cadre, "孙包户")
    second = make_user(api, Role.cadre, "李包户")
    leader = make_user(api, Role.leader, "周领导", community_code=COMMUNITY)
    with api.db() as s:
        household = create_household(s, community_code=COMMUNITY, hardship=True)
        create_resident(s, household=household, name="吴秀兰", community_code=COMMUNITY)
        s.commit()
    return {"admin": admin, "first": first, "second": second, "leader": leader, "household": household}


def pairings(api, household_id: int) -> list[HouseholdPairing]:
    with api.db() as s:
        return list(s.scalars(select(HouseholdPairing).where(HouseholdPairing.household_id == household_id)
                              .order_by(HouseholdPairing.id)))


def test_pairing_refusals_name_the_field_and_a_double_submit_pairs_once(api, people) -> None:
    client = signed_in(api, people["admin"])
    url = f"/admin/pairings/households/{people['household'].id}"
    unchosen = client.post(url, data=tokens(client, url) | {"cadre_id": "", "start_date": "2026-03-01"})
    assert unchosen.status_code == 422 and "包户干部：请选择包户干部" in unchosen.text
    bad_day = client.post(url, data=tokens(client, url) | {"cadre_id": str(people["first"].id), "start_date": "3月1日"})
    assert bad_day.status_code == 422 and "开始日期：请填写日期，如 2026-03-01" in bad_day.text
    not_cadre = client.post(url, data=tokens(client, url) | {"cadre_id": str(people["leader"].id),
                                                             "start_date": "2026-03-01"})
    assert not_cadre.status_code == 422 and "包户干部：所选人员不是在岗的包户干部" in not_cadre.text
    assert pairings(api, people["household"].id) == []
    start = clock.today() - timedelta(days=30)
    form = tokens(client, url) | {"cadre_id": str(people["first"].id), "start_date": start.isoformat()}
    first, second = client.post(url, data=form), client.post(url, data=form)
    assert first.status_code == second.status_code == 303
    assert len(pairings(api, people["household"].id)) == 1
    lines = [line for line in log_lines(api, "pair") if people["household"].address in line.what]
    assert len(lines) == 1 and lines[0].reason == f"孙包户自{start:%Y-%m-%d}起包户"
    again = client.post(url, data=tokens(client, url) | {"cadre_id": str(people["first"].id),
                                                         "start_date": clock.today().isoformat()})
    assert again.status_code == 409 and "包户干部：该干部已与这户结对" in again.text
    page = client.get(first.headers["location"])
    assert "已安排孙包户" in page.text and "吴秀兰（户主）" in page.text


def test_a_reassignment_keeps_the_history_with_its_reason(api, people) -> None:
    with api.db() as s:
        household = create_household(s, community_code=COMMUNITY, hardship=True)
        pairing = HouseholdPairing(cadre_id=people["first"].id, household_id=household.id,
                                   start_date=clock.today() - timedelta(days=60))
        s.add(pairing)
        s.commit()
    client = signed_in(api, people["admin"])
    url = f"/admin/pairings/households/{household.id}"
    target = f"/admin/pairings/{pairing.id}/reassign"
    no_reason = client.post(target, data=tokens(client, url) | {"cadre_id": str(people["second"].id),
                                                                "on": clock.today().isoformat(), "reason": ""})
    assert no_reason.status_code == 422 and "更换原因：请写明更换原因（至少2个字）" in no_reason.text
    assert 'value="' + clock.today().isoformat() + '"' in no_reason.text
    r = client.post(target, data=tokens(client, url) | {"cadre_id": str(people["second"].id),
                                                        "on": clock.today().isoformat(), "reason": "原干部调离本街道"})
    assert r.status_code == 303
    rows = pairings(api, household.id)
    assert [p.cadre_id for p in rows] == [people["first"].id, people["second"].id]
    assert rows[0].end_date == clock.today() - timedelta(days=1) and rows[0].end_reason == "原干部调离本街道"
    assert log_lines(api, "reassign")[-1].reason == "孙包户→李包户，原干部调离本街道"
    page = client.get(url)
    assert "原干部调离本街道" in page.text and "至今" in page.text


def test_a_leader_takes_a_community(api, people) -> None:
    client = signed_in(api, people["admin"])
    form = tokens(client, "/admin/pairings") | {"leader_id": str(people["leader"].id), "community_code": "",
                                                 "start_date": clock.today().isoformat()}
    r = client.post("/admin/pairings/leaders", data=form)
    assert r.status_code == 422 and "社区：请选择社区" in r.text
    form = tokens(client, "/admin/pairings") | {"leader_id": str(people["leader"].id), "community_code": COMMUNITY,
                                                 "start_date": clock.today().isoformat()}
    r = client.post("/admin/pairings/leaders", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("#leaders")
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(CommunityAssignment)
                        .where(CommunityAssignment.community_code == COMMUNITY)) == 1
    assert log_lines(api, "assign_leader")[-1].what == "联居领导：第四社区"


@pytest.mark.browser
def test_admin_pairs_a_household_in_the_browser(api, live, page, people) -> None:
    with api.db() as s:
        household = create_household(s, community_code=COMMUNITY, hardship=True)
        create_resident(s, household=household, name="郑桂芳", community_code=COMMUNITY)
        s.commit()
    sign_in(page, live.url, people["admin"].username, "/admin/pairings")
    page.select_option("#community", label="甸柳新村第四社区")
    page.get_by_role("button", name="查看").click()
    row = page.locator("tr", has_text="郑桂芳")
    assert "还没有结对" in row.inner_text()
    assert_plain(page.inner_text("main"))
    row.get_by_role("link").click()
    page.select_option("#cadre-new", label="李包户")
    page.get_by_role("button", name="结对").click()
    page.wait_for_selector(".notice")
    assert "已安排李包户" in page.inner_text(".notice")
    assert "李包户" in page.inner_text("table")
    assert_plain(page.inner_text("main"))
    page.goto(f"{live.url}/admin/pairings?community={COMMUNITY}")
    assert "李包户" in page.locator("tr", has_text="郑桂芳").inner_text()
