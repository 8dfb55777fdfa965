"""Counter cases on the real databases: checklist, tell-once slip, review, outcome, due dates, figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from estation.accounts.models import Role
from estation.cases import service
from estation.cases.catalogue import load_catalogue
from estation.cases.types import BUILT_IN, continued_contribution, pension_transfer, unemployment_registration
from estation.cases.figures import FiguresCache, counter_figures
from estation.cases.models import Case, CaseStatus, ContributionSetting, ServiceType
from estation.cases.working_days import DEFAULT_CALENDAR, due_date
from estation.errors import Conflict, InvalidInput
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import create_resident, create_user

TODAY = date(2026, 11, 2)  # a Monday


@pytest.fixture
def catalogue(session):
    load_catalogue(session)
    return {s.code: s for s in service.service_types(session)}


@pytest.fixture
def clerk(session):
    return create_user(session, role=Role.counter_staff, window=3)


def test_catalogue_has_the_seven_services_and_loads_once(session) -> None:
    assert load_catalogue(session) == 7
    assert load_catalogue(session) == 0
    names = {s.name for s in service.service_types(session)}
    assert {"养老保险关系转移接续", "灵活就业人员续保", "失业登记", "就业登记", "就业困难人员认定",
            "创业担保贷款申请", "社会保险补贴申领"} <= names
    for spec in BUILT_IN:
        assert spec.documents and spec.conditions and spec.steps and spec.time_limit_working_days >= 1
    assert session.get(ContributionSetting, 2026) is not None


def test_loading_keeps_an_admin_edit_unless_overwriting(session) -> None:
    load_catalogue(session)
    row = session.get(ServiceType, unemployment_registration.TYPE.code)
    row.time_limit_working_days = 2
    load_catalogue(session)
    assert session.get(ServiceType, unemployment_registration.TYPE.code).time_limit_working_days == 2
    load_catalogue(session, overwrite=True)
    assert session.get(ServiceType, unemployment_registration.TYPE.code).time_limit_working_days == 1


def test_complete_documents_are_accepted_on_the_spot(session, catalogue, clerk) -> None:
    resident = create_resident(session)
    spec = catalogue[continued_contribution.TYPE.code]
    case = service.open_case(session, resident=resident, service_code=continued_contribution.TYPE.code,
                             handed_in=spec.documents, user=clerk, window=3, today=TODAY)
    assert case.status == CaseStatus.accepted
    assert case.slip_documents == [] and case.slip_issued_on is None
    assert case.accepted_on == TODAY
    assert case.due_on == date(2026, 11, 5)  # 3 working days
    assert case.reference == "DL202611020001"
    assert [e.status for e in case.events] == [CaseStatus.accepted]


def test_missing_documents_give_one_slip_and_never_a_second_list(session, catalogue, clerk) -> None:
    resident = create_resident(session)
    docs = catalogue[continued_contribution.TYPE.code].documents
    case = service.open_case(session, resident=resident, service_code=continued_contribution.TYPE.code,
                             handed_in=docs[:2], user=clerk, window=3, today=TODAY)
    assert case.status == CaseStatus.awaiting_documents
    assert case.slip_documents == docs[2:]
    assert case.due_on is None  # the clock starts with complete documents
    # bringing a part keeps the same slip
    service.receive_documents(session, case=case, documents=[docs[2]], user=clerk, today=date(2026, 11, 4))
    assert case.status == CaseStatus.awaiting_documents and case.slip_documents == docs[2:]
    # nothing off the slip can be asked for later
    with pytest.raises(InvalidInput):
        service.receive_documents(session, case=case, documents=["户口簿原件"], user=clerk, today=date(2026, 11, 4))
    service.receive_documents(session, case=case, documents=[docs[3]], user=clerk, today=date(2026, 11, 6))
    assert case.status == CaseStatus.accepted
    assert case.accepted_on == date(2026, 11, 6)
    assert case.due_on == date(2026, 11, 11)
    assert case.slip_documents == docs[2:]


def test_unknown_document_at_opening_is_refused(session, catalogue, clerk) -> None:
    with pytest.raises(InvalidInput):
        service.open_case(session, resident=create_resident(session), service_code=unemployment_registration.TYPE.code,
                          handed_in=["结婚证"], user=clerk, window=1, today=TODAY)


def test_review_then_complete_and_refuse_needs_a_reason(session, catalogue, clerk) -> None:
    spec = catalogue[unemployment_registration.TYPE.code]
    case = service.open_case(session, resident=create_resident(session), service_code=spec.code,
                             handed_in=spec.documents, user=clerk, window=1, today=TODAY)
    service.start_review(session, case=case, user=clerk)
    service.complete(session, case=case, user=clerk, today=TODAY, note="已登记")
    assert case.status == CaseStatus.completed and case.closed_on == TODAY
    assert [e.status for e in case.events] == [CaseStatus.accepted, CaseStatus.in_review, CaseStatus.completed]
    with pytest.raises(Conflict):
        service.refuse(session, case=case, user=clerk, today=TODAY, reason="材料不实，不予办理")

    other = service.open_case(session, resident=create_resident(session), service_code=spec.code,
                              handed_in=[], user=clerk, window=1, today=TODAY)
    assert other.reference == "DL202611020002"
    with pytest.raises(InvalidInput):
        service.refuse(session, case=other, user=clerk, today=TODAY, reason=" ")
    service.refuse(session, case=other, user=clerk, today=TODAY, reason="申请人已就业，不符合失业登记条件")
    assert other.status == CaseStatus.refused and "已就业" in other.outcome_reason


def test_due_date_past_the_official_calendar_is_provisional() -> None:
    due, provisional = due_date(date(2026, 12, 20), 15, calendar=DEFAULT_CALENDAR)
    assert provisional is True and due.year == 2027
    due, provisional = due_date(date(2026, 9, 30), 3, calendar=DEFAULT_CALENDAR)
    assert (due, provisional) == (date(2026, 10, 10), False)


def test_pension_case_uses_the_assessment_checklist(session, catalogue, clerk) -> None:
    resident = create_resident(session)
    resident.insurance_periods.append(InsurancePeriod(
        scheme=Scheme.pension, province="44", start_month=date(2010, 1, 1), end_month=date(2021, 12, 1),
        monthly_wage_base=Decimal(6000), payer=Payer.employer,
    ))
    session.flush()
    answers = {"new_province": "37", "personal_account_balance": "30000"}
    case = service.open_case(session, resident=resident, service_code=pension_transfer.TYPE.code, handed_in=[],
                             user=clerk, window=2, today=TODAY, answers=answers)
    a = case.details["assessment"]
    assert a["procedure"] == "transfer" and a["claim_province"] == "37"
    assert Decimal(a["pooled_fund_amount"]) == Decimal(144 * 6000) * Decimal("0.12")
    checklist = service.checklist(session, service=catalogue[pension_transfer.TYPE.code], resident=resident,
                                  today=TODAY, answers=answers)
    # Back in the hukou province: the household register is on the list, the temporary-account papers are not.
    assert case.slip_documents == [d.name for d in checklist] and "户口簿（证明户籍在转入省）" in case.slip_documents
    assert not any("临时" in d for d in case.slip_documents) and all(d.condition is None for d in checklist)
    bad = {"new_province": "99"}
    with pytest.raises(InvalidInput) as refused:
        service.open_case(session, resident=resident, service_code=pension_transfer.TYPE.code, handed_in=[],
                          user=clerk, window=2, today=TODAY, answers=bad)
    assert refused.value.field == "new_province"


def test_public_status_shows_no_personal_data(session, catalogue, clerk) -> None:
    resident = create_resident(session, name="张三丰")
    case = service.open_case(session, resident=resident, service_code=unemployment_registration.TYPE.code,
                             handed_in=[], user=clerk, window=1, today=TODAY)
    assert len(case.query_code) == 8 and case.query_code.isdigit()
    shown = service.public_status(session, case.reference.lower(), case.query_code)
    assert shown["status_label"] == "待补材料"
    assert shown["still_missing"] == case.slip_documents
    assert "张三丰" not in repr(shown) and case.query_code not in repr(shown)
    assert service.public_status(session, "DL000", case.query_code) is None
    wrong = f"{(int(case.query_code) + 1) % 10**8:08d}"
    assert service.public_status(session, case.reference, wrong) is None


def test_counter_figures(session, catalogue, clerk) -> None:
    day = date(2026, 3, 2)
    svc = catalogue[unemployment_registration.TYPE.code]  # 1 working day
    on_time = service.open_case(session, resident=create_resident(session), service_code=svc.code,
                                handed_in=svc.documents, user=clerk, window=1, today=day)
    service.complete(session, case=on_time, user=clerk, today=date(2026, 3, 3))
    late = service.open_case(session, resident=create_resident(session), service_code=svc.code,
                             handed_in=svc.documents, user=clerk, window=2, today=day)
    service.complete(session, case=late, user=clerk, today=date(2026, 3, 5))
    service.open_case(session, resident=create_resident(session), service_code=svc.code,
                      handed_in=[], user=clerk, window=2, today=day)
    f = counter_figures(session, since=day, until=day, today=date(2026, 3, 10))
    t = f.total
    assert (t.opened, t.completed, t.completed_on_time, t.overdue, t.open, t.came_back_for_documents) == (3, 2, 1, 1, 1, 1)
    assert f.by_window["1号窗口"].opened == 1 and f.by_window["2号窗口"].opened == 2
    assert f.by_service[svc.code].opened == 3
    assert counter_figures(session, since=date(2026, 3, 3), until=date(2026, 3, 31), today=day).total.opened == 0


def test_counter_figures_are_kept_until_a_case_changes(session, catalogue, clerk) -> None:
    day = date(2026, 3, 2)
    svc = catalogue[unemployment_registration.TYPE.code]
    cache = FiguresCache()

    def shown():
        kept = cache.get(session, since=day, until=day, today=day)
        fresh = counter_figures(session, since=day, until=day, today=day)
        assert kept == fresh, "the figures shown are always the ones the cases give now"
        return kept.total

    assert shown().opened == 0
    case = service.open_case(session, resident=create_resident(session), service_code=svc.code,
                             handed_in=[], user=clerk, window=1, today=day)
    assert (shown().opened, shown().open, shown().came_back_for_documents) == (1, 1, 1)
    assert cache.hits == 2 and cache.misses == 2, "read again while nothing changed; re-tallied after the opening"
    service.receive_documents(session, case=case, documents=case.slip_documents, user=clerk, today=day)
    service.complete(session, case=case, user=clerk, today=day)
    assert (shown().completed, shown().completed_on_time, shown().open) == (1, 1, 0)
    assert cache.misses == 3
    session.get(ServiceType, svc.code).name = "失业登记（新名称）"
    session.flush()
    assert cache.get(session, since=day, until=day, today=day).service_names[svc.code] == "失业登记（新名称）"
    # Another day is another tally: overdue is judged as of the day asked for.
    assert cache.get(session, since=day, until=day, today=date(2026, 3, 20)).total.overdue == 0
    assert cache.misses == 4


def test_demo_cases_are_varied_and_load_once(session) -> None:
    from estation.cases.demo import load_demo_cases

    for _ in range(5):
        create_resident(session)
    create_user(session, role=Role.counter_staff, window=4)
    today = date(2026, 11, 27)
    made = load_demo_cases(session, today=today, seed=7)
    assert made == 40
    assert load_demo_cases(session, today=today, seed=7) == 0
    f = counter_figures(session, since=date(2026, 10, 1), until=today, today=today)
    assert f.total.opened == 40
    assert f.total.completed > 0 and f.total.open > 0
    assert len(f.by_service) >= 5
    for case in session.scalars(select(Case)):
        assert [e.at for e in case.events] == sorted(e.at for e in case.events)
        assert case.opened_on < today
