"""policy reminders marked: received (已享受) or not applicable (不适用)

``reminder_mark``: a cadre's answer to one policy reminder (a rule for a household member), kept as rows
that are only added; the latest for a member and rule is the answer. The leader's per-community counts of
eligible households that received each policy are read from it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_mark",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False),
        sa.Column("rule_code", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_reminder_mark_household_id", "reminder_mark", ["household_id"])
    op.create_index("ix_reminder_mark_resident_id", "reminder_mark", ["resident_id"])


def downgrade() -> None:
    op.drop_index("ix_reminder_mark_resident_id", "reminder_mark")
    op.drop_index("ix_reminder_mark_household_id", "reminder_mark")
    op.drop_table("reminder_mark")
