"""The schema comes from Alembic alone: an empty database migrates to head and matches the models."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from estation.migrate import alembic_config, upgrade
from estation.models import metadata


def test_empty_database_migrates_to_head(engine, database_url) -> None:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_models_and_migrations_agree(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_each_migration_downgrades_and_upgrades_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head
    engine.dispose()
