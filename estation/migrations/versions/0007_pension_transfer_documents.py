"""pension transfer: the catalogue lists only what everyone brings

The transfer's application form used to be on every list, and the documents that depend on the
resident's situation (the household register back in the hukou province, a temporary account's papers,
an approved official transfer) only on the counter's. Those now come with their conditions from the case
type (estation/cases/types/pension_transfer.py), so the catalogue row keeps the documents everyone
brings. A row an admin has edited since the seed is left as it is.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CERTIFICATE = "原参保地社会保险经办机构出具的《基本养老保险参保缴费凭证》（含个人账户记录）"
SEED = ["居民身份证原件", "社会保障卡", CERTIFICATE, "《基本养老保险关系转移接续申请表》"]
NOW = ["居民身份证原件", "社会保障卡", CERTIFICATE]

service_type = sa.table("service_type", sa.column("code", sa.String), sa.column("documents", sa.JSON))


def _replace(old: list[str], new: list[str]) -> None:
    bind = op.get_bind()
    row = bind.execute(sa.select(service_type.c.documents).where(service_type.c.code == "pension_transfer")).first()
    if row is not None and list(row.documents or []) == old:
        bind.execute(service_type.update().where(service_type.c.code == "pension_transfer").values(documents=new))


def upgrade() -> None:
    _replace(SEED, NOW)


def downgrade() -> None:
    _replace(NOW, SEED)
