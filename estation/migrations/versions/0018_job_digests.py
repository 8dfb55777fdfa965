"""daily digests of new matching jobs, and notifications to one staff member

``notification.user_id``: a notification addressed to one staff member (audience ``user``), e.g. a cadre's
daily summary of new matches for their households. ``job_digest``: one row per resident (or cadre) per
Beijing day, unique on ``(resident_id, day)`` and ``(user_id, day)``: the claim that makes the digest
once a day however many processes run it.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_notification_user_id_app_user", "app_user", ["user_id"], ["id"])
        batch.create_index("ix_notification_user_id", ["user_id"])
    op.create_table(
        "job_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("ran_at", UTCDateTime(), nullable=False),
        sa.Column("vacancy_ids", sa.JSON(), nullable=False),
        sa.Column("household_ids", sa.JSON(), nullable=False),
        sa.Column("notification_id", sa.Integer(), sa.ForeignKey("notification.id"), nullable=True),
        sa.UniqueConstraint("resident_id", "day"),
        sa.UniqueConstraint("user_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("job_digest")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_user_id")
        batch.drop_constraint("fk_notification_user_id_app_user", type_="foreignkey")
        batch.drop_column("user_id")
