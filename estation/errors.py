"""Domain errors: raised by services, rendered as JSON under /api and as a Chinese page in the UIs."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import psycopg
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError


class EstationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    @property
    def kind(self) -> str:
        """The JSON error's ``type``: FastAPI's own word for a 422, else the error's class."""
        return "value_error" if self.status_code == 422 else type(self).__name__


class NotFound(EstationError):
    status_code = 404


class Forbidden(EstationError):
    status_code = 403


class Conflict(EstationError):
    status_code = 409

    @property
    def kind(self) -> str:
        return "conflict"


class InvalidInput(EstationError):
    """Input that passed the schema but breaks a domain rule (overlapping periods, ...)."""

    status_code = 422


class Unavailable(EstationError):
    """A part the request needs cannot answer now (the matching model did not load, ...)."""

    status_code = 503


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="出错的位置：先是 body（请求体）、query（查询参数）、path（地址中的参数）"
                                             "或 header（请求头），再是字段名（列表中的第几项用数字表示）")
    msg: str = Field(description="中文说明，可以直接显示给使用者")
    type: str = Field(description="错误类别，供程序判断（英文标识，如 missing、value_error、conflict、NotFound）")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer under /api/ has this one shape (FastAPI's own for a 422)."""

    model_config = ConfigDict(json_schema_extra={
        "examples": [{"detail": [{"loc": ["body", "id_number"], "msg": "该身份证号已登记", "type": "conflict"}]}]})
    detail: list[ErrorItem] = Field(description="一条或多条错误，每条说明哪里出错、为什么")


def error_body(message: str, field: str | None, kind: str, *, where: str = "body") -> dict:
    """The JSON error shape (:class:`ErrorBody`), the same as FastAPI's own 422s so clients read one format."""
    loc = [where, field] if field else [where]
    return {"detail": [{"loc": loc, "msg": message, "type": kind}]}


HTTP_MESSAGES = {
    404: "没有这个接口，请检查地址（接口列表见 /docs）",
    405: "这个接口不支持该请求方法",
}
"""What the API says for the errors the router itself raises (an address or method without a route)."""


def http_error_body(status_code: int) -> dict:
    message = HTTP_MESSAGES.get(status_code, "请求没有完成，请检查后再试")
    return error_body(message, None, "not_found" if status_code == 404 else "http_error", where="path")


VALIDATION_MESSAGES = {
    "missing": "必填，不能为空",
    "string_too_long": "最多{max_length}个字",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文字",
    "int_parsing": "请填写整数",
    "int_from_float": "请填写整数",
    "int_type": "请填写整数",
    "int_parsing_size": "数字太大",
    "float_parsing": "请填写数字",
    "float_type": "请填写数字",
    "decimal_parsing": "请填写数字",
    "decimal_max_places": "最多{decimal_places}位小数",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "应大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "应小于{lt}",
    "date_parsing": "请填写正确的日期（如 2026-01-31）",
    "date_from_datetime_parsing": "请填写正确的日期（如 2026-01-31）",
    "date_from_datetime_inexact": "请填写正确的日期（如 2026-01-31）",
    "date_type": "请填写正确的日期（如 2026-01-31）",
    "datetime_parsing": "请填写正确的日期和时间",
    "datetime_from_date_parsing": "请填写正确的日期和时间",
    "enum": "请从列表中选择",
    "literal_error": "请从列表中选择",
    "bool_parsing": "请选择是或否",
    "bool_type": "请选择是或否",
    "too_short": "至少{min_length}项",
    "too_long": "最多{max_length}项",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "extra_forbidden": "没有这个字段",
    "json_invalid": "提交的内容不是有效的 JSON",
}
"""Pydantic's messages are English: the Chinese for each kind of error, with its limits filled in."""
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in plain Chinese: a validator's own
    (Chinese) message as it is, a type or limit error from the table above."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少填写{ctx.get('min_length')}个字"
    if kind in VALIDATION_MESSAGES:
        return VALIDATION_MESSAGES[kind].format(**ctx)
    return error["msg"] if _CHINESE.search(error["msg"]) else "取值无效"


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI's 422 items, as :class:`ErrorItem` (loc, type) with the message in Chinese."""
    return [{"loc": list(e["loc"]), "msg": validation_message(e), "type": e["type"]} for e in errors]


ERROR_MEANINGS = {
    401: "没有登录，或登录已过期：先调用登录接口，再在 Authorization 请求头中带上令牌",
    403: "没有权限：账号的角色不能做这件事，或用会话 Cookie 写入时缺少 X-CSRF-Token 请求头",
    404: "要找的记录不存在，或不在您能看到的范围内",
    409: "与已有记录冲突：重复提交，或记录当前的状态不允许这样做",
    413: "提交的内容太大",
    422: "填写有误：缺少字段、格式不对或不符合业务规则；loc 指出是哪一项",
    429: "尝试次数过多，请等待后再试（msg 说明要等多久）",
    503: "数据库暂时不可用，请稍后再试",
}
"""The meaning of each error status the API answers, as its documentation says it."""


def error_responses(*codes: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for the errors it answers besides those its dependencies cause (which
    estation.apidocs adds): a status alone for its general meaning, or (status, what it means here)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        status, meaning = code if isinstance(code, tuple) else (code, ERROR_MEANINGS[code])
        out[status] = {"model": ErrorBody, "description": meaning}
    return out


TAKEN = {
    "username": "该用户名已被使用，请换一个",
    "uscc": "该统一社会信用代码已注册",
    "id_number": "该身份证号已登记",
}
"""What a person is told when a value that must be unique is already used, by the field they filled in."""
STORED_AS = {"id_number_hash": "id_number"}
"""Columns that store a field under another name (the id number is unique through its keyed hash)."""


class Taken(Conflict):
    """A value that must be unique and is already used: found by a service's check, or by the database's
    unique constraint when two requests race past that check."""

    def __init__(self, field: str) -> None:
        super().__init__(TAKEN.get(field, "这条记录已经存在，请不要重复提交"), field=field)


def duplicate_key(exc: IntegrityError) -> Taken | None:
    """The 409 for a broken unique constraint, naming its (first) column's field; None for any other
    integrity error, which is a bug and stays a server error."""
    columns = _unique_columns(exc.orig)
    return Taken(STORED_AS.get(columns[0], columns[0])) if columns else None


def _unique_columns(error: BaseException | None) -> list[str]:
    if isinstance(error, psycopg.errors.UniqueViolation):
        # "Key (vacancy_id, resident_id)=(...) already exists.": the parentheses survive a translated server.
        found = re.search(r"\(([^)]*)\)=", error.diag.message_detail or "")
        return [c.strip().strip('"') for c in found.group(1).split(",")] if found else []
    if isinstance(error, sqlite3.IntegrityError):
        found = re.match(r"UNIQUE constraint failed: (.+)$", str(error))
        return [c.rsplit(".", 1)[-1] for c in found.group(1).split(", ")] if found else []
    return []
