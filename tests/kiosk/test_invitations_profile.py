"""Issue 15 points 2 and 3 at the kiosk: invitations answered (the employer sees the answer), the
resident's own wishes, skills and consent (withdrawal hides them from the employer's candidates at once),
start-up opportunities browsed and asked about. Real app, real database, real matcher."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from estation.accounts.models import Role
from estation.accounts.kiosk import set_pin
from estation.feedback.models import Suggestion, SuggestionKind
from estation.jobs import invitations
from estation.jobs.candidates import candidate_ref
from estation.jobs.models import Application, Invitation, InvitationStatus, StartupKind, StartupOpportunity, Vacancy
from estation.labour.models import Resident, ResidentChange
from tests.factories import create_user
from tests.kiosk.conftest import PIN, csrf_of, make_world, sign_in


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    world = make_world(tmp_path_factory)
    with world.harness.db() as s:
        vacancy = s.get(Vacancy, world.guard_id)
        employer_user = create_user(s, role=Role.employer, employer_id=vacancy.employer_id)
        resident = s.get(Resident, world.pin_resident_id)
        resident.consent_to_employers = True
        ids = {}
        for key, vid in (("guard", world.guard_id), ("typist", world.typist_id), ("home", world.homework_id)):
            inv = invitations.invite(s, vacancy=s.get(Vacancy, vid), resident=resident, by_user_id=employer_user.id,
                                     message="您好，欢迎来看看" if key == "guard" else "")
            ids[key] = inv.id
        resident.consent_to_employers = False
        set_pin(s, resident=s.get(Resident, world.card_resident_id), pin=PIN)
        shop = StartupOpportunity(kind=StartupKind.shop_space, title="社区食堂面食档口", provider="甸柳街道为民服务中心",
                                  address="甸柳新村", lat=36.66, lon=117.05, conditions="本街道户籍或常住居民，持健康证",
                                  amount_yuan=1200, valid_until=date.today() + timedelta(days=60))
        s.add(shop)
        s.flush()
        world.extra = {"employer_user": employer_user, "invitations": ids, "shop_id": shop.id}
        s.commit()
    return world


def _form(client, url: str, action: str) -> dict:
    """The CSRF and one-time tokens of the form posting to ``action`` on ``url``."""
    html = client.get(url).text
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action} on {url}"
    token = re.search(r'name="submission_token" value="([^"]+)"', form.group(0))
    return {"csrf_token": csrf_of(html), **({"submission_token": token.group(1)} if token else {})}


def _resident(loop):
    client = loop.client()
    sign_in(client, loop.pin_id_number)
    return client


def test_home_counts_open_invitations_and_the_page_shows_each_job(loop) -> None:
    client = _resident(loop)
    home = client.get("/kiosk/home").text
    assert re.search(r'id="tile-invitations".*?有3个邀请等您答复', home, re.S)
    page = client.get("/kiosk/me/invitations").text
    for words in ("小区保安", "济南测试服务有限公司", "元/月", "每天", "单位对您说：", "您好，欢迎来看看", "接受邀请", "婉拒"):
        assert words in page
    assert "None" not in page
    applications = client.get("/kiosk/me/applications").text
    assert "用人单位的邀请" in applications and "去答复3个邀请" in applications


def test_accepting_without_the_phone_shows_the_employer_the_applicant_but_not_the_phone(loop) -> None:
    client = _resident(loop)
    inv_id = loop.extra["invitations"]["guard"]
    action = f"/kiosk/me/invitations/{inv_id}/accept"
    data = _form(client, "/kiosk/me/invitations", action) | {"share_phone": "0"}
    first = client.post(action, data=data)
    assert first.status_code == 303
    # The same form sent again (a double tap): one application, and the same page as the first.
    again = client.post(action, data=data)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    with loop.harness.db() as s:
        assert s.scalar(select(func.count(Application.id)).where(Application.vacancy_id == loop.guard_id)) == 1
        assert s.get(Invitation, inv_id).status == InvitationStatus.accepted
    employer = loop.harness.client_for(loop.extra["employer_user"])
    applicants = employer.get(f"/api/v1/vacancies/{loop.guard_id}/applicants").json()
    assert [(a["name"], a["phone"], a["via_invitation"]) for a in applicants] == [("王秀英", None, True)]
    page = employer.get(f"/employer/vacancies/{loop.guard_id}/candidates").text
    assert "王秀英" in page and "未留电话" in page and "已接受" in page
    assert "已接受" in client.get("/kiosk/me/invitations").text


def test_declining_with_a_reason_shows_the_employer_the_declined_state_and_reason(loop) -> None:
    client = _resident(loop)
    inv_id = loop.extra["invitations"]["typist"]
    action = f"/kiosk/me/invitations/{inv_id}/decline"
    data = _form(client, "/kiosk/me/invitations", action) | {"reason": "离家太远"}
    assert client.post(action, data=data).status_code == 303
    assert client.post(action, data=data).status_code == 303  # the second copy changes nothing
    with loop.harness.db() as s:
        inv = s.get(Invitation, inv_id)
        assert (inv.status, inv.decline_reason, inv.application_id) == (InvitationStatus.declined, "离家太远", None)
    employer = loop.harness.client_for(loop.extra["employer_user"])
    page = employer.get(f"/employer/vacancies/{loop.typist_id}/candidates").text
    assert "已婉拒" in page and "原因：离家太远" in page and "王秀英" not in page
    # Answered once: a new form for it is refused in plain words (409), nothing changes.
    again = client.post(action, data=_form(client, "/kiosk/me/applications", "/kiosk/finish") | {"reason": ""})
    assert again.status_code == 409 and "已经答复过了" in again.text


def test_a_resident_cannot_see_or_answer_anothers_invitation(loop) -> None:
    other = loop.client()
    sign_in(other, loop.card_id_number)
    inv_id = loop.extra["invitations"]["home"]
    assert "居家手工编织" not in other.get("/kiosk/me/invitations").text
    for verb, extra in (("accept", {"share_phone": "1"}), ("decline", {"reason": ""})):
        data = _form(other, "/kiosk/me/profile", "/kiosk/me/consent") | extra
        response = other.post(f"/kiosk/me/invitations/{inv_id}/{verb}", data=data)
        assert response.status_code == 404, response.text
    with loop.harness.db() as s:
        assert s.get(Invitation, inv_id).status == InvitationStatus.pending


def test_wishes_and_skills_are_changed_and_each_change_is_logged(loop) -> None:
    client = _resident(loop)
    data = _form(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "4", "days": "3", "travel": "1", "home_based": "1", "skills": "会缝纫、会用电脑打字"}
    response = client.post("/kiosk/me/profile", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/kiosk/me/profile?saved=wishes"
    with loop.harness.db() as s:
        r = s.get(Resident, loop.pin_resident_id)
        assert (r.preferred_hours_per_day, r.preferred_days_per_week, r.max_travel_km, r.home_based_only, r.skills) == (
            4.0, 3, 1.0, True, "会缝纫、会用电脑打字")
        change = s.scalars(select(ResidentChange).where(ResidentChange.resident_id == r.id)
                           .order_by(ResidentChange.id.desc())).first()
        assert change.user_id is not None and change.role == "resident" and change.at
        assert change.reason == "本人在自助终端修改"
        assert set(change.fields) == {"preferred_hours_per_day", "preferred_days_per_week", "max_travel_km",
                                      "home_based_only", "skills"}
    page = client.get("/kiosk/me/profile").text
    assert "您本人 · 本人在自助终端修改" in page and "每天想干几个小时" in page and 'href="/kiosk/me/pin"' in page
    # Out of range: a plain Chinese 422 naming the field, nothing written.
    bad = client.post("/kiosk/me/profile", data=_form(client, "/kiosk/me/profile", "/kiosk/me/profile") | {
        "hours": "30", "days": "3", "travel": "1", "home_based": "1", "skills": "x"})
    assert bad.status_code == 422 and "每天想干几个小时" in bad.text
    with loop.harness.db() as s:
        assert s.get(Resident, loop.pin_resident_id).skills == "会缝纫、会用电脑打字"


def test_withdrawing_consent_hides_the_resident_from_the_employer_at_once(loop) -> None:
    client = _resident(loop)
    employer = loop.harness.client_for(loop.extra["employer_user"])
    ref = candidate_ref(loop.homework_id, loop.pin_resident_id)

    def shown() -> bool:
        body = employer.get(f"/api/v1/vacancies/{loop.homework_id}/candidates").json()
        assert body["available"], body["message"]
        return ref in {c["candidate_ref"] for c in body["items"]}

    grant = client.post("/kiosk/me/consent", data=_form(client, "/kiosk/me/profile", "/kiosk/me/consent") | {"consent": "1"})
    assert grant.headers["location"].startswith("/kiosk/me/profile?saved=shown")
    assert shown()
    withdraw = client.post("/kiosk/me/consent", data=_form(client, "/kiosk/me/profile", "/kiosk/me/consent") | {"consent": "0"})
    assert withdraw.headers["location"].startswith("/kiosk/me/profile?saved=hidden")
    assert not shown()
    # Nor can the employer reach them through the reference it saw before.
    invite = employer.post(f"/api/v1/vacancies/{loop.homework_id}/invitations", json={"candidate_ref": ref})
    assert invite.status_code == 404
    with loop.harness.db() as s:
        changes = s.scalars(select(ResidentChange).where(ResidentChange.resident_id == loop.pin_resident_id))
        assert [c.fields for c in changes if "consent_to_employers" in c.fields] == [["consent_to_employers"]] * 2


def test_start_up_opportunities_are_browsed_and_asked_about(loop) -> None:
    anonymous = loop.client()
    shop_id = loop.extra["shop_id"]
    listing = anonymous.get("/kiosk/startups?kind=shop_space").text
    assert "社区食堂面食档口" in listing and "每月租金约1,200元" in listing
    detail = anonymous.get(f"/kiosk/startups/{shop_id}").text
    assert "本街道户籍或常住居民，持健康证" in detail
    asked = anonymous.post(f"/kiosk/startups/{shop_id}/ask", data=_form(anonymous, f"/kiosk/startups/{shop_id}",
                                                                         f"/kiosk/startups/{shop_id}/ask"))
    assert asked.status_code == 303 and asked.headers["location"].startswith("/kiosk/signin")
    client = _resident(loop)
    data = _form(client, f"/kiosk/startups/{shop_id}", f"/kiosk/startups/{shop_id}/ask") | {"question": "要交押金吗？"}
    assert client.post(f"/kiosk/startups/{shop_id}/ask", data=data).status_code == 303
    assert client.post(f"/kiosk/startups/{shop_id}/ask", data=data).status_code == 303
    with loop.harness.db() as s:
        rows = s.scalars(select(Suggestion).where(Suggestion.startup_id == shop_id)).all()
        assert [(r.kind, r.resident_id) for r in rows] == [(SuggestionKind.startup, loop.pin_resident_id)]
        assert "社区食堂面食档口" in rows[0].text and "要交押金吗？" in rows[0].text
    # Staff see it in their queue, as every suggestion.
    with loop.harness.db() as s:
        staff = create_user(s, role=Role.counter_staff)
        s.commit()
    queue = loop.harness.client_for(staff).get("/api/v1/suggestions").json()
    assert any("社区食堂面食档口" in item["text"] and item["kind"] == "startup" for item in queue["items"])
    assert "问过" in client.get(f"/kiosk/startups/{shop_id}").text


TARGETS = """
() => {
  const small = [];
  for (const el of document.querySelectorAll('main a, main button, main .choice')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.height < 64 || r.width < 64)) small.push(el.textContent.trim().slice(0, 20) + ' ' + Math.round(r.height));
  }
  return {small, sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth};
}
"""


@pytest.mark.browser
def test_an_old_resident_walks_invitations_profile_and_start_ups_on_the_portrait_kiosk(browser, loop) -> None:
    from tests.conftest import LiveServer, screenshot
    from tests.conftest import sign_in as staff_sign_in

    server = LiveServer(loop.harness)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    base = server.url
    try:
        page.goto(f"{base}/kiosk/signin/pin?next=/kiosk/home")
        page.fill("#id_number", loop.pin_id_number)
        page.click("#pin")
        for digit in PIN:
            page.locator("#osk button", has_text=re.compile(f"^{digit}$")).click()
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/kiosk/home")
        assert "有1个邀请等您答复" in page.inner_text("#tile-invitations")
        screenshot(page, "kiosk-home-invitations.png")

        def check(name: str) -> None:
            found = page.evaluate(TARGETS)
            assert not found["sideways"], name
            assert not found["small"], (name, found["small"])
            text = page.inner_text("main")
            assert "None" not in text and "pending" not in text and "startup" not in text, name
            screenshot(page, f"kiosk-{name}.png")

        page.locator("#tile-invitations").click()
        page.wait_for_url(f"{base}/kiosk/me/invitations")
        check("invitations")
        card = page.locator(f"#inv-{loop.extra['invitations']['home']}")
        card.get_by_text("可以，让单位打电话给我").click()
        card.get_by_role("button", name="接受邀请").click()
        page.wait_for_url(re.compile(r"answered=accepted"))
        assert "已接受邀请" in page.inner_text("#answered")
        check("invitations-answered")

        page.goto(f"{base}/kiosk/me/applications")
        assert "邀请已接受" in page.inner_text("main") and "邀请已婉拒（离家太远）" in page.inner_text("main")
        check("applications")

        page.goto(f"{base}/kiosk/me/profile")
        check("profile")
        page.get_by_text("6小时").click()
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"saved=wishes"))
        assert "已经保存好了" in page.inner_text("#saved")
        page.get_by_role("button", name="同意让用人单位看到我").click()
        page.wait_for_url(re.compile(r"saved=shown"))
        assert "现在：同意展示" in page.inner_text("#consent-state")
        check("profile-saved")
        page.get_by_role("link", name="修改自助终端登录密码").click()
        page.wait_for_url(f"{base}/kiosk/me/pin")

        page.goto(f"{base}/kiosk/startups")
        check("startups")
        page.get_by_role("link", name=re.compile("社区食堂面食档口")).click()
        check("startup-detail")
        page.get_by_role("button", name="结束").click()
        page.wait_for_url(f"{base}/kiosk")

        staff_sign_in(page, base, loop.extra["employer_user"].username, "/employer")
        page.goto(f"{base}/employer/vacancies/{loop.homework_id}/candidates")
        assert "王秀英" in page.inner_text("main") and "13805310000" in page.inner_text("main")
        screenshot(page, "employer-candidates-invitations.png")
    finally:
        context.close()
        server.stop()
