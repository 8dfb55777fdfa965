"""Members, the street's summary, needs, proposals and services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import text

from estation.accounts.models import Role
from estation.errors import Conflict, Forbidden, InvalidInput
from estation.geo import distance_km, distance_words
from estation.matching.scoring import calibrate
from estation.privacy import mask_phone
from estation.volunteers import proposals, service
from estation.volunteers.models import Activity, AgeBand, DayPart, Volunteer
from estation.volunteers.schemas import SelfRegistration, ServiceCreate, slot_words
from tests.factories import create_resident, create_user
from tests.volunteers.helpers import FIRST, SATURDAY, THIRD, TODAY, elderly_household, member, staff, visit_need


def test_id_number_and_phone_are_encrypted_at_rest_and_masked(session) -> None:
    v = member(session, phone="13905310077")
    raw = session.execute(text("SELECT id_number, phone FROM volunteer WHERE id = :id"), {"id": v.id}).one()
    assert v.id_number not in raw.id_number and "13905310077" not in raw.phone
    out = service.member_out(session, v, today=TODAY)
    assert out.phone_masked == mask_phone("13905310077") == "139****0077"
    assert out.id_number_masked == v.id_number[0] + "*" * 16 + v.id_number[-1]
    assert out.age_band == AgeBand.from_70  # born 1950: 76 in 2026, read from the id number
    assert out.free_time == ["周六上午"]


def test_the_same_person_is_registered_once(session) -> None:
    keeper = staff(session)
    v = member(session, user=keeper)
    with pytest.raises(Conflict) as refused:
        service.register(session, user=keeper, today=TODAY, data=service.VolunteerCreate(
            community_code=THIRD, name=v.name, id_number=v.id_number, phone="13905310002",
            activities=[Activity.teaching], free_slots=["sun:evening"], consent_to_contact=True))
    assert refused.value.field == "id_number"
    assert session.scalar(text("SELECT count(*) FROM volunteer")) == 1


def test_a_resident_joining_twice_at_the_kiosk_is_one_member_with_the_latest_answers(session) -> None:
    resident = create_resident(session, name="刘秀兰")
    first = SelfRegistration(activities=[Activity.cleanup], free_slots=["sat:morning"], consent_to_contact=True)
    again = SelfRegistration(activities=[Activity.teaching, Activity.cleanup], free_slots=["sun:afternoon"],
                             interests="剪纸", consent_to_contact=True)
    a = service.register_self(session, resident=resident, data=first, today=TODAY)
    b = service.register_self(session, resident=resident, data=again, today=TODAY)
    assert a.id == b.id and session.scalar(text("SELECT count(*) FROM volunteer")) == 1
    assert b.activities == ["cleanup", "teaching"] and b.free_slots == ["sun:afternoon"] and b.interests == "剪纸"
    assert (b.name, b.community_code, b.id_number_hash) == (resident.name, resident.community_code, resident.id_number_hash)


def test_community_staff_keep_and_see_only_their_own_community(session) -> None:
    mine, theirs = staff(session, THIRD), staff(session, FIRST)
    member(session, user=mine, name="甲")
    member(session, user=theirs, community_code=FIRST, name="乙")
    assert [v.name for v in service.ledger(session, user=mine, today=TODAY)] == ["甲"]
    assert [v.name for v in service.ledger(session, user=theirs, today=TODAY)] == ["乙"]
    assert service.summary(session, user=mine, today=TODAY).volunteers == 1
    with pytest.raises(Forbidden):
        member(session, user=mine, community_code=FIRST, name="丙")
    leader = create_user(session, role=Role.leader)
    assert {v.name for v in service.ledger(session, user=leader, today=TODAY)} == {"甲", "乙"}
    assert [v.name for v in service.ledger(session, user=leader, today=TODAY, community_code=FIRST)] == ["乙"]
    with pytest.raises(Forbidden):
        service.ledger(session, user=create_user(session, role=Role.cadre), today=TODAY)


def test_only_members_free_then_near_enough_and_willing_to_be_called_are_proposed(session, matching) -> None:
    keeper = staff(session)
    household = elderly_household(session)
    need = visit_need(session, keeper, household)
    fits = member(session, user=keeper, name="有空", slots=("sat:morning", "sun:morning"))
    member(session, user=keeper, name="下午才有空", slots=("sat:afternoon",))
    member(session, user=keeper, name="没同意联系", consent=False)
    far = member(session, community_code="370102009002", name="太远", max_km=0.3)
    assert distance_km(far.lat, far.lon, need.lat, need.lon) > 0.3
    found = proposals.propose(session, need=need, matching=matching)
    assert [p.name for p in found] == ["有空"] and found[0].volunteer_id == fits.id
    with pytest.raises(Conflict):
        proposals.assign(session, user=keeper, need=need, volunteer_id=far.id, matching=matching, today=TODAY)


def test_every_reason_given_is_true_of_the_data(session, matching, encoder) -> None:
    keeper = staff(session)
    need = visit_need(session, keeper, elderly_household(session))
    member(session, user=keeper, name="王大夫", interests="陪老人聊天、量血压", skills="护理", party=True,
           slots=("sat:morning",))
    member(session, user=keeper, name="刘老师", interests="书法", skills="教小学数学",
           activities=(Activity.teaching,), slots=("sat:morning",))
    member(session, user=keeper, name="赵师傅", interests="修自行车", skills="水电维修",
           activities=(Activity.neighbour_watch, Activity.cleanup), slots=("sat:morning",), max_km=3)
    found = proposals.propose(session, need=need, matching=matching)
    assert len(found) == 3
    members = {v.id: v for v in session.query(Volunteer)}
    texts = proposals.need_texts(need)
    need_vectors = encoder.encode_queries(texts)
    seen_kinds = set()
    for p in found:
        v = members[p.volunteer_id]
        km = distance_km(v.lat, v.lon, need.lat, need.lon)
        for r in p.reasons:
            seen_kinds.add(r.kind)
            if r.kind == "time":
                assert proposals.need_slot(need) in v.free_slots and r.text == f"{slot_words('sat:morning')}有空"
            elif r.kind == "distance":
                assert km <= v.max_km and r.text.endswith(distance_words(km))
            elif r.kind == "activity":
                assert need.activity.value in v.activities and need.activity.label in r.text
            elif r.kind in ("interest", "skill"):
                assert r.item in (v.interests if r.kind == "interest" else v.skills) and r.about in texts
                pair = encoder.encode_queries([r.item, r.about])
                similarity = calibrate(float(pair[0] @ pair[1]))
                assert similarity >= proposals.NAMED - 1e-3, (r.item, r.about, similarity)
                assert similarity >= calibrate(float(np.max(encoder.encode_queries([r.item]) @ need_vectors.T))) - 1e-3
            elif r.kind == "party":
                assert v.party_member
            else:
                raise AssertionError(r.kind)
        # and nothing true and material is left unsaid: wanting the activity and being a party member
        assert (need.activity.value in v.activities) == any(r.kind == "activity" for r in p.reasons)
        assert v.party_member == any(r.kind == "party" for r in p.reasons)
    assert {"time", "distance", "activity", "party"} <= seen_kinds
    assert found[0].name == "王大夫"  # wants the activity and says what the need says
    assert any(r.kind == "interest" and r.item in ("陪老人聊天", "量血压") for r in found[0].reasons)
    assert not any(r.kind in ("interest", "skill") for r in next(p for p in found if p.name == "赵师傅").reasons)


def test_hours_are_summed_and_the_summary_adds_up(session, matching) -> None:
    keeper, other = staff(session, THIRD), staff(session, FIRST)
    need = visit_need(session, keeper, elderly_household(session), first_on=date(2026, 9, 5), today=date(2026, 9, 1))
    a = member(session, user=keeper, name="甲", party=True)
    b = member(session, user=keeper, name="乙", activities=(Activity.neighbour_watch, Activity.teaching))
    member(session, user=other, community_code=FIRST, name="丙", activities=(Activity.cleanup,))
    first = proposals.assign(session, user=keeper, need=need, volunteer_id=a.id, matching=matching, today=TODAY)
    second = proposals.assign(session, user=keeper, need=need, volunteer_id=b.id, matching=matching, today=TODAY)
    for assignment, day, came, hours in ((first, date(2026, 9, 5), True, 1.5), (first, date(2026, 11, 28), True, 2.0),
                                         (first, date(2026, 12, 5), False, 0.0), (second, date(2026, 9, 5), True, 1.0)):
        service.record_service(session, user=keeper, assignment=assignment, today=TODAY,
                               data=ServiceCreate(on=day, attended=came, hours=hours))
    ledger = {v.name: v for v in service.ledger(session, user=create_user(session, role=Role.admin), today=TODAY)}
    assert ledger["甲"].hours_served == 3.5 and ledger["甲"].last_served_on == date(2026, 11, 28)
    assert ledger["乙"].hours_served == 1.0 and ledger["丙"].hours_served == 0
    s = service.summary(session, user=create_user(session, role=Role.leader), today=TODAY)
    assert (s.volunteers, s.party_members, s.hours) == (3, 1, 4.5)
    assert s.active_last_quarter == 1  # 甲 served on 28 Nov; 乙 last on 5 Sep, more than 90 days before
    assert sum(c.volunteers for c in s.by_community) == 3 and sum(c.hours for c in s.by_community) == s.hours
    by_activity = {c.activity: c for c in s.by_activity}
    assert by_activity[Activity.neighbour_watch].volunteers == 2 and by_activity[Activity.neighbour_watch].hours == 4.5
    assert by_activity[Activity.teaching].volunteers == 1 and by_activity[Activity.teaching].hours == 0
    assert sum(s.by_age_band.values()) == 3
    visits = service.household_visits(session, household_id=need.household_id)
    assert [(v.volunteer_name, v.hours, v.last_on) for v in visits] == [("甲", 3.5, date(2026, 11, 28)),
                                                                         ("乙", 1.0, date(2026, 9, 5))]
    assert visits[0].when == "每周六上午（2026-09-05起）"


def test_a_service_day_is_recorded_once_and_only_on_the_need_s_day(session, matching) -> None:
    keeper = staff(session)
    need = visit_need(session, keeper, elderly_household(session))
    v = member(session, user=keeper)
    assignment = proposals.assign(session, user=keeper, need=need, volunteer_id=v.id, matching=matching, today=TODAY)
    with pytest.raises(Conflict):
        proposals.assign(session, user=keeper, need=need, volunteer_id=v.id, matching=matching, today=TODAY)
    later = SATURDAY + timedelta(days=7)
    service.record_service(session, user=keeper, assignment=assignment, today=later,
                           data=ServiceCreate(on=SATURDAY, attended=True, hours=1.5))
    with pytest.raises(Conflict):
        service.record_service(session, user=keeper, assignment=assignment, today=later,
                               data=ServiceCreate(on=SATURDAY, attended=True, hours=1.5))
    for day, field in ((SATURDAY + timedelta(days=1), "on"), (later + timedelta(days=7), "on")):
        with pytest.raises(InvalidInput) as refused:
            service.record_service(session, user=keeper, assignment=assignment, today=later,
                                   data=ServiceCreate(on=day, attended=True, hours=1))
        assert refused.value.field == field
    assert service.assignments_of_need(session, need=need)[0].hours == 1.5


def test_needs_are_seen_by_their_community_and_the_paired_cadre(session) -> None:
    from estation.ledger.models import HouseholdPairing

    keeper = staff(session)
    household = elderly_household(session)
    need = visit_need(session, keeper, household)
    cadre, stranger = create_user(session, role=Role.cadre), create_user(session, role=Role.cadre)
    session.add(HouseholdPairing(cadre_id=cadre.id, household_id=household.id, start_date=date(2024, 1, 1)))
    session.flush()
    assert service.visible_need(session, cadre, need.id) is need
    assert [n.id for n in service.needs_for(session, user=cadre)] == [need.id]
    assert service.needs_for(session, user=stranger) == [] and service.needs_for(session, user=staff(session, FIRST)) == []
    with pytest.raises(Forbidden):
        visit_need(session, stranger, household)
    with pytest.raises(Forbidden):
        visit_need(session, staff(session, FIRST), household)
    assert [h.id for h in service.elderly_alone(session, user=keeper, today=TODAY)] == [household.id]


def test_a_need_cannot_start_in_the_past(session) -> None:
    keeper = staff(session)
    with pytest.raises(InvalidInput) as refused:
        visit_need(session, keeper, elderly_household(session), first_on=TODAY - timedelta(days=1))
    assert refused.value.field == "first_on"
    assert DayPart.morning.label == "上午"
