"""Back up the database to one file and restore it into an empty instance.

SQLite is copied with its online backup API (a consistent snapshot while the app runs); PostgreSQL with
``pg_dump``/``pg_restore`` in their custom format. Personal data stays encrypted in the file, exactly as
it is at rest. The search index is not backed up: it is rebuilt from the restored database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, make_url

from estation.db import make_engine
from estation.errors import EstationError


class BackupError(EstationError):
    pass


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is needed to back up PostgreSQL (Debian package postgresql-client)")
    return path


def backup(url: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(out) as target:
            source.backup(target)
        return
    subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", _libpq_url(url)], check=True,
                   capture_output=True)


def is_empty(url: str) -> bool:
    """True when the database has no tables yet, or only an empty schema."""
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
        if "resident" not in tables:
            return True
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT COUNT(*) FROM resident").scalar() == 0
    finally:
        engine.dispose()


def restore(url: str, src: Path) -> None:
    """Restore ``src`` into the database at ``url``, which must be empty: a restore never merges."""
    if not src.is_file():
        raise BackupError(f"backup file not found: {src}")
    if not is_empty(url):
        raise BackupError("the target database already holds residents; restore only into an empty instance")
    if make_url(url).get_backend_name() == "sqlite":
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(src) as source, sqlite3.connect(target_path) as target:
            source.backup(target)
        return
    libpq = _libpq_url(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # an empty migrated schema is dropped so the dump's own is used
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        engine.dispose()
    subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={libpq}", str(src)], check=True,
                   capture_output=True)
