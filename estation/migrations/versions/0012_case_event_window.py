"""case history: the window each step was done at

``case_event.window``: the counter window of the user who did the step, kept with the step (an admin may
move a clerk to another window later). Steps recorded before this are given their user's window: until
the admin screens of this release no screen or command could move a clerk to another window.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_event") as batch:
        batch.add_column(sa.Column("window", sa.Integer(), nullable=True))
    # "window" is a reserved word in PostgreSQL: quoted.
    op.execute('UPDATE case_event SET "window" = (SELECT app_user."window" FROM app_user '
               'WHERE app_user.id = case_event.by_user_id) WHERE by_user_id IS NOT NULL')


def downgrade() -> None:
    with op.batch_alter_table("case_event") as batch:
        batch.drop_column("window")
