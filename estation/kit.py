"""Small database helpers every domain shares: one page of a SELECT, and a row by its key or a 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from estation.errors import NotFound

Row = TypeVar("Row")


def count(session: Session, stmt: Select) -> int:
    """How many rows ``stmt`` selects (its ORDER BY dropped: it changes nothing but the cost)."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def paginate(session: Session, stmt: Select, *, page: int, size: int) -> tuple[list, int]:
    """Page ``page`` (from 1) of ``size`` rows, and the total."""
    rows = list(session.scalars(stmt.limit(size).offset((page - 1) * size)))
    return rows, count(session, stmt)


def get_or_404(session: Session, model: type[Row], key: object, message: str, *, field: str | None = None,
               options: Sequence[ORMOption] = ()) -> Row:
    """The row of ``model`` with primary key ``key``, or NotFound carrying ``message`` (plain Chinese)."""
    row = session.get(model, key, options=options)
    if row is None:
        raise NotFound(message, field=field)
    return row
