"""Applications from the public phone page (/m/volunteer): they wait for the community's staff, are neither
in the ledger nor proposed until confirmed, and only that community's staff (or an admin) decide them.
On SQLite and PostgreSQL; proposals without the model (free time, distance and activity)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text

from estation.accounts.models import Role
from estation.errors import Conflict, Forbidden, InvalidInput
from estation.volunteers import proposals, service
from estation.volunteers.models import Activity, AgeBand, Volunteer, VolunteerChannel, VolunteerStatus
from estation.volunteers.schemas import Application, Decision
from tests.factories import create_user
from tests.volunteers.helpers import FIRST, THIRD, TODAY, elderly_household, staff, visit_need

PHONE = "13853107788"


def application(session, *, community_code: str = THIRD, phone: str = PHONE, consent: bool = True,
                name: str = "孙晓梅") -> Volunteer | None:
    return service.apply(session, today=TODAY, data=Application(
        community_code=community_code, name=name, phone=phone, age_band=AgeBand.from_45, interests="陪老人聊天",
        skills="做饭", activities=[Activity.neighbour_watch], free_slots=["sat:morning"], consent_to_contact=consent))


def proposed_ids(session, need) -> set[int]:
    return {p.volunteer_id for p in proposals.propose(session, need=need, matching=None)}


def test_an_application_waits_masked_and_is_neither_in_the_ledger_nor_proposed(session) -> None:
    keeper = staff(session)
    need = visit_need(session, keeper, elderly_household(session))
    applied = application(session)
    assert applied is not None
    assert (applied.status, applied.channel, applied.id_number, applied.registered_by_id) == (
        VolunteerStatus.pending, VolunteerChannel.phone, None, None)
    raw = session.execute(text("SELECT phone, phone_hash FROM volunteer WHERE id = :id"), {"id": applied.id}).one()
    assert PHONE not in raw.phone and PHONE not in raw.phone_hash  # encrypted, and only a keyed hash beside it
    waiting = service.applications(session, user=keeper, today=TODAY)
    assert [(a.id, a.phone_masked, a.id_number_masked, a.age_band) for a in waiting] == [
        (applied.id, "138****7788", "", AgeBand.from_45)]
    assert service.ledger(session, user=keeper, today=TODAY) == []
    assert service.summary(session, user=keeper, today=TODAY).volunteers == 0
    assert applied.id not in proposed_ids(session, need)
    with pytest.raises(InvalidInput):
        proposals.assign(session, user=keeper, need=need, volunteer_id=applied.id, matching=None, today=TODAY)


def test_confirmed_it_is_a_member_in_the_ledger_and_proposed(session) -> None:
    keeper = staff(session)
    need = visit_need(session, keeper, elderly_household(session))
    applied = application(session)
    assert applied is not None
    member = service.confirm(session, user=keeper, volunteer_id=applied.id, today=TODAY)
    assert (member.status, member.decided_by_id, member.decided_on) == (VolunteerStatus.member, keeper.id, TODAY)
    assert [v.id for v in service.ledger(session, user=keeper, today=TODAY)] == [applied.id]
    assert service.applications(session, user=keeper, today=TODAY) == []
    summary = service.summary(session, user=keeper, today=TODAY)
    assert summary.volunteers == 1 and summary.by_age_band[AgeBand.from_45] == 1  # the band the applicant chose
    assert applied.id in proposed_ids(session, need)
    with pytest.raises(Conflict):
        service.confirm(session, user=keeper, volunteer_id=applied.id, today=TODAY)


def test_declined_with_a_reason_it_is_kept_out(session) -> None:
    keeper = staff(session)
    need = visit_need(session, keeper, elderly_household(session))
    applied = application(session)
    assert applied is not None
    with pytest.raises(ValidationError):
        Decision(reason=" ")
    declined = service.decline(session, user=keeper, volunteer_id=applied.id, data=Decision(reason="电话无人接听"),
                               today=TODAY)
    assert (declined.status, declined.decline_reason) == (VolunteerStatus.declined, "电话无人接听")
    assert service.applications(session, user=keeper, today=TODAY) == []
    assert service.ledger(session, user=keeper, today=TODAY) == []
    assert applied.id not in proposed_ids(session, need)
    with pytest.raises(Conflict):
        service.confirm(session, user=keeper, volunteer_id=applied.id, today=TODAY)


def test_only_the_community_s_own_staff_or_an_admin_decide(session) -> None:
    staff(session, THIRD)
    other = staff(session, FIRST)
    applied = application(session)
    assert applied is not None
    assert service.applications(session, user=other, today=TODAY) == []
    for user in (other, create_user(session, role=Role.leader), create_user(session, role=Role.cadre)):
        with pytest.raises(Forbidden):
            service.confirm(session, user=user, volunteer_id=applied.id, today=TODAY)
        with pytest.raises(Forbidden):
            service.decline(session, user=user, volunteer_id=applied.id, data=Decision(reason="不住本社区"), today=TODAY)
    session.refresh(applied)
    assert applied.status == VolunteerStatus.pending
    admin = create_user(session, role=Role.admin)
    assert [a.id for a in service.applications(session, user=admin, today=TODAY)] == [applied.id]
    assert service.confirm(session, user=admin, volunteer_id=applied.id, today=TODAY).status == VolunteerStatus.member


def test_consent_a_real_community_and_one_application_per_phone(session) -> None:
    staff(session)
    with pytest.raises(InvalidInput) as refused:
        application(session, consent=False)
    assert refused.value.field == "consent_to_contact"
    with pytest.raises(InvalidInput) as refused:
        application(session, community_code="370102009099")
    assert refused.value.field == "community_code"
    assert application(session) is not None
    assert application(session, name="别人") is None  # the same phone again: no second row, and no word of whose
    assert application(session, community_code=FIRST) is not None  # another community's staff check their own
    assert session.scalar(select(func.count()).select_from(Volunteer)) == 2
