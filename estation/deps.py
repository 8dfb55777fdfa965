"""Request-scoped dependencies: the unit of work, the signed-in user and role checks."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from estation.accounts import service as accounts
from estation.accounts.models import AuthSession, Role, User
from estation.config import Settings
from estation.errors import EstationError, Forbidden

SESSION_COOKIE = "estation_session"
CSRF_COOKIE = "estation_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(EstationError):
    status_code = 401


class CsrfFailed(EstationError):
    status_code = 403


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (double-submit: a cookie the app sets, echoed in a form field or, for the
    JSON API, in the X-CSRF-Token header), minted once."""
    token = getattr(request.state, "csrf_token", None) or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(24)
    request.state.csrf_token = token
    return token


def csrf_matches(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and sent) and secrets.compare_digest(cookie, sent)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Every cookie the app sets: HttpOnly, SameSite=Strict, and Secure when the site is served over https."""
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=request.app.state.settings.https)


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="strict", secure=request.app.state.settings.https)


def client_address(request: Request) -> str:
    """The client's address, as sign-in throttling counts it (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


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


def _token(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (rather than a bearer header)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, False
    return request.cookies.get(SESSION_COOKIE), True


def optional_principal(request: Request, db: DB) -> Principal | None:
    token, from_cookie = _token(request)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    # The session's own writes (last seen, an expired session removed) are a short transaction of their
    # own, committed at once: the request's unit of work takes no write lock for them, so a request that
    # then waits on the model or the search engine holds none (SQLite has one writer at a time).
    with request.app.state.session_factory() as own, own.begin():
        found = accounts.resolve_session(own, token=token, limits=accounts.SessionLimits(
            kiosk_idle=timedelta(seconds=settings.kiosk_idle_seconds),
            idle=timedelta(minutes=settings.session_idle_minutes),
            lifetime=timedelta(hours=settings.session_lifetime_hours)))
        keys = (found[0].id, found[1].token_hash) if found else None
    user, auth = (db.get(User, keys[0]), db.get(AuthSession, keys[1])) if keys else (None, None)
    if user is None or auth is None:
        return None
    if from_cookie and request.method not in SAFE_METHODS and request.url.path.startswith("/api/") \
            and not csrf_matches(request, request.headers.get(CSRF_HEADER, "")):
        # A cookie rides along on a forged cross-site request; the header can only come from our own pages
        # or a client that read the token at sign-in. Bearer tokens are never sent by a browser on its own.
        raise CsrfFailed(f"缺少防伪令牌：请在请求头 {CSRF_HEADER} 中带上登录时返回的 csrf_token", field=CSRF_HEADER)
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
