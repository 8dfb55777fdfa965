"""Job-seeker registration at the counter (issue 15.1): registered in a real browser, read back through the
API, the counter's joined view and matching's input; a change with its reason in the history; an insurance
period moved in from another province; a resident who cannot work shown in true words; a bad value named
in Chinese and nothing written; a form sent twice done once; health and hardship data encrypted, shown only
to the roles that keep them and every look logged."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from estation import clock
from estation.accounts.models import AccessLog, Role
from estation.labour.models import Household, InsurancePeriod, Resident, ResidentChange
from estation.ledger.models import CommunityAssignment, HouseholdPairing
from estation.matching.limits import ResidentLimits
from estation.physical import DECLARED, MAX_LEVEL
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident, create_user, new_id_number

# The plain question of every declared domain is asked; these three are answered below their maximum.
ANSWERS = {"standing_walking": 1, "lifting_carrying": 0, "seeing": 2}
BIRTH = date(1971, 3, 8)


def _counts(api) -> tuple[int, ...]:
    with api.db() as s:
        return tuple(s.scalar(select(func.count()).select_from(table))
                     for table in (Resident, Household, ResidentChange, InsurancePeriod))


def _plain(words: str) -> None:
    """A page's words are plain Chinese: no English, field names, raw codes or empty values."""
    assert not re.search(r"[A-Za-z]{2,}", words), re.findall(r"[A-Za-z_]{2,}", words)


