"""reference counters and one-time form submissions

Reference numbers were "max + 1" of the day's references, read then written: requests at the same
moment took the same number and all but one failed. They now come from a counter row per prefix and
day, incremented by one upsert. The counters start where the references already given stop.

Forms carry a one-time token; the tokens used are kept for a while with the page each submission led to.

Revision ID: 0006
Revises: 0005
"""

import re

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NUMBERED = ("counter_case", "application", "kiosk_print", "suggestion")
REFERENCE = re.compile(r"([A-Z]{2}\d{8})(\d{4})")


def upgrade() -> None:
    counters = op.create_table(
        "reference_counter",
        sa.Column("stem", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("stem", name=op.f("pk_reference_counter")),
    )
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("result_url", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submission")),
    )
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_submission_created_at"), ["created_at"], unique=False)

    last: dict[str, int] = {}
    bind = op.get_bind()
    for table in NUMBERED:
        for (reference,) in bind.execute(sa.text(f"SELECT reference FROM {table}")):
            found = REFERENCE.fullmatch(reference)
            if found:
                stem, number = found.group(1), int(found.group(2))
                last[stem] = max(last.get(stem, 0), number)
    if last:
        op.bulk_insert(counters, [{"stem": stem, "last_number": number} for stem, number in sorted(last.items())])


def downgrade() -> None:
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_submission_created_at"))
    op.drop_table("form_submission")
    op.drop_table("reference_counter")
