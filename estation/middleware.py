"""HTTP guards around the whole app: request-body limits, the CSRF cookie and the security headers of every
response. Each is plain ASGI: Starlette's BaseHTTPMiddleware runs every request through a task group and
memory streams, about a tenth of an ordinary page's CPU."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import weakref
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""Every page: scripts and styles only from our own /static files (no inline code), never in a frame."""

class Admission:
    """At most ``limit`` requests inside the app at once; the others wait here, first come first served,
    holding nothing. A request holds its database connection from its first query to its end, across every
    hop between the event loop and the worker threads, so without this a burst of 200 requests held 200
    connections (the pool ran dry and pages waited 10 s for a 503) while only the threads' worth could run.
    Static files pass straight through."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()  # one gate per event loop (a test may serve the app from several)
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        async with gate:
            await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"提交的内容太大，不能超过{_size(limit)}，请删减后再提交")


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


class BodyLimit:
    """Refuses a request body over its limit (multipart uploads one, JSON and every other body another)
    before anything parses it: a declared Content-Length over the limit at the first read, without
    reading a byte of the body; a streamed body (no Content-Length) as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, *, body_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.upload_bytes if multipart else self.body_bytes
        declared = headers.get("content-length", "")
        too_long = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited() -> Message:
            nonlocal received
            if too_long:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def script_hashes(html: bytes) -> str:
    """The CSP sources allowing exactly the inline scripts of ``html`` (a page we do not write ourselves)."""
    scripts = re.findall(rb"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in scripts)


def docs_policy(html: bytes) -> str:
    """The API documentation pages (Swagger UI, ReDoc): their files from our own server, their inline
    start-up script by hash, in no frame. Styles may be inline: ReDoc writes its own at run time (in
    style elements that carry no nonce), and runs its search in a worker made from a blob; no other script
    runs. Nothing is loaded from elsewhere (ReDoc's attempt at its logo on its CDN is refused)."""
    scripts = " ".join(["'self'", script_hashes(html)]).strip()
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; worker-src blob:; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )


def add_security_headers(headers: MutableHeaders, *, https: bool) -> None:
    """The headers every response carries; a response that set its own Content-Security-Policy (the API
    docs page) keeps it. Used by the middleware below and by the server-error handler, which Starlette
    runs outside every middleware."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    headers.setdefault("Content-Security-Policy", PAGE_POLICY)


class SecurityHeaders:
    """The headers every response carries, pages and JSON alike; a response that set its own
    Content-Security-Policy (the API docs page) keeps it. HSTS only when the site is served over https."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), https=self.https)
            await send(message)

        await self.app(scope, receive, with_headers)


class CsrfCookie:
    """Sets the browser's CSRF cookie when the request minted a token (``token_of(scope)``, read once the
    endpoint has run) and the browser does not hold that token yet: HttpOnly, SameSite=Strict, Secure over https."""

    def __init__(self, app: ASGIApp, *, cookie: str, https: bool, token_of: Callable[[Scope], str | None]) -> None:
        self.app = app
        self.cookie = cookie
        self.https = https
        self.token_of = token_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = self.token_of(scope)
                if token and cookie_parser(Headers(scope=scope).get("cookie", "")).get(self.cookie) != token:
                    MutableHeaders(scope=message).append("set-cookie", self._header(token))
            await send(message)

        await self.app(scope, receive, with_cookie)

    def _header(self, token: str) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[self.cookie] = token
        cookie[self.cookie]["path"] = "/"
        cookie[self.cookie]["httponly"] = True
        cookie[self.cookie]["samesite"] = "strict"
        if self.https:
            cookie[self.cookie]["secure"] = True
        return cookie.output(header="").strip()