@pytest.mark.browser
def test_a_clerk_registers_a_partly_able_job_seeker_and_changes_it_with_a_reason(api, live, page) -> None:
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=4)
        clerk.display_name = "李窗口"
        s.commit()
    number = new_id_number(birth=BIRTH)
    base = live.url
    sign_in(page, base, clerk.username, "/counter")
    page.get_by_role("link", name="求职登记").click()
    for d in DECLARED:  # every declared domain is asked as its plain question
        assert page.get_by_label(f"{d.label}：{d.question}").count() == 1

    page.get_by_label("姓名 *").fill("孙桂芳")
    page.get_by_label("身份证号 *").fill(number)
    page.get_by_label("手机号").fill("13905310077")
    lost_job = (clock.today() - timedelta(days=20)).isoformat()
    page.get_by_label("状态开始日期").fill(lost_job)
    page.get_by_label("居住社区 *").select_option(label="甸柳新村第三社区")
    page.get_by_label("住址 *").fill("甸柳新村三区5号楼2单元301")
    page.get_by_label("会什么（技能、证书）").fill("缝纫、手工编织")
    page.get_by_label("想找什么工作").fill("坐着做的手工活")
    page.get_by_label("每天想工作几小时").fill("4")
    page.get_by_label("劳动能力", exact=True).select_option(label="部分劳动能力")
    for key, level in ANSWERS.items():
        d = next(x for x in DECLARED if x.key == key)
        page.get_by_label(f"{d.label}：{d.question}").select_option(label=d.levels[level])
    page.get_by_label("残疾人证：残疾类别").select_option(label="肢体")
    page.get_by_label("残疾人证：等级").select_option(label="三级")
    page.get_by_label("就业困难人员：认定类别").select_option(label="残疾人")
    page.get_by_label("就业困难人员：认定日期").fill("2026-03-02")
    page.get_by_label("居民同意把求职信息（不含姓名和证件号）展示给用人单位").check()
    _plain(page.locator("main").inner_text())
    screenshot(page, "counter-register.png")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r".*/counter/residents/\d+\?reason=.*"))
    resident_id = int(re.search(r"/counter/residents/(\d+)", page.url).group(1))

    body = page.locator("main").inner_text()
    _plain(body)
    assert "失业登记" in body and "居民已同意" in body and "残疾人（2026-03-02 认定）" in body
    assert f"登记失业（{lost_job} 起）" in body
    assert "缝纫、手工编织" in body and "每天想工作4小时" in body and "残疾人证：肢体3级" in body
    for key, level in ANSWERS.items():
        d = next(x for x in DECLARED if x.key == key)
        assert f"{d.question}{d.levels[level]}" in body
    history = page.locator("table.changes").inner_text()
    assert "李窗口（窗口工作人员）" in history and "窗口失业登记" in history
    assert "只找居家工作" not in history  # left unticked: not a given item of the registration

    # The API gives the same limits; matching reads them as its input.
    response = api.client_for(clerk).get(f"/api/v1/residents/{resident_id}", params={"reason": "核对求职登记"})
    assert response.status_code == 200
    got = response.json()
    expected = {d.key: ANSWERS.get(d.key, MAX_LEVEL) for d in DECLARED}
    assert got["work_capacity"] == "partial" and got["limits"] == expected
    assert got["registration"] == "unemployment" and got["consent_to_employers"] is True
    assert got["difficulty_category"] == "残疾人" and got["disability_category"] == "肢体"
    with api.db() as s:
        assert ResidentLimits.of(s.get(Resident, resident_id)).levels == expected

    # A change needs its reason, then shows in the history with who and why.
    page.get_by_role("link", name="修改求职登记信息").click()
    _plain(page.locator("main").inner_text())
    with api.db() as s:  # opening the form that shows health and hardship data is a logged look
        looked = s.scalars(select(AccessLog).where(AccessLog.resident_id == resident_id).order_by(AccessLog.id)).all()
        assert (looked[-1].user_id, looked[-1].action, looked[-1].what) == (clerk.id, "read", "求职登记信息")
    page.get_by_label("每天想工作几小时").fill("6")
    page.get_by_role("button", name="保存修改").click()
    assert "修改原因" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("修改原因 *").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("每天想工作几小时").input_value() == "6"  # what was typed comes back to be corrected
    screenshot(page, "counter-job-seeker-refused.png")
    page.get_by_label("修改原因 *").fill("居民身体好转，想多干几个小时")
    seeing = next(x for x in DECLARED if x.key == "seeing")
    page.get_by_label(f"{seeing.label}：{seeing.question}").select_option(label=seeing.levels[3])
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_url(re.compile(r".*/counter/residents/\d+\?reason=.*"))
    first_row = page.locator("table.changes tbody tr").first.inner_text()
    assert "居民身体好转，想多干几个小时" in first_row and "李窗口" in first_row
    assert "每天想工作几小时、视力限制" in first_row and "站立行走限制" not in first_row  # only what changed
    assert f"{seeing.question}{seeing.levels[3]}" in page.locator("main").inner_text()

    # Insurance moved in from another province, from the certificate the resident brings.
    page.get_by_role("link", name="修改求职登记信息").click()
    page.get_by_label("险种").select_option(label="养老保险")
    page.get_by_label("参保省份").select_option(label="河南省")
    page.get_by_label("开始月份").fill("2008-01")
    page.get_by_label("结束月份").fill("2015-12")
    page.get_by_label("月缴费基数（元）").fill("2600")
    page.get_by_label("缴费方").select_option(label="单位")
    page.get_by_label("参保单位").fill("郑州纺织厂")
    page.get_by_label("录入原因").fill("居民提交河南省参保缴费凭证")
    screenshot(page, "counter-job-seeker-profile.png")
    page.get_by_role("button", name="录入参保记录").click()
    page.wait_for_url(re.compile(r".*/counter/residents/\d+\?reason=.*"))
    body = page.locator("main").inner_text()
    _plain(body)
    assert "河南省" in body and "2008-01 至 2015-12" in body and "养老保险累计 8.0 年（96 个月）" in body
    first_row = page.locator("table.changes tbody tr").first.inner_text()
    assert "居民提交河南省参保缴费凭证" in first_row and "外省参保记录" in first_row
    screenshot(page, "counter-job-seeker.png")


