"""Backup and restore: a backup restored into an empty instance holds exactly the same rows."""

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from estation.backup import BackupError, backup, restore
from estation.config import get_settings
from estation.db import make_engine
from estation.migrate import upgrade
from tests.conftest import POSTGRES_ADMIN_URL, drop_database
from tests.factories import create_employer, create_resident, create_vacancy


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table's raw stored rows (ciphertext as stored), ordered, for comparison."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
                out[table] = sorted((tuple(map(repr, r)) for r in rows))
            return out
    finally:
        engine.dispose()


def _fill(url: str) -> None:
    from sqlalchemy.orm import Session

    engine = make_engine(url)
    with Session(engine) as s:
        employer = create_employer(s)
        create_vacancy(s, employer=employer)
        create_resident(s, name="吴玉珍")
        s.commit()
    engine.dispose()


@pytest.fixture
def pg_databases():
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"estation_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with admin.connect() as conn:
        for n in names:
            conn.execute(text(f'CREATE DATABASE "{n}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield [f"{base}/{n}" for n in names]
    with admin.connect() as conn:
        for n in names:
            drop_database(conn, n)
    admin.dispose()


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_backup_restores_into_an_empty_instance(engine_kind, tmp_path, request) -> None:
    if engine_kind == "sqlite":
        source, target = f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"
    else:
        source, target = request.getfixturevalue("pg_databases")
    upgrade(source)
    _fill(source)
    upgrade(target)  # an empty, migrated instance, as a new server would have
    dump = tmp_path / "estation.backup"
    backup(source, dump)
    assert dump.stat().st_size > 0
    restore(target, dump)
    before, after = _snapshot(source), _snapshot(target)
    assert after == before
    assert len(after["resident"]) == 1 and len(after["vacancy"]) == 1
    with pytest.raises(BackupError, match="empty"):
        restore(target, dump)


def test_cli_restore_rebuilds_the_search_index(tmp_path, monkeypatch) -> None:
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    upgrade(source)
    _fill(source)
    dump = tmp_path / "backup.sqlite3"
    backup(source, dump)

    var = tmp_path / "var"
    monkeypatch.setenv("ESTATION_VAR_DIR", str(var))
    monkeypatch.setenv("ESTATION_DATABASE_URL", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    monkeypatch.setenv("ESTATION_SEARCH_BACKEND", "embedded")
    get_settings.cache_clear()
    try:
        from estation.cli import app

        result = CliRunner().invoke(app, ["restore", str(dump)])
        assert result.exit_code == 0, result.output
        assert "已重建岗位索引：1 条" in result.output
        again = CliRunner().invoke(app, ["restore", str(dump)])
        assert again.exit_code == 1 and "无法恢复" in again.output
    finally:
        get_settings.cache_clear()
