"""Request-scoped dependencies: the unit of work, the signed-in user and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from estation.accounts import service as accounts
from estation.accounts.models import AuthSession, Role, User
from estation.config import Settings
from estation.errors import EstationError, Forbidden

SESSION_COOKIE = "estation_session"


class NotSignedIn(EstationError):
    status_code = 401


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed here, once, before the response is sent."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        # Detach first: a rollback expires every loaded object, and the error page rendered after this
        # still shows the signed-in user's name (principal.user), which would then fail to load.
        session.expunge_all()
        session.rollback()
        raise
    finally:
        session.close()


DB = Annotated[Session, Depends(get_db, scope="function")]


@dataclass
class Principal:
    user: User
    auth: AuthSession
    token: str

    @property
    def role(self) -> Role:
        return self.user.role


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def optional_principal(request: Request, db: DB) -> Principal | None:
    token = _token(request)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    found = accounts.resolve_session(db, token=token, idle_limit=timedelta(seconds=settings.kiosk_idle_seconds))
    if found is None:
        return None
    user, auth = found
    request.state.principal = Principal(user=user, auth=auth, token=token)
    return request.state.principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def current_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotSignedIn("请先登录")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = frozenset(roles)

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden("您没有权限进行此操作")
        return principal

    check.allowed_roles = allowed  # read by the generated access-control test
    return check
