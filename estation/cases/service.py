"""Counter cases: accept with a checklist, tell once what is missing, review, complete or refuse on time.

Any counter window may open any service. Services only flush; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.cases import registry, repository
from estation.cases.contribution import ContributionConfig
from estation.cases.casetype import Item
from estation.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, ServiceType
from estation.cases.calendar import current_calendar
from estation.cases.working_days import due_date
from estation.errors import Conflict, InvalidInput
from estation.kit import get_or_404
from estation.labour.models import Resident
from estation.references import next_reference

REFERENCE_PREFIX = "DL"
"""甸柳: reference numbers read DL + opening date + a four-digit number of the day."""
REFERENCE_PATTERN = rf"{REFERENCE_PREFIX}\d{{12}}"


def service_types(session: Session) -> list[ServiceType]:
    """The services offered: the catalogue's rows whose case type is registered."""
    rows = session.scalars(select(ServiceType).order_by(ServiceType.code))
    return [row for row in rows if row.code in registry.REGISTRY]


def get_service_type(session: Session, code: str) -> ServiceType:
    service = get_or_404(session, ServiceType, code, "没有这项服务", field="service_code")
    return service


def edit_service_type(session: Session, *, code: str, name: str, summary: str, documents: list[str],
                      conditions: list[str], steps: list[str], time_limit_working_days: int) -> ServiceType:
    """Change one catalogue entry. A case keeps the document checklist it was accepted with, so a resident
    is never told a second list for a case already open."""
    service = get_service_type(session, code)
    service.name, service.summary, service.documents = name, summary, documents
    service.conditions, service.steps, service.time_limit_working_days = conditions, steps, time_limit_working_days
    session.flush()
    return service


def get_case(session: Session, case_id: int) -> Case:
    case = get_or_404(session, Case, case_id, "没有这个办件")
    return case


def case_by_reference(session: Session, reference: str) -> Case | None:
    return session.scalar(select(Case).where(Case.reference == reference.strip().upper()))


def _event(case: Case, status: CaseStatus, user: User | None, note: str) -> None:
    case.events.append(CaseEvent.step(status, user, note))


def _accept(session: Session, case: Case, service: ServiceType, *, user: User | None, today: date, note: str) -> None:
    case.status = CaseStatus.accepted
    case.accepted_on = today
    case.due_on, case.due_on_provisional = due_date(today, service.time_limit_working_days,
                                                    calendar=current_calendar(session))
    suffix = "（节假日安排未公布，时限按工作日暂估）" if case.due_on_provisional else ""
    _event(case, CaseStatus.accepted, user, f"{note}；办理时限{service.time_limit_working_days}个工作日，应于{case.due_on:%Y年%m月%d日}前办结{suffix}")


def checklist(session: Session, *, service: ServiceType, resident: Resident, today: date,
              answers: Mapping[str, Any] | None = None) -> list[Item]:
    """The counter's checklist for this resident: the one document list of the service and their situation
    (``answers``: the case type's intake answers as given; None, none asked yet)."""
    return registry.document_list(service, registry.situation(service.code, resident, today=today, answers=answers))


def open_case(
    session: Session, *, resident: Resident, service_code: str, handed_in: set[str] | list[str], user: User | None,
    window: int | None, today: date, answers: Mapping[str, Any] | None = None,
) -> Case:
    """Accept at any window. Everything missing goes on one slip now; nothing may be asked later.
    ``answers``: the case type's intake form (InvalidInput naming a bad one); its rules assess them."""
    service = get_service_type(session, service_code)
    case_type = registry.REGISTRY.get(service.code)
    situation = registry.situation(service.code, resident, today=today, answers=answers or {})
    details = case_type.assess(situation) if case_type.assess else {}
    required = [item.name for item in registry.document_list(service, situation)]
    unknown = set(handed_in) - set(required)
    if unknown:
        raise InvalidInput(f"不在本事项清单上的材料：{'、'.join(sorted(unknown))}", field="handed_in")
    case = Case(
        reference=next_reference(session, prefix=REFERENCE_PREFIX, day=today),
        service_code=service.code,
        resident_id=resident.id,
        status=CaseStatus.awaiting_documents,
        window=window,
        opened_by_id=user.id if user else None,
        opened_on=today,
        documents={doc: doc in handed_in for doc in required},
        details=details,
        slip_documents=[],
    )
    session.add(case)
    missing = [doc for doc in required if doc not in handed_in]
    if missing:
        case.slip_documents = missing
        case.slip_issued_on = today
        _event(case, CaseStatus.awaiting_documents, user, "一次性告知需补齐的材料：" + "；".join(missing))
    else:
        _accept(session, case, service, user=user, today=today, note="材料齐全，当场受理")
    session.flush()
    return case


