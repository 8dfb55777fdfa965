"""Pydantic shapes of the volunteer API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, field_validator

from estation.identifiers import parse_resident_id
from estation.schemas import ORMModel, PhoneNumber, RowId
from estation.volunteers.models import Activity, AgeBand, DayPart, NeedStatus, VolunteerChannel, VolunteerStatus, Weekday

Words = Annotated[str, Field(max_length=500)]
SLOT = r"^(mon|tue|wed|thu|fri|sat|sun):(morning|afternoon|evening)$"
Slot = Annotated[str, Field(pattern=SLOT, examples=["sat:morning"])]
KM_CHOICES = (1.0, 2.0, 3.0, 5.0)


def slot(weekday: Weekday, part: DayPart) -> str:
    return f"{weekday.value}:{part.value}"


def slot_words(value: str) -> str:
    """"sat:morning" -> "周六上午"."""
    day, part = value.split(":")
    return Weekday(day).label + DayPart(part).label


class Preferences(ORMModel):
    """What a member says of themself: the same at the kiosk, on the community's form and in the API."""

    interests: Words = ""
    skills: Words = ""
    activities: Annotated[list[Activity], Field(min_length=1, description="愿意参加的志愿活动，至少一项")]
    free_slots: Annotated[list[Slot], Field(min_length=1, description="每周有空的时间：星期几:上午/下午/晚上，至少一项")]
    party_member: bool = False
    consent_to_contact: bool = Field(description="同意社区按登记的电话联系本人安排志愿服务")
    max_km: Annotated[float, Field(gt=0, le=10, description="愿意去多远的地方服务（公里）")] = 2.0

    @field_validator("activities", "free_slots")
    @classmethod
    def _distinct(cls, v: list) -> list:
        return sorted(set(v), key=lambda x: str(x))


class VolunteerCreate(Preferences):
    """Registered by community staff at the counter (or by a program)."""

    community_code: Annotated[str, Field(pattern=r"^\d{12}$", examples=["370102009003"])]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    id_number: Annotated[str, Field(examples=["370102198001010012"])]
    phone: PhoneNumber

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, v: str) -> str:
        return parse_resident_id(v).number


class SelfRegistration(Preferences):
    """A signed-in resident at the kiosk: name, id number and community come from their record."""

    phone: PhoneNumber | None = None
    """Only when the record has none."""


class Application(Preferences):
    """Sent on the public phone page without sign-in: no id number (nobody could check whose it is), the
    age band instead; it waits for the community's staff to confirm it by phone."""

    community_code: Annotated[str, Field(pattern=r"^\d{12}$", examples=["370102009003"])]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: PhoneNumber
    age_band: AgeBand


class Decision(ORMModel):
    reason: Annotated[str, Field(min_length=2, max_length=200, description="不通过的原因（告诉申请人时用）")]


class VolunteerOut(ORMModel):
    id: int
    community_code: str
    community_name: str
    name: str
    id_number_masked: str
    phone_masked: str
    age_band: AgeBand
    interests: str
    skills: str
    activities: list[Activity]
    free_slots: list[str]
    free_time: list[str]
    """The free slots in words (周六上午, ...)."""
    party_member: bool
    consent_to_contact: bool
    max_km: float
    channel: VolunteerChannel
    registered_on: date
    status: VolunteerStatus
    decline_reason: str
    hours_served: float
    last_served_on: date | None


class ActivityCount(ORMModel):
    activity: Activity
    volunteers: int
    hours: float


class CommunitySummary(ORMModel):
    community_code: str
    community_name: str
    volunteers: int
    party_members: int
    active_last_quarter: int
    hours: float


class Summary(ORMModel):
    """The street's summary: its communities' figures add up to the totals."""

    volunteers: int
    party_members: int
    active_last_quarter: int
    """Members who served on some day of the last 90 days."""
    hours: float
    by_activity: list[ActivityCount]
    """Members who want each activity, and the hours served on needs of that activity."""
    by_community: list[CommunitySummary]
    by_age_band: dict[AgeBand, int]
    since: date
    """The first day counted as the last quarter."""


class NeedCreate(ORMModel):
    activity: Activity
    title: Annotated[str, Field(min_length=2, max_length=100, examples=["每周探访独居老人"])]
    requirements: Words = Field("", description="需要什么：技能、人数、注意事项")
    household_id: RowId | None = Field(None, description="探访的家庭（台账中的家庭），地点即其住址")
    community_code: Annotated[str | None, Field(pattern=r"^\d{12}$")] = Field(
        None, description="不指定家庭时必填：在哪个社区")
    place: Annotated[str, Field(max_length=120)] = Field("", description="不指定家庭时必填：地点")
    first_on: date
    part_of_day: DayPart
    weekly: bool = False
    hours: Annotated[float, Field(gt=0, le=12)]
    wanted: Annotated[int, Field(ge=1, le=50)] = 1


class NeedOut(ORMModel):
    id: int
    community_code: str
    community_name: str
    household_id: int | None
    activity: Activity
    title: str
    place: str
    requirements: str
    first_on: date
    part_of_day: DayPart
    weekly: bool
    when: str
    """In words: 每周六上午 (from 2026-12-12), or 2026-12-12（周六）上午."""
    hours: float
    wanted: int
    assigned: int
    status: NeedStatus


class VolunteerReason(ORMModel):
    kind: str
    """time, distance, activity, interest, skill or party: what in the data makes it true."""
    text: str
    item: str | None = None
    """For interest and skill: the member's own words the need is close to."""
    about: str | None = None
    """For interest and skill: the need's words (its title or one requirement) they are close to."""


class Proposal(ORMModel):
    volunteer_id: int
    name: str
    phone_masked: str
    community_name: str
    distance_km: float
    score: float
    reasons: list[VolunteerReason]


class VolunteerAssignmentCreate(ORMModel):
    volunteer_id: RowId


class ServiceCreate(ORMModel):
    on: date
    attended: bool
    hours: Annotated[float, Field(ge=0, le=12)] = 0.0
    note: Annotated[str, Field(max_length=200)] = ""


class VolunteerServiceOut(ORMModel):
    on: date
    attended: bool
    hours: float
    note: str


class VolunteerAssignmentOut(ORMModel):
    id: int
    need_id: int
    need_title: str
    when: str
    volunteer_id: int
    volunteer_name: str
    phone_masked: str
    assigned_on: date
    reasons: list[str]
    services: list[VolunteerServiceOut]
    hours: float
    last_on: date | None
