"""The volunteer alliance's rules: who keeps and sees which members, registering (at the kiosk, at the
community's desk, by the API), the street's summary, needs, assignments and the services done.

Who sees what: community staff keep their own community's members and needs; leaders and admins see the
whole street; cadres post needs for the households paired with them and see those needs' volunteers (a
name and a masked phone: enough to call them, nothing more). A member's id number and phone are stored
encrypted and shown masked to everyone.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from estation.accounts.models import Role, User
from estation.errors import Conflict, Forbidden, InvalidInput, NotFound
from estation.identifiers import parse_resident_id
from estation.kit import get_or_404
from estation.labour import access
from estation.labour.models import Community, Household, Resident
from estation.labour.service import age_on, communities
from estation.privacy import lookup_hash, mask_id_number, mask_phone
from estation.volunteers import repository
from estation.volunteers.models import (
    Activity,
    AgeBand,
    NeedStatus,
    Volunteer,
    VolunteerAssignment,
    VolunteerChannel,
    VolunteerNeed,
    VolunteerStatus,
)
from estation.volunteers.schemas import (
    ActivityCount,
    Application,
    CommunitySummary,
    Decision,
    NeedCreate,
    NeedOut,
    SelfRegistration,
    ServiceCreate,
    Summary,
    VolunteerAssignmentOut,
    VolunteerCreate,
    VolunteerOut,
    VolunteerServiceOut,
    slot_words,
)

KEEPERS = frozenset({Role.community_staff, Role.admin})
"""Who registers members at the desk and keeps the ledger (community staff: their own community)."""
READERS = frozenset({Role.community_staff, Role.leader, Role.admin})
"""Who reads the ledger and the street's summary (community staff: their own community)."""
POSTERS = frozenset({Role.community_staff, Role.cadre, Role.leader, Role.admin})
"""Who posts needs and takes volunteers on for them."""
QUARTER = timedelta(days=90)
ELDERLY_AGE = 60


# ---- who may see what -------------------------------------------------------------------------------

def community_scope(user: User) -> str | None:
    """The one community whose members ``user`` keeps, or None for the whole street."""
    if user.role == Role.community_staff:
        return user.community_code or "-"
    if user.role in (Role.leader, Role.admin):
        return None
    raise Forbidden("志愿者台账仅限社区工作人员、联居领导和管理员查看")


def ensure_keeps(user: User, community_code: str) -> None:
    if user.role not in KEEPERS or (user.role == Role.community_staff and user.community_code != community_code):
        raise Forbidden("社区工作人员只能登记本社区的志愿者")


def _needs_stmt(user: User):
    stmt = select(VolunteerNeed)
    if user.role in (Role.leader, Role.admin):
        return stmt
    if user.role == Role.community_staff:
        return stmt.where(VolunteerNeed.community_code == user.community_code)
    if user.role == Role.cadre:
        mine = access.scope_households(select(Household.id), user)
        return stmt.where(or_(VolunteerNeed.posted_by_id == user.id, VolunteerNeed.household_id.in_(mine)))
    raise Forbidden("志愿服务需求仅限社区工作人员、包户干部、联居领导和管理员使用")


def visible_need(session: Session, user: User, need_id: int) -> VolunteerNeed:
    need = session.scalar(_needs_stmt(user).where(VolunteerNeed.id == need_id))
    if need is None:
        raise NotFound("该需求不存在，或不在您负责的范围内")
    return need


def visible_assignment(session: Session, user: User, assignment_id: int) -> VolunteerAssignment:
    assignment = get_or_404(session, VolunteerAssignment, assignment_id, "该安排不存在")
    visible_need(session, user, assignment.need_id)
    return assignment


# ---- members ------------------------------------------------------------------------------------------

