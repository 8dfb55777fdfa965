"""The FastAPI application: built once per process with its engine, sessions and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from estation.accounts.api import router as accounts_router
from estation.cases.api import router as cases_router
from estation.config import Settings, get_settings
from estation.db import make_engine, make_session_factory
from estation.errors import EstationError, InvalidInput, error_body
from estation.feedback.api import router as feedback_router
from estation.jobs.api import router as jobs_router
from estation.jobs.employer_api import router as employer_api_router
from estation.jobs.search import install_search
from estation.jobs.search_api import router as search_router
from estation.labour.api import router as labour_router
from estation.matching.api import router as matching_router
from estation.matching.runtime import install as install_matching
from estation.ledger.api import router as ledger_router
from estation.web.counter.routes import router as counter_web_router
from estation.web.employer import router as employer_web_router
from estation.web.home import router as home_router
from estation.web.kiosk import router as kiosk_router
from estation.web.ledger.routes import router as ledger_web_router
from estation.web.pages import render
from estation.web.security import CSRF_COOKIE, SignInRequired
from estation.web.templating import STATIC_DIR

log = logging.getLogger("estation")


class CachedStatic(StaticFiles):
    """Static files carry a content version in their URL (static_url), so browsers keep them a year."""

    async def get_response(self, path: str, scope) -> Response:  # noqa: ANN001
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


ERROR_HEADINGS = {401: "请先登录", 403: "没有权限", 404: "没有找到", 409: "已经存在", 422: "填写有误", 429: "请稍后再试", 503: "暂时无法服务"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


DATABASE_DOWN = "数据库暂时不可用，请稍后再试"
OUT_OF_RANGE = "填写的数字超出了允许的范围，请检查后再试"


def _error_page(request: Request, status_code: int, message: str) -> Response:
    heading = ERROR_HEADINGS.get(status_code, "出错了")
    back = "/" + request.url.path.strip("/").split("/")[0]  # the surface's own start page
    return render(request, "error.html", {"heading": heading, "message": message, "back_url": back},
                  status_code=status_code)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.environment != "test":
            # The model loads in the background: the app answers at once, matching says 503 until ready.
            # Tests start many apps; each loads the (shared) model only when a test asks it to match.
            app.state.matching.start()
        yield
        app.state.search_worker.stop()
        app.state.search.close()
        engine.dispose()

    app = FastAPI(
        title="就业e站 estation",
        description="甸柳街道就业e站：劳动保障数据与社区就业服务平台",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_search(app)

    for router in (accounts_router, labour_router, jobs_router, cases_router, home_router, ledger_router, ledger_web_router,
                   kiosk_router, feedback_router, employer_api_router, employer_web_router, counter_web_router,
                   search_router, matching_router):
        app.include_router(router)
    install_matching(app, settings)
    app.mount("/static", CachedStatic(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def csrf_cookie(request: Request, call_next) -> Response:  # noqa: ANN001
        response = await call_next(request)
        token = getattr(request.state, "csrf_token", None)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(EstationError)
    async def domain_error(request: Request, exc: EstationError) -> Response:
        if _is_api(request):
            kind = "value_error" if exc.status_code == 422 else type(exc).__name__
            return JSONResponse(error_body(exc.message, exc.field, kind), status_code=exc.status_code)
        if isinstance(exc, SignInRequired):
            return RedirectResponse(f"{exc.login_url}?next={request.url.path}", status_code=303)
        return _error_page(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        fields = "、".join(str(e["loc"][-1]) for e in errors)
        return _error_page(request, 422, f"填写的内容有误（{fields}），请返回检查后再提交。")

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.error("database unavailable: %s", exc)
        if _is_api(request):
            return JSONResponse({"detail": DATABASE_DOWN}, status_code=503)
        return _error_page(request, 503, DATABASE_DOWN + "；急办的业务请到服务窗口。")

    async def out_of_range(request: Request, exc: Exception) -> Response:
        # A number the database cannot store (an id past 64 bits in some field no schema bounds):
        # the input's fault, never a server error.
        log.warning("value out of range: %s", exc)
        return await domain_error(request, InvalidInput(OUT_OF_RANGE))

    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(PoolTimeout, database_unavailable)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": engine.dialect.name, "search_backend": settings.search_backend}

    return app
