"""Request-scoped dependencies: the app's parts, the unit of work, the signed-in user and role checks."""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from estation.accounts import service as accounts
from estation.accounts.models import AuthSession, Role, User
from estation.config import Settings
from estation.errors import EstationError, Forbidden

if TYPE_CHECKING:
    from estation.composition import Parts

SESSION_COOKIE = "estation_session"
CSRF_COOKIE = "estation_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(EstationError):
    status_code = 401


class CsrfFailed(EstationError):
    status_code = 403


@dataclass
class RequestScope:
    """What one request's dependencies found, for the code that runs after them: the pages, the error
    handlers, the CSRF cookie middleware and the one-time form token. Read through :func:`request_scope`."""

    principal: Principal | None = None
    """Who is signed in (:func:`optional_principal`); None until it ran, or when nobody is."""
    csrf_token: str | None = None
    """This browser's CSRF token once :func:`csrf_token` minted or read it: the cookie to set."""
    settle_submission: Callable[..., None] | None = None
    """Records a claimed one-time form token's result (estation.web.once)."""


def request_scope(request: Request) -> RequestScope:
    """The request's :class:`RequestScope`, made on first use. It lives in the ASGI scope, which the
    middleware, the endpoint and the error handlers of one request share."""
    found = request.scope.get("estation")
    if found is None:
        found = request.scope["estation"] = RequestScope()
    return found


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (double-submit: a cookie the app sets, echoed in a form field or, for the
    JSON API, in the X-CSRF-Token header), minted once."""
    scope = request_scope(request)
    token = scope.csrf_token or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(24)
    scope.csrf_token = token
    return token


def csrf_matches(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and sent) and secrets.compare_digest(cookie, sent)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Every cookie the app sets: HttpOnly, SameSite=Strict, and Secure when the site is served over https."""
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=parts(request).settings.https)


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="strict", secure=parts(request).settings.https)


def client_address(request: Request) -> str:
    """The client's address, as sign-in throttling counts it (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def parts(request: Request) -> Parts:
    """The parts of the app serving ``request``, as estation.composition built them."""
    return request.app.state.parts


def get_settings_dep(request: Request) -> Settings:
    return parts(request).settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: committed here, once, before the response is sent.

    The session is made on the event loop (it does no I/O before its first query); its end, commit or
    rollback and close, is one hop to a worker thread (a plain generator would take two, in and out)."""
    session = parts(request).session_factory()
    try:
        yield session
    except BaseException:
        # Detach first: a rollback expires every loaded object, and the error page rendered after this
        # still shows the signed-in user's name (principal.user), which would then fail to load.
        session.expunge_all()
        await run_in_threadpool(_end, session, commit=False)
        raise
    await run_in_threadpool(_end, session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close; a failed commit is rolled back by the close, its objects detached
    first (close expunges before it ends the transaction)."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
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


BEARER = HTTPBearer(auto_error=False, scheme_name="BearerToken", description=(
    "程序调用时用令牌登录：先 POST /api/v1/auth/login（用户名和密码），把返回的 token 放在每个请求的 "
    "`Authorization: Bearer <token>` 请求头中。令牌就是一次登录会话：闲置或超过有效期后失效（返回 401），"
    "POST /api/v1/auth/logout 立即作废。"))
SESSION = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="SessionCookie", description=(
    f"浏览器用登录时设置的会话 Cookie；这样调用写接口（POST、PUT、PATCH、DELETE）时，还须在 {CSRF_HEADER} "
    "请求头中带上登录返回的 csrf_token，否则返回 403。"))
"""How a client proves who it is: the two ways the API documentation describes (either one will do)."""


