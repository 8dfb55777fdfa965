"""Request and response bodies for employers, vacancies, start-up opportunities and applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from estation.accounts.passwords import MIN_PASSWORD_LENGTH
from estation.identifiers import validate_uscc
from estation.jobs.models import (
    Adjustment,
    ApplicationStatus,
    ContractType,
    EmployerStatus,
    InvitationStatus,
    EmploymentType,
    Shift,
    StartupKind,
    Vacancy,
    VacancyStatus,
)
from estation.schemas import Demands, ORMModel, PatchModel, PhoneNumber, RowId, StatedDemands

Lat = Annotated[float, Field(ge=36.0, le=37.5)]
"""Jinan's latitude band: a point outside it is a typo, not a job."""
Lon = Annotated[float, Field(ge=116.2, le=117.9)]
OccupationCode = Annotated[str, Field(pattern=r"^\d-\d{2}-\d{2}-\d{2}$", examples=["4-07-05-01"])]


class OccupationOut(ORMModel):
    code: str
    level: int
    name: str
    parent_code: str | None
    definition: str
    aliases: list[str]


class StaffCounts(ORMModel):
    staff_count: Annotated[int, Field(ge=0, le=1000000)]
    disabled_staff_grade12: Annotated[int, Field(ge=0, le=1000000)] = 0
    disabled_staff_other: Annotated[int, Field(ge=0, le=1000000)] = 0

    @field_validator("disabled_staff_other")
    @classmethod
    def _disabled_within_staff(cls, v: int, info: ValidationInfo) -> int:
        # Disabled employees are part of the staff; more of them than staff is a typo in one of the counts.
        if {"staff_count", "disabled_staff_grade12"} <= info.data.keys():
            if info.data["disabled_staff_grade12"] + v > info.data["staff_count"]:
                raise ValueError("残疾职工人数不能超过在职职工总数")
        return v


class EmployerCreate(StaffCounts):
    uscc: Annotated[str, Field(examples=["91370102MA3C8Q3P3B"])]
    name: Annotated[str, Field(min_length=2, max_length=120)]
    industry: Annotated[str, Field(max_length=60)] = ""
    contact_name: Annotated[str, Field(min_length=1, max_length=40)]
    contact_phone: PhoneNumber
    address: Annotated[str, Field(min_length=2, max_length=160)]
    community_code: Annotated[str | None, Field(pattern=r"^370102009\d{3}$")] = None
    lat: Lat | None = None
    lon: Lon | None = None
    staff_count: Annotated[int, Field(ge=0, le=1000000)] = 0

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str) -> str:
        return validate_uscc(v)


class EmployerOut(ORMModel):
    id: int
    uscc: str
    name: str
    industry: str
    contact_name: str
    address: str
    community_code: str | None
    staff_count: int
    status: EmployerStatus
    refusal_reason: str | None


class EmployerDecision(ORMModel):
    approve: bool
    reason: Annotated[str | None, Field(max_length=200)] = None


class VacancyFields(ORMModel):
    title: Annotated[str, Field(min_length=2, max_length=80)]
    description: Annotated[str, Field(max_length=4000)] = ""
    occupation_code: OccupationCode | None = None
    community_code: Annotated[str | None, Field(pattern=r"^370102009\d{3}$")] = None
    address: Annotated[str, Field(min_length=2, max_length=160)]
    lat: Lat | None = None
    lon: Lon | None = None
    wage_min: Annotated[int, Field(ge=0, le=200000)]
    wage_max: Annotated[int, Field(ge=0, le=200000)]
    hours_per_day: Annotated[float, Field(gt=0, le=12)]
    days_per_week: Annotated[int, Field(ge=1, le=7)] = 5
    shift: Shift = Shift.day
    employment_type: EmploymentType
    home_based: bool = False
    demands: StatedDemands
    adjustments: list[Adjustment] = []
    openings: Annotated[int, Field(ge=1, le=999)] = 1
    valid_until: date

    @field_validator("wage_max")
    @classmethod
    def _wage_order(cls, v: int, info: ValidationInfo) -> int:
        if "wage_min" in info.data and v < info.data["wage_min"]:
            raise ValueError("最高工资不能低于最低工资")
        return v


