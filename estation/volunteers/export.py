"""The alliance's ledger and the street's summary as one .xlsx (two sheets), written by estation.sheets so
that nothing a member typed becomes a formula. Id numbers and phones are masked in the file as on screen."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from sqlalchemy.orm import Session

from estation import sheets
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.volunteers import repository, service
from estation.volunteers.schemas import Summary, VolunteerOut

HEADERS = ["序号", "社区", "姓名", "身份证号", "手机", "年龄段", "党员", "兴趣爱好", "技能特长", "愿意参加的活动",
           "空余时间", "服务距离", "同意联系", "登记方式", "登记日期", "服务时长（小时）", "最近服务"]


def workbook(members: list[VolunteerOut], summary: Summary, *, today: date) -> bytes:
    wb = sheets.new_workbook(streaming=True)
    ledger = wb.create_sheet("志愿者台账")
    sheets.add_row(ledger, [f"甸柳街道党员、志愿者联盟台账　导出日期：{today}"], bold=True)
    sheets.add_row(ledger, HEADERS, bold=True)
    for n, v in enumerate(members, start=1):
        sheets.add_row(ledger, [
            n, v.community_name, v.name, v.id_number_masked, v.phone_masked, v.age_band.label,
            "是" if v.party_member else "否", v.interests, v.skills, "、".join(a.label for a in v.activities),
            "、".join(v.free_time), f"{v.max_km:g}公里以内", "是" if v.consent_to_contact else "否",
            v.channel.label, v.registered_on, v.hours_served, v.last_served_on or "",
        ])
    totals = wb.create_sheet("汇总")
    sheets.add_row(totals, [f"汇总　近一季度：{summary.since}起"], bold=True)
    sheets.add_row(totals, ["社区", "志愿者", "党员", "近一季度参加服务", "服务时长（小时）"], bold=True)
    for c in summary.by_community:
        sheets.add_row(totals, [c.community_name, c.volunteers, c.party_members, c.active_last_quarter, c.hours])
    sheets.add_row(totals, ["合计", summary.volunteers, summary.party_members, summary.active_last_quarter,
                            summary.hours], bold=True)
    sheets.add_row(totals, [])
    sheets.add_row(totals, ["志愿活动", "愿意参加的人数", "服务时长（小时）"], bold=True)
    for a in summary.by_activity:
        sheets.add_row(totals, [a.activity.label, a.volunteers, a.hours])
    sheets.add_row(totals, [])
    sheets.add_row(totals, ["年龄段", "人数"], bold=True)
    for band, count in summary.by_age_band.items():
        sheets.add_row(totals, [band.label, count])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger_file(session: Session, *, user: User, today: date) -> tuple[bytes, str]:
    """The members ``user`` keeps and their summary as an .xlsx, and its file name. A member who is a
    resident on record has the export in their access log, as a ledger export does."""
    members = service.ledger(session, user=user, today=today)
    for resident_id in repository.residents_of(session, [m.id for m in members]):
        log_access(session, user=user, resident_id=resident_id, action="export", what="志愿者台账导出",
                   reason="导出志愿者台账")
    content = workbook(members, service.summary(session, user=user, today=today), today=today)
    return content, sheets.file_name("志愿者台账", str(today))
