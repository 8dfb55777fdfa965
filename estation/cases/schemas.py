"""Request and response bodies for the pension transfer assessment and the continued-contribution quote."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from estation import clock
from estation.cases import pension
from estation.schemas import Month, ProvinceCode, RowId, month_to_date

MAX_MONTHLY_BASE = Decimal(200_000)
"""No real monthly contribution base comes near this; anything above is a typing error."""
MAX_ACCOUNT_BALANCE = Decimal(100_000_000)
EARLIEST_BIRTH = date(1900, 1, 1)

Money = Annotated[Decimal, Field(ge=0, le=MAX_ACCOUNT_BALANCE, allow_inf_nan=False)]


class HistoryPeriod(BaseModel):
    province: ProvinceCode
    start: Month
    end: Month
    monthly_wage_base: Annotated[Decimal, Field(ge=0, le=MAX_MONTHLY_BASE, allow_inf_nan=False, examples=[6000])]
    temporary_account: bool = False

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"end（{end}）早于 start（{start}）")
        return end

    def to_period(self) -> pension.Period:
        return pension.Period(
            province=self.province,
            start=month_to_date(self.start),
            end=month_to_date(self.end),
            monthly_wage_base=self.monthly_wage_base,
            temporary_account=self.temporary_account,
        )


class TransferAssessmentIn(BaseModel):
    """Field order matters: each validator sees only the fields declared before it."""

    sex: Literal["male", "female"]
    application_date: date
    birth_date: date
    hukou_province: ProvinceCode
    new_province: ProvinceCode
    approved_official_transfer: bool = False
    history: Annotated[list[HistoryPeriod], Field(max_length=200)] = []
    personal_account_balance: Money = Decimal(0)

    @field_validator("application_date")
    @classmethod
    def _application_plausible(cls, value: date) -> date:
        if value.year < 1990 or value.year > clock.today().year + 1:
            raise ValueError("申请日期应在1990年至明年之间")
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth_plausible(cls, value: date, info: ValidationInfo) -> date:
        if value > clock.today():
            raise ValueError("出生日期不能晚于今天")
        if value < EARLIEST_BIRTH:
            raise ValueError("出生日期不合理")
        application = info.data.get("application_date")
        if application is not None and value > application:
            raise ValueError("出生日期不能晚于申请日期")
        return value

    @field_validator("history")
    @classmethod
    def _history_consistent(cls, periods: list[HistoryPeriod], info: ValidationInfo) -> list[HistoryPeriod]:
        ordered = sorted(enumerate(periods), key=lambda item: item[1].start)
        for (_, earlier), (index, later) in zip(ordered, ordered[1:]):
            if later.start <= earlier.end:
                raise ValueError(
                    f"第{index + 1}段（{later.start}起）与{earlier.start}至{earlier.end}的缴费期间重叠"
                )
        birth, application = info.data.get("birth_date"), info.data.get("application_date")
        for index, period in enumerate(periods):
            if birth is not None and month_to_date(period.start) < birth.replace(day=1):
                raise ValueError(f"第{index + 1}段 start 早于出生月份")
            if application is not None and month_to_date(period.end) > application.replace(day=1):
                raise ValueError(f"第{index + 1}段 end 晚于申请月份")
        if ordered and ordered[0][1].temporary_account:
            raise ValueError("最早的一段不能是临时缴费账户：临时账户只在已有基本养老保险关系时建立")
        return periods

    def to_request(self) -> pension.TransferRequest:
        return pension.TransferRequest(
            sex=self.sex,
            birth_date=self.birth_date,
            hukou_province=self.hukou_province,
            new_province=self.new_province,
            application_date=self.application_date,
            history=tuple(p.to_period() for p in self.history),
            approved_official_transfer=self.approved_official_transfer,
            personal_account_balance=self.personal_account_balance,
        )


class TransferAssessmentOut(BaseModel):
    procedure: Literal["transfer", "temporary_account"]
    pooled_fund_amount: float
    personal_account_amount: float
    years_by_province: dict[str, float]
    total_contribution_years: float
    meets_15_year_minimum: bool
    claim_province: str
    required_documents: list[str]
    explanation: str

    @classmethod
    def of(cls, a: pension.TransferAssessment, *, documents: list[str]) -> TransferAssessmentOut:
        return cls(
            procedure=a.procedure,
            pooled_fund_amount=float(a.pooled_fund_amount),
            personal_account_amount=float(a.personal_account_amount),
            years_by_province={code: float(years) for code, years in a.years_by_province.items()},
            total_contribution_years=float(a.total_contribution_years),
            meets_15_year_minimum=a.meets_minimum,
            claim_province=a.claim_province,
            required_documents=documents,
            explanation=a.explanation,
        )


class ContributionQuoteIn(BaseModel):
    """Either ``months`` or both ``start`` and ``end``; either ``base`` or ``base_share`` (or neither: the
    lower bound)."""

    year: Annotated[int | None, Field(ge=2000, le=2100)] = None
    base: Annotated[Decimal | None, Field(gt=0, le=MAX_MONTHLY_BASE, allow_inf_nan=False)] = None
    base_share: Annotated[Decimal | None, Field(gt=0, le=10, allow_inf_nan=False)] = None
    months: Annotated[int | None, Field(ge=1, le=600)] = None
    start: Month | None = None
    end: Month | None = None

    @field_validator("base_share")
    @classmethod
    def _one_base(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is not None and info.data.get("base") is not None:
            raise ValueError("base 与 base_share 只能填一个")
        return value

    @field_validator("end")
    @classmethod
    def _span(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"end（{end}）早于 start（{start}）")
        return end

    @model_validator(mode="after")
    def _months_given(self) -> ContributionQuoteIn:
        has_span = self.start is not None and self.end is not None
        if self.months is None and not has_span:
            raise ValueError("months：请填写欠缴月数，或同时填写 start 和 end")
        if self.months is not None and (self.start is not None or self.end is not None):
            raise ValueError("months：months 与 start/end 只能填一种")
        return self

    def month_count(self) -> int:
        if self.months is not None:
            return self.months
        assert self.start is not None and self.end is not None
        return (int(self.end[:4]) - int(self.start[:4])) * 12 + int(self.end[5:]) - int(self.start[5:]) + 1


class ContributionQuoteOut(BaseModel):
    year: int
    base: float
    lower_base: float
    upper_base: float
    rate: float
    monthly_amount: float
    months: int
    total: float
    explanation: str


# --- counter cases -----------------------------------------------------------------------------

DocumentName = Annotated[str, Field(min_length=1, max_length=200)]


class ServiceOut(BaseModel):
    model_config = {"from_attributes": True}

    code: str
    name: str
    summary: str
    documents: list[str]
    conditions: list[str]
    steps: list[str]
    time_limit_working_days: int


class ServiceEdit(BaseModel):
    """An admin's edit of one catalogue entry. Open cases keep the checklist they were accepted with."""

    name: Annotated[str, Field(min_length=2, max_length=80)]
    summary: Annotated[str, Field(max_length=2000)] = ""
    documents: Annotated[list[DocumentName], Field(min_length=1, max_length=40)]
    conditions: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=40)] = []
    steps: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=40)] = []
    time_limit_working_days: Annotated[int, Field(ge=1, le=180)]

    @field_validator("documents")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("材料清单中有重复的材料")
        return v


