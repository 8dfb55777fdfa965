"""One Chinese label per enum value, declared beside the value itself.

Every enum whose values reach people is a ``Labelled`` enum, each member written as
``full = "full", "完全劳动能力"``. Screens, printouts, exports, notifications and the API read
``member.label``; no other table of an enum's words exists (tests/test_labels.py checks both), so the
same value reads the same on the kiosk, at the counter, in the ledger and in an Excel file.
"""

from __future__ import annotations

import enum
from typing import Self


class Labelled(str, enum.Enum):
    """A str enum whose members carry their one Chinese label (``member.label``)."""

    _value_: str
    label: str

    # ``label`` has a default only so that a lookup by value, ``Role("admin")``, type-checks (Enum's call
    # finds the member and never runs this); every declared member gives one (tests/test_labels.py).
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
