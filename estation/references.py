"""Reference numbers (办件 DL, 求职意向 YX, 打印 DY, 留言 LY): a prefix, the day, a four-digit number of the day.

The number comes from one counter row per prefix and day, taken by a single upsert that returns the new
value. The row stays locked until the request's transaction ends, so requests at the same moment get
consecutive numbers instead of all reading the same "max + 1"; a request that fails gives its number
back (its increment rolls back with it), so numbers run without gaps.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from estation.db import Base, insert_or_merge


class ReferenceCounter(Base):
    __tablename__ = "reference_counter"

    stem: Mapped[str] = mapped_column(String(16), primary_key=True)
    """Prefix and day, e.g. ``LY20250301``."""
    last_number: Mapped[int] = mapped_column(Integer)


def next_reference(session: Session, *, prefix: str, day: date) -> str:
    stem = f"{prefix}{day:%Y%m%d}"
    insert = insert_or_merge(session, ReferenceCounter)
    number = session.execute(
        insert.values(stem=stem, last_number=1)
        .on_conflict_do_update(index_elements=[ReferenceCounter.stem],
                               set_={"last_number": ReferenceCounter.last_number + 1})
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return f"{stem}{number:04d}"
