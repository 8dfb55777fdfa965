"""Pydantic shapes of the ledger API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from estation.labour.models import EmploymentStatus, Relation, Sex, WorkCapacity
from estation.ledger.models import ActionKind, LedgerCategory, LedgerStatus, ReminderOutcome
from estation.matching.schemas import LimitOut
from estation.schemas import ORMModel, RowId

Note = Annotated[str, Field(max_length=2000)]

MASKED_NOTE = "（敏感内容，仅包户干部可见）"

# Actions a cadre records by hand; placements and follow-ups have their own routes.
MANUAL_KINDS = (ActionKind.home_visit, ActionKind.call, ActionKind.referral, ActionKind.return_visit)


class ItemCreate(ORMModel):
    category: LedgerCategory
    problem: Annotated[str, Field(min_length=2, max_length=2000)]
    resident_id: RowId | None = None
    raised_on: date | None = None
    due_on: date
    sensitive: bool = False


class ActionCreate(ORMModel):
    kind: ActionKind
    on: date | None = None
    note: Note = ""
    sensitive: bool = False
    resident_id: RowId | None = None
    outcome_ok: bool | None = None
    """Return visit: did the problem stay solved? ``False`` reopens a resolved item."""


class VisitCreate(ORMModel):
    """A contact with the household, optionally on one of its problems."""

    kind: ActionKind = ActionKind.home_visit
    item_id: RowId | None = None
    on: date | None = None
    note: Note = ""
    sensitive: bool = False
    outcome_ok: bool | None = None


class StatusMove(ORMModel):
    to: LedgerStatus
    reason: Annotated[str, Field(max_length=300)] = ""


class Reopen(ORMModel):
    reason: Annotated[str, Field(min_length=2, max_length=300)]


class ReferralCreate(ORMModel):
    resident_id: RowId
    vacancy_id: RowId
    item_id: RowId | None = None
    note: Note = ""


class PlacementCreate(ORMModel):
    started_on: date
    note: Note = ""


class FollowUpAnswer(ORMModel):
    still_employed: bool
    on: date | None = None
    note: Note = ""


class PairingCreate(ORMModel):
    cadre_id: RowId
    household_id: RowId
    start_date: date


class Reassign(ORMModel):
    cadre_id: RowId
    on: date
    reason: Annotated[str, Field(min_length=2, max_length=200)]


class AssignmentCreate(ORMModel):
    leader_id: RowId
    community_code: Annotated[str, Field(pattern=r"^\d{12}$")]
    start_date: date


class MeetingCreate(ORMModel):
    community_code: Annotated[str, Field(pattern=r"^\d{12}$")]
    held_on: date
    topic: Annotated[str, Field(min_length=2, max_length=200)]
    attendees: Annotated[int, Field(ge=0, le=1000)] = 0
    notes: Note = ""


class ActionOut(ORMModel):
    id: int
    household_id: RowId
    item_id: int | None
    resident_id: int | None
    kind: ActionKind
    on: date
    by_user_id: int | None
    note: str
    sensitive: bool
    masked: bool = False
    vacancy_id: int | None
    outcome_ok: bool | None


class StatusChangeOut(ORMModel):
    from_status: LedgerStatus | None
    to_status: LedgerStatus
    on: date
    by_user_id: int | None
    reason: str


class ItemOut(ORMModel):
    id: int
    household_id: RowId
    resident_id: int | None
    category: LedgerCategory
    problem: str
    masked: bool = False
    raised_on: date
    raised_by_id: int | None
    due_on: date
    status: LedgerStatus
    sensitive: bool
    overdue: bool
    reopened_count: int
    escalated_on: date | None
    escalated_to_id: int | None
    actions: list[ActionOut]
    status_changes: list[StatusChangeOut]


class MemberOut(ORMModel):
    id: int
    name: str
    relation: Relation
    age: int
    sex: Sex
    id_number_masked: str
    phone_masked: str
    work_capacity: WorkCapacity
    disability_grade: int | None
    employment_status: EmploymentStatus


class ReminderOut(ORMModel):
    resident_id: RowId
    name: str
    code: str
    policy: str
    reason: str
    action: str
    outcome: ReminderOutcome | None = Field(default=None, description="包户干部的核实结果；尚未核实时为空")
    marked_on: date | None = Field(default=None, description="核实标记的日期")
    mark_note: str = Field(default="", description="核实时写的说明（如不适用的原因）")


class ReminderMarkIn(ORMModel):
    resident_id: RowId
    code: Annotated[str, Field(min_length=2, max_length=40)]
    outcome: ReminderOutcome = Field(description="核实结果：已享受，或不适用（须写明原因）")
    note: Annotated[str, Field(max_length=300)] = ""


class LedgerItemRef(ORMModel):
    id: int
    status: LedgerStatus
    due_on: date
    overdue: bool


class ZeroHouseholdOut(ORMModel):
    """A 零就业家庭 today: someone of working age able to work is registered unemployed, nobody works."""
    id: int
    community_code: str
    community_name: str
    address: str
    head_name: str
    job_seekers: list[str] = Field(description="有劳动能力、已失业登记的劳动年龄成员姓名")
    cadre_names: list[str]
    item: LedgerItemRef | None
    """The household's open 就业 item of the ledger, if any."""


