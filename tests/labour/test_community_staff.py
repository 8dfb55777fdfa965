"""Community staff at the counter's resident pages: they land on a page that works (it answered 403 没有权限),
find, register and keep the records of their own community's residents only (the rule the API keeps:
labour.access), and see the record alone, not the window's cases, applications and ledger items."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.cases.catalogue import load_catalogue
from estation.cases.models import Case, CaseStatus
from estation.labour.models import Household, Resident
from estation.physical import DECLARED, MAX_LEVEL
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user, new_id_number

MINE, THEIRS = "370102009001", "370102009002"


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        load_catalogue(s)
        mine = create_resident(s, household=create_household(s, community_code=MINE), name="张桂兰")
        theirs = create_resident(s, household=create_household(s, community_code=THEIRS), name="张桂芝")
        s.add(Case(reference="DL202611020001", resident_id=mine.id, service_code="pension_transfer",
                   status=CaseStatus.accepted, opened_on=date(2026, 11, 2)))
        staff = create_user(s, role=Role.community_staff, community_code=MINE)
        staff.username, staff.display_name = "community1", "赵社区"  # the demo's community staff account
        s.commit()
        return {"mine": mine.id, "theirs": theirs.id, "staff": staff}


@pytest.fixture
def community(api, people):
    client = api.client_for(people["staff"])
    client.get("/counter")
    return client


def _tokens(client, path: str) -> dict[str, str]:
    html = client.get(path).text
    return {"csrf_token": client.cookies.get("estation_csrf"),
            "submission_token": re.search(r'name="submission_token" value="([^"]+)"', html).group(1)}


def _visible(html: str) -> str:
    """The page's words without its markup (what the user reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S))


def test_community_staff_land_on_a_page_that_works(api, people) -> None:
    client = api.client_for(people["staff"])
    response = client.get("/counter")
    assert response.status_code == 200
    words = _visible(response.text)
    assert "甸柳新村第三社区" in words and "只能查到本社区的居民" in words and "没有权限" not in words
    for window_only in ("本窗口在办事项", "办件统计", "上岗跟踪", "续保测算"):
        assert window_only not in words


def test_the_look_up_finds_their_own_community_only(community, people) -> None:
    found = community.post("/counter", data={"csrf_token": community.cookies.get("estation_csrf"), "q": "张桂"})
    assert found.status_code == 200
    assert f'/counter/residents/{people["mine"]}"' in found.text
    assert f'/counter/residents/{people["theirs"]}"' not in found.text and "张桂芝" not in found.text


def test_community_staff_of_one_community_cannot_open_a_resident_of_another(api, community, people) -> None:
    theirs = people["theirs"]
    with api.db() as s:
        logged = s.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.resident_id == theirs))
    for path in (f"/counter/residents/{theirs}?reason=入户走访", f"/counter/residents/{theirs}",
                 f"/counter/residents/{theirs}/profile"):
        response = community.get(path, follow_redirects=False)
        assert response.status_code == 403 and "张桂芝" not in response.text, path
    posted = _tokens(community, f"/counter/residents/{people['mine']}/profile") | {"reason": "更新求职意愿",
                                                                                  "skills": "偷改"}
    response = community.post(f"/counter/residents/{theirs}/profile", data=posted, follow_redirects=False)
    assert response.status_code == 403
    for method, path in (("GET", f"/api/v1/residents/{theirs}?reason=入户走访"),
                         ("GET", f"/api/v1/residents/{theirs}/insurance-periods?reason=入户走访"),
                         ("PATCH", f"/api/v1/residents/{theirs}?reason=更新求职意愿")):
        response = community.request(method, path, json={"skills": "偷改"} if method == "PATCH" else None)
        assert response.status_code == 403 and "张桂芝" not in response.text, (method, path)
    with api.db() as s:
        assert s.get(Resident, theirs).skills != "偷改"
        assert s.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.resident_id == theirs)) == logged


