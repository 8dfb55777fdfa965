"""vacancy demands hold only what the employer stated

A vacancy's ``demands`` used to hold all seven functional domains, 0 wherever the employer gave no
answer: the posting form pre-selected the lowest level, and the API and the importer filled a missing
domain with 0. A 0 therefore cannot be told from "never answered", and a job posted with untouched
controls was called 适合残疾人 and "不依赖视力". From now on a domain missing from ``demands`` is
unstated (unknown, see estation.physical), and every new vacancy states all seven.

Existing rows: every 0 is dropped (it may have been a default); levels above 0 were chosen by someone
and are kept. This holds for demo rows too (re-create the demo database to have its vacancies state
every demand again, as the demo generator does). Changed open vacancies are queued for re-indexing,
so search filters stop treating their unknown demands as the lowest. The downgrade fills the missing
domains with 0 again, which is what the previous code read them as.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from estation.db import UTCDateTime, utcnow

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DOMAINS = ("standing_walking", "lifting_carrying", "fine_hand", "seeing", "hearing", "speaking", "learning_memory")
"""estation.physical.DOMAIN_NAMES as they were when this migration was written."""

vacancy = sa.table("vacancy", sa.column("id", sa.Integer), sa.column("demands", sa.JSON),
                   sa.column("status", sa.String))
outbox = sa.table("outbox", sa.column("topic", sa.String), sa.column("entity_id", sa.Integer),
                  sa.column("created_at", UTCDateTime()), sa.column("attempts", sa.Integer))


def _rewrite(change) -> None:
    bind = op.get_bind()
    changed = []
    for row in bind.execute(sa.select(vacancy.c.id, vacancy.c.demands, vacancy.c.status)):
        old = dict(row.demands or {})
        if (new := change(old)) != old:
            changed.append((row.id, new, row.status))
    for i, new, _status in changed:
        bind.execute(vacancy.update().where(vacancy.c.id == i).values(demands=new))
    reindex = [{"topic": "index.vacancy", "entity_id": i, "created_at": utcnow(), "attempts": 0}
               for i, _new, status in changed if status == "open"]
    if reindex:
        bind.execute(outbox.insert(), reindex)


def upgrade() -> None:
    _rewrite(lambda demands: {d: level for d, level in demands.items() if level})


def downgrade() -> None:
    _rewrite(lambda demands: {d: demands.get(d, 0) for d in DOMAINS})