def _session_of(request: Request, token: str, db: Session | None = None) -> tuple[User, AuthSession] | None:
    """The user and sign-in session of ``token``; None when it is unknown, expired, disabled, or ended by
    a request running at the same moment (结束 pressed twice: the other one signed out first).

    Most requests only read: through ``db`` (the request's unit of work) when given. When the session must
    be written (its "last seen" stamp is due, or it expired and is removed: estation.accounts.service
    STAMP_SHARE), that is a short transaction of its own, committed at once: the request's unit of work takes
    no write lock for it, so a request that then waits on the model or the search engine holds none (SQLite
    has one writer at a time)."""
    settings = parts(request).settings
    limits = accounts.SessionLimits(kiosk_idle=timedelta(seconds=settings.kiosk_idle_seconds),
                                    idle=timedelta(minutes=settings.session_idle_minutes),
                                    lifetime=timedelta(hours=settings.session_lifetime_hours))
    if db is not None:
        row = accounts.session_row(db, token=token)
        if row is None:
            return None
        if not accounts.needs_writing(row, limits=limits):
            user = accounts.active_user(db, row)
            return (user, row) if user is not None else None
    try:
        with parts(request).session_factory() as own, own.begin():
            signed_in = accounts.resolve_session(own, token=token, limits=limits)
    except StaleDataError:  # the row it stamped "last seen" on was deleted meanwhile: signed out
        return None
    if signed_in is None or db is None:
        return signed_in
    # The request's own copies, read after that write (the stamp just written included).
    db.expire_all()
    user, auth = db.get(User, signed_in[0].id), db.get(AuthSession, signed_in[1].token_hash)
    return (user, auth) if user is not None and auth is not None else None


def principal_for_page(request: Request) -> Principal | None:
    """Who is signed in, for a page rendered where no route resolved it (the error page of an unknown
    address): from the session cookie, so the header still greets a signed-in resident."""
    found = request_scope(request).principal
    token = request.cookies.get(SESSION_COOKIE)
    if found is not None or not token:
        return found
    signed_in = _session_of(request, token)
    if signed_in is None:
        return None
    found = request_scope(request).principal = Principal(user=signed_in[0], auth=signed_in[1], token=token)
    return found


def optional_principal(request: Request, db: DB,
                       bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
                       cookie: Annotated[str | None, Depends(SESSION)]) -> Principal | None:
    # A bearer token when one is sent, else the session cookie (the UIs' way, which needs the CSRF check).
    token, from_cookie = (bearer.credentials, False) if bearer else (cookie, True)
    if not token:
        return None
    signed_in = _session_of(request, token, db)
    if signed_in is None:
        return None
    user, auth = signed_in
    if from_cookie and request.method not in SAFE_METHODS and request.url.path.startswith("/api/") \
            and not csrf_matches(request, request.headers.get(CSRF_HEADER, "")):
        # A cookie rides along on a forged cross-site request; the header can only come from our own pages
        # or a client that read the token at sign-in. Bearer tokens are never sent by a browser on its own.
        raise CsrfFailed(f"缺少防伪令牌：请在请求头 {CSRF_HEADER} 中带上登录时返回的 csrf_token", field=CSRF_HEADER)
    principal = request_scope(request).principal = Principal(user=user, auth=auth, token=token)
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    # async: no I/O here, so FastAPI runs it on the event loop instead of handing it to a worker thread
    if principal is None:
        raise NotSignedIn("请先登录")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True)
class RoleCheck(ABC):
    """A dependency that lets only ``allowed_roles`` through; the API documentation and the generated
    access-control test read ``allowed_roles`` (estation.web.security's page check is one too)."""

    allowed_roles: frozenset[Role]

    @abstractmethod
    async def __call__(self, principal: Any) -> Principal:
        """The signed-in principal when its role is allowed; raises otherwise. async: it does no I/O, so it
        runs on the event loop rather than costing each request a hop to a worker thread."""


@dataclass(frozen=True)
class ApiRoleCheck(RoleCheck):
    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if principal.role not in self.allowed_roles:
            raise Forbidden("您没有权限进行此操作")
        return principal


def require_roles(*roles: Role) -> ApiRoleCheck:
    return ApiRoleCheck(frozenset(roles))