class CaseOpenIn(BaseModel):
    resident_id: Annotated[int, Field(ge=1)]
    service_code: Annotated[str, Field(min_length=1, max_length=40)]
    handed_in: Annotated[list[DocumentName], Field(max_length=50)] = []
    window: Annotated[int | None, Field(ge=1, le=99)] = None
    answers: Annotated[dict[str, str | int | float | bool | None], Field(max_length=20)] = {}
    """The case type's intake form (for a pension transfer: new_province, personal_account_balance,
    approved_official_transfer); a question left out takes what the type assumes."""


class DocumentsIn(BaseModel):
    documents: Annotated[list[DocumentName], Field(min_length=1, max_length=50)]


class NoteIn(BaseModel):
    note: Annotated[str, Field(max_length=500)] = ""


class RefuseIn(BaseModel):
    reason: Annotated[str, Field(min_length=4, max_length=500)]


class CaseEventOut(BaseModel):
    model_config = {"from_attributes": True}

    at: datetime
    status: str
    by_user_id: int | None
    window: int | None = Field(description="这一步在几号窗口办理（管理员或系统所做的步骤为空）")
    note: str | None


class CaseOut(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    reference: str
    query_code: str
    """Printed on the receipt and slip; with the reference it opens the case's public status."""
    service_code: str
    resident_id: RowId
    status: str
    status_label: str
    window: int | None
    opened_on: date
    accepted_on: date | None
    due_on: date | None
    due_on_provisional: bool
    documents: dict[str, bool]
    slip_documents: list[str]
    still_missing: list[str]
    outcome_reason: str | None
    closed_on: date | None
    details: dict
    events: list[CaseEventOut]


class PublicStatusOut(BaseModel):
    reference: str
    service: str
    status: str
    status_label: str
    opened_on: date
    due_on: date | None
    closed_on: date | None
    still_missing: list[str]


class TallyOut(BaseModel):
    model_config = {"from_attributes": True}

    opened: int
    completed: int
    completed_on_time: int
    refused: int
    open: int
    overdue: int
    came_back_for_documents: int


class FiguresOut(BaseModel):
    since: date
    until: date
    total: TallyOut
    by_window: dict[str, TallyOut]
    by_service: dict[str, TallyOut]
    service_names: dict[str, str]


class HolidayScheduleIn(BaseModel):
    """A year's official holiday schedule as the State Council's notice gives it."""

    holidays: Annotated[list[date], Field(min_length=1, max_length=60)]
    """Days off that would otherwise be worked (weekdays; weekend days in a holiday may be listed too)."""
    workdays: Annotated[list[date], Field(max_length=20)] = []
    """Weekend days worked instead (调休上班)."""
    source: Annotated[str, Field(min_length=4, max_length=200, examples=["国务院办公厅关于2027年部分节假日安排的通知"])]


class HolidayScheduleOut(BaseModel):
    year: int
    entered: bool
    """True when an admin entered this year; False when it comes from chinese-calendar (or is unknown)."""
    source: str | None
    holidays: list[date]
    workdays: list[date]
    settled_cases: list[str] = []
    """References of the cases whose provisional due date this schedule settled (on entry only)."""