class WelfarePostOut(ORMModel):
    """A running 公益性岗位 placement (托底安置) and its term."""
    placement_id: int = Field(description="上岗记录编号")
    household_id: int
    resident_name: str = Field(description="上岗人员姓名")
    community_name: str
    job: str = Field(description="岗位名称（用人单位）")
    started_on: date
    term_until: date | None = Field(description="公益性岗位期限的最后一天")
    days_left: int | None = Field(description="距期限还有几天（已过期为负数）")
    ending_soon: bool = Field(description="是否30天内到期（需提前安排后续就业）")


class HardshipOut(ORMModel):
    zero_employment_households: list[ZeroHouseholdOut] = Field(description="当前的零就业家庭")
    public_welfare_posts: list[WelfarePostOut] = Field(description="在岗的公益性岗位安置及其期限")


class CoverageOut(ORMModel):
    """One community and policy: households reminded of it, by the cadres' answers."""
    community_code: str
    community_name: str
    policy: str
    eligible: int = Field(description="符合条件的户数：收到这项政策提醒的家庭，减去经核实不适用的")
    received: int = Field(description="已享受的户数（有成员被标记为已享受）")
    not_applicable: int = Field(description="经核实不适用的户数")
    to_check: int = Field(description="尚待核实的户数")


class PairingOut(ORMModel):
    id: int
    cadre_id: RowId
    household_id: RowId
    start_date: date
    end_date: date | None
    end_reason: str | None


class AssignmentOut(ORMModel):
    id: int
    leader_id: RowId
    community_code: str
    start_date: date
    end_date: date | None


class MeetingOut(ORMModel):
    id: int
    community_code: str
    leader_id: RowId
    held_on: date
    topic: str
    attendees: int
    notes: str


class HouseholdSummary(ORMModel):
    id: int
    community_code: str
    address: str
    head_name: str
    """户主 (or the first member): how a cadre recognises the household."""
    hardship: bool
    hardship_reason: str | None
    open_items: int
    overdue_items: int
    last_contact_on: date | None
    cadre_names: list[str]


class HouseholdLedger(HouseholdSummary):
    members: list[MemberOut]
    items: list[ItemOut]
    general_actions: list[ActionOut]
    """Contacts not tied to one problem (a routine visit)."""
    reminders: list[ReminderOut]
    pairings: list[PairingOut]


class FollowUpOut(ORMModel):
    id: int
    household_id: RowId
    resident_id: int | None
    vacancy_id: int | None
    placement_id: int = Field(description="上岗记录编号")
    months_after: int = Field(description="上岗后第几个月的跟踪（1、3、6）")
    resident_name: str = Field(description="上岗的居民")
    job: str = Field(description="岗位和用人单位")
    due_on: date
    answered_on: date | None
    still_employed: bool | None


class LeaderDuty(ORMModel):
    leader_id: RowId
    leader_name: str
    community_code: str
    community_name: str
    year: int
    quarter: int
    meetings: int
    meeting_held: bool
    households_visited: int
    visits_required: int
    compliant: bool


class NoContact(ORMModel):
    cadre_id: RowId
    cadre_name: str
    household_id: RowId
    address: str
    last_contact_on: date | None
    days_without_contact: int | None


class Duties(ORMModel):
    year: int
    quarter: int
    leaders: list[LeaderDuty]
    no_contact_days: int
    no_contact: list[NoContact]
    follow_ups: list[FollowUpOut] = Field(description="到期（或一周内到期）还没登记的上岗跟踪，包户干部只看自己结对的家庭")


class WorkMatch(ORMModel):
    """One job or start-up opportunity recommended for a member, with why (at most three reasons)."""

    kind: str
    """vacancy or startup."""
    vacancy_id: int | None
    startup_id: int | None
    title: str
    employer_name: str
    explanation: str
    score: float
    home_based: bool
    distance_km: float | None


class MemberWork(ORMModel):
    """One member's recommendations, and what shaped them: their limits (with what each removed and what
    could be done), which of them emptied the list, and what their age means."""

    resident_id: RowId
    name: str
    age: int
    considerations: list[str]
    matches: list[WorkMatch]
    limits: list[LimitOut]
    emptied_by: list[str]
    pool: int


class SkippedMember(ORMModel):
    resident_id: RowId
    name: str
    reason: str


class OpenVacancy(ORMModel):
    """An open vacancy near the household, offered for a referral when matching is unavailable."""

    vacancy_id: RowId
    title: str
    employer_name: str
    home_based: bool
    distance_km: float


class MatchResult(ORMModel):
    available: bool
    message: str
    members: list[MemberWork] = []
    skipped: list[SkippedMember] = []
    nearby: list[OpenVacancy] = []
    """When matching is unavailable: the open vacancies nearest the household, to refer by hand."""
