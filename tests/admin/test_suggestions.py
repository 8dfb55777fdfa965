"""Residents' suggestions at /admin/suggestions: read and answer; an empty answer is named, an answer sent
twice is kept once, the resident reads it, and the answer is logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.feedback import service as feedback
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus
from tests.admin.helpers import log_lines, make_user, signed_in, tokens
from tests.admin.plain import assert_plain
from tests.conftest import sign_in


@pytest.fixture(scope="module")
def admin(api):
    return make_user(api, Role.admin, "周管理")


def leave(api, text: str, kind: SuggestionKind = SuggestionKind.suggestion) -> Suggestion:
    with api.db() as s:
        row = feedback.leave(s, kind=kind, text=text, resident_id=None)
        s.commit()
    return row


def test_an_answer_is_required_kept_once_and_logged(api, admin) -> None:
    row = leave(api, "希望自助终端旁边放一把椅子")
    client = signed_in(api, admin)
    url = f"/admin/suggestions/{row.id}/answer"
    empty = client.post(url, data=tokens(client, "/admin/suggestions") | {"answer": "  "})
    assert empty.status_code == 422 and "答复：请填写答复内容" in empty.text
    too_long = client.post(url, data=tokens(client, "/admin/suggestions") | {"answer": "好" * 2001})
    assert too_long.status_code == 422 and "答复：答复请不要超过2000字" in too_long.text
    assert "好" * 2001 in too_long.text  # what was typed is still there
    form = tokens(client, "/admin/suggestions") | {"answer": "已经在终端旁放了两把椅子，谢谢您的建议"}
    first, second = client.post(url, data=form), client.post(url, data=form)
    assert first.status_code == second.status_code == 303
    with api.db() as s:
        saved = s.get(Suggestion, row.id)
        assert saved.status is SuggestionStatus.answered and saved.answered_by_id == admin.id
        assert s.scalar(select(func.count()).select_from(AccessLog)
                        .where(AccessLog.what == f"留言 {row.reference}")) == 1
    assert log_lines(api, "answer_suggestion")[-1].user_id == admin.id
    again = client.post(url, data=tokens(client, "/admin/suggestions") | {"answer": "再答一次"})
    assert again.status_code == 409 and "这条留言已经答复过了" in again.text
    answered = client.get("/admin/suggestions?status=answered")
    assert "已经在终端旁放了两把椅子" in answered.text
    assert client.get("/admin/suggestions/999999/answer").status_code in (404, 405)


def test_unknown_filters_and_pages_fall_back_quietly(api, admin) -> None:
    client = signed_in(api, admin)
    assert client.get("/admin/suggestions?status=closed&page=abc").status_code == 200
    assert client.get("/admin/suggestions?status=all&page=99999999999").status_code == 200


@pytest.mark.browser
def test_admin_answers_a_suggestion_in_the_browser(api, live, page, admin) -> None:
    row = leave(api, "下午三点以后窗口人太多，能不能多开一个窗口", SuggestionKind.complaint)
    sign_in(page, live.url, admin.username, "/admin/suggestions")
    card = page.locator("article", has_text=row.reference)
    assert "投诉" in card.inner_text()
    refs = tuple(page.locator("article h2").all_inner_texts())
    assert_plain(page.inner_text("main"), allowed=tuple(r.split()[-1] for r in refs))
    card.get_by_role("button", name="答复").click()
    page.wait_for_selector(".error-box")
    assert "答复：请填写答复内容" in page.inner_text(".error-box")
    card = page.locator("article", has_text=row.reference)
    card.get_by_label("答复").fill("下午已加开3号窗口，感谢反映")
    card.get_by_role("button", name="答复").click()
    page.wait_for_selector(".notice")
    assert f"已答复留言 {row.reference}" in page.inner_text(".notice")
    page.goto(f"{live.url}/admin/suggestions?status=answered")
    assert "下午已加开3号窗口" in page.locator("article", has_text=row.reference).inner_text()
