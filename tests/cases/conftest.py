"""API tests of the cases domain use the shared harness (``api``: the real app on a migrated SQLite
file); service tests use the shared ``session`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session


@pytest.fixture
def client(api) -> Iterator[TestClient]:
    # Server errors come back as responses, so a test can assert that no input gives a 500.
    with TestClient(api.app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def db(api) -> Iterator[Session]:
    """A session on the app's own database, for arranging rows an API test reads."""
    session = api.db()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
