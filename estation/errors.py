"""Domain errors: raised by services, rendered as JSON under /api and as a Chinese page in the UIs."""

from __future__ import annotations

import re
import sqlite3

import psycopg
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


def error_body(message: str, field: str | None, kind: str) -> dict:
    """The JSON error shape, the same as FastAPI's own 422s so clients read one format."""
    loc = ["body", field] if field else ["body"]
    return {"detail": [{"loc": loc, "msg": message, "type": kind}]}


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
