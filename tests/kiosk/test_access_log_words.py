"""谁看过我的信息 at the kiosk says what each row of the access log did, in the resident's words: a clerk's
read is 查看了, an employer's step on an application is 处理了, an invitation is 邀请, the system's rows
(a command on the server, with nobody signed in; also as rows stored before they had a name) are 系统后台's.
Every row is written by the real route or service, then read as the resident, over HTTP and in Chromium."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from estation.accounts.models import AccessLog, Role
from estation.accounts.service import log_access
from estation.cli.match import CLI_REASON
from estation.db import utcnow
from estation.jobs import service as jobs
from estation.jobs.candidates import candidate_ref
from estation.jobs.models import Vacancy
from estation.kiosk.service import access_doing, access_who
from estation.labour.models import Resident
from tests.conftest import screenshot
from tests.factories import create_user
from tests.kiosk.conftest import make_world, pin_sign_in, sign_in
from tests.kiosk.elder import VIEWPORTS, axe_problems, elder_problems
from tests.kiosk.loop import RAW


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """王秀英 (PIN): read by a clerk, applied to 小区保安 (the employer contacted her and set an interview),
    invited to 社区数据录入员, matched by `estation match` (no one signed in), and a row of that kind stored the
    old way ("anonymous")."""
    world = make_world(tmp_path_factory)
    harness = world.harness
    with harness.db() as s:
        guard = s.get(Vacancy, world.guard_id)
        employer = create_user(s, role=Role.employer, employer_id=guard.employer_id)
        clerk = create_user(s, role=Role.counter_staff, window=3)
        resident = s.get(Resident, world.pin_resident_id)
        resident.consent_to_employers = True
        application_id = jobs.apply(s, resident=resident, vacancy=guard, by_user_id=None).id
        s.add(AccessLog(at=utcnow() - timedelta(days=2), user_id=None, role="anonymous", resident_id=resident.id,
                        action="match", what="岗位匹配", reason="命令行查询（工作人员）"))
        # What `estation match resident` writes (tests/matching/test_cli.py runs the command itself).
        log_access(s, user=None, resident_id=resident.id, action="match", what="岗位匹配", reason=CLI_REASON)
        s.commit()
    assert harness.client_for(clerk).get(f"/api/v1/residents/{world.pin_resident_id}",
                                         params={"reason": "办理失业登记"}).status_code == 200
    boss = harness.client_for(employer)
    base = f"/api/v1/applications/{application_id}"
    assert boss.post(f"{base}/status", json={"status": "contacted"}).status_code == 200
    at = f"{date.today() + timedelta(days=3)}T09:30:00"
    r = boss.post(f"{base}/interview", json={"interview_at": at, "interview_place": "小区物业办公室"})
    assert r.status_code == 200, r.text
    r = boss.post(f"/api/v1/vacancies/{world.typist_id}/invitations",
                  json={"candidate_ref": candidate_ref(world.typist_id, world.pin_resident_id)})
    assert r.status_code == 201, r.text
    return world


def _cards(html: str) -> list[str]:
    """Each row of the list, as the resident reads it."""
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r'<li class="card">(.*?)</li>', html, re.S)]


def test_each_row_says_what_was_done_reads_as_reads_and_decisions_as_decisions(world) -> None:
    kiosk = world.client()
    sign_in(kiosk, world.pin_id_number)
    page = kiosk.get("/kiosk/me/readers")
    assert page.status_code == 200
    cards = _cards(page.text)
    assert len(cards) == 6, cards

    def card(words: str) -> list[str]:
        return [c for c in cards if words in c]

    read = card("窗口工作人员查看了居民档案")
    assert len(read) == 1 and "原因：办理失业登记" in read[0]
    with world.harness.db() as s:
        named = f"用人单位“{s.get(Vacancy, world.guard_id).employer.name}”"  # the employer that looked, by name
    steps = card(f"{named}处理了您的求职申请")
    assert len(steps) == 2
    assert "进展：“小区保安”：单位已联系" in " ".join(steps) and "进展：“小区保安”：约面试" in " ".join(steps)
    invited = card(f"{named}看过您的求职信息（未显示姓名）后邀请了您")
    assert len(invited) == 1 and "原因：邀请您了解岗位“社区数据录入员”" in invited[0]
    for decision in steps + invited:
        assert "查看" not in decision, decision
    system = card("系统后台用您的求职信息匹配岗位（岗位匹配）")
    assert len(system) == 2 and all("原因：工作人员在系统后台查询" in c for c in system)
    for c in cards:
        assert not any(word in c for word in RAW + ("anonymous", "system", "application_", "invite")), c


@pytest.mark.browser
@pytest.mark.parametrize("orientation", sorted(VIEWPORTS))
def test_the_page_in_chromium_in_elder_mode(browser, world, live_kiosk, orientation: str) -> None:
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[orientation], bypass_csp=True)
    page = context.new_page()
    try:
        base = live_kiosk.url
        pin_sign_in(page, base, world.pin_id_number)
        response = page.goto(f"{base}/kiosk/me/readers")
        assert response is not None and response.status == 200
        words = page.inner_text("main")
        assert "系统后台用您的求职信息匹配岗位" in words and re.search("用人单位“[^”]+”处理了您的求职申请", words)
        assert "窗口工作人员查看了居民档案" in words and "后邀请了您" in words
        # Latin letters only in the application's number (申请编号YX…), nothing else raw.
        assert not re.search(r"[A-Za-z]", re.sub(r"申请编号[A-Z]+\d+", "", words)), words
        screenshot(page, f"kiosk-readers-{orientation}.png")
        problems = elder_problems(page, f"{orientation} readers") + axe_problems(page, "readers")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_every_kind_of_row_has_plain_words_even_one_not_known_yet() -> None:
    assert access_doing("view_rating_follow_up", "差评回访 17") == "查看了您对服务的不满意评价"  # no number
    assert access_doing("application_hired", "您的求职申请") == "处理了您的求职申请"
    assert access_doing("answer_suggestion", "留言") == "答复了您的留言"
    assert access_doing("some_new_action", "居民档案") == "查看或处理了居民档案"
    assert [access_who(r) for r in ("system", "anonymous", "cadre", "retired_role")] == \
        ["系统后台", "系统后台", "包户干部", "其他人员"]
