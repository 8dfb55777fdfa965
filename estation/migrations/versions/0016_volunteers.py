"""the volunteer alliance (党员、志愿者联盟): volunteers, needs, assignments and the services done

``volunteer``: a member with id number and phone encrypted (keyed hashes beside them), interests, skills,
the activities wanted, free time by weekday and part of day, consent to be contacted. ``volunteer_need``:
what a community or cadre asks for (a household visit, a class, a clean-up), when and where.
``volunteer_assignment``: a member taken on for a need, with the reasons given. ``volunteer_service``:
each service day, attended or not, and its hours.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

import estation.privacy
from estation.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volunteer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_code", sa.String(12), sa.ForeignKey("community.code"), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("resident.id"), nullable=True, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("id_number", estation.privacy.EncryptedString(length=200), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("phone", estation.privacy.EncryptedString(length=200), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("free_slots", sa.JSON(), nullable=False),
        sa.Column("party_member", sa.Boolean(), nullable=False),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=False),
        sa.Column("max_km", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_volunteer_community_code", "volunteer", ["community_code"])
    op.create_index("ix_volunteer_phone_hash", "volunteer", ["phone_hash"])
    op.create_table(
        "volunteer_need",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_code", sa.String(12), sa.ForeignKey("community.code"), nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=True),
        sa.Column("activity", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("part_of_day", sa.String(32), nullable=False),
        sa.Column("weekly", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("wanted", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("posted_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_volunteer_need_community_code", "volunteer_need", ["community_code"])
    op.create_index("ix_volunteer_need_household_id", "volunteer_need", ["household_id"])
    op.create_index("ix_volunteer_need_status", "volunteer_need", ["status"])
    op.create_table(
        "volunteer_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("need_id", sa.Integer(), sa.ForeignKey("volunteer_need.id"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("volunteer.id"), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("need_id", "volunteer_id", name="uq_volunteer_assignment_need_volunteer"),
    )
    op.create_index("ix_volunteer_assignment_need_id", "volunteer_assignment", ["need_id"])
    op.create_index("ix_volunteer_assignment_volunteer_id", "volunteer_assignment", ["volunteer_id"])
    op.create_table(
        "volunteer_service",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("volunteer_assignment.id"), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("assignment_id", "on", name="uq_volunteer_service_assignment_on"),
    )
    op.create_index("ix_volunteer_service_assignment_id", "volunteer_service", ["assignment_id"])
    op.create_index("ix_volunteer_service_on", "volunteer_service", ["on"])


def downgrade() -> None:
    op.drop_table("volunteer_service")
    op.drop_table("volunteer_assignment")
    op.drop_table("volunteer_need")
    op.drop_table("volunteer")
