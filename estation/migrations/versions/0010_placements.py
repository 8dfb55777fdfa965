"""from application to retained job: interviews, placements, follow-ups at 1, 3 and 6 months

- application: the interview's time and place and whether the resident came.
- placement: a person started a job (hired through an application, or reported by the paired cadre after
  a ledger job referral), with wage, contract type, 公益性岗位 and its term, and when it ended.
- placement_follow_up belongs to a placement now (the ledger's placement action only when the cadre
  reported it), counts months (1, 3, 6) instead of days, and records who answered and their note.
  Existing follow-ups get a placement made from their ledger placement action; 30 days read as 1 month,
  90 days as 3.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime, utcnow

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("interview_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("interview_place", sa.String(120), nullable=True))
        batch.add_column(sa.Column("interview_attended", sa.Boolean(), nullable=True))
    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), sa.ForeignKey("vacancy.id"), nullable=False),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("application.id"), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("monthly_wage", sa.Integer(), nullable=True),
        sa.Column("contract_type", sa.String(32), nullable=True),
        sa.Column("public_welfare", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("term_until", sa.Date(), nullable=True),
        sa.Column("previous_status", sa.String(32), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("application_id", name="uq_placement_application_id"),
    )
    op.create_index("ix_placement_resident_id", "placement", ["resident_id"])
    op.create_index("ix_placement_vacancy_id", "placement", ["vacancy_id"])
    op.create_index("ix_placement_started_on", "placement", ["started_on"])

    with op.batch_alter_table("placement_follow_up") as batch:
        batch.add_column(sa.Column("placement_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("months_after", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("note", sa.String(200), nullable=True))
    _placements_for_existing_follow_ups()
    with op.batch_alter_table("placement_follow_up") as batch:
        batch.alter_column("placement_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("months_after", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("placement_action_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_column("days_after")
        batch.create_foreign_key("fk_placement_follow_up_placement_id_placement", "placement", ["placement_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_foreign_key("fk_placement_follow_up_answered_by_id_app_user", "app_user", ["answered_by_id"],
                                 ["id"])
        batch.create_index("ix_placement_follow_up_placement_id", ["placement_id"])


def _placements_for_existing_follow_ups() -> None:
    conn = op.get_bind()
    follow_up = sa.table("placement_follow_up", sa.column("id"), sa.column("placement_action_id"),
                         sa.column("days_after"), sa.column("placement_id"), sa.column("months_after"))
    action = sa.table("ledger_action", sa.column("id"), sa.column("resident_id"), sa.column("vacancy_id"),
                      sa.column("on"), sa.column("by_user_id"))
    placement = sa.table("placement", sa.column("id"), sa.column("resident_id"), sa.column("vacancy_id"),
                         sa.column("started_on"), sa.column("public_welfare"), sa.column("recorded_by_id"),
                         sa.column("created_at"), sa.column("updated_at"))
    action_ids = conn.execute(sa.select(follow_up.c.placement_action_id).distinct()).scalars().all()
    for action_id in action_ids:
        row = conn.execute(sa.select(action).where(action.c.id == action_id)).one()
        now = utcnow()
        placement_id = conn.execute(sa.insert(placement).values(
            resident_id=row.resident_id, vacancy_id=row.vacancy_id, started_on=row.on, public_welfare=False,
            recorded_by_id=row.by_user_id, created_at=now, updated_at=now).returning(placement.c.id)).scalar_one()
        conn.execute(sa.update(follow_up).where(follow_up.c.placement_action_id == action_id)
                     .values(placement_id=placement_id))
    days = follow_up.c.days_after
    conn.execute(sa.update(follow_up).values(months_after=sa.case((days >= 180, 6), (days >= 90, 3), else_=1)))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM placement_follow_up WHERE placement_action_id IS NULL"))
    with op.batch_alter_table("placement_follow_up") as batch:
        batch.add_column(sa.Column("days_after", sa.Integer(), nullable=True))
    conn.execute(sa.text("UPDATE placement_follow_up SET days_after = months_after * 30"))
    with op.batch_alter_table("placement_follow_up") as batch:
        batch.drop_index("ix_placement_follow_up_placement_id")
        batch.drop_constraint("fk_placement_follow_up_answered_by_id_app_user", type_="foreignkey")
        batch.drop_constraint("fk_placement_follow_up_placement_id_placement", type_="foreignkey")
        batch.alter_column("days_after", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("placement_action_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("note")
        batch.drop_column("answered_by_id")
        batch.drop_column("months_after")
        batch.drop_column("placement_id")
    op.drop_index("ix_placement_started_on", table_name="placement")
    op.drop_index("ix_placement_vacancy_id", table_name="placement")
    op.drop_index("ix_placement_resident_id", table_name="placement")
    op.drop_table("placement")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("interview_attended")
        batch.drop_column("interview_place")
        batch.drop_column("interview_at")
