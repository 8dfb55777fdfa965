"""The service hall's clock: stored times are UTC, days and displayed times are Beijing time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Beijing, whatever the server's time zone: the day cases, duties and pairings count by."""
    return datetime.now(BEIJING).date()
