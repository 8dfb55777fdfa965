"""Employers, vacancies, start-up opportunities, applications and the occupation classification."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedString

if TYPE_CHECKING:
    from estation.labour.models import Resident


class EmployerStatus(Labelled):
    pending = "pending", "等待审核"
    approved = "approved", "已通过审核"
    refused = "refused", "未通过审核"


class VacancyStatus(Labelled):
    draft = "draft", "草稿（待审核后发布）"
    open = "open", "招聘中"
    closed = "closed", "已关闭"


class EmploymentType(Labelled):
    full_time = "full_time", "全职"
    part_time = "part_time", "兼职"
    hourly = "hourly", "小时工"
    temporary = "temporary", "临时工"


class Shift(Labelled):
    day = "day", "白班"
    night = "night", "夜班"
    rotating = "rotating", "倒班"
    flexible = "flexible", "时间灵活"


class Adjustment(Labelled):
    seated_work = "seated_work", "可坐姿工作"
    step_free = "step_free", "无障碍通行"
    flexible_hours = "flexible_hours", "弹性工作时间"
    home_based = "home_based", "居家就业"
    training = "training", "岗前培训"
    accessible_toilet = "accessible_toilet", "无障碍卫生间"
    sign_language = "sign_language", "手语沟通"
    screen_reader = "screen_reader", "读屏软件"


class StartupKind(Labelled):
    shop_space = "shop_space", "创业场地"
    project = "project", "创业项目"
    loan = "loan", "创业担保贷款"
    subsidy = "subsidy", "创业补贴"


class ApplicationStatus(Labelled):
    new = "new", "已提交"
    contacted = "contacted", "单位已联系"
    interview = "interview", "已约面试"
    offered = "offered", "已发录用通知"
    hired = "hired", "已录用上岗"
    not_hired = "not_hired", "未录用"
    withdrawn = "withdrawn", "已撤回"
    left = "left", "已离职"
    """A follow-up found the person no longer in the job."""


class ContractType(Labelled):
    """How the person was taken on (recorded with a hire)."""

    fixed_term = "fixed_term", "固定期限劳动合同"
    open_ended = "open_ended", "无固定期限劳动合同"
    part_time = "part_time", "非全日制用工"
    service = "service", "劳务协议"


class InvitationStatus(Labelled):
    pending = "pending", "等待答复"
    accepted = "accepted", "已接受"
    declined = "declined", "已婉拒"


class Occupation(Base):
    """A code of the 2022 national occupation classification (职业分类大典)."""

    __tablename__ = "occupation"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(10))
    definition: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    green: Mapped[bool] = mapped_column(Boolean, default=False)
    digital: Mapped[bool] = mapped_column(Boolean, default=False)


class Employer(Base, TimestampMixin):
    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    industry: Mapped[str] = mapped_column(String(60), default="")
    contact_name: Mapped[str] = mapped_column(String(40))
    contact_phone: Mapped[str] = mapped_column(EncryptedString(200), deferred=True)
    """Read (and decrypted) only where it is shown or used: not with every job card that names the employer."""
    address: Mapped[str] = mapped_column(String(160))
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    province: Mapped[str] = mapped_column(String(2), default="37")
    staff_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled_staff_grade12: Mapped[int] = mapped_column(Integer, default=0)
    disabled_staff_other: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[EmployerStatus] = mapped_column(_enum(EmployerStatus), default=EmployerStatus.pending)
    refusal_reason: Mapped[str | None] = mapped_column(String(200))

    vacancies: Mapped[list[Vacancy]] = relationship(back_populates="employer")


class Vacancy(Base, TimestampMixin):
    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"), index=True)
    """The employer's choice; empty if the employer chose none."""
    inferred_occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"))
    """Only while ``occupation_code`` is empty: the code the system reads from the title when it embeds
    the listing (estation.matching.occupations), for search filters and matching. Never shown as the
    employer's choice."""
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"), index=True)
    address: Mapped[str] = mapped_column(String(160))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    wage_min: Mapped[int] = mapped_column(Integer)
    wage_max: Mapped[int] = mapped_column(Integer)
    """Monthly yuan; hourly jobs are converted at posting so every wage compares."""
    hours_per_day: Mapped[float] = mapped_column(Float)
    days_per_week: Mapped[int] = mapped_column(Integer, default=5)
    shift: Mapped[Shift] = mapped_column(_enum(Shift), default=Shift.day)
    employment_type: Mapped[EmploymentType] = mapped_column(_enum(EmploymentType))
    home_based: Mapped[bool] = mapped_column(Boolean, default=False)
    demands: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    adjustments: Mapped[list[str]] = mapped_column(JSON, default=list)
    openings: Mapped[int] = mapped_column(Integer, default=1)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[VacancyStatus] = mapped_column(_enum(VacancyStatus), default=VacancyStatus.open, index=True)

    employer: Mapped[Employer] = relationship(back_populates="vacancies")
    occupation: Mapped[Occupation | None] = relationship(foreign_keys=[occupation_code])