def age_band(id_number: str, today: date) -> AgeBand:
    age = age_on(parse_resident_id(id_number).birth_date, today)
    if age < 30:
        return AgeBand.under_30
    if age < 45:
        return AgeBand.from_30
    if age < 60:
        return AgeBand.from_45
    return AgeBand.from_60 if age < 70 else AgeBand.from_70


def band_of(v: Volunteer, today: date) -> AgeBand:
    """Read from the id number; an application from the phone page has none and keeps the band it chose."""
    if v.id_number:
        return age_band(v.id_number, today)
    assert v.stated_age_band is not None  # apply() keeps one whenever there is no id number
    return v.stated_age_band


def _insert(session: Session, values: dict) -> Volunteer:
    new_id = repository.insert_volunteer(session, values)
    if new_id is None:
        raise Conflict("此人已登记为志愿者，请在志愿者台账中查看", field="id_number")
    volunteer = session.get(Volunteer, new_id)
    assert volunteer is not None
    return volunteer


def register(session: Session, *, user: User | None, data: VolunteerCreate, today: date,
             channel: VolunteerChannel = VolunteerChannel.community) -> Volunteer:
    """A member registered at the community's desk (or by a program); their home is the community's
    centre unless they are a resident on record."""
    if user is not None:
        ensure_keeps(user, data.community_code)
    community = session.get(Community, data.community_code)
    if community is None:
        raise InvalidInput("社区不存在", field="community_code")
    digest = lookup_hash(data.id_number)
    resident = session.scalar(select(Resident).where(Resident.id_number_hash == digest))
    home = (resident.lat, resident.lon) if resident is not None else (community.lat, community.lon)
    return _insert(session, {
        **data.model_dump(exclude={"community_code", "id_number", "phone", "activities"}),
        "activities": [a.value for a in data.activities],
        "community_code": community.code, "resident_id": resident.id if resident else None,
        "id_number": data.id_number, "id_number_hash": digest, "phone": data.phone, "phone_hash": lookup_hash(data.phone),
        "lat": home[0], "lon": home[1], "channel": channel, "registered_on": today,
        "registered_by_id": user.id if user else None,
    })


def own_membership(session: Session, *, resident: Resident) -> Volunteer | None:
    return repository.by_resident(session, resident.id) or repository.by_id_number_hash(session, resident.id_number_hash)


def register_self(session: Session, *, resident: Resident, data: SelfRegistration, today: date) -> Volunteer:
    """A resident signed in at the kiosk joins, or changes what they said; sent twice, it is one member."""
    phone = data.phone or resident.phone
    if not phone:
        raise InvalidInput("请填写手机号码，方便社区联系您", field="phone")
    prefs = data.model_dump(exclude={"phone", "activities"}) | {"activities": [a.value for a in data.activities]}
    existing = own_membership(session, resident=resident)
    if existing is None:
        existing = _insert(session, {
            **prefs, "community_code": resident.community_code, "resident_id": resident.id, "name": resident.name,
            "id_number": resident.id_number, "id_number_hash": resident.id_number_hash, "phone": phone,
            "phone_hash": lookup_hash(phone), "lat": resident.lat, "lon": resident.lon, "channel": VolunteerChannel.kiosk,
            "registered_on": today, "registered_by_id": None,
        })
        return existing
    for key, value in prefs.items():
        setattr(existing, key, value)
    if data.phone:
        existing.phone, existing.phone_hash = data.phone, lookup_hash(data.phone)
    session.flush()
    return existing


