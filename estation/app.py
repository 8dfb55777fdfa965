"""The FastAPI application: the routers, middleware and error pages over the parts that
estation.composition builds (kept as ``app.state.parts``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from estation import apidocs
from indexing import text as search_words
from estation.apifields import FIELDS
from estation.accounts.api import router as accounts_router
from estation.cases.api import router as cases_router
from estation.composition import build
from estation.config import Settings, get_settings
from estation.db import THREADS
from estation.deps import CSRF_COOKIE, RequestScope, request_scope
from estation.errors import (
    EstationError, InvalidInput, duplicate_key, error_body, http_error_body, validation_errors,
)
from estation.feedback.api import router as feedback_router
from estation.jobs.api import router as jobs_router
from estation.jobs.employer_api import router as employer_api_router
from estation.jobs.search_api import router as search_router
from estation.labour.api import router as labour_router
from estation.matching.api import router as matching_router
from estation.middleware import Admission, BodyLimit, BodyTooLarge, CsrfCookie, SecurityHeaders, add_security_headers
from estation.ledger.api import router as ledger_router
from estation.notifications.api import router as alerts_router
from estation.ratings.api import router as ratings_router
from estation.reports.api import router as reports_router
from estation.volunteers.api import router as volunteers_router
from estation.web.admin import router as admin_web_router
from estation.web.counter.routes import router as counter_web_router
from estation.web.employer import router as employer_web_router
from estation.web.home import router as home_router
from estation.web.kiosk import demo_router as kiosk_demo_router
from estation.web.kiosk import router as kiosk_router
from estation.web.kiosk.common import error_page as kiosk_error_page
from estation.web.ledger.hardship import router as hardship_web_router
from estation.web.ledger.inbox import router as ledger_inbox_web_router
from estation.web.ledger.outcomes import router as outcomes_web_router
from estation.web.ledger.routes import router as ledger_web_router
from estation.web.ledger.service_quality import router as service_quality_web_router
from estation.web.phone import router as phone_web_router
from estation.web.volunteers import router as volunteers_web_router
from estation.web.pages import render
from estation.web.security import SignInRequired
from estation.web.templating import STATIC_DIR

log = logging.getLogger("estation")


class CachedStatic(StaticFiles):
    """Static files carry a content version in their URL (static_url), so browsers keep them a year."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


