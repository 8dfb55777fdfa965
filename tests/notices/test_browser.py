"""Issue 19 point 3 in a real browser: staff publish notices at the counter; the kiosk's attract screen shows
the ones in force for its place, in turn (all of them as a list without JavaScript), the phone page lists
them, and a pushed notice reaches as a WeChat template message only the opted-in residents of its audience."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation import clock
from estation.accounts.models import Role
from estation.labour.models import Registration
from estation.notices import service as notices
from estation.notices.models import Notice, NoticeAudience, NoticeKind
from estation.notices.schemas import NoticeIn
from estation.notifications.models import Channel
from estation.notifications.notifier import ByChannel, LoggingNotifier
from estation.notifications.service import NOTIFY_TOPIC, opt_in
from estation.notifications.wechat import LoggingWeChat
from estation.outbox import OutboxEntry
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user
from tests.kiosk.elder import axe_problems, elder_problems
from tests.notices.conftest import FIRST, THIRD, PUBLIC

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PORTRAIT = {"width": 1080, "height": 1920}


def _resident(s, *, seeker: bool, channel: Channel, agreed: bool, phone: str) -> int:
    extra = {"registration": Registration.unemployment, "registered_on": date(2026, 1, 5)} if seeker else {}
    resident = create_resident(s, household=create_household(s, community_code=FIRST), phone=phone, **extra)
    opt_in(s, resident_id=resident.id, channel=channel, notices=agreed,
           wechat_openid=f"oWx-openid-{resident.id}" if channel == Channel.wechat else None)
    return resident.id


def _publish(page, base: str, *, kind: str, audience: str | None, title: str, body: str, until: date,
             push: bool = False) -> None:
    page.goto(f"{base}/counter/notices")
    page.select_option("#kind", kind)
    if audience:
        page.select_option("#audience", audience)
    page.fill("#title", title)
    page.fill("#body", body)
    page.fill("#valid_until", until.isoformat())
    if push:
        page.check("input[name=push]")
    page.get_by_role("button", name="发布").click()
    page.wait_for_url(f"{base}/counter/notices?msg=*")


def _titles(page) -> list[str]:
    return page.locator(".attract-notice strong").all_inner_texts()


def _visible(page) -> list[str]:
    return [t for i, t in enumerate(_titles(page)) if page.locator(".attract-notice").nth(i).is_visible()]


def test_a_notice_published_at_the_counter_reaches_kiosk_phone_and_wechat(harness, server, browser, page) -> None:
    base, today = server.url, clock.today()
    with harness.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=1)
        c3_staff = create_user(s, role=Role.community_staff, community_code=THIRD)
        admin = create_user(s, role=Role.admin)
        seeker = _resident(s, seeker=True, channel=Channel.wechat, agreed=True, phone="13700000001")
        declined = _resident(s, seeker=True, channel=Channel.wechat, agreed=False, phone="13700000002")
        not_seeking = _resident(s, seeker=False, channel=Channel.wechat, agreed=True, phone="13700000003")
        by_sms = _resident(s, seeker=True, channel=Channel.sms, agreed=True, phone="13700000004")

        def seeded(title: str, **kw) -> int:
            fields = {"kind": NoticeKind.news, "body": "内容", "audience": NoticeAudience.everyone,
                      "valid_from": today - timedelta(days=3), "valid_until": today + timedelta(days=5)} | kw
            return notices.publish(s, user=admin, data=NoticeIn(title=title, **fields)).id
        seeded("上月的通知", valid_from=today - timedelta(days=40), valid_until=today - timedelta(days=1))
        seeded("下周的通知", valid_from=today + timedelta(days=7), valid_until=today + timedelta(days=9))
        seeded("第一社区的通知", audience=NoticeAudience.community, community_code=FIRST)
        mistaken = seeded("发错的通知")
        s.commit()

    # Counter staff publish a job fair for job seekers and push it; they withdraw the mistaken notice.
    sign_in(page, base, clerk.username, "/counter")
    _publish(page, base, kind="job_fair", audience="job_seekers", title="甸柳街道冬季招聘会",
             body="12月15日上午9点，甸柳街道为民服务大厅，30家单位现场招聘。", until=today + timedelta(days=8), push=True)
    assert "已推送给2位订阅的居民" in page.locator("[role=status]").inner_text()  # the WeChat and the SMS job seeker
    page.locator(f"#notice-{mistaken}").get_by_role("button", name="撤下").click()
    page.wait_for_url(f"{base}/counter/notices?msg=*")
    assert "已撤下" in page.locator(f"#notice-{mistaken}").inner_text()
    screenshot(page, "counter-notices.png")

    # Community staff of the third community write for their residents only (the one audience they may pick).
    staff_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    sign_in(staff_page, base, c3_staff.username, "/counter")
    staff_page.goto(f"{base}/counter/notices")
    assert staff_page.locator("#audience option").all_inner_texts() == ["一个社区的居民"]
    assert staff_page.locator("#community_code option").all_inner_texts() == ["甸柳新村第三社区"]
    _publish(staff_page, base, kind="news", audience=None, title="第三社区周六义诊",
             body="本周六上午在社区活动室，免费量血压。", until=today + timedelta(days=4))
    staff_context.close()

    in_force_here = ["甸柳街道冬季招聘会", "第三社区周六义诊"]
    # The kiosk in the third community: its notices in turn, one at a time.
    kiosk = browser.new_context(locale="zh-CN", viewport=PORTRAIT, bypass_csp=True,  # for axe-core
                                extra_http_headers={"X-Kiosk-Terminal": "shequ3-1"})
    attract = kiosk.new_page()
    attract.clock.install()
    attract.goto(f"{base}/kiosk")
    assert sorted(_titles(attract)) == sorted(in_force_here)
    first = _visible(attract)
    assert len(first) == 1
    attract.clock.run_for(10_000)
    second = _visible(attract)
    assert len(second) == 1 and second != first and sorted(first + second) == sorted(in_force_here)
    assert "共2条，自动轮换" in attract.inner_text("body")
    assert elder_problems(attract, "attract with notices") == []
    assert axe_problems(attract, "attract with notices") == []
    screenshot(attract, "kiosk-attract.png")
    kiosk.close()

    # Without JavaScript the attract screen lists them all.
    plain = browser.new_context(locale="zh-CN", viewport=PORTRAIT, java_script_enabled=False,
                                extra_http_headers={"X-Kiosk-Terminal": "shequ3-1"})
    plain_page = plain.new_page()
    plain_page.goto(f"{base}/kiosk")
    assert sorted(_visible(plain_page)) == sorted(in_force_here)
    assert elder_problems(plain_page, "attract with notices, no script") == []
    plain.close()

    # A kiosk in the service hall shows the street's notices, not a community's.
    hall = browser.new_context(locale="zh-CN", viewport=PORTRAIT, java_script_enabled=False)
    hall_page = hall.new_page()
    hall_page.goto(f"{base}/kiosk")
    assert _visible(hall_page) == ["甸柳街道冬季招聘会"]
    hall.close()

    # The phone page, no sign-in: the street's notices, then the third community's too.
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, bypass_csp=True)  # for axe-core
    mobile = phone.new_page()
    mobile.goto(f"{base}/m/notices")
    assert mobile.locator(".notice-title").all_inner_texts() == ["甸柳街道冬季招聘会"]
    mobile.get_by_role("link", name="甸柳新村第三社区").click()
    assert sorted(mobile.locator(".notice-title").all_inner_texts()) == sorted(in_force_here)
    screenshot(mobile, "phone-notices.png")
    assert axe_problems(mobile, "phone notices") == []
    mobile.get_by_role("link", name="第三社区周六义诊").click()
    assert "免费量血压" in mobile.inner_text(".notice-body")
    assert "发给甸柳新村第三社区的居民" in mobile.inner_text(".notice-meta")
    assert mobile.goto(f"{base}/m/notices/{mistaken}").status == 404
    phone.close()

    # The push: one WeChat template message, to the job seeker who agreed; the SMS one by SMS; nobody else.
    with harness.db() as s:
        fair = s.scalar(select(Notice).where(Notice.title == "甸柳街道冬季招聘会"))
        assert fair.pushed_at is not None
    deadline = time.monotonic() + 30
    while True:
        with harness.db() as s:
            waiting = s.scalar(select(OutboxEntry.id).where(OutboxEntry.topic == NOTIFY_TOPIC, OutboxEntry.done_at.is_(None)))
        if waiting is None or time.monotonic() > deadline:
            break
        harness.app.state.parts.notify_worker.kick()
        time.sleep(0.2)
    notifier = harness.app.state.parts.notifier
    assert isinstance(notifier, ByChannel) and isinstance(notifier.sms, LoggingNotifier)
    account = notifier.wechat.account
    assert isinstance(account, LoggingWeChat)
    assert [m.payload() for m in account.sent] == [{
        "touser": f"oWx-openid-{seeker}", "template_id": "TPL-NOTICE", "url": f"{PUBLIC}/m/notices/{fair.id}",
        "data": {"first": {"value": "招聘会：甸柳街道冬季招聘会"}, "keyword1": {"value": "通知公告"},
                 "keyword2": {"value": f"{today.year}年{today.month}月{today.day}日"},
                 "remark": {"value": "12月15日上午9点，甸柳街道为民服务大厅，30家单位现场招聘。"}}}]
    assert [(m.channel, m.to, m.kind) for m in notifier.sms.sent] == [(Channel.sms, "13700000004", "notice")]
    assert {declined, not_seeking, by_sms}.isdisjoint(
        {int(m.touser.rsplit("-", 1)[1]) for m in account.sent})
