"""What the admin's editing screens share: reading a posted form, turning it into a schema with the
first bad field named in Chinese, and writing each action into the access log."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.errors import InvalidInput, validation_message

Model = TypeVar("Model", bound=BaseModel)
_SEPARATORS = re.compile(r"[\r\n]+")


async def posted_form(request: Request) -> FormData:
    """The posted form, with every value of a field that repeats (ticked boxes)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted_form)]


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def lines(value: str) -> list[str]:
    """A textarea's non-empty lines."""
    return [line.strip() for line in _SEPARATORS.split(value) if line.strip()]


def parsed(schema: type[Model], values: Mapping[str, Any], names: Mapping[str, str]) -> Model:
    """``schema`` from the form's values; InvalidInput naming the first bad field (``names``: field -> 中文)."""
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        first: dict[str, Any] = dict(exc.errors()[0])
        field = str(first["loc"][0]) if first["loc"] else ""
        message = validation_message(first)
        raise InvalidInput(f"“{names[field]}”：{message}" if field in names else message, field=field or None) from None


def logged(db: Session, user: User, *, action: str, what: str, reason: str) -> None:
    """An admin's change, in the access log every change goes to."""
    log_access(db, user=user, resident_id=None, action=action, what=what[:120], reason=reason[:200])
