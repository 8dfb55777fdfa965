"""admin screens: policy-reminder rules kept by an admin, uploaded sheets waiting for the clerk's decision

``policy_rule``: once an admin saves a rule, these rows are the rules in force (before that, the
configured file or the built-in ones). ``import_upload``: a sheet checked on upload, kept until the
clerk imports its good rows or discards it; its report of bad rows stays.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_rule",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by_user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "import_upload",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_import_upload_status", "import_upload", ["status"])


def downgrade() -> None:
    op.drop_index("ix_import_upload_status", table_name="import_upload")
    op.drop_table("import_upload")
    op.drop_table("policy_rule")
