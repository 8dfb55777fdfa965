"""notices (通知公告) with their validity and audience, and residents' consent to get them as alerts

``notice``: kind, title, text, audience (everyone, one community, job seekers), valid from/until, who
wrote, changed and withdrew it, when it was pushed; ``alert_consent.notices``: the new alert topic.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("community_code", sa.String(12), sa.ForeignKey("community.code"), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("pushed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_notice_community_code", "notice", ["community_code"])
    op.create_index("ix_notice_valid_from", "notice", ["valid_from"])
    op.create_index("ix_notice_valid_until", "notice", ["valid_until"])
    with op.batch_alter_table("alert_consent") as batch:
        batch.add_column(sa.Column("notices", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("alert_consent") as batch:
        batch.drop_column("notices")
    op.drop_table("notice")
