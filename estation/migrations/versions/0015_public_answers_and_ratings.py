"""suggestions answered in public, and service ratings (好差评) with their follow-up items

- suggestion: the resident's consent to show it in public, the topic the answering staff chose, whether it
  is published, and the masked public copies of the question and the answer.
- service_rating: one rating of a counter case (unique case_id) or of a kiosk session (unique
  kiosk_session), with the window and service copied from the case for the monthly report.
- rating_follow_up / rating_follow_up_step: a poor rating's item for a supervisor and what was done.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("public_consent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("topic", sa.String(32), nullable=True))
        batch.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("public_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("public_answer", sa.Text(), nullable=True))
        batch.create_index("ix_suggestion_published", ["published"])
    with op.batch_alter_table("suggestion") as batch:
        batch.alter_column("public_consent", server_default=None)
        batch.alter_column("published", server_default=None)
    op.create_table(
        "service_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("counter_case.id"), nullable=True, unique=True),
        sa.Column("kiosk_session", sa.String(64), nullable=True, unique=True),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("service_code", sa.String(40), sa.ForeignKey("service_type.code"), nullable=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_service_rating_resident_id", "service_rating", ["resident_id"])
    op.create_index("ix_service_rating_rated_at", "service_rating", ["rated_at"])
    op.create_table(
        "rating_follow_up",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rating_id", sa.Integer(), sa.ForeignKey("service_rating.id"), nullable=False, unique=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_rating_follow_up_status", "rating_follow_up", ["status"])
    op.create_table(
        "rating_follow_up_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("follow_up_id", sa.Integer(), sa.ForeignKey("rating_follow_up.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_rating_follow_up_step_follow_up_id", "rating_follow_up_step", ["follow_up_id"])


def downgrade() -> None:
    op.drop_table("rating_follow_up_step")
    op.drop_table("rating_follow_up")
    op.drop_table("service_rating")
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_index("ix_suggestion_published")
        for column in ("public_answer", "public_text", "published", "topic", "public_consent"):
            batch.drop_column(column)
