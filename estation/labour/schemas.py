"""Request and response bodies for residents, households and insurance periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from estation import clock, physical
from estation.identifiers import parse_resident_id
from estation.labour.models import (
    EmploymentStatus,
    Household,
    Payer,
    Registration,
    Relation,
    Resident,
    Scheme,
    WorkCapacity,
)
from estation.schemas import Limits, Month, ORMModel, PatchModel, PhoneNumber, ProvinceCode, RowId

CommunityCode = Annotated[str, Field(pattern=r"^370102009\d{3}$", examples=["370102009001"])]
DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DIFFICULTY_CATEGORIES = ("大龄失业人员", "残疾人", "零就业家庭成员", "低保家庭成员", "长期失业人员", "失地农民", "其他")
"""就业困难人员 categories a recognition names."""


def _not_future(value: date | None) -> date | None:
    if value is not None and value > clock.today():
        raise ValueError("不能晚于今天")
    return value


PastDate = Annotated[date | None, AfterValidator(_not_future)]
"""A day something happened (a registration, a recognition, a status change): today at the latest."""


FIELD_NAMES: dict[str, str] = {
    "household_id": "家庭", "relation": "与户主关系", "id_number": "身份证号", "name": "姓名", "birth_date": "出生日期", "sex": "性别", "phone": "手机",
    "hukou_province": "户籍省", "employment_status": "就业状态", "status_since": "状态开始日期",
    "registration": "登记类型", "registered_on": "登记日期", "skills": "技能", "experience": "工作经历",
    "wishes": "求职意愿", "occupation_codes": "意向职业", "preferred_hours_per_day": "每天想工作几小时",
    "preferred_days_per_week": "每周想工作几天", "max_travel_km": "最远能去多远", "home_based_only": "只找居家工作",
    "consent_to_employers": "同意向用人单位展示", "education": "学历", "work_capacity": "劳动能力",
    "limits": "各项能力",
    **{f"limits.{d.key}": f"{d.label}限制" for d in physical.DECLARED},
    "max_hours_per_day": "每天最多能工作几小时", "disability_category": "残疾类别",
    "disability_grade": "残疾等级", "health_note": "健康情况", "difficulty_category": "就业困难人员类别",
    "difficulty_recognised_on": "就业困难人员认定日期", "insurance_periods": "外省参保记录", "community_code": "社区",
    "address": "住址", "alert_consent": "短信和微信提醒",
}
"""Each resident field's name on the counter's forms and in the change history (a changed limit is named
by its domain, ``limits.<domain>``)."""


class CommunityOut(ORMModel):
    code: str
    name: str
    short_name: str
    lat: float
    lon: float


class HouseholdCreate(ORMModel):
    community_code: CommunityCode
    address: Annotated[str, Field(min_length=2, max_length=120)]
    hardship: bool = False
    hardship_reason: Annotated[str | None, Field(max_length=200)] = None


class HouseholdUpdate(PatchModel):
    table = Household
    address: Annotated[str | None, Field(min_length=2, max_length=120)] = None
    hardship: bool | None = None
    hardship_reason: Annotated[str | None, Field(max_length=200)] = None


class HouseholdOut(ORMModel):
    id: int
    community_code: str
    address: str
    hardship: bool
    hardship_reason: str | None
    member_ids: list[RowId] = []


class CapacityFields(ORMModel):
    work_capacity: WorkCapacity | None = None
    limits: Limits | None = None
    max_hours_per_day: Annotated[float | None, Field(gt=0, le=12)] = None
    disability_category: Annotated[str | None, Field(json_schema_extra={"enum": list(DISABILITY_CATEGORIES)})] = None
    disability_grade: Annotated[int | None, Field(ge=1, le=4)] = None
    health_note: Annotated[str | None, Field(max_length=500)] = None

    @field_validator("disability_category")
    @classmethod
    def _category(cls, v: str | None) -> str | None:
        if v is not None and v not in DISABILITY_CATEGORIES:
            raise ValueError(f"残疾类别应为：{'、'.join(DISABILITY_CATEGORIES)}")
        return v

    @field_validator("disability_grade")
    @classmethod
    def _certificate_whole(cls, v: int | None, info: ValidationInfo) -> int | None:
        if "disability_category" in info.data and (info.data["disability_category"] is None) != (v is None):
            raise ValueError("残疾类别和等级需同时填写")
        return v


class DifficultyFields(ORMModel):
    """就业困难人员 recognition: the category and the date it was recognised, given together."""

    difficulty_category: Annotated[str | None, Field(
        description="就业困难人员认定的类别（困难情况，加密保存）", json_schema_extra={"enum": list(DIFFICULTY_CATEGORIES)})] = None
    difficulty_recognised_on: Annotated[PastDate, Field(description="就业困难人员的认定日期（加密保存）")] = None

    @field_validator("difficulty_category")
    @classmethod
    def _difficulty(cls, v: str | None) -> str | None:
        if v is not None and v not in DIFFICULTY_CATEGORIES:
            raise ValueError(f"就业困难人员类别应为：{'、'.join(DIFFICULTY_CATEGORIES)}")
        return v

    @field_validator("difficulty_recognised_on")
    @classmethod
    def _recognition_whole(cls, v: date | None, info: ValidationInfo) -> date | None:
        if "difficulty_category" in info.data and (info.data["difficulty_category"] is None) != (v is None):
            raise ValueError("就业困难人员类别和认定日期需同时填写")
        return v


class ProfileFields(ORMModel):
    skills: Annotated[str | None, Field(max_length=1000)] = None
    experience: Annotated[str | None, Field(max_length=2000)] = None
    wishes: Annotated[str | None, Field(max_length=1000)] = None
    occupation_codes: list[Annotated[str, Field(pattern=r"^\d-\d{2}-\d{2}-\d{2}$")]] | None = None
    preferred_hours_per_day: Annotated[float | None, Field(gt=0, le=12)] = None
    preferred_days_per_week: Annotated[int | None, Field(ge=1, le=7)] = None
    max_travel_km: Annotated[float | None, Field(gt=0, le=50)] = None
    home_based_only: bool | None = None
    consent_to_employers: bool | None = None
    education: Annotated[str | None, Field(max_length=20)] = None
    registration: Annotated[Registration | None, Field(description="求职登记或失业登记；空表示未登记求职")] = None
    registered_on: Annotated[PastDate, Field(description="办理求职登记或失业登记的日期")] = None

    @field_validator("registered_on")
    @classmethod
    def _registration_dated(cls, v: date | None, info: ValidationInfo) -> date | None:
        if "registration" in info.data and info.data["registration"] is not None and v is None:
            raise ValueError("请填写登记日期")
        return v


class ResidentCreate(CapacityFields, DifficultyFields, ProfileFields):
    household_id: RowId
    relation: Relation
    id_number: Annotated[str, Field(examples=["370102198001010012"])]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: PhoneNumber | None = None
    hukou_province: ProvinceCode
    birth_date: date | None = None
    """Optional: when given it must agree with the id number."""
    sex: Annotated[str | None, Field(pattern="^(male|female)$")] = None
    employment_status: EmploymentStatus
    status_since: PastDate = None

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, v: str) -> str:
        return parse_resident_id(v).number

    # Field validators (not a model validator) so that a 422 names the field that disagrees.
    @field_validator("birth_date")
    @classmethod
    def _birth_agrees(cls, v: date | None, info: ValidationInfo) -> date | None:
        number = info.data.get("id_number")
        if v is not None and number and v != parse_resident_id(number).birth_date:
            raise ValueError("出生日期与身份证号不一致")
        return v

    @field_validator("sex")
    @classmethod
    def _sex_agrees(cls, v: str | None, info: ValidationInfo) -> str | None:
        number = info.data.get("id_number")
        if v is not None and number and v != parse_resident_id(number).sex:
            raise ValueError("性别与身份证号不一致")
        return v


class ResidentUpdate(CapacityFields, DifficultyFields, ProfileFields, PatchModel):
    table = Resident
    name: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    phone: PhoneNumber | None = None
    employment_status: EmploymentStatus | None = None
    status_since: PastDate = None


class ResidentOut(ORMModel):
    id: int
    household_id: RowId
    relation: Relation
    id_number_masked: str
    name: str
    phone_masked: str
    sex: str
    age: int
    """The age, never the birth date: beside the masked id number the birth date would fill its hidden
    digits (the counter reads it off the card in hand)."""
    hukou_province: str
    community_code: str
    work_capacity: WorkCapacity
    limits: dict[str, int]
    max_hours_per_day: float
    disability_category: Annotated[str | None, Field(description="残疾人证的残疾类别；仅窗口、社区工作人员、包户干部和管理员可见")] = None
    disability_grade: Annotated[int | None, Field(description="残疾人证的等级（1-4级，1级最重）；同上")] = None
    employment_status: EmploymentStatus
    skills: str
    experience: str
    wishes: str
    occupation_codes: list[str]
    preferred_hours_per_day: float | None
    preferred_days_per_week: int | None
    max_travel_km: float
    home_based_only: bool
    consent_to_employers: bool
    registration: Annotated[Registration | None, Field(description="求职登记或失业登记；空表示未登记求职")]
    registered_on: Annotated[date | None, Field(description="办理求职登记或失业登记的日期")]
    difficulty_category: Annotated[str | None, Field(description="就业困难人员认定的类别；仅窗口、社区工作人员和管理员可见")] = None
    difficulty_recognised_on: Annotated[date | None, Field(description="就业困难人员的认定日期；同上")] = None
    """就业困难人员 recognition: hardship data, given only to the roles that keep it (else null)."""


class InsurancePeriodCreate(ORMModel):
    scheme: Scheme
    province: ProvinceCode
    start_month: Month
    end_month: Month
    monthly_wage_base: Annotated[Decimal, Field(gt=0, le=200000, decimal_places=2)]
    payer: Payer
    employer_name: Annotated[str | None, Field(max_length=120)] = None
    temporary_account: bool = False

    @field_validator("end_month")
    @classmethod
    def _order(cls, v: str, info: ValidationInfo) -> str:
        start = info.data.get("start_month")
        if start is not None and v < start:
            raise ValueError("结束月份不能早于开始月份")
        return v


class InsurancePeriodOut(ORMModel):
    id: int
    resident_id: RowId
    scheme: Scheme
    province: str
    start_month: date
    end_month: date
    months: int
    monthly_wage_base: Decimal
    payer: Payer
    employer_name: str | None
    temporary_account: bool