def apply(session: Session, *, data: Application, today: date) -> Volunteer | None:
    """An application from the public phone page: waits (待社区核实) for its community's staff, and is
    neither in the ledger nor proposed until they confirm it. Its home is the community's centre. A phone
    already waiting or a member in that community makes no second row (None), and the sender is told the
    same as anyone, so the page never says whose number is registered."""
    community = session.get(Community, data.community_code)
    if community is None:
        raise InvalidInput("请选择您住的社区", field="community_code")
    if not data.consent_to_contact:
        raise InvalidInput("请勾选同意：社区工作人员要打电话向您核实", field="consent_to_contact")
    digest = lookup_hash(data.phone)
    if repository.open_by_phone(session, community_code=community.code, phone_hash=digest) is not None:
        return None
    return _insert(session, {
        **data.model_dump(exclude={"community_code", "phone", "activities", "age_band"}),
        "activities": [a.value for a in data.activities], "community_code": community.code, "resident_id": None,
        "id_number": None, "id_number_hash": None, "stated_age_band": data.age_band, "phone": data.phone,
        "phone_hash": digest, "lat": community.lat, "lon": community.lon, "channel": VolunteerChannel.phone,
        "registered_on": today, "registered_by_id": None, "status": VolunteerStatus.pending,
    })


def applications(session: Session, *, user: User, today: date) -> list[VolunteerOut]:
    """The applications waiting for ``user`` to check: community staff their community's, admins all."""
    if user.role not in KEEPERS:
        return []
    found = repository.volunteers(session, community_code=community_scope(user), status=VolunteerStatus.pending)
    return [volunteer_out(v, names=communities(session), served={}, today=today) for v in found]


def _waiting(session: Session, *, user: User, volunteer_id: int) -> Volunteer:
    v = session.get(Volunteer, volunteer_id, with_for_update=True)
    if v is None:
        raise NotFound("该报名不存在")
    if user.role not in KEEPERS or (user.role == Role.community_staff and user.community_code != v.community_code):
        raise Forbidden("社区工作人员只能核实本社区的报名")
    if v.status != VolunteerStatus.pending:
        raise Conflict(f"这份报名已经处理过了（{v.status.label}）")
    return v


def confirm(session: Session, *, user: User, volunteer_id: int, today: date) -> Volunteer:
    """Staff checked the applicant by phone: a member from now on (proposed if they agreed to be called)."""
    v = _waiting(session, user=user, volunteer_id=volunteer_id)
    v.status, v.decided_by_id, v.decided_on = VolunteerStatus.member, user.id, today
    session.flush()
    return v


def decline(session: Session, *, user: User, volunteer_id: int, data: Decision, today: date) -> Volunteer:
    v = _waiting(session, user=user, volunteer_id=volunteer_id)
    v.status, v.decided_by_id, v.decided_on = VolunteerStatus.declined, user.id, today
    v.decline_reason = data.reason.strip()
    session.flush()
    return v


def volunteer_out(v: Volunteer, *, names: dict[str, Community], served: dict, today: date) -> VolunteerOut:
    hours, last = served.get(v.id, (0.0, None))
    return VolunteerOut(
        id=v.id, community_code=v.community_code, community_name=names[v.community_code].short_name,
        name=v.name, id_number_masked=mask_id_number(v.id_number),
        phone_masked=mask_phone(v.phone), age_band=band_of(v, today), interests=v.interests, skills=v.skills,
        activities=[Activity(a) for a in v.activities], free_slots=list(v.free_slots),
        free_time=[slot_words(s) for s in v.free_slots], party_member=v.party_member,
        consent_to_contact=v.consent_to_contact, max_km=v.max_km, channel=v.channel,
        registered_on=v.registered_on, status=v.status, decline_reason=v.decline_reason, hours_served=round(hours, 1), last_served_on=last)


def member_out(session: Session, v: Volunteer, *, today: date) -> VolunteerOut:
    return volunteer_out(v, names=communities(session), served=repository.served(session, [v.id]), today=today)


def ledger(session: Session, *, user: User, today: date, community_code: str | None = None,
           activity: Activity | None = None) -> list[VolunteerOut]:
    """The members ``user`` keeps (a leader or admin may narrow to one community), newest last."""
    scope = community_scope(user)
    found = repository.volunteers(session, community_code=scope or community_code or None)
    if activity is not None:
        found = [v for v in found if activity.value in v.activities]
    names = communities(session)
    served = repository.served(session, [v.id for v in found])
    return [volunteer_out(v, names=names, served=served, today=today) for v in found]


