"""residents bind their WeChat at the kiosk

``wechat_binding``: a one-time code shown as a QR code at the kiosk (its hash), when it expires, and once
the resident scanned it, their WeChat address for the official account (encrypted) and when.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import estation.privacy
from estation.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_binding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False, index=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("openid", estation.privacy.EncryptedString(length=200), nullable=True),
        sa.Column("bound_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("wechat_binding")
