"""The cases domain's API tests run against the real app from ``estation.app.create_app()`` on a fresh,
migrated SQLite file; service tests use the shared ``session`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from estation.app import create_app
from estation.cases.api import router
from estation.config import Settings
from estation.migrate import upgrade


@pytest.fixture(scope="session")
def api_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cases-api') / 'estation.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def app(api_database_url: str, tmp_path):  # noqa: ANN201
    app = create_app(Settings(environment="test", database_url=api_database_url, var_dir=tmp_path))
    if "/api/v1/pension/transfer-assessment" not in app.openapi()["paths"]:
        # Until estation/app.py includes the cases router (the lead wires it).
        app.include_router(router)
        app.openapi_schema = None
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def db(app) -> Iterator[Session]:  # noqa: ANN001
    """A session on the app's own database, for arranging rows an API test reads (cleaned up after)."""
    session = app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
