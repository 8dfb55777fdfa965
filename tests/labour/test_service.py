from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from estation import physical
from estation.errors import Conflict, InvalidInput
from estation.labour.models import EmploymentRecord, EmploymentStatus, Resident, WorkCapacity
from estation.labour.schemas import InsurancePeriodCreate, ResidentUpdate
from estation.labour.service import add_insurance_period, update_resident
from estation.privacy import lookup_hash
from tests.factories import create_household, create_resident, new_id_number


def test_resident_takes_birth_date_and_sex_from_the_id_number(session) -> None:
    number = new_id_number(birth=date(1962, 11, 3), sex="male")
    resident = create_resident(session, id_number=number)
    assert resident.birth_date == date(1962, 11, 3)
    assert resident.sex == "male"
    assert resident.id_number_hash == lookup_hash(number)
    assert resident.limits == physical.full_capacity()


def test_birth_date_that_disagrees_with_the_id_is_refused_naming_the_field(session) -> None:
    number = new_id_number(birth=date(1962, 11, 3), sex="male")
    with pytest.raises(ValidationError) as err:
        create_resident(session, id_number=number, birth_date=date(1962, 11, 4))
    assert err.value.errors()[0]["loc"] == ("birth_date",)
    with pytest.raises(ValidationError) as err:
        create_resident(session, id_number=number, sex="female")
    assert err.value.errors()[0]["loc"] == ("sex",)


def test_duplicate_id_number_is_refused(session) -> None:
    number = new_id_number()
    create_resident(session, id_number=number)
    with pytest.raises(Conflict) as err:
        create_resident(session, id_number=number)
    assert err.value.field == "id_number"


def test_partial_capacity_needs_limits_and_keeps_them(session) -> None:
    with pytest.raises(InvalidInput) as err:
        create_resident(session, work_capacity=WorkCapacity.partial)
    assert err.value.field == "limits"
    resident = create_resident(
        session, work_capacity=WorkCapacity.partial, limits={"standing_walking": 0, "lifting_carrying": 1},
        max_hours_per_day=4, disability_category="肢体", disability_grade=3,
    )
    assert resident.limits["standing_walking"] == 0
    assert resident.limits["lifting_carrying"] == 1
    assert resident.limits["seeing"] == physical.MAX_LEVEL


def test_levels_out_of_range_are_refused(session) -> None:
    with pytest.raises(ValidationError, match="应为0到4的整数"):
        create_resident(session, work_capacity=WorkCapacity.partial, limits={"seeing": 7})
    with pytest.raises(ValidationError, match="没有这些能力项：flying"):
        create_resident(session, work_capacity=WorkCapacity.partial, limits={"flying": 1})


def test_status_change_closes_the_open_spell(session) -> None:
    resident = create_resident(session)
    update_resident(
        session, resident=resident,
        data=ResidentUpdate(employment_status=EmploymentStatus.employed, status_since=date(2025, 4, 1)),
        user=None, reason="找到工作",
    )
    spells = session.scalars(
        select(EmploymentRecord).where(EmploymentRecord.resident_id == resident.id).order_by(EmploymentRecord.start_date)
    ).all()
    assert [(s.status, s.end_date) for s in spells] == [
        (EmploymentStatus.registered_unemployed, date(2025, 4, 1)),
        (EmploymentStatus.employed, None),
    ]
    assert resident.employment_status == EmploymentStatus.employed


def _period(**kw) -> InsurancePeriodCreate:
    fields = dict(scheme="pension", province="31", start_month="2005-01", end_month="2012-12",
                  monthly_wage_base=4000, payer="employer")
    fields.update(kw)
    return InsurancePeriodCreate(**fields)


def test_overlapping_periods_of_one_scheme_are_refused(session) -> None:
    resident = create_resident(session)
    add_insurance_period(session, resident=resident, data=_period())
    with pytest.raises(InvalidInput) as err:
        add_insurance_period(session, resident=resident, data=_period(province="37", start_month="2012-12", end_month="2015-01"))
    assert err.value.field == "start_month"
    # the next month is fine, and another scheme may overlap
    add_insurance_period(session, resident=resident, data=_period(province="37", start_month="2013-01", end_month="2015-01"))
    add_insurance_period(session, resident=resident, data=_period(scheme="medical"))
    assert sorted(p.months for p in session.get(Resident, resident.id).insurance_periods) == [25, 96, 96]


def test_period_end_before_start_names_end_month() -> None:
    with pytest.raises(ValidationError) as err:
        _period(start_month="2010-05", end_month="2010-04")
    assert err.value.errors()[0]["loc"] == ("end_month",)


def test_unknown_province_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        _period(province="99")
    assert err.value.errors()[0]["loc"] == ("province",)


def test_household_members(session) -> None:
    household = create_household(session, hardship=True)
    a = create_resident(session, household=household)
    b = create_resident(session, household=household, relation="spouse")
    session.refresh(household)
    assert [m.id for m in household.members] == [a.id, b.id]
