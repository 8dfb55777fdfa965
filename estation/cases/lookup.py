"""Finding a resident at the counter and the one view of everything about them.

A name is matched tolerantly: the same sound written with other characters (王秀英 / 王秀莹), a sound
that is commonly confused (王秀英 / 王秀音, zh/z, n/l, -ng/-n), or typed as pinyin. Id numbers and phones are matched by their lookup hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import lazy_pinyin
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.cases.models import Case
from estation.jobs.models import Application
from estation.labour import repository as labour_repository
from estation.labour.access import scope_residents
from estation.labour.models import Resident
from estation.ledger.models import LedgerItem

MAX_RESULTS = 20
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
PHONE = re.compile(r"^1[3-9]\d{9}$")
PINYIN = re.compile(r"^[a-zA-Z ]{2,40}$")


@dataclass
class Match:
    resident: Resident
    how: str
    """Why it matched, shown to the clerk: 身份证号 / 手机号 / 姓名 / 同音 / 近音 / 拼音."""


@lru_cache(maxsize=20000)
def _syllables(name: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(name))


def _name_match(query: str, name: str) -> tuple[int, str] | None:
    """A rank (lower is closer) and the reason, or None."""
    if name == query:
        return 0, "姓名"
    if query in name:
        return 1, "姓名"
    if PINYIN.match(query):
        typed = query.replace(" ", "").lower()
        if "".join(_syllables(name)) == typed:
            return 3, "拼音"
        return None
    q, n = _syllables(query), _syllables(name)
    if q == n:
        return 2, "同音"
    if len(q) == len(n) and _blurred(q) == _blurred(n):
        return 4, "近音"
    return None


_BLUR_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"), ("h", "f"))


@lru_cache(maxsize=20000)
def _blur(syllable: str) -> str:
    """Fold the sounds that are commonly confused or misheard at a counter: zh/z, ch/c, sh/s, n/l, r/l,
    h/f at the start, and -ng/-n at the end (王秀英 ~ 王秀音, 刘 ~ 牛)."""
    for longer, shorter in _BLUR_INITIALS:
        if syllable.startswith(longer):
            syllable = shorter + syllable[len(longer):]
            break
    return syllable[:-1] if syllable.endswith("ng") else syllable


def _blurred(syllables: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_blur(s) for s in syllables)


def find_residents(session: Session, *, user: User, query: str) -> list[Match]:
    """Residents ``user`` may see that match an id number, a phone number or a name."""
    q = (query or "").strip()
    if not q:
        return []
    visible = scope_residents(select(Resident.id), user)
    if ID_NUMBER.match(q):
        found = labour_repository.resident_by_id_number(session, q.upper())
        return [Match(found, "身份证号")] if found is not None and session.scalar(visible.where(Resident.id == found.id)) else []
    if PHONE.match(q):
        ids = set(session.scalars(visible))
        return [Match(r, "手机号") for r in labour_repository.residents_by_phone(session, q) if r.id in ids]
    ranked: list[tuple[int, int, str]] = []
    for resident_id, name in session.execute(scope_residents(select(Resident.id, Resident.name), user)):
        hit = _name_match(q, name)
        if hit is not None:
            ranked.append((hit[0], resident_id, hit[1]))
    ranked.sort()
    ranked = ranked[:MAX_RESULTS]
    rows = {r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_([i for _, i, _ in ranked])))}
    return [Match(rows[i], how) for _, i, how in ranked if i in rows]


JOINED_VIEW = frozenset({Role.counter_staff, Role.admin})
"""Who sees the window's joined view: cases, job applications and ledger items besides the record. Community
staff keep their community's records and see the record alone, as their API role reads."""


@dataclass
class Overview:
    resident: Resident
    members: list[Resident]
    cases: list[Case] | None
    """None (like applications and ledger_items) when the viewer is not one of JOINED_VIEW."""
    applications: list[Application] | None
    ledger_items: list[LedgerItem] | None
    sensitive_ledger_items: int = 0
    pension_months: int = 0
    notes: list[str] = field(default_factory=list)


def resident_overview(session: Session, *, user: User, resident: Resident, reason: str) -> Overview:
    """Everything the station knows about one resident that ``user`` may see; the view is logged with who,
    when and why."""
    joined = user.role in JOINED_VIEW
    log_access(session, user=user, resident_id=resident.id, action="view",
               what="您的全部办事信息" if joined else "居民档案", reason=reason)
    session.flush()
    overview = Overview(
        resident=resident,
        members=[m for m in resident.household.members if m.id != resident.id],
        cases=None, applications=None, ledger_items=None,
        pension_months=sum(p.months for p in resident.insurance_periods if p.scheme.value == "pension"),
    )
    if not joined:
        return overview
    overview.cases = list(session.scalars(select(Case).where(Case.resident_id == resident.id).order_by(Case.id.desc())))
    overview.applications = list(session.scalars(
        select(Application).where(Application.resident_id == resident.id).order_by(Application.id.desc())
    ))
    items = list(session.scalars(
        select(LedgerItem).where(LedgerItem.household_id == resident.household_id).order_by(LedgerItem.id.desc())
    ))
    overview.ledger_items = [i for i in items if not i.sensitive]
    overview.sensitive_ledger_items = sum(1 for i in items if i.sensitive)
    return overview
