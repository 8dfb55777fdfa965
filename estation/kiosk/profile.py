"""The resident's own profile at the kiosk: wishes, skills and consent to be shown to employers.

Every change goes through estation.labour.service.update_resident, so it is logged the way every change
to a resident's record is (``resident_change``: who, when, why, which fields), and the counter's resident
page lists it with the rest. Services only flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.errors import InvalidInput, validation_message
from estation.kiosk.service import OWN_RECORD, resident_of
from estation.labour.models import Resident
from estation.labour.schemas import FIELD_NAMES, ResidentUpdate
from estation.labour.service import update_resident

OWN_CHANGE = "本人在自助终端修改"
HOURS_CHOICES = (2, 4, 6, 8)
DAYS_CHOICES = (2, 3, 5, 6)
TRAVEL_CHOICES = (1, 3, 5, 10)
SHOWN_TEXT = 60

FIELDS = {
    "preferred_hours_per_day": "每天想干几个小时",
    "preferred_days_per_week": "每周想干几天",
    "max_travel_km": "离家最远多远",
    "home_based_only": "只找在家干的活",
    "wishes": "想找什么工作",
    "skills": "我会的手艺",
    "consent_to_employers": "让用人单位看到我",
}
"""The profile fields a resident changes here, by the name the kiosk gives them."""


def shown(field: str, value: object) -> str:
    """A field's value as the page says it."""
    if field == "preferred_hours_per_day":
        return f"{value:g}小时" if isinstance(value, int | float) else "不限"
    if field == "preferred_days_per_week":
        return f"{value}天" if value else "不限"
    if field == "max_travel_km":
        return f"{value:g}公里" if isinstance(value, int | float) else "不限"
    if field == "home_based_only":
        return "是" if value else "否"
    if field == "consent_to_employers":
        return "同意" if value else "不同意"
    text = " ".join(str(value or "").split())
    return (text[:SHOWN_TEXT] + "…" if len(text) > SHOWN_TEXT else text) or "（空）"


def own_profile(session: Session, *, user: User) -> Resident:
    """The signed-in resident's record, for 我的资料; the read is logged as every kiosk read of one's own."""
    resident = resident_of(session, user)
    log_access(session, user=user, resident_id=resident.id, action="view", what="我的资料", reason=OWN_RECORD)
    return resident


def _change(session: Session, *, user: User, resident: Resident, values: dict[str, object]) -> list[str]:
    """Write the fields that differ (validated as every other surface's edits are, logged as every change
    is); the names of those fields."""
    changed = {k: v for k, v in values.items() if getattr(resident, k) != v}
    if not changed:
        return []
    try:
        data = ResidentUpdate.model_validate(changed)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        raise InvalidInput(f"{FIELDS.get(field or '', '填写的内容')}：{validation_message(dict(first))}", field=field) from None
    update_resident(session, resident=resident, data=data, user=user, reason=OWN_CHANGE)
    return [FIELDS[k] for k in changed]


def change_wishes(session: Session, *, user: User, resident: Resident, hours: float | None, days: int | None,
                  travel_km: float, home_based_only: bool, wishes: str, skills: str) -> list[str]:
    """Save the resident's wishes and skills; the names of the fields that changed (empty: nothing did)."""
    return _change(session, user=user, resident=resident, values={
        "preferred_hours_per_day": hours, "preferred_days_per_week": days, "max_travel_km": travel_km,
        "home_based_only": home_based_only, "wishes": wishes.strip(), "skills": skills.strip(),
    })


def set_consent(session: Session, *, user: User, resident: Resident, consent: bool) -> bool:
    """Grant or withdraw consent to be shown to employers. Employers' candidate lists read the column on
    every request, so a withdrawal hides the resident from the next page an employer opens. True if changed."""
    return bool(_change(session, user=user, resident=resident, values={"consent_to_employers": consent}))


@dataclass(frozen=True)
class ChangeView:
    at: datetime
    said: str
    """Who and why, as the page says it: 您本人在自助终端修改, or the staff role and their reason."""
    what: list[str]


def recent_changes(resident: Resident, *, limit: int = 6) -> list[ChangeView]:
    """The latest changes to the resident's record, by anyone, newest first: who (the resident, or the
    staff role, never a staff member's name at the kiosk), why and which items."""
    return [
        ChangeView(at=c.at, said=_said(c.role, c.reason),
                   what=[FIELDS.get(f) or FIELD_NAMES.get(f, "其他") for f in c.fields])
        for c in resident.changes[:limit]
    ]


def _said(role: str, reason: str) -> str:
    if role == Role.resident.value:
        return "您本人在自助终端修改" if reason == OWN_CHANGE else f"您本人 · {reason}"
    who = Role(role).label if role in Role._value2member_map_ else "批量导入"
    return f"{who} · {reason}"
