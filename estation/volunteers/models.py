"""The volunteer alliance (党员、志愿者联盟): members, the needs they are asked to serve, assignments and
each service done (attendance and hours)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, UTCDateTime, utcnow
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedString


class Activity(Labelled):
    """The volunteer activities of the street (the seed article's list)."""

    neighbour_watch = "neighbour_watch", "邻里守望关爱"
    mediation = "mediation", "纠纷调解"
    hygiene = "hygiene", "卫生检查"
    teaching = "teaching", "开班授课"
    cleanup = "cleanup", "环境清洁"
    youth = "youth", "青少年辅导"
    culture = "culture", "文体活动"


class Weekday(Labelled):
    mon = "mon", "周一"
    tue = "tue", "周二"
    wed = "wed", "周三"
    thu = "thu", "周四"
    fri = "fri", "周五"
    sat = "sat", "周六"
    sun = "sun", "周日"


class DayPart(Labelled):
    morning = "morning", "上午"
    afternoon = "afternoon", "下午"
    evening = "evening", "晚上"


class AgeBand(Labelled):
    """Read from the id number on every read (never stored: it moves on with the years)."""

    under_30 = "under_30", "30岁以下"
    from_30 = "from_30", "30-44岁"
    from_45 = "from_45", "45-59岁"
    from_60 = "from_60", "60-69岁"
    from_70 = "from_70", "70岁及以上"


class VolunteerChannel(Labelled):
    kiosk = "kiosk", "自助终端"
    community = "community", "社区登记"
    api = "api", "系统接口"
    phone = "phone", "手机报名"


class VolunteerStatus(Labelled):
    """A member registered by staff or at the kiosk is one at once; an application on the public phone
    page (no sign-in, no id number) waits for its community's staff to check it by phone."""

    pending = "pending", "待社区核实"
    member = "member", "已确认"
    declined = "declined", "未通过"


class NeedStatus(Labelled):
    open = "open", "招募中"
    closed = "closed", "已结束"


class Volunteer(Base, TimestampMixin):
    """A member of the alliance. The id number and phone are encrypted like a resident's, with keyed
    hashes beside them (one member per id number); a resident who registers at the kiosk is linked. An
    application from the phone page has no id number: its age band is the one the applicant chose, and
    it is neither in the ledger nor proposed until community staff confirm it."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(EncryptedString(200))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    stated_age_band: Mapped[AgeBand | None] = mapped_column(_enum(AgeBand))
    """The applicant's own answer, kept only when there is no id number to read it from."""
    phone: Mapped[str] = mapped_column(EncryptedString(200))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    interests: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Activity values the member wants to take part in."""
    free_slots: Mapped[list[str]] = mapped_column(JSON, default=list)
    """``"<weekday>:<daypart>"``, e.g. ``"sat:morning"``: when the member is free, every week."""
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    max_km: Mapped[float] = mapped_column(Float, default=2.0)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    channel: Mapped[VolunteerChannel] = mapped_column(_enum(VolunteerChannel))
    registered_on: Mapped[date] = mapped_column(Date)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[VolunteerStatus] = mapped_column(_enum(VolunteerStatus), default=VolunteerStatus.member,
                                                    index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str] = mapped_column(String(200), default="")


class VolunteerNeed(Base, TimestampMixin):
    """What a community or a cadre asks volunteers for: one time (``weekly`` false) or every week from
    ``first_on`` on the same weekday, at one part of the day, at a place (a household's home, or a
    place in the community)."""

    __tablename__ = "volunteer_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    activity: Mapped[Activity] = mapped_column(_enum(Activity))
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(120))
    requirements: Mapped[str] = mapped_column(Text, default="")
    first_on: Mapped[date] = mapped_column(Date)
    part_of_day: Mapped[DayPart] = mapped_column(_enum(DayPart))
    weekly: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[float] = mapped_column(Float)
    """Hours one service takes."""
    wanted: Mapped[int] = mapped_column(Integer, default=1)
    """How many volunteers it takes."""
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus), default=NeedStatus.open, index=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    assignments: Mapped[list[VolunteerAssignment]] = relationship(
        back_populates="need", order_by="VolunteerAssignment.id")


class VolunteerAssignment(Base):
    """A member taken on for a need, with the reasons the platform gave when it proposed them."""

    __tablename__ = "volunteer_assignment"
    __table_args__ = (UniqueConstraint("need_id", "volunteer_id", name="uq_volunteer_assignment_need_volunteer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("volunteer_need.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[VolunteerNeed] = relationship(back_populates="assignments")
    volunteer: Mapped[Volunteer] = relationship()
    services: Mapped[list[VolunteerService]] = relationship(
        back_populates="assignment", order_by="VolunteerService.on")


class VolunteerService(Base):
    """One service day of an assignment: came or not, and the hours served."""

    __tablename__ = "volunteer_service"
    __table_args__ = (UniqueConstraint("assignment_id", "on", name="uq_volunteer_service_assignment_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("volunteer_assignment.id"), index=True)
    on: Mapped[date] = mapped_column(Date, index=True)
    attended: Mapped[bool] = mapped_column(Boolean)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment: Mapped[VolunteerAssignment] = relationship(back_populates="services")
