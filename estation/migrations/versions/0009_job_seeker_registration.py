"""job seeker registration at the counter: registration kind and date, 就业困难人员 recognition, change log

A resident registered at the counter carries how (求职登记 / 失业登记) and since when; a recognised
就业困难人员 carries the category and the date of recognition, both encrypted like health data. Every
change to a resident's record is logged with who, when, why and which fields in ``resident_change``.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resident") as batch:
        batch.add_column(sa.Column("difficulty_category", sa.String(200), nullable=True))
        batch.add_column(sa.Column("difficulty_recognised_on", sa.String(200), nullable=True))
        batch.add_column(sa.Column("registration", sa.String(32), nullable=True))
        batch.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
    op.create_table(
        "resident_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
    )
    op.create_index("ix_resident_change_resident_id", "resident_change", ["resident_id"])


def downgrade() -> None:
    op.drop_index("ix_resident_change_resident_id", table_name="resident_change")
    op.drop_table("resident_change")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch would copy the table and drop the old one,
    # which SQLite refuses while other tables' rows refer to residents.
    for column in ("registered_on", "registration", "difficulty_recognised_on", "difficulty_category"):
        op.drop_column("resident", column)
