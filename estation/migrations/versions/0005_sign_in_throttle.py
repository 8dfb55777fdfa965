"""sign-in throttle counters

One row per account and per client address, counted under a row lock before any password or PIN is
checked, so parallel guesses cannot all read "no failures yet" (the old throttle read the attempt log,
then wrote to it).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
