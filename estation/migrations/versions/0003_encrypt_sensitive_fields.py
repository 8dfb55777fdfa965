"""encrypt health, disability, hardship and ledger texts

Health notes, disability category and grade, hardship reasons and the ledger's texts (problems, action
notes, status-change reasons) are stored encrypted with the data key, like id numbers and phones. The
rows already there are encrypted here; the downgrade decrypts them.

A column whose declared type must change (a grade was an INTEGER, some had lengths too short for the
ciphertext) gets a new column, filled, that then takes the old one's place: SQLite cannot change a type
in place, and its batch mode would drop and recreate tables that others reference with ON DELETE CASCADE.
ADD, DROP and RENAME COLUMN do the same on both engines.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from estation.privacy import decrypt, encrypt

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SAME_TYPE = [("resident", "health_note"), ("ledger_item", "problem"), ("ledger_action", "note")]
"""Columns whose declared type (TEXT) holds the ciphertext as it is."""

RETYPED = [
    # table, column, encrypted type, plaintext type, nullable
    ("resident", "disability_category", sa.String(200), sa.String(20), True),
    ("resident", "disability_grade", sa.String(200), sa.Integer(), True),
    ("household", "hardship_reason", sa.Text(), sa.String(200), True),
    ("ledger_status_change", "reason", sa.Text(), sa.String(300), False),
]


def _rows(table: str, column: str) -> list:
    return list(op.get_bind().execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")))


def _rewrite(table: str, column: str, target: str, convert: Callable[[object], object]) -> None:
    """Set ``target`` to ``convert(column)`` in every row where ``column`` is not null."""
    rows = [{"id": i, "v": convert(v)} for i, v in _rows(table, column)]
    if rows:
        op.get_bind().execute(sa.text(f"UPDATE {table} SET {target} = :v WHERE id = :id"), rows)


def _retype(table: str, column: str, new_type: sa.types.TypeEngine, nullable: bool,
            convert: Callable[[object], object]) -> None:
    temporary = f"{column}_retyped"
    # SQLite adds a NOT NULL column only with a default; the default is dropped again where it can be.
    default = None if nullable else sa.text("''")
    op.add_column(table, sa.Column(temporary, new_type, nullable=nullable, server_default=default))
    _rewrite(table, column, temporary, convert)
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.execute(f"ALTER TABLE {table} RENAME COLUMN {temporary} TO {column}")
    if default is not None and op.get_bind().dialect.name == "postgresql":
        op.alter_column(table, column, server_default=None)


def upgrade() -> None:
    for table, column in SAME_TYPE:
        _rewrite(table, column, column, lambda v: encrypt(str(v)))
    for table, column, encrypted, _, nullable in RETYPED:
        _retype(table, column, encrypted, nullable, lambda v: encrypt(str(v)))


def downgrade() -> None:
    for table, column, _, plain, nullable in reversed(RETYPED):
        to_plain = (lambda v: int(decrypt(v))) if isinstance(plain, sa.Integer) else decrypt
        _retype(table, column, plain, nullable, to_plain)
    for table, column in SAME_TYPE:
        _rewrite(table, column, column, decrypt)
