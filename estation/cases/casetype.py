"""What a counter case type is: its documents (some only in certain situations), its intake form and its rules.

Each service of the catalogue is one module of ``estation/cases/types/`` declaring one ``CaseType``; the
counter, the kiosk guide and the printed slips read everything about a service from it, and never test a
service's code. The list of documents a resident must bring is ``registry.document_list`` of the service
and the resident's ``Situation``: anonymous at the kiosk, signed in, or at the counter with the intake
answers, it is the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from estation.cases import pension
from estation.errors import InvalidInput
from estation.geo import provinces
from estation.labour.models import Resident, Scheme, Sex

ID_CARD = "居民身份证原件"
HUKOU_BOOK = "户口簿原件"
SOCIAL_SECURITY_CARD = "社会保障卡"
EMPLOYMENT_CARD = "《就业创业证》"
HALL_PROVINCE = "37"
"""山东省: the service hall's province. A transfer is applied for at the new insurer (art. 8), so one
opened here moves into this province unless the clerk says otherwise."""


@dataclass(frozen=True)
class Situation:
    """What is known of the resident and their request. ``None`` (or an answer left out) is "not known":
    everything is unknown for an anonymous visitor at the kiosk."""

    today: date
    sex: str | None = None
    birth_date: date | None = None
    hukou_province: str | None = None
    pension_history: tuple[pension.Period, ...] | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)


def pension_history(resident: Resident) -> tuple[pension.Period, ...]:
    return tuple(
        pension.Period(
            province=p.province, start=p.start_month, end=p.end_month,
            monthly_wage_base=p.monthly_wage_base, temporary_account=p.temporary_account,
        )
        for p in sorted(resident.insurance_periods, key=lambda p: p.start_month)
        if p.scheme == Scheme.pension
    )


def situation_of(resident: Resident | None, *, today: date, answers: Mapping[str, Any] | None = None) -> Situation:
    """The situation of a resident on file (``None``: nobody known, e.g. anonymous at the kiosk)."""
    if resident is None:
        return Situation(today=today, answers=dict(answers or {}))
    return Situation(
        today=today, sex=Sex(resident.sex).value, birth_date=resident.birth_date,
        hukou_province=resident.hukou_province, pension_history=pension_history(resident),
        answers=dict(answers or {}),
    )


@dataclass(frozen=True)
class Condition:
    """When a document is needed. ``text`` is what a resident reads while their situation does not settle it,
    in plain Chinese, starting with 如 (如有外省临时缴费账户); ``holds`` answers True, False or None (not known)."""

    text: str
    holds: Callable[[Situation], bool | None]


@dataclass(frozen=True)
class Item:
    """One line of a document list; ``condition`` is the condition's text while the situation leaves it open."""

    name: str
    condition: str | None = None


FieldKind = Literal["province", "money", "yes_no"]


@dataclass(frozen=True)
class IntakeField:
    """One question the counter asks before the checklist (the intake form). ``assumed`` is the answer taken
    when none is given, wherever the list is shown; ``None``: unknown until asked (a yes/no left unticked
    at the counter is a no)."""

    name: str
    label: str
    kind: FieldKind
    assumed: Any = None
    hint: str = ""

    def read(self, raw: Any) -> Any:
        """The answer from a form or JSON value; InvalidInput naming the field when it is not one."""
        if self.kind == "yes_no":
            return raw in (True, "true", "on", "1", 1)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.assumed is None:
                raise InvalidInput(f"请填写{self.label}", field=self.name)
            return self.assumed
        if self.kind == "province":
            if str(raw) not in provinces():
                raise InvalidInput(f"请选择{self.label}", field=self.name)
            return str(raw)
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidInput(f"{self.label}请填写金额数字", field=self.name) from None
        if not value.is_finite() or value < 0 or value > Decimal(100_000_000):
            raise InvalidInput(f"{self.label}金额不合理", field=self.name)
        return value


@dataclass(frozen=True)
class Assessed:
    """What a case type's rules worked out for one case, as the counter shows it."""

    title: str
    facts: list[tuple[str, str]]
    explanation: str


@dataclass(frozen=True)
class CaseType:
    """One service of the catalogue with its own behaviour.

    ``documents``, ``conditions`` (of eligibility), ``steps`` and the time limit seed the catalogue row an
    admin may edit later; ``conditional_documents`` are rules and stay here. ``assess`` turns a situation
    with its answers into the case's stored details, ``describe`` shows those details again.
    """

    code: str
    name: str
    summary: str
    documents: tuple[str, ...]
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    time_limit_working_days: int
    conditional_documents: tuple[tuple[str, Condition], ...] = ()
    intake: tuple[IntakeField, ...] = ()
    scheme: Scheme | None = None
    """The insurance scheme the service is about, if any: its cases show on the resident's 我的社保."""
    assess: Callable[[Situation], dict[str, Any]] | None = None
    describe: Callable[[dict[str, Any]], Assessed | None] | None = None

    def read_answers(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The intake answers from a posted form or JSON object; InvalidInput naming the first bad field."""
        return {f.name: f.read(raw.get(f.name)) for f in self.intake}

    def assumed_answers(self) -> dict[str, Any]:
        """What is taken as answered before anyone is asked (at the kiosk)."""
        return {f.name: f.assumed for f in self.intake if f.assumed is not None}
