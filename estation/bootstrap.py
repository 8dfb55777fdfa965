"""Setting up a real instance (`estation init`): the reference data and the first admin. Safe to repeat.

Reference data is what every instance needs and nobody makes up: the national occupation classification,
the subdistrict and its communities, the counter's service catalogue with the contribution figures. The
working calendar needs nothing loaded: chinese-calendar carries the official years and an admin enters
each new one (README). `estation demo` loads its fictional people on top of the same load_reference.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.staff import create_staff_account
from estation.cases.catalogue import load_catalogue
from estation.errors import InvalidInput
from estation.jobs.occupations import load_occupations
from fixtures.places import load_places

Progress = Callable[[str, int, int], None]

REFERENCE_STEPS = (
    ("occupations", "职业分类"),
    ("places", "街道和社区"),
    ("catalogue", "办事指南和缴费基数"),
)
ADMIN_DISPLAY_NAME = "系统管理员"


def load_reference(session: Session, *, progress: Progress | None = None) -> dict[str, int]:
    """Insert whatever reference data is missing; returns the rows inserted per table (all 0 the second time).

    ``progress(label, done, total)`` reports each step by its Chinese label (REFERENCE_STEPS).
    """
    loaders = (
        lambda: {"occupation": load_occupations(session)["inserted"]},
        lambda: load_places(session),
        lambda: {"service_type": load_catalogue(session)},
    )
    made: dict[str, int] = {}
    for (_, label), run in zip(REFERENCE_STEPS, loaders, strict=True):
        if progress is not None:
            progress(label, 0, 1)
        made.update(run())
        if progress is not None:
            progress(label, 1, 1)
    return made


def first_admin(session: Session) -> User | None:
    """The instance's first admin account, if it has one (active or not: init never makes a second)."""
    return session.scalar(select(User).where(User.role == Role.admin).order_by(User.id).limit(1))


def create_first_admin(session: Session, *, username: str, password: str) -> User:
    """The first admin; refuses a malformed or taken username and a weak password (InvalidInput naming it)."""
    if first_admin(session) is not None:
        raise InvalidInput("已有管理员账号，不再新建", field="username")
    return create_staff_account(session, username=username, password=password, role=Role.admin,
                                display_name=ADMIN_DISPLAY_NAME)
