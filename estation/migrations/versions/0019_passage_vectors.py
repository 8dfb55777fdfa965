"""listings' passage vectors in the database

``passage_vector``: the embedding store of estation.matching.vectors.DatabaseEmbeddingStore, used on
PostgreSQL so every app process (and ``estation index rebuild``) shares one store instead of a SQLite
file beside each process. The embedded default keeps its file; the table stays empty there.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passage_vector",
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "digest", name=op.f("pk_passage_vector")),
    )


def downgrade() -> None:
    op.drop_table("passage_vector")
