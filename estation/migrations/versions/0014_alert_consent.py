"""residents' consent to alerts outside the platform (SMS / WeChat)

``alert_consent``: one row per resident who opted in: the channel, the WeChat address for template
messages, the topics (application steps, daily job digest), when given and when withdrawn.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import estation.privacy
from estation.db import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_consent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False, unique=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("wechat_openid", estation.privacy.EncryptedString(length=200), nullable=True),
        sa.Column("application_steps", sa.Boolean(), nullable=False),
        sa.Column("job_digest", sa.Boolean(), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("alert_consent")