class VacancyCreate(VacancyFields):
    employer_id: RowId


class VacancyUpdate(PatchModel):
    table = Vacancy
    null_fills_in = frozenset({"lat", "lon"})  # at the community's centre (jobs.service._place)
    title: Annotated[str | None, Field(min_length=2, max_length=80)] = None
    description: Annotated[str | None, Field(max_length=4000)] = None
    occupation_code: OccupationCode | None = None
    community_code: Annotated[str | None, Field(pattern=r"^370102009\d{3}$")] = None
    address: Annotated[str | None, Field(min_length=2, max_length=160)] = None
    lat: Lat | None = None
    lon: Lon | None = None
    wage_min: Annotated[int | None, Field(ge=0, le=200000)] = None
    wage_max: Annotated[int | None, Field(ge=0, le=200000)] = None
    hours_per_day: Annotated[float | None, Field(gt=0, le=12)] = None
    days_per_week: Annotated[int | None, Field(ge=1, le=7)] = None
    shift: Shift | None = None
    employment_type: EmploymentType | None = None
    home_based: bool | None = None
    demands: StatedDemands | None = None
    """Replaces every demand at once, so each must be stated."""
    adjustments: list[Adjustment] | None = None
    openings: Annotated[int | None, Field(ge=1, le=999)] = None
    valid_until: date | None = None
    status: VacancyStatus | None = None


class VacancyOut(ORMModel):
    id: int
    employer_id: RowId
    title: str
    description: str
    occupation_code: str | None
    inferred_occupation_code: str | None = Field(
        None, description="只在未填职业代码（occupation_code）时给出：系统从岗位名称推断的职业代码")
    community_code: str | None
    address: str
    lat: float
    lon: float
    wage_min: int
    wage_max: int
    hours_per_day: float
    days_per_week: int
    shift: Shift
    employment_type: EmploymentType
    home_based: bool
    demands: dict[str, int]
    """The physical demands the employer stated; a domain missing here was never stated and is unknown, not 0
    (the API documentation says so: estation.apifields.DEMANDS)."""
    adjustments: list[str]
    openings: int
    posted_at: datetime
    valid_until: date
    status: VacancyStatus


class StartupCreate(ORMModel):
    kind: StartupKind
    title: Annotated[str, Field(min_length=2, max_length=80)]
    description: Annotated[str, Field(max_length=4000)] = ""
    provider: Annotated[str, Field(min_length=2, max_length=120)]
    community_code: Annotated[str | None, Field(pattern=r"^370102009\d{3}$")] = None
    address: Annotated[str, Field(max_length=160)] = ""
    lat: Lat | None = None
    lon: Lon | None = None
    conditions: Annotated[str, Field(max_length=4000)] = ""
    amount_yuan: Annotated[int | None, Field(ge=0, le=10000000)] = None
    occupation_codes: list[OccupationCode] = []
    demands: Demands = {}
    home_based: bool = False
    valid_until: date


class StartupOut(ORMModel):
    id: int
    kind: StartupKind
    title: str
    description: str
    provider: str
    community_code: str | None
    address: str
    conditions: str
    amount_yuan: int | None
    occupation_codes: list[str]
    demands: dict[str, int]
    home_based: bool
    valid_until: date
    status: VacancyStatus


class ApplicationCreate(ORMModel):
    vacancy_id: RowId
    resident_id: RowId | None = None
    """Counter staff apply on a resident's behalf; a signed-in resident applies for themself."""


class ApplicationStatusChange(ORMModel):
    status: ApplicationStatus
    reason: Annotated[str | None, Field(max_length=200)] = None


class ApplicationEventOut(ORMModel):
    status: ApplicationStatus
    at: datetime
    note: str | None
    by_user_id: int | None = Field(description="记录这一步的账号编号（居民本人、用人单位或工作人员）")