def _form(client, path: str) -> dict[str, str]:
    html = client.get(path).text
    return {"csrf_token": client.cookies.get("estation_csrf"),
            "submission_token": re.search(r'name="submission_token" value="([^"]+)"', html).group(1)}


def _registration(**overrides) -> dict[str, str]:
    fields = {"name": "周凤英", "id_number": new_id_number(birth=BIRTH), "hukou_province": "37",
              "community_code": "370102009001", "address": "甸柳新村一区3号楼", "relation": "head",
              "employment_status": "registered_unemployed", "registration": "unemployment",
              "registered_on": "2026-11-02", "work_capacity": "partial", "max_travel_km": "3",
              **{f"limit_{d.key}": str(MAX_LEVEL) for d in DECLARED}}
    return fields | overrides


@pytest.fixture
def clerk(api):
    with api.db() as s:
        user = create_user(s, role=Role.counter_staff, window=5)
        s.commit()
    client = api.client_for(user)
    client.get("/counter")
    return client


def test_a_bad_value_is_named_in_chinese_and_writes_nothing(api, clerk) -> None:
    before = _counts(api)
    bad = _registration(preferred_days_per_week="9")
    response = clerk.post("/counter/register", data=_form(clerk, "/counter/register") | bad, follow_redirects=False)
    assert response.status_code == 422
    assert "“每周想工作几天”：" in response.text and 'aria-invalid="true"' in response.text
    assert _counts(api) == before  # not even the household

    unanswered = _registration() | {f"limit_{DECLARED[0].key}": ""}
    response = clerk.post("/counter/register", data=_form(clerk, "/counter/register") | unanswered, follow_redirects=False)
    assert response.status_code == 422 and DECLARED[0].question in response.text
    assert _counts(api) == before


def test_a_registration_sent_twice_is_done_once(api, clerk) -> None:
    before = _counts(api)
    posted = _form(clerk, "/counter/register") | _registration()
    first = clerk.post("/counter/register", data=posted, follow_redirects=False)
    again = clerk.post("/counter/register", data=posted, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert _counts(api) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3])


def test_a_change_without_a_reason_changes_nothing(api, clerk) -> None:
    with api.db() as s:
        resident_id = create_resident(s, name="吴玉兰").id
        s.commit()
    path = f"/counter/residents/{resident_id}/profile"
    before = _counts(api)
    posted = _form(clerk, path) | {"employment_status": "registered_unemployed", "work_capacity": "full",
                                   "max_travel_km": "5", "skills": "收银", "max_hours_per_day": "8"}
    response = clerk.post(path, data=posted)
    assert response.status_code == 422 and "请简要写明修改原因" in response.text
    with api.db() as s:
        assert s.get(Resident, resident_id).skills == "" and _counts(api) == before


def test_health_and_hardship_are_encrypted_and_shown_only_to_those_who_keep_them(api) -> None:
    with api.db() as s:
        resident = create_resident(s, difficulty_category="大龄失业人员", difficulty_recognised_on=date(2025, 9, 1),
                                   work_capacity="partial", limits={"seeing": 1}, disability_category="视力",
                                   disability_grade=2)
        leader = create_user(s, role=Role.leader)
        s.add(CommunityAssignment(leader_id=leader.id, community_code=resident.community_code, start_date=date(2025, 1, 1)))
        community = create_user(s, role=Role.community_staff, community_code=resident.community_code)
        cadre = create_user(s, role=Role.cadre)
        s.add(HouseholdPairing(cadre_id=cadre.id, household_id=resident.household_id, start_date=date(2025, 1, 1)))
        stored = s.execute(text("SELECT difficulty_category, difficulty_recognised_on FROM resident WHERE id = :id"),
                           {"id": resident.id}).one()
        s.commit()
    assert "大龄" not in stored[0] and "2025" not in stored[1]
    private = ("difficulty_category", "difficulty_recognised_on", "disability_category", "disability_grade")
    seen = {role: api.client_for(user).get(f"/api/v1/residents/{resident.id}", params={"reason": "了解就业情况"})
            for role, user in (("community", community), ("cadre", cadre), ("leader", leader))}
    assert {role: [r.json()[k] for k in private] for role, r in seen.items()} == {
        "community": ["大龄失业人员", "2025-09-01", "视力", 2],
        "cadre": [None, None, "视力", 2],  # helps the household with work: needs the certificate, not the hardship
        "leader": [None, None, None, None],  # oversees communities by their figures
    }
    assert all(r.json()["limits"]["seeing"] == 1 for r in seen.values())  # what matching needs stays visible
    with api.db() as s:
        logged = s.scalars(select(AccessLog.user_id).where(AccessLog.resident_id == resident.id)).all()
    assert set(logged) == {community.id, cadre.id, leader.id}


