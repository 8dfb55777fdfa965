"""好差评 walked in headless Chromium: a clerk finishes a case, the resident taps 不满意 on the window's rating
page, the leader's monthly report counts it in its window's and its service's row (checked against the
ratings in the database), and the supervisor follows it up until it is closed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from estation import clock
from estation.accounts.kiosk import set_pin
from estation.accounts.models import AccessLog, Role
from estation.cases import service as cases
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution
from estation.ratings import service as ratings
from estation.ratings.models import FollowUpStatus, Rating, RatingFollowUp, Satisfaction
from tests.admin.helpers import make_user
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident
from tests.kiosk.conftest import PIN, pin_sign_in
from tests.ratings.helpers import finished_case

@pytest.mark.browser
def test_a_rating_after_a_case_reaches_the_monthly_report_and_the_follow_up(api, live, page) -> None:
    clerk = make_user(api, Role.counter_staff, "郑窗口", window=3)
    leader = make_user(api, Role.leader, "马领导")
    admin = make_user(api, Role.admin, "韩督办")
    with api.db() as s:
        load_catalogue(s)
        resident = create_resident(s, name="冯玉兰")
        kind = cases.get_service_type(s, continued_contribution.TYPE.code)
        everything = [i.name for i in cases.checklist(s, service=kind, resident=resident, today=clock.today())]
        case = cases.open_case(s, resident=resident, service_code=kind.code, handed_in=everything, user=clerk,
                               window=3, today=clock.today())
        s.commit()
        case_id, service_name = case.id, kind.name
    base = live.url
    sign_in(page, base, clerk.username, f"/counter/cases/{case_id}")
    assert page.get_by_role("link", name="请居民评价").count() == 0  # not before the case is finished
    page.get_by_role("button", name="办结").click()
    page.get_by_role("link", name="请居民评价").click()
    page.wait_for_url(f"{base}/counter/cases/{case_id}/rating")
    page.get_by_label("等候时间长").check()
    screenshot(page, "counter-rating.png")
    page.get_by_role("button", name="不满意", exact=True).click()
    assert "谢谢您的评价：不满意（等候时间长）" in page.inner_text(".notice")
    page.goto(f"{base}/counter/cases/{case_id}")
    assert "服务评价：不满意" in page.inner_text("#case-rating")

    # The leader's month: the window's and the service's rows hold what the database holds.
    page.context.clear_cookies()
    sign_in(page, base, leader.username, "/ledger/ratings")
    with api.db() as s:
        report = ratings.monthly(s, month=clock.today())
        window_row = dict(report.by_window)["3号窗口"]
        service_row = dict(report.by_service)[service_name]
        assert s.scalar(select(Rating).where(Rating.case_id == case_id)).level is Satisfaction.dissatisfied
    assert window_row.counts[Satisfaction.dissatisfied] >= 1
    cells = page.locator("#by-window tbody tr", has_text="3号窗口").locator("td").all_inner_texts()
    assert cells[:6] == [str(window_row.counts[level]) for level in Satisfaction] + [str(window_row.total)]
    cells = page.locator("#by-service tbody tr", has_text=service_name).locator("td").all_inner_texts()
    assert cells[:6] == [str(service_row.counts[level]) for level in Satisfaction] + [str(service_row.total)]
    assert page.inner_text("#rating-total") == str(report.totals.total)

    # The supervisor closes the follow-up; opening it (the resident's name is on it) is logged.
    page.context.clear_cookies()
    sign_in(page, base, admin.username, "/admin/ratings")
    page.locator("#follow-ups tr", has_text="等候时间长").get_by_role("link", name="处理").first.click()
    assert "冯玉兰" in page.inner_text("main")
    page.get_by_role("button", name="记录").click()
    assert "处理情况：请写下做了什么" in page.inner_text(".error-box")
    page.fill("#note", "电话回访居民，已安排3号窗口午间加开")
    page.get_by_label("已办结").check()
    page.get_by_role("button", name="记录").click()
    page.wait_for_selector(".notice")
    with api.db() as s:
        rating = s.scalar(select(Rating).where(Rating.case_id == case_id))
        item = s.scalar(select(RatingFollowUp).where(RatingFollowUp.rating_id == rating.id))
        assert item.status is FollowUpStatus.closed and item.steps[-1].note.startswith("电话回访居民")
        assert s.scalar(select(AccessLog).where(AccessLog.action == "view_rating_follow_up",
                                                AccessLog.resident_id == rating.resident_id)) is not None
    assert page.get_by_role("button", name="记录").count() == 0


@pytest.mark.browser
def test_the_kiosk_asks_about_a_finished_case_and_rates_the_session_at_the_end(api, live, browser) -> None:
    clerk = make_user(api, Role.counter_staff, "钱窗口", window=1)
    with api.db() as s:
        resident = create_resident(s, name="陆桂英")
        set_pin(s, resident=resident, pin=PIN)
        case = finished_case(s, clerk=clerk, day=clock.today(), resident=resident)
        s.commit()
        id_number, reference, resident_id = resident.id_number, case.reference, resident.id
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    base = live.url
    pin_sign_in(page, base, id_number)
    page.get_by_role("link", name="您有1件窗口办件已办结，请为窗口服务评价").click()
    item = page.locator("li.list-item", has_text=reference)
    item.get_by_role("button", name="满意", exact=True).click()
    assert f"谢谢您的评价！办件 {reference}：满意" in page.inner_text(".success")
    assert page.locator("li.list-item", has_text=reference).get_by_role("button", name="满意", exact=True).count() == 0

    page.goto(f"{base}/kiosk/home")
    assert page.get_by_role("link", name=re.compile("已办结，请为窗口服务评价")).count() == 0  # asked once
    panel = page.locator(".rating-panel")
    panel.get_by_label("找不到要的信息").check()
    screenshot(page, "kiosk-rate-session.png")
    panel.get_by_role("button", name="基本满意").click()
    page.wait_for_url(f"{base}/kiosk")
    assert not [c for c in context.cookies() if c["name"] == "estation_session"]
    with api.db() as s:
        rows = list(s.scalars(select(Rating).where(Rating.resident_id == resident_id).order_by(Rating.id)))
        assert [(r.case_id is not None, r.level, r.reason) for r in rows] == [
            (True, Satisfaction.satisfied, None), (False, Satisfaction.fair, "找不到要的信息")]
        assert rows[1].channel.label == "自助终端"
    context.close()
