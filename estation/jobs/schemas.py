"""Request and response bodies for employers, vacancies, start-up opportunities and applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from estation.identifiers import validate_uscc
from estation.jobs.models import (
    Adjustment,
    ApplicationStatus,
    EmployerStatus,
    EmploymentType,
    Shift,
    StartupKind,
    VacancyStatus,
)
from estation.schemas import Demands, ORMModel, PhoneNumber

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


class EmployerCreate(ORMModel):
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
    disabled_staff_grade12: Annotated[int, Field(ge=0, le=1000000)] = 0
    disabled_staff_other: Annotated[int, Field(ge=0, le=1000000)] = 0

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
    demands: Demands = {}
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
    employer_id: int


class VacancyUpdate(ORMModel):
    title: Annotated[str | None, Field(min_length=2, max_length=80)] = None
    description: Annotated[str | None, Field(max_length=4000)] = None
    wage_min: Annotated[int | None, Field(ge=0, le=200000)] = None
    wage_max: Annotated[int | None, Field(ge=0, le=200000)] = None
    hours_per_day: Annotated[float | None, Field(gt=0, le=12)] = None
    demands: Demands | None = None
    adjustments: list[Adjustment] | None = None
    openings: Annotated[int | None, Field(ge=1, le=999)] = None
    valid_until: date | None = None
    status: VacancyStatus | None = None


class VacancyOut(ORMModel):
    id: int
    employer_id: int
    title: str
    description: str
    occupation_code: str | None
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
    vacancy_id: int
    resident_id: int | None = None
    """Counter staff apply on a resident's behalf; a signed-in resident applies for themself."""


class ApplicationStatusChange(ORMModel):
    status: ApplicationStatus
    reason: Annotated[str | None, Field(max_length=200)] = None


class ApplicationEventOut(ORMModel):
    status: ApplicationStatus
    at: datetime
    note: str | None


class ApplicationOut(ORMModel):
    id: int
    reference: str
    resident_id: int
    vacancy_id: int
    status: ApplicationStatus
    status_reason: str | None
    created_at: datetime
    history: list[ApplicationEventOut]
