"""volunteer applications from the public phone page

``volunteer`` gains a state (``pending`` until community staff confirm an application made without
sign-in, ``member``, ``declined`` with its reason, who decided and when) and the applicant's own age band;
an application carries no id number, so ``id_number`` and its hash may be empty. Existing rows are members.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volunteer") as batch:
        batch.alter_column("id_number", existing_type=sa.String(200), nullable=True)
        batch.alter_column("id_number_hash", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("stated_age_band", sa.String(32), nullable=True))
        batch.add_column(sa.Column("status", sa.String(32), nullable=False, server_default="member"))
        batch.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("decline_reason", sa.String(200), nullable=False, server_default=""))
        batch.create_foreign_key("fk_volunteer_decided_by_id_app_user", "app_user", ["decided_by_id"], ["id"])
        batch.create_index("ix_volunteer_status", ["status"])
    with op.batch_alter_table("volunteer") as batch:
        batch.alter_column("status", server_default=None)
        batch.alter_column("decline_reason", server_default=None)


def downgrade() -> None:
    # Rows without an id number cannot stay in the old table (phone applications and the members made of them).
    unnamed = "SELECT id FROM volunteer WHERE id_number IS NULL"
    op.execute("DELETE FROM volunteer_service WHERE assignment_id IN "
               f"(SELECT id FROM volunteer_assignment WHERE volunteer_id IN ({unnamed}))")
    op.execute(f"DELETE FROM volunteer_assignment WHERE volunteer_id IN ({unnamed})")
    op.execute("DELETE FROM volunteer WHERE id_number IS NULL")
    with op.batch_alter_table("volunteer") as batch:
        batch.drop_index("ix_volunteer_status")
        batch.drop_constraint("fk_volunteer_decided_by_id_app_user", type_="foreignkey")
        batch.drop_column("decline_reason")
        batch.drop_column("decided_on")
        batch.drop_column("decided_by_id")
        batch.drop_column("status")
        batch.drop_column("stated_age_band")
        batch.alter_column("id_number_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("id_number", existing_type=sa.String(200), nullable=False)