@pytest.mark.parametrize("role", [Role.employer, Role.resident])  # community staff: tests/labour/test_community_staff.py
def test_other_roles_cannot_reach_the_registration_screens(api, role) -> None:
    with api.db() as s:
        resident = create_resident(s)
        user = create_user(s, role=role, community_code=resident.community_code if role == Role.community_staff else None,
                           resident_id=resident.id if role == Role.resident else None)
        s.commit()
    client = api.client_for(user)
    for path in ("/counter/register", f"/counter/residents/{resident.id}/profile"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 403), (role, path, response.status_code)
        assert "求职登记" not in response.text or response.status_code == 403


def _page_after(clerk, response) -> str:
    assert response.status_code == 303, response.text
    return clerk.get(response.headers["location"]).text


def test_a_resident_who_cannot_work_is_said_so_in_words_and_kept_editable(api, clerk) -> None:
    """A resident without work capacity used to read 每天最多0.0小时, and their own form sent back unchanged
    was refused (the hours 0 shown in it are not a working day)."""
    posted = _form(clerk, "/counter/register") | _registration(work_capacity="none", max_hours_per_day="6")
    shown = _page_after(clerk, clerk.post("/counter/register", data=posted, follow_redirects=False))
    assert "<dt>劳动能力</dt><dd>丧失劳动能力</dd>" in shown and "0.0" not in shown and "每天最多" not in shown
    resident_id = int(re.search(r'/counter/residents/(\d+)/profile', shown).group(1))
    with api.db() as s:
        assert s.get(Resident, resident_id).max_hours_per_day == 0

    path = f"/counter/residents/{resident_id}/profile"
    form = clerk.get(path).text
    assert re.search(r'id="max_hours_per_day" name="max_hours_per_day" type="text" value=""', form)
    unchanged = _form(clerk, path) | _registration(work_capacity="none", reason="核对档案，没有变化")
    assert clerk.post(path, data=unchanged, follow_redirects=False).status_code == 303

    before = _counts(api)
    able = _form(clerk, path) | _registration(work_capacity="partial", reason="居民康复，能做部分工作")
    refused = clerk.post(path, data=able, follow_redirects=False)
    assert refused.status_code == 422 and "能工作的居民请填写每天最多能工作几小时" in refused.text
    assert 'id="max_hours_per_day" name="max_hours_per_day" type="text" value="" aria-invalid="true"' in refused.text
    assert _counts(api) == before
    able["max_hours_per_day"] = "4"
    shown = _page_after(clerk, clerk.post(path, data=able, follow_redirects=False))
    assert "部分劳动能力" in shown and "每天最多能工作4小时" in shown
    named = "、".join(["劳动能力", *(f"{d.label}限制" for d in DECLARED), "每天最多能工作几小时"])
    assert f"<td>{named}</td>" in shown  # the change log names each item, each limit by its domain


