"""Issue 15 "done when": the whole loop in headless Chromium with real parts (database, matcher, pages).

A clerk registers a partly able man with limits and consent, the only member of his household (a
零就业家庭), and sets his kiosk PIN; the employer finds him masked among the candidates of a seated job
and invites him; he accepts at the kiosk; the employer records interview, attendance, offer and hire; the
paired cadre finds the 1- and 3-month follow-ups among the duties and records them; the outcomes report
counts the placement and the 零就业家庭 list no longer has the household; every step left its
notification (and its outbox row for delivery).

Time: the product has no clock to move (estation.clock.today() is the real day), so once the invitation is
accepted its application and invitation are dated 100 days back, as a hire recorded late would be; the
hire then starts 95 days ago and both follow-ups are due today. Screenshots go to /tmp/loop (and to
ESTATION_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from estation import clock
from estation.accounts.models import Role
from estation.db import utcnow
from estation.jobs.models import (
    Application, ApplicationStatus, Invitation, InvitationStatus, Placement, PlacementFollowUp,
)
from estation.labour.models import EmploymentStatus, Resident
from estation.notifications.models import Audience, Notification
from estation.notifications.service import NOTIFY_TOPIC
from estation.outbox import OutboxEntry
from estation.physical import DECLARED
from tests.conftest import screenshot, sign_in
from tests.employer.conftest import make_company
from tests.factories import create_user, new_id_number
from tests.ledger.helpers import pair

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/loop")
NAME, PHONE_NO, PIN = "马建军", "13905317788", "382915"
LIMITS = {"standing_walking": 1, "lifting_carrying": 0}  # can stand a little, cannot carry
BACK = 100  # days the accepted invitation is dated back
STARTED = 95  # days ago the hire starts


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    screenshot(page, f"loop-{name}")


def _fresh(context, page):
    """The next person at the same screen: the last one's session is gone."""
    page.close()
    context.clear_cookies()
    return context.new_page()


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _zero_households(client) -> list[int]:
    response = client.get("/api/v1/ledger/hardship")
    assert response.status_code == 200, response.text
    return [h["id"] for h in response.json()["zero_employment_households"]]