class StartupOpportunity(Base, TimestampMixin):
    """A shop space, project, guaranteed loan or subsidy that helps a resident start a business."""

    __tablename__ = "startup_opportunity"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StartupKind] = mapped_column(_enum(StartupKind))
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(120))
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"))
    address: Mapped[str] = mapped_column(String(160), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    conditions: Mapped[str] = mapped_column(Text, default="")
    amount_yuan: Mapped[int | None] = mapped_column(Integer)
    """Loan ceiling, subsidy amount or monthly rent, depending on the kind."""
    occupation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    demands: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    home_based: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[VacancyStatus] = mapped_column(_enum(VacancyStatus), default=VacancyStatus.open)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Application(Base, TimestampMixin):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus), default=ApplicationStatus.new)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interview_place: Mapped[str | None] = mapped_column(String(120))
    interview_attended: Mapped[bool | None] = mapped_column(Boolean)
    """Recorded by the employer after the interview; None until then."""

    vacancy: Mapped[Vacancy] = relationship()
    placement: Mapped[Placement | None] = relationship(back_populates="application")
    history: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )


class ApplicationEvent(Base):
    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus))
    """The status after this step (a step that keeps the status, such as attendance, repeats it)."""
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(String(200))

    application: Mapped[Application] = relationship(back_populates="history")


class Invitation(Base, TimestampMixin):
    """An employer asks a recommended (masked) resident to consider a vacancy; the resident answers at the kiosk.

    Accepting turns into an application, and only then does the employer see who the resident is.
    """

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("vacancy_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(_enum(InvitationStatus), default=InvitationStatus.pending)
    message: Mapped[str] = mapped_column(String(200), default="")
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    """Why the resident declined, if they said (one of the kiosk's plain choices, or their own words)."""
    share_phone: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the resident, accepting, agreed that the employer sees their phone number."""

    vacancy: Mapped[Vacancy] = relationship()


class Placement(Base, TimestampMixin):
    """A person started a job: hired through an application, or reported by the paired cadre after a
    ledger job referral. The one record placements are counted by; followed up at 1, 3 and 6 months."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), unique=True)
    started_on: Mapped[date] = mapped_column(Date, index=True)
    monthly_wage: Mapped[int | None] = mapped_column(Integer)
    """Yuan a month; unknown for a placement the cadre reported."""
    contract_type: Mapped[ContractType | None] = mapped_column(_enum(ContractType))
    public_welfare: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """公益性岗位 (托底安置 of 就业困难人员)."""
    term_until: Mapped[date | None] = mapped_column(Date)
    """The end of a 公益性岗位's term."""
    previous_status: Mapped[str | None] = mapped_column(String(32))
    """The resident's employment status before the job, restored if a follow-up finds them out of it."""
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    vacancy: Mapped[Vacancy] = relationship()
    resident: Mapped[Resident] = relationship()
    application: Mapped[Application | None] = relationship(back_populates="placement")
    follow_ups: Mapped[list[PlacementFollowUp]] = relationship(
        back_populates="placement", order_by="PlacementFollowUp.months_after", cascade="all, delete-orphan"
    )


class PlacementFollowUp(Base):
    """A check 1, 3 or 6 months after a placement: is the person still in the job? Due to counter staff
    and to the cadre paired with the household, who sees it among their duties."""

    __tablename__ = "placement_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    placement_action_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_action.id", ondelete="CASCADE"),
                                                            index=True)
    """The ledger's placement action, when the cadre reported the placement from a job referral."""
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"))
    months_after: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answered_on: Mapped[date | None] = mapped_column(Date)
    still_employed: Mapped[bool | None] = mapped_column(Boolean)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    answer_action_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_action.id"))

    placement: Mapped[Placement] = relationship(back_populates="follow_ups")