def receive_documents(
    session: Session, *, case: Case, documents: set[str] | list[str], user: User | None, today: date,
) -> Case:
    """Tick documents off the slip. Only slip items count: a second list is never issued."""
    if case.status != CaseStatus.awaiting_documents:
        raise Conflict("该办件不在待补材料状态", field="documents")
    off_slip = set(documents) - set(case.slip_documents)
    if off_slip:
        raise InvalidInput(f"不在一次性告知单上的材料：{'、'.join(sorted(off_slip))}", field="documents")
    received = {**case.documents, **{doc: True for doc in documents}}
    case.documents = received
    still = [doc for doc in case.slip_documents if not received.get(doc)]
    if still:
        _event(case, CaseStatus.awaiting_documents, user, "收到补交材料：" + "；".join(sorted(documents)) + "。仍缺：" + "；".join(still))
    else:
        _accept(session, case, get_service_type(session, case.service_code), user=user, today=today,
                note="补齐告知单上的材料，受理")
    session.flush()
    return case


def start_review(session: Session, *, case: Case, user: User | None, note: str = "") -> Case:
    if case.status != CaseStatus.accepted:
        raise Conflict("只有已受理的办件可以进入审核", field="status")
    case.status = CaseStatus.in_review
    _event(case, CaseStatus.in_review, user, note or "开始审核")
    session.flush()
    return case


def complete(session: Session, *, case: Case, user: User | None, today: date, note: str = "") -> Case:
    if case.status not in (CaseStatus.accepted, CaseStatus.in_review):
        raise Conflict("只有已受理或审核中的办件可以办结", field="status")
    case.status = CaseStatus.completed
    case.closed_on = today
    case.outcome_reason = note or None
    on_time = case.due_on is None or today <= case.due_on
    _event(case, CaseStatus.completed, user, (note or "办结") + ("" if on_time else "（超过办理时限）"))
    session.flush()
    return case


def refuse(session: Session, *, case: Case, user: User | None, today: date, reason: str) -> Case:
    """Refusal always carries its reason in writing (art. 8: a written refusal with reasons)."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput("不予办理必须写明理由", field="reason")
    if case.status not in OPEN_STATUSES:
        raise Conflict("该办件已结束", field="status")
    case.status = CaseStatus.refused
    case.closed_on = today
    case.outcome_reason = reason
    _event(case, CaseStatus.refused, user, "不予办理：" + reason)
    session.flush()
    return case


@dataclass(frozen=True)
class Receipt:
    """The paper the counter prints for a case as it stands: titled by its state, naming the step it attests
    (whose window did it)."""

    title: str
    step: CaseEvent | None


def receipt_of(case: Case) -> Receipt:
    """收件回执 while documents are missing, 受理回执 once accepted (and in review), 办结通知书 or
    不予办理告知书 once closed; the step is the acceptance itself, or the latest step of the state."""
    if case.status == CaseStatus.completed:
        title, attests = "办结通知书", CaseStatus.completed
    elif case.status == CaseStatus.refused:
        title, attests = "不予办理告知书", CaseStatus.refused
    elif case.accepted_on is not None:
        title, attests = "受理回执", CaseStatus.accepted
    else:
        title, attests = "收件回执", CaseStatus.awaiting_documents
    steps = [e for e in case.events if e.status == attests]
    # A case is accepted once; later steps in that state (a due date counted again) are not the acceptance.
    step = (steps[0] if attests == CaseStatus.accepted else steps[-1]) if steps else None
    return Receipt(title, step)


def is_overdue(case: Case | Row, today: date) -> bool:
    """``case``: a case, or a row of its columns status, due_on and closed_on (the figures read only those)."""
    if case.due_on is None:
        return False
    end = case.closed_on if case.status in (CaseStatus.completed, CaseStatus.refused) else today
    return end > case.due_on


def public_status(session: Session, reference: str, code: str) -> dict[str, Any] | None:
    """What the kiosk may show to whoever holds the receipt or slip (reference and query code): no
    names, no id numbers. A wrong code answers exactly as an unknown reference does."""
    case = case_by_reference(session, reference)
    if case is None or not secrets.compare_digest(case.query_code, code):
        return None
    service = session.get(ServiceType, case.service_code)
    return {
        "reference": case.reference,
        "service": service.name if service else case.service_code,
        "status": case.status.value,
        "status_label": case.status.label,
        "opened_on": case.opened_on,
        "due_on": case.due_on,
        "closed_on": case.closed_on,
        "still_missing": [doc for doc in case.slip_documents if not case.documents.get(doc)],
    }


def open_cases(session: Session, *, window: int | None = None, limit: int = 50) -> list[Case]:
    """Cases still open, the soonest due first (those awaiting documents, with no due date, last)."""
    stmt = select(Case).where(Case.status.in_(OPEN_STATUSES))
    if window is not None:
        stmt = stmt.where(Case.window == window)
    stmt = stmt.order_by(Case.due_on.is_(None), Case.due_on, Case.id).limit(limit)
    return list(session.scalars(stmt))


def contribution_year(session: Session, year: int | None = None) -> tuple[int, ContributionConfig | None]:
    """The year whose contribution figures apply (``year``, else the latest configured, else this year) and
    its figures (None when that year is not configured)."""
    chosen = year if year is not None else (repository.latest_contribution_year(session) or clock.today().year)
    return chosen, repository.contribution_config(session, chosen)