def test_a_status_change_keeps_its_dates(api, clerk) -> None:
    with api.db() as s:
        resident_id = create_resident(s, name="郑丽").id  # registered unemployed since 2024-03-01
        s.commit()
    path = f"/counter/residents/{resident_id}/profile"
    earlier = _form(clerk, path) | _registration(employment_status="employed", status_since="2024-01-15",
                                                 reason="居民已在超市上班")
    refused = clerk.post(path, data=earlier, follow_redirects=False)
    assert refused.status_code == 422 and "新状态的开始日期不能早于当前状态的开始日期" in refused.text
    future = _form(clerk, path) | _registration(employment_status="employed", status_since="2099-01-01",
                                                reason="居民已在超市上班")
    refused = clerk.post(path, data=future, follow_redirects=False)
    assert refused.status_code == 422 and "“状态开始日期”：不能晚于今天" in refused.text
    posted = _form(clerk, path) | _registration(employment_status="employed", status_since="2026-10-08",
                                                reason="居民已在超市上班")
    shown = _page_after(clerk, clerk.post(path, data=posted, follow_redirects=False))
    assert "<dt>就业状态</dt><dd>就业（2026-10-08 起）</dd>" in shown
    assert "2024-03-01 起 登记失业，至 2026-10-08" in shown and "2026-10-08 起 就业" in shown
    assert re.search(r"<td>居民已在超市上班</td><td>[^<]*就业状态", shown)


def test_dates_in_the_future_are_refused_by_name(api, clerk) -> None:
    before = _counts(api)
    for field, name in (("registered_on", "登记日期"), ("difficulty_recognised_on", "就业困难人员认定日期")):
        extra = {"difficulty_category": "大龄失业人员"} if field == "difficulty_recognised_on" else {}
        bad = _registration(**{field: "2099-05-01"}, **extra)
        response = clerk.post("/counter/register", data=_form(clerk, "/counter/register") | bad, follow_redirects=False)
        assert response.status_code == 422 and f"“{name}”：不能晚于今天" in response.text, field
    assert _counts(api) == before


def test_an_id_number_registered_before_is_refused_in_chinese(api, clerk) -> None:
    with api.db() as s:
        number = create_resident(s).id_number
        s.commit()
    before = _counts(api)
    response = clerk.post("/counter/register", data=_form(clerk, "/counter/register") | _registration(id_number=number),
                          follow_redirects=False)
    assert response.status_code == 409 and "该身份证号已登记" in response.text
    assert 'id="id_number" name="id_number" type="text" value="' in response.text and _counts(api) == before


def _period(**overrides) -> dict[str, str]:
    return {"scheme": "pension", "province": "41", "start_month": "2008-01", "end_month": "2015-12",
            "monthly_wage_base": "2600", "payer": "employer", "period_reason": "居民提交河南省参保缴费凭证"} | overrides


def test_an_insurance_period_is_checked_named_and_added_once(api, clerk) -> None:
    with api.db() as s:
        resident_id = create_resident(s, id_number=new_id_number(birth=BIRTH)).id
        s.commit()
    path = f"/counter/residents/{resident_id}/profile"
    before = _counts(api)
    for bad, words in (({"end_month": "2007-12"}, "“结束月份”：结束月份不能早于开始月份"),
                       ({"monthly_wage_base": "很多"}, "“月缴费基数”："),
                       ({"start_month": "1960-01"}, "缴费开始月份早于出生日期"),
                       ({"period_reason": ""}, "请简要写明修改原因")):
        response = clerk.post(f"/counter/residents/{resident_id}/insurance-periods", data=_form(clerk, path) | _period(**bad),
                              follow_redirects=False)
        assert response.status_code == 422 and words in response.text, (bad, response.status_code)
        assert _counts(api) == before
    posted = _form(clerk, path) | _period()
    first = clerk.post(f"/counter/residents/{resident_id}/insurance-periods", data=posted, follow_redirects=False)
    again = clerk.post(f"/counter/residents/{resident_id}/insurance-periods", data=posted, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert _counts(api) == (before[0], before[1], before[2] + 1, before[3] + 1)