def summary(session: Session, *, user: User, today: date) -> Summary:
    """The street's (or, for community staff, their community's) figures; the communities add up to it."""
    scope = community_scope(user)
    members = repository.volunteers(session, community_code=scope)
    served = repository.served(session, [v.id for v in members])
    since = today - QUARTER
    active = {vid for vid, (_h, last) in served.items() if last is not None and last >= since}
    names = communities(session)
    by_community = []
    for code in sorted({v.community_code for v in members}):
        mine = [v for v in members if v.community_code == code]
        by_community.append(CommunitySummary(
            community_code=code, community_name=names[code].short_name, volunteers=len(mine),
            party_members=sum(v.party_member for v in mine), active_last_quarter=sum(v.id in active for v in mine),
            hours=round(sum(served.get(v.id, (0.0, None))[0] for v in mine), 1)))
    hours = repository.hours_by_activity(session, scope)
    bands = {band: 0 for band in AgeBand}
    for v in members:
        bands[band_of(v, today)] += 1
    return Summary(
        volunteers=len(members), party_members=sum(v.party_member for v in members),
        active_last_quarter=len(active), hours=round(sum(h for h, _l in served.values()), 1),
        by_activity=[ActivityCount(activity=a, volunteers=sum(a.value in v.activities for v in members),
                                   hours=round(hours.get(a.value, 0.0), 1)) for a in Activity],
        by_community=by_community, by_age_band=bands, since=since)


# ---- needs --------------------------------------------------------------------------------------------

def when_words(need: VolunteerNeed) -> str:
    weekday = "一二三四五六日"[need.first_on.weekday()]
    if need.weekly:
        return f"每周{weekday}{need.part_of_day.label}（{need.first_on:%Y-%m-%d}起）"
    return f"{need.first_on:%Y-%m-%d}（周{weekday}）{need.part_of_day.label}"


def need_out(need: VolunteerNeed, names: dict[str, Community]) -> NeedOut:
    return NeedOut(id=need.id, community_code=need.community_code, community_name=names[need.community_code].short_name,
                   household_id=need.household_id, activity=need.activity, title=need.title, place=need.place,
                   requirements=need.requirements, first_on=need.first_on, part_of_day=need.part_of_day,
                   weekly=need.weekly, when=when_words(need), hours=need.hours, wanted=need.wanted,
                   assigned=len(need.assignments), status=need.status)


def one_need_out(session: Session, need: VolunteerNeed) -> NeedOut:
    session.refresh(need, ["assignments"])
    return need_out(need, communities(session))


def elderly_alone(session: Session, *, user: User, today: date) -> list[Household]:
    """Households ``user`` may see whose one member is 60 or older: those a weekly visit is for."""
    stmt = (access.scope_households(select(Household), user).options(selectinload(Household.members))
            .order_by(Household.community_code, Household.id))
    return [h for h in session.scalars(stmt)
            if len(h.members) == 1 and age_on(h.members[0].birth_date, today) >= ELDERLY_AGE]


def post_need(session: Session, *, user: User, data: NeedCreate, today: date) -> VolunteerNeed:
    if user.role not in POSTERS:
        raise Forbidden("您没有权限发布志愿服务需求")
    if data.first_on < today:
        raise InvalidInput("开始日期不能早于今天", field="first_on")
    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None:
            raise InvalidInput("家庭不存在", field="household_id")
        access.ensure_can_see_household(session, user, household.id)
        home = household.members[0] if household.members else None
        code, place = household.community_code, household.address
        lat, lon = (home.lat, home.lon) if home else (None, None)
    else:
        if not data.community_code:
            raise InvalidInput("请选择社区", field="community_code")
        if not data.place.strip():
            raise InvalidInput("请填写地点", field="place")
        code, place, lat, lon = data.community_code, data.place.strip(), None, None
    community = session.get(Community, code)
    if community is None:
        raise InvalidInput("社区不存在", field="community_code")
    if user.role == Role.community_staff and code != user.community_code:
        raise Forbidden("社区工作人员只能为本社区发布需求")
    need = VolunteerNeed(
        community_code=code, household_id=data.household_id, activity=data.activity, title=data.title.strip(),
        place=place, requirements=data.requirements.strip(), first_on=data.first_on, part_of_day=data.part_of_day,
        weekly=data.weekly, hours=data.hours, wanted=data.wanted, lat=lat if lat is not None else community.lat,
        lon=lon if lon is not None else community.lon, status=NeedStatus.open, posted_by_id=user.id)
    session.add(need)
    session.flush()
    return need


