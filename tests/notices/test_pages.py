"""The staff's notice forms against a running server with real threads: a publish sent twice at once makes one
notice, a push pressed twice at once pushes once, a bad form says what is wrong in Chinese and writes
nothing, and community staff cannot write beyond their community even with a hand-made form."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import Role
from estation.notices.models import Notice
from estation.notifications.models import Channel, Notification
from estation.notifications.service import opt_in
from estation.notifications.wechat import NOTICE_KIND
from tests.factories import TEST_PASSWORD, create_household, create_resident, create_user
from tests.notices.conftest import FIRST, THIRD
from tests.server import at_once, form_tokens


def _staff(server, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"csrf_token": csrf, "username": username,
                                       "password": TEST_PASSWORD}).status_code == 303
    return client


def _form(title: str, **kw: str) -> dict[str, str]:
    today = clock.today()
    return {"kind": "news", "title": title, "body": "内容", "audience": "everyone", "community_code": "",
            "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=3)).isoformat()} | kw


def _count(harness, **where) -> int:
    with harness.db() as s:
        return s.scalar(select(func.count()).select_from(Notice).filter_by(**where)) or 0


def test_double_submits_write_once(harness, server) -> None:
    with harness.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=2).username
        resident = create_resident(s, household=create_household(s, community_code=FIRST))
        opt_in(s, resident_id=resident.id, channel=Channel.sms, application_steps=False, notices=True)
        s.commit()
    client = _staff(server, clerk)
    form = form_tokens(client, "/counter/notices") | _form("双击发布")
    answers = at_once(2, lambda i: client.post("/counter/notices", data=form))
    assert [a.status_code for a in answers] == [303, 303]  # the second copy is answered with the first's page
    assert _count(harness, title="双击发布") == 1
    with harness.db() as s:
        notice_id = s.scalar(select(Notice.id).where(Notice.title == "双击发布"))
    tokens = [form_tokens(client, "/counter/notices") for _ in range(2)]  # two presses, two forms
    pushes = at_once(2, lambda i: client.post(f"/counter/notices/{notice_id}/push", data=tokens[i]))
    assert sorted(a.status_code for a in pushes) == [303, 409]
    assert "这条通知已经推送过了" in next(a.text for a in pushes if a.status_code == 409)
    with harness.db() as s:
        sent = s.scalars(select(Notification.resident_id).where(
            Notification.kind == NOTICE_KIND, Notification.link == f"/m/notices/{notice_id}")).all()
    assert sent == [resident.id]


def test_a_bad_form_names_the_field_and_writes_nothing(harness, server) -> None:
    with harness.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=3).username
        s.commit()
    client = _staff(server, clerk)
    today = clock.today()
    for bad, words in ((_form("", ), "“标题”：不能为空"),
                       (_form("早于", valid_until=(today - timedelta(days=1)).isoformat()), "结束日期不能早于开始日期"),
                       (_form("没选社区", audience="community"), "请选择社区"),
                       (_form("错日期", valid_from="2026-02-30"), "“开始日期”：请填写正确的日期")):
        answer = client.post("/counter/notices", data=form_tokens(client, "/counter/notices") | bad)
        assert answer.status_code == 422 and words in answer.text, answer.text[:300]
        assert bad["title"] == "" or _count(harness, title=bad["title"]) == 0


def test_community_staff_stay_within_their_community(harness, server) -> None:
    with harness.db() as s:
        staff = create_user(s, role=Role.community_staff, community_code=THIRD).username
        admin = create_user(s, role=Role.admin).username
        s.commit()
    client = _staff(server, staff)
    for form in (_form("越权全街道"), _form("越权一社区", audience="community", community_code=FIRST)):
        answer = client.post("/counter/notices", data=form_tokens(client, "/counter/notices") | form)
        assert answer.status_code == 403 and "社区工作人员只能给本社区的居民发通知" in answer.text
        assert _count(harness, title=form["title"]) == 0
    theirs = _staff(server, admin)
    theirs.post("/counter/notices", data=form_tokens(theirs, "/counter/notices") | _form(
        "一社区停水", audience="community", community_code=FIRST))
    with harness.db() as s:
        other = s.scalar(select(Notice.id).where(Notice.title == "一社区停水"))
    assert client.get(f"/counter/notices/{other}").status_code == 403
    withdraw = client.post(f"/counter/notices/{other}/withdraw", data=form_tokens(client, "/counter/notices"))
    assert withdraw.status_code == 403 and _count(harness, title="一社区停水", withdrawn_at=None) == 1