def test_their_resident_page_shows_the_record_and_not_the_windows_cases(api, community, people) -> None:
    mine = people["mine"]
    page = community.get(f"/counter/residents/{mine}", follow_redirects=False)
    assert page.status_code == 200 and "入户走访" in page.text and "窗口办理业务" not in page.text
    page = community.get(f"/counter/residents/{mine}?reason=入户走访")
    words = _visible(page.text)
    assert page.status_code == 200 and "张桂兰" in words and "修改求职登记信息" in words
    for window_only in ("DL202611020001", "一窗受理", "求职申请", "台账事项"):
        assert window_only not in words
    assert "/pin" not in page.text and "/counter/cases" not in page.text and "到为民服务大厅窗口" in words
    assert community.get(f"/counter/residents/{mine}/pin", follow_redirects=False).status_code == 403
    with api.db() as s:
        last = s.scalars(select(AccessLog).where(AccessLog.resident_id == mine).order_by(AccessLog.id.desc())).first()
        assert (last.user_id, last.what, last.reason) == (people["staff"].id, "居民档案", "入户走访")


def _registration(community_code: str) -> dict[str, str]:
    return {"name": "钱凤霞", "id_number": new_id_number(), "hukou_province": "37", "community_code": community_code,
            "address": "甸柳新村一区9号楼", "relation": "head", "employment_status": "registered_unemployed",
            "registration": "unemployment", "registered_on": "2026-11-02", "work_capacity": "full",
            "max_travel_km": "3", **{f"limit_{d.key}": str(MAX_LEVEL) for d in DECLARED}}


def test_they_register_job_seekers_of_their_own_community_only(api, community) -> None:
    form = community.get("/counter/register").text
    offered = re.findall(r'<option value="(\d+)"', re.findall(r'<select id="community_code".*?</select>', form, flags=re.S)[0])
    assert offered == [MINE]
    with api.db() as s:
        before = s.scalar(select(func.count()).select_from(Household)), s.scalar(select(func.count()).select_from(Resident))
    refused = community.post("/counter/register", data=_tokens(community, "/counter/register") | _registration(THEIRS),
                             follow_redirects=False)
    assert refused.status_code == 403 and "社区工作人员只能为本社区建档" in refused.text
    with api.db() as s:
        assert (s.scalar(select(func.count()).select_from(Household)),
                s.scalar(select(func.count()).select_from(Resident))) == before
    done = community.post("/counter/register", data=_tokens(community, "/counter/register") | _registration(MINE),
                          follow_redirects=False)
    assert done.status_code == 303 and "reason=%E7%A4%BE%E5%8C%BA" in done.headers["location"]  # 社区办理业务
    shown = community.get(done.headers["location"])
    assert shown.status_code == 200 and "钱凤霞" in shown.text and "社区失业登记" in shown.text


@pytest.mark.browser
def test_community1_signs_in_and_walks_their_pages(api, live, page, people) -> None:
    base = live.url
    sign_in(page, base, "community1", "/counter")
    assert "没有权限" not in page.inner_text("body")
    page.get_by_label("身份证号、姓名（同音字也可）或手机号").fill("张桂兰")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="查看").first.click()
    page.wait_for_url(re.compile(r".*/counter/residents/\d+\?reason=.*"))
    words = page.inner_text("body")
    assert "张桂兰" in words and "一窗受理" not in words
    page.get_by_role("link", name="修改求职登记信息").click()
    page.wait_for_url(re.compile(r".*/profile$"))
    assert "没有权限" not in page.inner_text("body")
    page.get_by_role("link", name="求职登记").click()
    page.wait_for_url(f"{base}/counter/register")
    options = page.locator("#community_code option").all_inner_texts()
    assert options == ["甸柳新村第三社区"]
    for url in ("/counter", f"/counter/residents/{people['mine']}?reason=入户走访", "/counter/register"):
        page.goto(base + url)
        text = page.inner_text("body")
        assert not re.search(r"[A-Za-z]{2,}", text.replace("PIN", "")), (url, re.findall(r"[A-Za-z_]{2,}", text))
        assert not re.search(r"\d{9,}", text), url
        screenshot(page, f"community-{len(url)}.png")