def needs_for(session: Session, *, user: User) -> list[NeedOut]:
    names = communities(session)
    return [need_out(n, names) for n in repository.needs(session, _needs_stmt(user))]


def close_need(session: Session, *, need: VolunteerNeed) -> VolunteerNeed:
    need.status = NeedStatus.closed
    session.flush()
    return need


# ---- assignments and services ------------------------------------------------------------------------

def assignment_out(a: VolunteerAssignment) -> VolunteerAssignmentOut:
    attended = [s for s in a.services if s.attended]
    return VolunteerAssignmentOut(
        id=a.id, need_id=a.need_id, need_title=a.need.title, when=when_words(a.need), volunteer_id=a.volunteer_id,
        volunteer_name=a.volunteer.name, phone_masked=mask_phone(a.volunteer.phone), assigned_on=a.assigned_on,
        reasons=list(a.reasons), services=[VolunteerServiceOut(on=s.on, attended=s.attended, hours=s.hours, note=s.note)
                                           for s in a.services],
        hours=round(sum(s.hours for s in attended), 1), last_on=max((s.on for s in attended), default=None))


def assignments_of_need(session: Session, *, need: VolunteerNeed) -> list[VolunteerAssignmentOut]:
    return [assignment_out(a) for a in repository.assignments_of(session, need_id=need.id)]


def household_visits(session: Session, *, household_id: int) -> list[VolunteerAssignmentOut]:
    """Who visits a household for the volunteer alliance, and when they came (the ledger page shows it)."""
    return [assignment_out(a) for a in repository.assignments_of(session, household_id=household_id)]


def visible_household_visits(session: Session, *, user: User, household_id: int) -> list[VolunteerAssignmentOut]:
    """:func:`household_visits` of a household ``user`` may see (the same rule as its ledger)."""
    get_or_404(session, Household, household_id, "家庭不存在")
    access.ensure_can_see_household(session, user, household_id)
    return household_visits(session, household_id=household_id)


def record_service(session: Session, *, user: User, assignment: VolunteerAssignment, data: ServiceCreate,
                   today: date) -> VolunteerAssignment:
    need = assignment.need
    if data.on > today:
        raise InvalidInput("服务日期不能晚于今天", field="on")
    if data.on < need.first_on:
        raise InvalidInput("服务日期不能早于需求的开始日期", field="on")
    if need.weekly and data.on.weekday() != need.first_on.weekday():
        raise InvalidInput(f"这项服务在每周{'一二三四五六日'[need.first_on.weekday()]}，日期不是这一天",
                           field="on")
    if not need.weekly and data.on != need.first_on:
        raise InvalidInput("这项服务只在需求当天，日期不对", field="on")
    if data.attended and data.hours <= 0:
        raise InvalidInput("请填写服务时长", field="hours")
    if repository.insert_service(session, {
        "assignment_id": assignment.id, "on": data.on, "attended": data.attended,
        "hours": data.hours if data.attended else 0.0, "note": data.note.strip(), "recorded_by_id": user.id,
    }) is None:
        raise Conflict("这一天的服务已经登记过了", field="on")
    session.expire(assignment, ["services"])
    return assignment
