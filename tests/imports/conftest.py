"""Import/export tests run on a real SQLite file migrated by Alembic, committed for real.

The per-test transaction rollback of tests/conftest.py would hide exactly what these tests check (that
a refused file leaves nothing behind after commit), so each test gets its own copy of one migrated and
seeded database file, and reads back through a fresh session.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from estation.config import get_settings
from estation.db import make_engine, make_session_factory
from estation.migrate import upgrade
from tests.factories import seed_places


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and seeded once; every test copies the file (Alembic per test would dominate the run)."""
    path = tmp_path_factory.mktemp("imports-template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        seed_places(session)
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "estation.sqlite3"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def db(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        yield session


@pytest.fixture
def count(factory: sessionmaker[Session]) -> Callable[[type], int]:
    """Rows of a model as another connection sees them: only what was committed."""

    def counter(model: type) -> int:
        with factory() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    return counter


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ESTATION_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    monkeypatch.undo()
    get_settings.cache_clear()
