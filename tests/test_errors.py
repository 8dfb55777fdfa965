"""Errors. One body for every 4xx and 5xx under /api/: ``{"detail": [{"loc", "msg", "type"}]}`` with the
message in Chinese, whatever produced it: sign-in and role checks, the router itself (unknown address,
wrong method), the body limit, validation, a domain rule, the sign-in throttle or a database that is
down. A broken unique constraint is a 409 naming the field people filled in, on both engines; any other
integrity error stays a server error (estation.errors.duplicate_key)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.app import create_app
from estation.config import Settings
from estation.errors import ErrorBody, duplicate_key
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus
from tests.factories import create_household, create_resident, create_user, new_id_number

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _refused(session: Session, row: object) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, session.begin_nested():
        session.add(row)
        session.flush()
    return caught.value


def test_a_taken_username_names_username(session: Session) -> None:
    taken = create_user(session, role=Role.employer)
    error = _refused(session, User(username=taken.username, display_name="另一家", password_hash="x", role=Role.employer))
    conflict = duplicate_key(error)
    assert conflict is not None and conflict.field == "username" and conflict.status_code == 409
    assert conflict.message == "该用户名已被使用，请换一个" and conflict.kind == "conflict"


def test_an_id_number_is_named_as_typed_not_as_stored(session: Session) -> None:
    resident = create_resident(session)
    twin = create_resident(session)
    twin.id_number_hash = resident.id_number_hash
    with pytest.raises(IntegrityError) as caught, session.begin_nested():
        session.flush()
    conflict = duplicate_key(caught.value)
    assert conflict is not None and conflict.field == "id_number" and conflict.message == "该身份证号已登记"


def test_a_missing_value_is_not_a_conflict(session: Session) -> None:
    error = _refused(session, Suggestion(reference=None, kind=SuggestionKind.suggestion, text="没有编号的留言",
                                         channel="kiosk", status=SuggestionStatus.open))
    assert duplicate_key(error) is None


# --- the one error body of the API ---------------------------------------------------------------


def assert_error(response, status: int) -> list[dict]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    ErrorBody.model_validate(body)  # the documented shape, and nothing else in it
    assert list(body) == ["detail"] and body["detail"]
    for error in body["detail"]:
        assert set(error) == {"loc", "msg", "type"} and isinstance(error["loc"], list) and error["loc"]
        assert CHINESE.search(error["msg"]), error["msg"]
    return body["detail"]


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        household = create_household(s)
        taken = new_id_number(birth=date(1968, 2, 3))
        create_resident(s, household=household, id_number=taken)
        users = {role: create_user(s, role=role, window=1 if role == Role.counter_staff else None)
                 for role in (Role.counter_staff, Role.cadre)}
        s.commit()
        return {"household": household.id, "taken": taken, **users}


def test_sign_in_and_role_refusals(api, people) -> None:
    (error,) = assert_error(api.anonymous.get("/api/v1/auth/me"), 401)
    assert error["msg"] == "请先登录"
    clerk = api.client_for(people[Role.counter_staff])
    assert_error(clerk.get("/api/v1/ledger/dashboard"), 403)  # the ledger is the cadres' and leaders'
    clerk.headers.pop("X-CSRF-Token")  # a cookie without its CSRF header: refused before anything is written
    (error,) = assert_error(clerk.post("/api/v1/households", json={}), 403)
    assert error["loc"] == ["body", "X-CSRF-Token"]


def test_the_router_own_errors_are_chinese(api) -> None:
    (error,) = assert_error(api.anonymous.get("/api/v1/no-such-thing"), 404)
    assert error == {"loc": ["path"], "msg": "没有这个接口，请检查地址（接口列表见 /docs）", "type": "not_found"}
    response = api.anonymous.delete("/api/v1/communities")
    (error,) = assert_error(response, 405)
    assert response.headers["allow"] == "GET" and "请求方法" in error["msg"]
    assert "没有这个页面" in api.anonymous.get("/no-such-page").text  # pages keep their Chinese page


def test_a_missing_record_and_a_taken_value(api, people) -> None:
    (error,) = assert_error(api.anonymous.get("/api/v1/startups/987654"), 404)
    assert error["msg"] == "创业项目不存在"
    clerk = api.client_for(people[Role.counter_staff])
    body = dict(household_id=people["household"], relation="spouse", name="王秀英", hukou_province="37",
                employment_status="flexible", id_number=people["taken"])
    (error,) = assert_error(clerk.post("/api/v1/residents", json=body), 409)
    assert error["loc"] == ["body", "id_number"] and error["type"] == "conflict"


def test_validation_messages_are_chinese_and_name_the_field(api) -> None:
    errors = assert_error(api.anonymous.post("/api/v1/auth/login", json={"username": "someone"}), 422)
    assert errors == [{"loc": ["body", "password"], "msg": "必填，不能为空", "type": "missing"}]
    (error,) = assert_error(api.anonymous.get("/api/v1/occupations?size=500"), 422)
    assert error["loc"] == ["query", "size"] and error["msg"] == "不能大于200"
    (error,) = assert_error(api.anonymous.get("/api/v1/startups/abc"), 422)
    assert error["loc"] == ["path", "startup_id"] and error["msg"] == "请填写整数"
    (error,) = assert_error(api.anonymous.get("/api/v1/startups?kind=castle"), 422)
    assert error["msg"] == "请从列表中选择"
    broken = api.anonymous.post("/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert assert_error(broken, 422)[0]["msg"] == "提交的内容不是有效的 JSON"


def test_a_body_over_the_limit(api) -> None:
    big = b'{"username": "' + b"x" * (api.settings.max_body_bytes + 10) + b'"}'
    (error,) = assert_error(api.anonymous.post("/api/v1/auth/login", content=big,
                                               headers={"content-type": "application/json"}), 413)
    assert "内容太大" in error["msg"]


def test_the_sign_in_throttle(api) -> None:
    with api.db() as s:
        user = create_user(s, role=Role.cadre)
        s.commit()
    for _ in range(3):
        assert_error(api.anonymous.post("/api/v1/auth/login", json={"username": user.username, "password": "x"}), 401)
    (error,) = assert_error(api.anonymous.post("/api/v1/auth/login",
                                               json={"username": user.username, "password": "x"}), 429)
    assert "秒后再试" in error["msg"]


def test_a_database_that_cannot_be_reached(tmp_path) -> None:
    """A SQLite file in a folder that does not exist: every query fails as a stopped server's would."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'gone' / 'x.sqlite3'}", environment="test",
                        var_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        (error,) = assert_error(client.get("/api/v1/communities"), 503)
    assert error["type"] == "database_unavailable" and "数据库暂时不可用" in error["msg"]
