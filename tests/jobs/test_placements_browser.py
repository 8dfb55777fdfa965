"""Issue 15 point 4 in a real browser: the employer takes an applicant from interview to hire on the
candidates page, and the paired cadre, on a phone, finds the 1-month follow-up among their duties and
records it. Screenshots for the README when ESTATION_SCREENSHOT_DIR is set."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.accounts.models import Role
from estation.db import utcnow
from estation.jobs import service
from estation.jobs.models import Application, ApplicationStatus, PlacementFollowUp
from estation.labour.models import EmploymentStatus, Resident
from tests.conftest import screenshot, sign_in
from tests.employer.conftest import make_company
from tests.factories import create_household, create_resident, create_user
from tests.ledger.helpers import pair

pytestmark = pytest.mark.browser

TODAY = date.today()
PHONE = {"width": 390, "height": 844}


def test_employer_hires_and_the_cadre_sees_the_one_month_follow_up_on_a_phone(api, live, page, browser) -> None:
    with api.db() as s:
        company = make_company(s, title="社区便民超市理货员")
        household = create_household(s, hardship=True)
        resident = create_resident(s, household=household, name="钱玉珍", phone="13566667777")
        cadre = create_user(s, role=Role.cadre)
        cadre.display_name = "刘红"
        clerk = create_user(s, role=Role.counter_staff, window=5)
        pair(s, cadre, household)
        application = service.apply(s, resident=resident, vacancy=company.vacancy, by_user_id=None)
        application.created_at = utcnow() - timedelta(days=60)  # applied two months ago
        s.commit()
        ids = (application.id, resident.id, company.vacancy.id)
    application_id, resident_id, vacancy_id = ids
    started = TODAY - timedelta(days=35)

    # The employer, on the candidates page: interview, attendance, offer, hire.
    path = f"/employer/vacancies/{vacancy_id}/candidates"
    sign_in(page, live.url, company.user.username, path)
    row = f"#app-{application_id}"
    page.fill(f"#at-{application_id}", f"{TODAY + timedelta(days=200)}T09:30")  # too far ahead: refused
    page.fill(f"#place-{application_id}", "超市二楼办公室")
    page.click(f"form[action='/employer/applications/{application_id}/interview'] button[type=submit]")
    page.wait_for_selector(f"{row} .step-error")
    assert "面试时间最多约在90天以内" in page.inner_text(f"{row} .step-error")
    assert "已提交" in page.inner_text(f"{row} .app-status")  # nothing was written
    page.screenshot(path="/tmp/placement/employer-refused.png", full_page=True)
    page.fill(f"#at-{application_id}", f"{TODAY - timedelta(days=50)}T09:30")
    page.fill(f"#place-{application_id}", "超市二楼办公室")
    page.click(f"form[action='/employer/applications/{application_id}/interview'] button[type=submit]")
    page.wait_for_selector(f"{row} form[action$='/attendance']")
    assert "已约面试" in page.inner_text(f"{row} .app-status")
    assert "超市二楼办公室" in page.inner_text(f"{row} .interview")
    assert page.locator(f"{row} form[action$='/hire']").count() == 0  # no hire before an offer

    page.click(f"{row} button[name=attended][value=true]")
    page.wait_for_selector(f"{row} form:has(input[value=offered]) button")
    page.click(f"{row} form:has(input[value=offered]) button[type=submit]")
    page.wait_for_selector(f"{row} form[action$='/hire']")
    assert "已发录用通知" in page.inner_text(f"{row} .app-status")

    page.fill(f"#start-{application_id}", str(started))
    page.fill(f"#wage-{application_id}", "3100")
    page.select_option(f"#contract-{application_id}", "part_time")
    page.click(f"{row} form[action$='/hire'] button[type=submit]")
    page.wait_for_selector(f"{row} .placement")
    text = page.inner_text(row)
    assert "已录用上岗" in text and "月工资3100元" in text and "非全日制用工" in text
    assert "1个月" in text and "3个月" in text and "6个月" in text
    log = page.inner_text(f"{row} .history")
    assert "已参加面试" in log and "录用上岗" in log and "（用人单位）" in log
    screenshot(page, "employer-hire.png")
    page.screenshot(path="/tmp/placement/employer-hire.png", full_page=True)

    with api.db() as s:
        assert s.get(Application, application_id).status == ApplicationStatus.hired
        assert s.get(Resident, resident_id).employment_status == EmploymentStatus.employed

    # Counter staff see it at 上岗跟踪 too (whoever records it first, the other sees it done).
    counter = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        clerk_page = counter.new_page()
        sign_in(clerk_page, live.url, clerk.username, "/counter/follow-ups")
        listed = clerk_page.inner_text("table.follow-ups")
        assert "钱玉珍" in listed and "上岗1个月" in listed and "社区便民超市理货员" in listed
        screenshot(clerk_page, "counter-follow-ups.png")
        clerk_page.screenshot(path="/tmp/placement/counter-follow-ups.png", full_page=True)
    finally:
        counter.close()

    # The paired cadre, on a phone: the follow-up is among their duties, and they record it.
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        cadre_page = phone.new_page()
        sign_in(cadre_page, live.url, cadre.username, "/ledger")
        duties = cadre_page.inner_text("#fu-h") + cadre_page.inner_text("section[aria-labelledby=fu-h]")
        assert "上岗跟踪到期" in duties and "钱玉珍" in duties and "社区便民超市理货员" in duties
        assert "上岗1个月跟踪" in duties and "3个月" not in duties and "6个月" not in duties
        assert cadre_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        screenshot(cadre_page, "ledger-follow-up-duty-phone.png")
        cadre_page.screenshot(path="/tmp/placement/ledger-duty-phone.png", full_page=True)

        cadre_page.click("section[aria-labelledby=fu-h] a")
        cadre_page.wait_for_url(f"{live.url}/ledger/households/*")
        with api.db() as s:
            follow_up = s.query(PlacementFollowUp).filter_by(resident_id=resident_id, months_after=1).one()
        card = f"#follow-up-{follow_up.id}"
        cadre_page.fill(f"#fu-note-{follow_up.id}", "电话问过，在超市干得挺好")
        cadre_page.click(f"{card} button[name=still_employed][value=true]")
        cadre_page.wait_for_url(f"{live.url}/ledger/households/*msg=*")
        assert "已记录上岗跟踪" in cadre_page.inner_text("main")
        cadre_page.screenshot(path="/tmp/placement/ledger-answered-phone.png", full_page=True)
        cadre_page.goto(f"{live.url}/ledger")
        assert "上岗跟踪到期" not in cadre_page.inner_text("main")
    finally:
        phone.close()
    with api.db() as s:
        answered = s.get(PlacementFollowUp, follow_up.id)
        assert answered.still_employed is True and answered.answered_by_id == cadre.id
        assert answered.note == "电话问过，在超市干得挺好"
        assert s.get(Application, application_id).history[-1].note == "上岗1个月跟踪：仍在岗"
