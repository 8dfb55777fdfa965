"""Engine, declarative base and unit-of-work helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import enum

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC when read back (SQLite stores it without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        # Every time in the application is UTC; a naive one is taken as UTC, never as local time.
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def enum_column(cls: type[enum.Enum], length: int = 32) -> Enum:
    """Enums are stored as their string values in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


THREADS = 16
"""Requests a server process lets in at once, and the worker threads their blocking work runs on (the app
sets anyio's limiter to this at start-up, whose default is 40; estation.middleware.Admission holds the
rest at the door). Fewer threads served more pages on two cores, with shorter waits: the threads contend
for one interpreter lock."""

POOL = {"pool_size": 2 * THREADS + 4, "max_overflow": 4, "pool_timeout": 10}
"""Connections per process: two for each request let in (its unit of work, held from its first query to its
end, and the short one that stamps a sign-in session or counts unread messages) and a few for the
background workers, so a request never waits for a connection. The timeout turns any remaining exhaustion
into a 503, not a hang. At most 40 per process: PostgreSQL's max_connections must cover replicas x
workers x 40 (README, "Several processes")."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = make_url(url).database
        in_memory = not path or path == ":memory:"  # one connection only: no pool to size
        if path and not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **({} if in_memory else POOL))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **POOL)


def insert_or_merge(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say what to do with a row already there (ON CONFLICT ...), one statement that
    holds under parallel requests; PostgreSQL and SQLite spell it alike."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[session.get_bind().dialect.name]
    return dialect.insert(model)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions of the app, the CLI and the scripts. Every model is registered first (estation.models):
    a flush resolves every foreign key of the rows it writes, and a process that had loaded only some
    models (the CLI: employer.community_code -> community) would fail with NoReferencedTableError."""
    import estation.models  # noqa: F401 - imported here, not at the top: the models import this module

    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The CLI's unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
