"""Suggestions answered in public: only with the resident's consent, only the masked copy (no name, id number
or phone, not even in part), grouped by topic; and the response-time figures per month against the rows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from statistics import median

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.models import Role
from estation.errors import Conflict
from estation.feedback import service as feedback
from estation.feedback.masking import mask_public
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus, SuggestionTopic
from tests.admin.helpers import log_lines, make_user, signed_in, tokens
from tests.factories import create_household, create_resident, create_user, new_id_number

ID_NUMBER = "370102197603126029"
PHONE = "13805311234"


def test_the_public_copy_keeps_no_digit_of_a_number_and_no_given_name() -> None:
    text = (f"我叫刘秀兰，身份证{ID_NUMBER}，手机{PHONE}，家里电话0531-86012345，"
            "想问秀兰的养老保险什么时候能转回济南？本人张建国也想问。")
    public = mask_public(text, names=["刘秀兰"])
    assert public == ("我叫刘某某，身份证[证件号已隐去]，手机[号码已隐去]，家里电话[号码已隐去]，"
                      "想问某某的养老保险什么时候能转回济南？本人张某某也想问。")
    # Irreversible: not one run of three digits of any number survives, nor any character of a given name.
    assert not re.search(r"\d{3}", public)
    assert not set("秀兰建国") & set(public)
    assert mask_public("我是退休职工，3号窗口下午人多") == "我是退休职工，3号窗口下午人多"  # nothing to take out


def test_publishing_needs_the_residents_consent_and_stores_only_masked_copies(session) -> None:
    household = create_household(session)
    writer = create_resident(session, household=household, name="陈淑芬")
    create_resident(session, household=household, name="王建军")
    staff = create_user(session, role=Role.counter_staff, window=1)
    private = feedback.leave(session, kind=SuggestionKind.suggestion, text="希望多开窗口", resident_id=None)
    with pytest.raises(Conflict, match="没有同意公开"):
        feedback.answer(session, suggestion_id=private.id, text="已加开", by=staff, publish=True)
    assert session.get(Suggestion, private.id).status is SuggestionStatus.open  # nothing half-written
    row = feedback.leave(session, kind=SuggestionKind.complaint, public_consent=True, resident_id=writer.id,
                         text=f"陈淑芬反映：我爱人王建军电话{PHONE}一直没人回，证件{new_id_number()}")
    feedback.answer(session, suggestion_id=row.id, text="已联系王建军本人，电话13905319876已回访",
                    by=staff, publish=True, topic=SuggestionTopic.counter)
    assert row.published and row.topic is SuggestionTopic.counter
    assert row.public_text.startswith("陈某某反映：我爱人王某某电话[号码已隐去]一直没人回，证件[证件号已隐去]")
    assert row.public_answer == "已联系王某某本人，电话[号码已隐去]已回访"
    shown = feedback.published(session, topic=SuggestionTopic.counter)
    mine = next(a for a in shown if a.reference == row.reference)
    assert (mine.text, mine.answer) == (row.public_text, row.public_answer)
    assert all(a.reference != private.reference for a in feedback.published(session))
    assert all(a.reference != row.reference for a in feedback.published(session, topic=SuggestionTopic.jobs))


def test_response_times_per_month_match_the_rows(session) -> None:
    staff = create_user(session, role=Role.admin)
    first, last = date(2025, 1, 1), date(2025, 3, 1)
    # (day left, days to answer or None): Beijing days, one left at 23:30 Beijing (15:30 UTC, same day).
    plan = [(date(2025, 1, 5), 0), (date(2025, 1, 9), 3), (date(2025, 1, 31), 4), (date(2025, 1, 20), None),
            (date(2025, 2, 14), 10), (date(2025, 3, 3), None)]
    for day, days in plan:
        row = feedback.leave(session, kind=SuggestionKind.suggestion, text=f"{day}的留言", resident_id=None)
        row.created_at = datetime(day.year, day.month, day.day, 15, 30, tzinfo=timezone.utc)
        if days is not None:
            feedback.answer(session, suggestion_id=row.id, text="已答复", by=staff)
            row.answered_at = row.created_at + timedelta(days=days, hours=1)  # 00:30 Beijing, a day later
    session.flush()
    figures = {m.month: m for m in feedback.response_times(session, first=first, last=last)}
    assert list(figures) == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    for month, m in figures.items():
        rows = [(d, n) for d, n in plan if d.replace(day=1) == month]
        answered = [n + 1 for _, n in rows if n is not None]  # 23:30 + n days 1 hour is the next Beijing day
        assert (m.received, m.answered) == (len(rows), len(answered))
        assert m.median_days == (median(answered) if answered else None)
        assert m.max_days == max(answered, default=None)
    assert figures[date(2025, 1, 1)].answered_share == pytest.approx(3 / 4)
    assert figures[date(2025, 3, 1)].answered_share == 0


@pytest.fixture(scope="module")
def published_one(api):
    with api.db() as s:
        staff = create_user(s, role=Role.counter_staff, window=2)
        row = feedback.leave(s, kind=SuggestionKind.suggestion, public_consent=True, resident_id=None,
                             text=f"我叫赵建国，电话{PHONE}，临时账户怎么查？")
        feedback.answer(s, suggestion_id=row.id, text="带身份证到2号窗口即可查询", by=staff, publish=True,
                        topic=SuggestionTopic.insurance)
        s.commit()
        return row.reference


def test_the_public_api_and_page_show_the_masked_copy_to_anyone(api, published_one) -> None:
    client = TestClient(api.app)
    items = client.get("/api/v1/suggestions/public?topic=insurance").json()
    mine = next(i for i in items if i["reference"] == published_one)
    assert mine["text"] == "我叫赵某某，电话[号码已隐去]，临时账户怎么查？" and mine["topic"] == "insurance"
    for url in ("/m/answers", "/m/answers?topic=insurance", "/kiosk/answers?topic=insurance"):
        page = client.get(url)
        assert page.status_code == 200 and "我叫赵某某" in page.text, url
        assert PHONE not in page.text and "赵建国" not in page.text and "5311234" not in page.text
    assert "我叫赵某某" not in client.get("/m/answers?topic=jobs").text
    assert client.get("/api/v1/suggestions/public?topic=nonsense").status_code == 422


def test_response_times_are_for_leaders_and_admins(api) -> None:
    leader = make_user(api, Role.leader, "孙领导")
    cadre = make_user(api, Role.cadre, "周干部")
    assert api.client_for(cadre).get("/api/v1/suggestions/response-times").status_code == 403
    client = api.client_for(leader)
    months = client.get("/api/v1/suggestions/response-times?from=2026-01&to=2026-03").json()
    assert [m["month"] for m in months] == ["2026-01", "2026-02", "2026-03"]
    bad = client.get("/api/v1/suggestions/response-times?from=2026-05&to=2026-03")
    assert bad.status_code == 422 and bad.json()["detail"][0]["msg"] == "结束月份不能早于起始月份"


def test_the_kiosk_asks_whether_it_may_be_public(api) -> None:
    client = TestClient(api.app, follow_redirects=False)
    page = client.get("/kiosk/suggest").text
    assert "同意把我的留言和答复公开" in page
    form = {name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("csrf_token", "submission_token")}
    sent = client.post("/kiosk/suggest", data=form | {"kind": "suggestion", "text": "希望终端旁放老花镜", "public": "yes"})
    assert sent.status_code == 303
    with api.db() as s:
        row = s.scalar(select(Suggestion).where(Suggestion.text == "希望终端旁放老花镜"))
        assert row.public_consent and not row.published


def test_counter_staff_answer_and_publish_at_the_counter(api) -> None:
    clerk = make_user(api, Role.counter_staff, "吴窗口", window=1)
    keeper = make_user(api, Role.community_staff, "郑社区", community_code="370102009001")
    with api.db() as s:
        row = feedback.leave(s, kind=SuggestionKind.suggestion, public_consent=True, resident_id=None,
                             text="大厅能不能放个饮水机？")
        s.commit()
    client = signed_in(api, clerk)
    form = tokens(client, "/counter/suggestions")
    empty = client.post(f"/counter/suggestions/{row.id}/answer", data=form | {"answer": " "})
    assert empty.status_code == 422 and "答复：请填写答复内容" in empty.text
    form = tokens(client, "/counter/suggestions") | {"answer": "已在大厅东侧放了饮水机", "publish": "yes",
                                                     "topic": "counter"}
    sent = client.post(f"/counter/suggestions/{row.id}/answer", data=form)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/counter/suggestions?msg=")
    assert f"已答复留言 {row.reference}，已公开" in client.get(sent.headers["location"]).text
    with api.db() as s:
        saved = s.get(Suggestion, row.id)
        assert saved.published and saved.answered_by_id == clerk.id and saved.topic is SuggestionTopic.counter
    assert log_lines(api, "answer_suggestion")[-1].user_id == clerk.id
    assert signed_in(api, keeper).get("/counter/suggestions").status_code in (302, 303, 403)
