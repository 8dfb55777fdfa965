"""The FastAPI application: built once per process with its engine, sessions and routers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from estation.accounts.api import router as accounts_router
from estation.config import Settings, get_settings
from estation.db import make_engine, make_session_factory
from estation.errors import EstationError, error_body
from estation.jobs.api import router as jobs_router
from estation.labour.api import router as labour_router

log = logging.getLogger("estation")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    app = FastAPI(
        title="就业e站 estation",
        description="甸柳街道就业e站：劳动保障数据与社区就业服务平台",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)

    for router in (accounts_router, labour_router, jobs_router):
        app.include_router(router)

    @app.exception_handler(EstationError)
    async def domain_error(request: Request, exc: EstationError) -> JSONResponse:
        kind = "value_error" if exc.status_code == 422 else type(exc).__name__
        return JSONResponse(error_body(exc.message, exc.field, kind), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return JSONResponse({"detail": "数据库暂时不可用，请稍后再试"}, status_code=503)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": engine.dialect.name, "search_backend": settings.search_backend}

    return app