ERROR_HEADINGS = {401: "请先登录", 403: "没有权限", 404: "没有找到", 405: "打开方式不对", 409: "已经存在", 413: "内容太大",
                  422: "填写有误", 429: "请稍后再试", 500: "系统出错了", 503: "暂时无法服务"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


DATABASE_DOWN = "数据库暂时不可用，请稍后再试"
OUT_OF_RANGE = "填写的数字超出了允许的范围，请检查后再试"


def _field_name(name: object) -> str:
    """A form field as people call it (the data dictionary's words up to any explanation in brackets)."""
    return FIELDS.get(str(name), "").split("（")[0] or "其中一项"


def _error_page(request: Request, status_code: int, message: str) -> Response:
    if request.url.path == "/kiosk" or request.url.path.startswith("/kiosk/"):
        return kiosk_error_page(request, status_code, message)
    heading = ERROR_HEADINGS.get(status_code, "出错了")
    back = "/" + request.url.path.strip("/").split("/")[0]  # the surface's own start page
    return render(request, "error.html", {"heading": heading, "message": message, "back_url": back},
                  status_code=status_code)


def _csrf_token_of(scope: dict) -> str | None:
    """The CSRF token this request minted or read (estation.deps.csrf_token), for the cookie middleware."""
    found = scope.get("estation")
    return found.csrf_token if isinstance(found, RequestScope) else None


def create_app(settings: Settings | None = None) -> FastAPI:
    parts = build(settings or get_settings())
    settings = parts.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        if settings.environment != "test":
            # Every worker process loads the model before it takes traffic: uvicorn accepts connections
            # only once start-up is done, so no request waits for a load (/readyz says how it went).
            # Tests start many apps; each loads the (shared) model only when a test asks it to match.
            await anyio.to_thread.run_sync(parts.matching.load)
            await anyio.to_thread.run_sync(search_words.prepare)  # jieba's dictionary: about a second
        yield
        parts.close()

    app = FastAPI(
        title="就业e站 estation",
        description="甸柳街道就业e站：劳动保障数据与社区就业服务平台",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by estation.apidocs from local files, under their own Content-Security-Policy
        redoc_url=None,
    )
    app.state.parts = parts
    parts.start_workers()  # index changes and notifications are applied from the first commit on

    # FastAPI tries the routers in this order, every route of each, until one matches: the pages most asked
    # for come first (the kiosk's, the counter's). Their addresses are theirs alone (/kiosk/..., /counter/...),
    # so the order decides nothing else.
    for router in (kiosk_router, counter_web_router, accounts_router, labour_router, jobs_router, cases_router, home_router,
                   ledger_router, ledger_web_router, feedback_router, employer_api_router, employer_web_router,
                   search_router, matching_router, admin_web_router, reports_router, outcomes_web_router,
                   hardship_web_router, phone_web_router, volunteers_router, volunteers_web_router,
                   ratings_router, service_quality_web_router, alerts_router,
                   ledger_inbox_web_router):
        app.include_router(router)
    if settings.demo:  # demo-only routes are not registered at all on a real instance: they answer 404
        app.include_router(kiosk_demo_router)
    app.mount("/static", CachedStatic(directory=STATIC_DIR), name="static")

    apidocs.install(app)

    # Innermost (added first): its 413 is raised where the endpoint reads the body, straight to the handler
    # below.
    app.add_middleware(BodyLimit, body_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes)

    app.add_middleware(CsrfCookie, cookie=CSRF_COOKIE, https=settings.https, token_of=_csrf_token_of)

    # A request enters only when one of the process's threads' worth of room is free (estation.db.THREADS).
    app.add_middleware(Admission, limit=THREADS)

    # Outermost: the headers go on every response, the errors of the inner middleware included.
    app.add_middleware(SecurityHeaders, https=settings.https)

    @app.exception_handler(EstationError)
    async def domain_error(request: Request, exc: EstationError) -> Response:
        if _is_api(request):
            return JSONResponse(error_body(exc.message, exc.field, exc.kind), status_code=exc.status_code)
        if isinstance(exc, SignInRequired):
            return RedirectResponse(f"{exc.login_url}?next={request.url.path}", status_code=303)
        return _error_page(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def unknown_page(request: Request, exc: StarletteHTTPException) -> Response:
        # An address or method without a route (a demo-only one on a real instance too) is told in Chinese:
        # under /api/ in the one error shape.
        if _is_api(request):
            return JSONResponse(http_error_body(exc.status_code), status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 404:
            return _error_page(request, 404, "没有这个页面")
        if exc.status_code == 405:
            return _error_page(request, 405, "这个页面不能这样打开，请从页面上的按钮或链接进入")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc.errors())
        if _is_api(request):
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        wrong = "；".join(f"{_field_name(e['loc'][-1])}：{e['msg']}" for e in errors)
        return _error_page(request, 422, f"填写的内容有误（{wrong}），请返回检查后再提交。")

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> Response:
        return await domain_error(request, EstationError(exc.detail, status_code=413))

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.error("database unavailable: %s", exc)
        if _is_api(request):
            return JSONResponse(error_body(DATABASE_DOWN, None, "database_unavailable"), status_code=503)
        # The page leaves out who is signed in: after a failed write the session rolled back, and the
        # user's row can no longer be read (it is not needed to say the database is down).
        request_scope(request).principal = None
        return _error_page(request, 503, DATABASE_DOWN + "；急办的业务请到服务窗口。")

    async def out_of_range(request: Request, exc: Exception) -> Response:
        # A number the database cannot store (an id past 64 bits in some field no schema bounds):
        # the input's fault, never a server error.
        log.warning("value out of range: %s", exc)
        return await domain_error(request, InvalidInput(OUT_OF_RANGE))

    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        # Two requests raced past a service's uniqueness check: the database's constraint decided.
        taken = duplicate_key(exc)
        if taken is None:
            raise exc  # any other broken constraint is a bug: a logged server error
        return await domain_error(request, taken)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette runs this outside every middleware, and logs the error itself after it: the answer
        # still says what happened in Chinese and carries the security headers.
        message = "系统出了错，请稍后再试；急办的业务请到服务窗口。"
        if _is_api(request):
            response: Response = JSONResponse(error_body(message, None, "server_error"), status_code=500)
        else:
            request_scope(request).principal = None  # who is signed in may be what failed to load
            response = _error_page(request, 500, message)
        add_security_headers(response.headers, https=settings.https)
        return response

    app.add_exception_handler(Exception, server_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(PoolTimeout, database_unavailable)

    @app.get("/healthz", tags=["ops"], summary="健康检查",
             description="服务和数据库是否正常，以及所用的数据库和搜索后端（供运维监控，公开）。")
    def healthz() -> dict:
        with parts.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": parts.engine.dialect.name, "search_backend": settings.search_backend,
                "matching": parts.matching.status}

    @app.get("/readyz", tags=["ops"], summary="就绪检查",
             description="本进程能否接待请求：数据库可用，且匹配模型已在启动时载入（matching 为 ready）时答 200；"
                         "模型载入中（loading、not_loaded）或载入失败（unavailable）时答 503。"
                         "供负载均衡和容器编排判断把请求交给哪个进程（公开）。",
             responses={503: {"description": "匹配模型尚未载入或载入失败，或数据库不可用"}})
    def readyz() -> JSONResponse:
        with parts.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        status = parts.matching.status
        return JSONResponse({"ready": status == "ready", "matching": status}, status_code=200 if status == "ready" else 503)

    return app
