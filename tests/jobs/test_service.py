from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from estation.errors import Conflict, InvalidInput
from estation.identifiers import make_uscc
from estation.db import utcnow
from estation.jobs import placements, service
from estation.jobs.models import ApplicationStatus, EmployerStatus, EmploymentType, VacancyStatus
from estation.jobs.schemas import EmployerCreate, VacancyCreate
from estation.outbox import OutboxEntry
from tests.factories import create_employer, create_resident, create_vacancy, seed_places

MINIMUM = 2200


def _vacancy(employer_id: int, **kw) -> VacancyCreate:
    fields = dict(employer_id=employer_id, title="社区食堂帮厨", occupation_code="4-03-02-01",
                  community_code="370102009001", address="甸柳新村第三社区食堂", wage_min=2600, wage_max=3200,
                  hours_per_day=6, days_per_week=6, employment_type="part_time",
                  demands={"standing_walking": 3, "lifting_carrying": 2, "fine_hand": 2, "seeing": 2, "hearing": 1,
                           "speaking": 1, "learning_memory": 1}, adjustments=["training"],
                  valid_until=date.today() + timedelta(days=30))
    fields.update(kw)
    return VacancyCreate(**fields)


def test_employer_registration_checks_the_uscc(session) -> None:
    seed_places(session)
    good = make_uscc("91370102MA3CAAAA1")
    fields = dict(name="济南甸柳家政服务有限公司", contact_name="赵女士", contact_phone="13812345678",
                  address="历下区和平路2号", community_code="370102009002")
    employer = service.create_employer(session, data=EmployerCreate(uscc=good, **fields))
    assert employer.status == EmployerStatus.pending
    with pytest.raises(Conflict):
        service.create_employer(session, data=EmployerCreate(uscc=good, **fields))
    with pytest.raises(ValidationError) as err:
        EmployerCreate(uscc=good[:17] + ("0" if good[17] != "0" else "1"), **fields)
    assert err.value.errors()[0]["loc"] == ("uscc",)


def test_vacancy_of_a_pending_employer_waits_for_approval(session) -> None:
    employer = create_employer(session, status=EmployerStatus.pending)
    vacancy = service.create_vacancy(session, data=_vacancy(employer.id), minimum_wage=MINIMUM)
    assert vacancy.status == VacancyStatus.draft
    with pytest.raises(InvalidInput):
        service.decide_employer(session, employer=employer, approve=False, reason=None)
    service.decide_employer(session, employer=employer, approve=True, reason=None)
    assert vacancy.status == VacancyStatus.open
    topics = session.scalars(select(OutboxEntry.topic).where(OutboxEntry.entity_id == vacancy.id)).all()
    assert topics.count("index.vacancy") == 2


def test_wage_below_the_minimum_is_refused_pro_rata(session) -> None:
    employer = create_employer(session)
    with pytest.raises(InvalidInput) as err:
        service.create_vacancy(session, data=_vacancy(employer.id, employment_type="full_time", hours_per_day=8,
                                                      days_per_week=5, wage_min=2000, wage_max=2500),
                               minimum_wage=MINIMUM)
    assert err.value.field == "wage_min"
    # four hours a day, five days: half the monthly minimum is the floor
    assert service.minimum_wage_for(hours_per_day=4, days_per_week=5, monthly_minimum=MINIMUM) == 1100
    part = service.create_vacancy(session, data=_vacancy(employer.id, hours_per_day=4, days_per_week=5,
                                                         wage_min=1200, wage_max=1500), minimum_wage=MINIMUM)
    assert part.employment_type == EmploymentType.part_time


def test_unknown_occupation_and_expired_dates_are_refused(session) -> None:
    employer = create_employer(session)
    with pytest.raises(InvalidInput) as err:
        service.create_vacancy(session, data=_vacancy(employer.id, occupation_code="9-99-99-99"), minimum_wage=MINIMUM)
    assert err.value.field == "occupation_code"
    with pytest.raises(InvalidInput) as err:
        service.create_vacancy(session, data=_vacancy(employer.id, valid_until=date.today() - timedelta(days=1)),
                               minimum_wage=MINIMUM)
    assert err.value.field == "valid_until"


def test_application_pipeline(session) -> None:
    employer = create_employer(session)
    vacancy = create_vacancy(session, employer=employer)
    resident = create_resident(session)
    application = service.apply(session, resident=resident, vacancy=vacancy, by_user_id=None)
    assert application.reference.startswith("YX")
    with pytest.raises(Conflict):
        service.apply(session, resident=resident, vacancy=vacancy, by_user_id=None)
    with pytest.raises(InvalidInput):
        placements.move(session, application=application, status=ApplicationStatus.not_hired, reason=None, user=None)
    placements.schedule_interview(session, application=application, at=utcnow(), place="甸柳庄社区居委会", user=None)
    placements.move(session, application=application, status=ApplicationStatus.not_hired, reason="已招满", user=None)
    with pytest.raises(Conflict):
        placements.move(session, application=application, status=ApplicationStatus.new, reason=None, user=None)
    assert [e.status for e in application.history] == ["new", "interview", "not_hired"]


def test_draft_vacancy_is_hidden_from_the_public(api) -> None:
    from estation.accounts.models import Role
    from tests.factories import create_user

    with api.db() as s:
        employer = create_employer(s, status=EmployerStatus.pending)
        draft = create_vacancy(s, employer=employer, status=VacancyStatus.draft)
        owner = create_user(s, role=Role.employer, employer_id=employer.id)
        other = create_user(s, role=Role.employer, employer_id=create_employer(s).id)
        s.commit()
    assert api.anonymous.get(f"/api/v1/vacancies/{draft.id}").status_code == 404
    assert api.client_for(other).get(f"/api/v1/vacancies/{draft.id}").status_code == 404
    assert api.client_for(owner).get(f"/api/v1/vacancies/{draft.id}").status_code == 200


def test_expired_vacancy_is_not_public(api) -> None:
    with api.db() as s:
        old = create_vacancy(s, employer=create_employer(s), title="过期的岗位", valid_until=date.today() - timedelta(days=1))
        s.commit()
    assert api.anonymous.get(f"/api/v1/vacancies/{old.id}").status_code == 404
    listed = api.anonymous.get("/api/v1/vacancies", params={"size": 200}).json()["items"]
    assert old.id not in [v["id"] for v in listed]
