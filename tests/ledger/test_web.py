"""The ledger UI pages: who may open them, forms with CSRF, friendly refusals, exports and print."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation.accounts.models import Role
from estation.ledger import work as work_module
from estation.ledger.models import ActionKind, LedgerAction, LedgerItem, LedgerStatus
from tests.factories import create_household, create_resident, create_user, new_id_number
from tests.ledger.helpers import hold, new_item, pair

TODAY = date.today()


@pytest.fixture(scope="module")
def web(api):
    with api.db() as s:
        cadre, other_cadre = create_user(s, role=Role.cadre), create_user(s, role=Role.cadre)
        leader, counter = create_user(s, role=Role.leader), create_user(s, role=Role.counter_staff)
        household = create_household(s, community_code="370102009001", hardship=True)
        create_resident(s, household=household, name="王秀英", id_number=new_id_number(birth=date(1940, 5, 1)))
        other = create_household(s, community_code="370102009002", hardship=True)
        pair(s, cadre, household)
        pair(s, other_cadre, other)
        hold(s, leader, "370102009001")
        item = new_item(s, cadre, household, raised_on=TODAY, due_on=TODAY + timedelta(days=14), problem="老人行动不便，需要助餐")
        s.commit()
        ids = {"household": household.id, "other": other.id, "item": item.id}
        users = {"cadre": cadre, "other_cadre": other_cadre, "leader": leader, "counter": counter}
    return api, users, ids


def csrf(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_pages_open_for_the_paired_cadre(web) -> None:
    api, users, ids = web
    client = api.client_for(users["cadre"])
    listing = client.get("/ledger")
    assert listing.status_code == 200 and f"/ledger/households/{ids['household']}" in listing.text
    assert f"/ledger/households/{ids['other']}" not in listing.text
    page = client.get(f"/ledger/households/{ids['household']}")
    assert page.status_code == 200 and "老人行动不便" in page.text and "王秀英" in page.text
    assert "老龄补贴" in page.text  # the 85-year-old member triggers the old-age allowance reminder
    assert page.headers["cache-control"] == "no-store"
    assert client.get(f"/ledger/households/{ids['other']}").status_code == 403
    dashboard = client.get("/ledger/dashboard")
    assert dashboard.status_code == 200 and "<svg" in dashboard.text
    work = client.get(f"/ledger/households/{ids['household']}/work")
    assert work.status_code == 200 and "为这户找工作" in work.text and work_module.UNAVAILABLE not in work.text
    printable = client.get(f"/ledger/households/{ids['household']}/print")
    assert printable.status_code == 200 and "老人行动不便" in printable.text
    xlsx = client.get(f"/ledger/households/{ids['household']}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get("/ledger/communities/370102009001/export.xlsx").status_code == 403


def test_leader_sees_the_community_and_others_are_refused(web) -> None:
    api, users, ids = web
    leader = api.client_for(users["leader"])
    assert leader.get(f"/ledger/households/{ids['household']}").status_code == 200
    assert leader.get(f"/ledger/households/{ids['other']}").status_code == 403
    assert leader.get("/ledger/communities/370102009001/print").status_code == 200
    assert leader.get("/ledger/communities/370102009002/print").status_code == 403
    counter = api.client_for(users["counter"])
    for url in ("/ledger", f"/ledger/households/{ids['household']}", "/ledger/dashboard"):
        assert counter.get(url).status_code == 403
    anonymous = api.anonymous.get("/ledger", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_recording_a_visit_and_moving_status_by_form(web) -> None:
    api, users, ids = web
    client = api.client_for(users["cadre"])
    url = f"/ledger/households/{ids['household']}"
    token = csrf(client, url)
    r = client.post(f"{url}/visits", data={"csrf_token": token, "kind": "home_visit", "item_id": str(ids["item"]),
                                          "note": "送去助餐卡", "on": str(TODAY)}, follow_redirects=False)
    assert r.status_code == 303
    with api.db() as s:
        item = s.get(LedgerItem, ids["item"])
        assert item.status == LedgerStatus.in_progress
        assert s.scalars(select(LedgerAction).where(LedgerAction.item_id == item.id)).one().note == "送去助餐卡"
    refused = client.post(f"/ledger/items/{ids['item']}/status", data={"csrf_token": token, "to": "closed"})
    assert refused.status_code == 409 and "不能跳过" in refused.text
    bad = client.post(f"{url}/visits", data={"csrf_token": token, "kind": "home_visit", "on": "2999-01-01"})
    assert bad.status_code == 422 and "日期不能晚于今天" in bad.text
    no_token = client.post(f"{url}/visits", data={"kind": "home_visit"})
    assert no_token.status_code == 403
    other = api.client_for(users["other_cadre"])
    token2 = csrf(other, "/ledger")
    assert other.post(f"{url}/visits", data={"csrf_token": token2, "kind": "home_visit"}).status_code == 403
    with api.db() as s:
        kinds = s.scalars(select(LedgerAction.kind).where(LedgerAction.household_id == ids["household"])).all()
    assert kinds == [ActionKind.home_visit]


def test_without_matching_the_cadre_refers_from_the_nearest_open_vacancies(tmp_path) -> None:
    """The model is missing: the page says so and offers the open vacancies nearest the household by
    title, employer and distance (no vacancy number to know); choosing one records the referral."""
    from estation.geo import distance_km, distance_words
    from estation.migrate import upgrade
    from tests.factories import create_employer, create_vacancy, seed_places
    from tests.kiosk.conftest import KioskHarness

    url = f"sqlite:///{tmp_path / 'down.sqlite3'}"
    upgrade(url)
    harness = KioskHarness(url, tmp_path, embedding_model=str(tmp_path / "no-such-model"))
    try:
        with harness.db() as s:
            seed_places(s)
            cadre = create_user(s, role=Role.cadre)
            household = create_household(s, hardship=True)
            member = create_resident(s, household=household, name="刘建国", lat=36.664, lon=117.052)
            pair(s, cadre, household)
            employer = create_employer(s)
            far = create_vacancy(s, employer=employer, title="商场保洁", lat=36.700, lon=117.100)
            near = create_vacancy(s, employer=employer, title="小区保安", lat=36.665, lon=117.053)
            s.commit()
            ids = (household.id, member.id, near.id, far.id, employer.name)
        household_id, member_id, near_id, far_id, employer_name = ids
        client = harness.client_for(cadre)
        page = client.get(f"/ledger/households/{household_id}/work")
        assert page.status_code == 200 and work_module.UNAVAILABLE in page.text
        options = re.findall(r'<option value="(\d+)">([^<]+)</option>', page.text.split('name="vacancy_id"')[1])
        assert [int(v) for v, _ in options] == [near_id, far_id]
        assert options[0][1] == f"小区保安 · {employer_name} · 离这户不到1公里"
        far_words = distance_words(distance_km(36.664, 117.052, 36.700, 117.100))
        assert far_words.startswith("约") and options[1][1] == f"商场保洁 · {employer_name} · 离这户{far_words}"
        assert "编号" not in page.text
        data = {name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)
                for name in ("csrf_token", "submission_token")} | {"resident_id": member_id, "vacancy_id": near_id}
        done = client.post(f"/ledger/households/{household_id}/referrals", data=data, follow_redirects=False)
        assert done.status_code == 303
        with harness.db() as s:
            referral = s.scalars(select(LedgerAction).where(LedgerAction.kind == ActionKind.job_referral)).one()
            assert (referral.vacancy_id, referral.resident_id) == (near_id, member_id)
    finally:
        harness.app.state.parts.stop_workers()
