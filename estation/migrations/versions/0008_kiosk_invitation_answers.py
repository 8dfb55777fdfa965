"""kiosk: a resident's answer to an invitation, and a question about a start-up opportunity

- invitation.decline_reason: the optional reason a resident gives when declining (chosen or typed).
- invitation.share_phone: whether the resident agreed, when accepting, that the employer may see their
  phone number (old rows: true, which is what the employer was shown until now).
- suggestion.startup_id: a resident's question about a start-up opportunity, asked at the kiosk, goes to
  the staff's suggestion queue tied to the opportunity it is about.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("decline_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("share_phone", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("startup_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_suggestion_startup_id_startup_opportunity", "startup_opportunity", ["startup_id"], ["id"])
        batch.create_index("ix_suggestion_startup_id", ["startup_id"])


def downgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_index("ix_suggestion_startup_id")
        batch.drop_constraint("fk_suggestion_startup_id_startup_opportunity", type_="foreignkey")
        batch.drop_column("startup_id")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("share_phone")
        batch.drop_column("decline_reason")