def test_the_whole_loop_from_the_counter_to_a_retained_placement(api, live, browser) -> None:
    today = clock.today()
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=3)
        clerk.display_name = "韩窗口"
        cadre = create_user(s, role=Role.cadre)
        cadre.display_name = "赵包户"
        admin = create_user(s, role=Role.admin)
        seated = make_company(s, title="社区数据录入员", occupation_code=None, hours_per_day=4, wage_min=2000,
                              wage_max=2400, demands={"fine_hand": 2, "seeing": 2}, lat=36.664, lon=117.052)
        heavy = make_company(s, title="物流仓库装卸工", demands={"lifting_carrying": 4, "standing_walking": 4})
        s.commit()
    base = live.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # 1. The counter registers him: partly able, limits asked as plain questions, consent given.
        sign_in(page, base, clerk.username, "/counter")
        page.get_by_role("link", name="求职登记").click()
        page.get_by_label("姓名 *").fill(NAME)
        page.get_by_label("身份证号 *").fill(new_id_number(birth=date(1979, 5, 20), sex="male"))
        page.get_by_label("手机号").fill(PHONE_NO)
        page.get_by_label("状态开始日期").fill((today - timedelta(days=200)).isoformat())
        page.get_by_label("居住社区 *").select_option(label="甸柳新村第三社区")
        page.get_by_label("住址 *").fill("甸柳新村三区7号楼1单元102")
        page.get_by_label("会什么（技能、证书）").fill("电脑打字、表格录入")
        page.get_by_label("想找什么工作").fill("坐着干的文员活")
        page.get_by_label("每天想工作几小时").fill("4")
        page.get_by_label("劳动能力", exact=True).select_option(label="部分劳动能力")
        for key, level in LIMITS.items():
            d = next(x for x in DECLARED if x.key == key)
            page.get_by_label(f"{d.label}：{d.question}").select_option(label=d.levels[level])
        page.get_by_label("居民同意把求职信息（不含姓名和证件号）展示给用人单位").check()
        _shot(page, "01-counter-register.png")
        page.get_by_role("button", name="登记").click()
        page.wait_for_url(re.compile(r".*/counter/residents/\d+\?reason=.*"))
        resident_id = int(re.search(r"/counter/residents/(\d+)", page.url).group(1))
        body = page.locator("main").inner_text()
        assert "部分劳动能力" in body and "居民已同意" in body
        with api.db() as s:
            resident = s.get(Resident, resident_id)
            household_id = resident.household_id
            assert resident.employment_status == EmploymentStatus.registered_unemployed
            assert resident.consent_to_employers is True
            assert {k: resident.limits[k] for k in LIMITS} == LIMITS
            assert len(resident.household.members) == 1
            pair(s, s.get(type(cadre), cadre.id), resident.household, start=today - timedelta(days=300))
            s.commit()
        cadre_api, admin_api = api.client_for(cadre), api.client_for(admin)
        assert household_id in _zero_households(cadre_api)  # a 零就业家庭 now, on the cadre's list too
        page = _fresh(context, page)
        sign_in(page, base, cadre.username, "/ledger")
        page.goto(f"{base}/ledger/hardship")
        listed = page.locator("li.zero-household")
        assert listed.count() == 1 and NAME in listed.inner_text() and "赵包户" in listed.inner_text()
        _shot(page, "01b-hardship-listed.png")
        page = _fresh(context, page)
        sign_in(page, base, clerk.username, "/counter")

        # ... and sets his kiosk PIN after checking the id card.
        page.goto(f"{base}/counter/residents/{resident_id}/pin")
        page.check("input[name=id_card_checked]")
        page.fill("#pin", PIN)
        page.fill("#pin_again", PIN)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/counter/residents/{resident_id}/pin?done=1")

        # 2. The employer sees him masked for the seated job (not for the heavy one) and invites him.
        page = _fresh(context, page)
        sign_in(page, base, heavy.user.username, "/employer")
        page.goto(f"{base}/employer/vacancies/{heavy.vacancy.id}/candidates", timeout=300_000)  # cold model load
        assert page.locator("article.candidate").count() == 0  # he cannot carry: not recommended there
        page = _fresh(context, page)
        sign_in(page, base, seated.user.username, "/employer")
        page.goto(f"{base}/employer/vacancies/{seated.vacancy.id}/candidates", timeout=300_000)
        cards = page.locator("article.candidate")
        assert cards.count() == 1
        card = cards.first.inner_text()
        assert "40-49岁" in card and "部分劳动能力" in card  # an age band, not a birth date
        assert "电脑打字" in card and "符合本岗位体力要求" in card
        whole = page.locator("main").inner_text()
        assert NAME not in whole and PHONE_NO not in whole and "马" not in card  # masked
        _shot(page, "02-employer-masked-candidate.png")
        cards.first.locator("input[name=message]").fill("您好，岗位可以坐着干，欢迎来看看")
        cards.first.get_by_role("button", name="邀请了解岗位").click()
        page.wait_for_url(f"{base}/employer/vacancies/{seated.vacancy.id}/candidates")
        assert "已邀请：" in page.locator("article.candidate").first.inner_text()
        assert "等待居民答复" in page.inner_text("table.invitations")
        assert NAME not in page.locator("main").inner_text()  # still masked until he accepts
        with api.db() as s:
            invitation = s.scalars(select(Invitation).where(Invitation.resident_id == resident_id)).one()
            assert invitation.status == InvitationStatus.pending and invitation.vacancy_id == seated.vacancy.id
            invitation_id = invitation.id
            assert not s.scalars(select(Application).where(Application.resident_id == resident_id)).all()

        # 3. He signs in at the kiosk with his PIN and accepts, letting the employer call him.
        kiosk = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
        try:
            kpage = kiosk.new_page()
            with api.db() as s:
                id_number = s.get(Resident, resident_id).id_number
            kpage.goto(f"{base}/kiosk/signin/pin?next=/kiosk/home")
            kpage.fill("#id_number", id_number)
            kpage.click("#pin")
            for digit in PIN:
                kpage.locator("#osk button", has_text=re.compile(f"^{digit}$")).click()
            kpage.get_by_role("button", name="登录").click()
            kpage.wait_for_url(f"{base}/kiosk/home")
            assert "有1个邀请等您答复" in kpage.inner_text("#tile-invitations")
            kpage.locator("#tile-invitations").click()
            kpage.wait_for_url(f"{base}/kiosk/me/invitations")
            mine = kpage.locator(f"#inv-{invitation_id}")
            assert "社区数据录入员" in mine.inner_text() and "岗位可以坐着干" in mine.inner_text()
            _shot(kpage, "03-kiosk-invitation.png")
            mine.get_by_text("可以，让单位打电话给我").click()
            mine.get_by_role("button", name="接受邀请").click()
            kpage.wait_for_url(re.compile(r"answered=accepted"))
            assert "已接受邀请" in kpage.inner_text("#answered")
            _shot(kpage, "04-kiosk-accepted.png")
        finally:
            kiosk.close()
        with api.db() as s:
            invitation = s.get(Invitation, invitation_id)
            assert invitation.status == InvitationStatus.accepted and invitation.share_phone is True
            application = s.scalars(select(Application).where(Application.resident_id == resident_id)).one()
            application_id = application.id
            # No clock to move: the invitation and its application are dated back (see the docstring).
            invitation.created_at = utcnow() - timedelta(days=BACK + 1)
            invitation.responded_at = application.created_at = utcnow() - timedelta(days=BACK)
            s.commit()

        # 4. The employer now sees his name and phone, and records interview, attendance, offer, hire.
        page.goto(f"{base}/employer/vacancies/{seated.vacancy.id}/candidates")
        row = f"#app-{application_id}"
        applicant = page.inner_text(row)
        assert NAME in applicant and PHONE_NO in applicant and "接受邀请" in applicant
        page.fill(f"#at-{application_id}", f"{today - timedelta(days=BACK - 2)}T09:30")
        page.fill(f"#place-{application_id}", "甸柳街道为民服务中心二楼")
        page.click(f"form[action='/employer/applications/{application_id}/interview'] button[type=submit]")
        page.wait_for_selector(f"{row} form[action$='/attendance']")
        assert "已约面试" in page.inner_text(f"{row} .app-status")
        page.click(f"{row} button[name=attended][value=true]")
        page.wait_for_selector(f"{row} form:has(input[value=offered]) button")
        page.click(f"{row} form:has(input[value=offered]) button[type=submit]")
        page.wait_for_selector(f"{row} form[action$='/hire']")
        assert "已发录用通知" in page.inner_text(f"{row} .app-status")
        started = today - timedelta(days=STARTED)
        page.fill(f"#start-{application_id}", str(started))
        page.fill(f"#wage-{application_id}", "2200")
        page.select_option(f"#contract-{application_id}", "part_time")
        page.click(f"{row} form[action$='/hire'] button[type=submit]")
        page.wait_for_selector(f"{row} .placement")
        text = page.inner_text(row)
        assert "已录用上岗" in text and "月工资2200元" in text and "1个月" in text and "3个月" in text
        _shot(page, "05-employer-hired.png")
        with api.db() as s:
            assert s.get(Application, application_id).status == ApplicationStatus.hired
            assert s.get(Resident, resident_id).employment_status == EmploymentStatus.employed
            placement = s.scalars(select(Placement).where(Placement.resident_id == resident_id)).one()
            assert placement.started_on == started and placement.monthly_wage == 2200
            due = {f.months_after: f for f in s.scalars(select(PlacementFollowUp).where(
                PlacementFollowUp.resident_id == resident_id))}
            assert sorted(due) == [1, 3, 6]
            assert due[3].due_on <= today < due[6].due_on
            follow_up_ids = {m: f.id for m, f in due.items()}

        # 5. The paired cadre sees the 1- and 3-month follow-ups as duties (not the 6-month one) and records them.
        page = _fresh(context, page)
        sign_in(page, base, cadre.username, "/ledger")
        duties = page.inner_text("section[aria-labelledby=fu-h]")
        assert "上岗跟踪到期（2）" in duties and NAME in duties and "社区数据录入员" in duties
        assert "上岗1个月跟踪" in duties and "上岗3个月跟踪" in duties and "上岗6个月跟踪" not in duties
        _shot(page, "06-cadre-duties.png")
        for months in (1, 3):
            page.goto(f"{base}/ledger/households/{household_id}")
            fid = follow_up_ids[months]
            page.fill(f"#fu-note-{fid}", f"上门问过，{months}个月了还在干")
            page.click(f"#follow-up-{fid} button[name=still_employed][value=true]")
            page.wait_for_url(re.compile(r".*/ledger/households/\d+.*msg=.*"))
            assert "已记录上岗跟踪" in page.inner_text("main")
        page.goto(f"{base}/ledger")
        assert "上岗跟踪到期" not in page.inner_text("main")
        with api.db() as s:
            for months in (1, 3):
                answered = s.get(PlacementFollowUp, follow_up_ids[months])
                assert answered.still_employed is True and answered.answered_by_id == cadre.id

        # 6. The 零就业家庭 list no longer has the household (page and API).
        page.goto(f"{base}/ledger/hardship")
        assert "目前没有零就业家庭" in page.inner_text("main") and NAME not in page.inner_text("main")
        _shot(page, "07-hardship-cleared.png")
    finally:
        context.close()
    assert household_id not in _zero_households(cadre_api)

    # 7. The outcomes report counts the placement, its retention and the cleared household.
    start = today - timedelta(days=150)
    response = admin_api.get("/api/v1/reports/outcomes", params={"from": _month(start), "to": _month(today)})
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["registered_job_seekers"] == 1 and out["placements"] == 1
    assert out["retained_3_months"] == {"due": 1, "retained": 1}
    assert out["zero_employment_households"] == {"at_start": 1, "at_end": 0, "cleared": 1}
    assert out["median_days_to_placement"] == 200 - STARTED
    assert sum(c["placements"] for c in out["by_community"]) == 1
    for dimension in ("age_band", "sex"):
        groups = [g for g in out["by_group"] if g["dimension"] == dimension]
        assert sum(g["placements"] for g in groups) == 1
        assert sum(g["with_recommendations"] for g in groups) == 1
    # One job seeker in all: naming his disability category would say his health (the totals are his), so
    # the report is not grouped by it at all.
    assert out["withheld_dimensions"] == ["disability_category"]
    assert not [g for g in out["by_group"] if g["dimension"] == "disability_category"]

    # 8. Every step left its notification and an outbox row for delivery.
    with api.db() as s:
        rows = s.scalars(select(Notification).order_by(Notification.id)).all()
        to_him = [(n.kind, n.title) for n in rows if n.audience == Audience.resident and n.resident_id == resident_id]
        to_employer = [n.kind for n in rows if n.audience == Audience.employer and n.employer_id == seated.employer.id]
        steps = (ApplicationStatus.interview, ApplicationStatus.offered, ApplicationStatus.hired)
        assert to_him == [("invitation.new", to_him[0][1])] + [
            ("application.status", f"您的求职申请状态：{step.label}") for step in steps], to_him
        assert "invitation.accepted" in to_employer
        queued = set(s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.topic == NOTIFY_TOPIC)))
        assert {n.id for n in rows} <= queued