class InterviewCreate(ORMModel):
    interview_at: datetime = Field(description="面试时间；不带时区的按北京时间")
    interview_place: Annotated[str, Field(min_length=2, max_length=120, description="面试地点")]


class AttendanceCreate(ORMModel):
    attended: bool = Field(description="求职者是否参加了面试")
    note: Annotated[str, Field(max_length=200)] = ""


class HireCreate(ORMModel):
    started_on: date
    monthly_wage: Annotated[int, Field(ge=1, le=1_000_000, description="月工资（元）")]
    contract_type: ContractType = Field(description="用工形式")
    public_welfare: bool = Field(default=False, description="是否公益性岗位（托底安置就业困难人员）")
    term_until: date | None = Field(default=None, description="公益性岗位的期限（到哪一天），最长三年")
    note: Annotated[str, Field(max_length=200)] = ""


class PlacementOut(ORMModel):
    id: int
    started_on: date
    monthly_wage: int | None = Field(description="月工资（元）；包户干部登记的上岗可能没有")
    contract_type: ContractType | None = Field(description="用工形式")
    public_welfare: bool = Field(description="是否公益性岗位")
    term_until: date | None = Field(description="公益性岗位的期限")
    ended_on: date | None = Field(description="离岗日期（上岗跟踪发现已不在岗时）")


class ApplicationOut(ORMModel):
    id: int
    reference: str
    resident_id: RowId
    vacancy_id: RowId
    status: ApplicationStatus
    status_reason: str | None
    created_at: datetime
    interview_at: datetime | None = Field(description="面试时间")
    interview_place: str | None = Field(description="面试地点")
    interview_attended: bool | None = Field(description="是否参加了面试；还没登记时为空")
    placement: PlacementOut | None = Field(description="录用上岗的情况；还没录用时为空")
    history: list[ApplicationEventOut]


Username = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{3,40}$", examples=["dianliu-jiazheng"])]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
"""Also checked against the common-password list when it is set (estation.accounts.passwords)."""


class EmployerRegistration(EmployerCreate):
    """Registration of an employer together with its sign-in account (role employer)."""

    username: Username
    password: Password


class EmployerRegistered(ORMModel):
    employer: EmployerOut
    username: str


class QuotaOut(ORMModel):
    province: str
    province_name: str
    rate: float
    staff_count: int
    disabled_staff_grade12: int
    disabled_staff_other: int
    counted: int
    required: float
    gap: float
    hires_needed: int
    severe_hires_needed: int
    met: bool
    levy_exempt: bool
    source: str


class VacancyRenew(ORMModel):
    valid_until: date


class OccupationSuggestion(ORMModel):
    code: str
    name: str
    score: float
    matched: str


class InvitationCreate(ORMModel):
    candidate_ref: Annotated[str, Field(min_length=8, max_length=64)]
    """The opaque reference of a recommended (masked) resident, as listed by the candidates route."""
    message: Annotated[str, Field(max_length=200)] = ""


class InvitationOut(ORMModel):
    id: int
    vacancy_id: RowId
    status: InvitationStatus
    message: str
    created_at: datetime
    responded_at: datetime | None
    application_id: int | None
    share_phone: bool = Field(description="接受时是否同意用人单位看到电话")
    decline_reason: str | None = Field(description="婉拒原因（居民选填）")


class MaskedCandidateOut(ORMModel):
    """A recommended resident without name, id number, phone, address or sex."""

    candidate_ref: str
    age_band: str
    work_capacity: str
    fits_demands: bool
    skills: str
    occupations: list[str]
    distance_km: float | None
    score: float | None
    invitation_status: InvitationStatus | None


class CandidatesOut(ORMModel):
    available: bool
    message: str
    items: list[MaskedCandidateOut]


class ApplicantOut(ORMModel):
    application_id: RowId
    reference: str
    status: ApplicationStatus
    status_reason: str | None
    name: str
    phone: str | None
    age: int
    sex: str
    skills: str
    work_capacity: str
    via_invitation: bool
    applied_at: datetime


class NotificationOut(ORMModel):
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
