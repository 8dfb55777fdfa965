"""Plain factory functions and sheet builders for the import/export tests."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy.orm import Session

from estation.identifiers import make_resident_id, make_uscc
from estation.jobs.models import Employer, EmployerStatus
from estation.labour.models import EmploymentStatus, Household, Relation, Resident
from estation.labour.schemas import ResidentCreate
from estation.labour.service import create_resident as service_create_resident

_seq = itertools.count(1)


def id_number(birth: date | None = None, sex: str = "male") -> str:
    """A valid id number, unique within the run (the default birth date moves on with the sequence)."""
    n = next(_seq)
    birth = birth or date(1960, 1, 1) + timedelta(days=n % 14000)
    return make_resident_id("370102", birth, 2 * n % 998 + 2, sex=sex)


def create_employer(session: Session, *, name: str = "济南甸柳物业服务有限公司") -> Employer:
    employer = Employer(
        uscc=make_uscc(f"91370102MA3C{next(_seq):05d}"), name=name, contact_name="李经理",
        contact_phone="13905310000", address="历下区和平路1号", community_code="370102009001",
        lat=36.665, lon=117.049, status=EmployerStatus.approved,
    )
    session.add(employer)
    session.flush()
    return employer


def create_resident(session: Session, *, number: str | None = None, name: str = "王秀英") -> Resident:
    household = Household(community_code="370102009002", address=f"甸柳新村{next(_seq)}号楼1单元101")
    session.add(household)
    session.flush()
    return service_create_resident(
        session,
        data=ResidentCreate(
            household_id=household.id, relation=Relation.head, id_number=number or id_number(), name=name,
            hukou_province="37", employment_status=EmploymentStatus.registered_unemployed,
        ),
    )


def future(days: int = 90) -> date:
    return date.today() + timedelta(days=days)


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


RESIDENT_HEADERS = ["身份证号", "姓名", "性别", "出生日期", "手机号", "户籍省份代码", "社区代码", "住址", "与户主关系", "劳动能力", "就业状态"]


def resident_row(**overrides: object) -> list[object]:
    """One valid resident row, in RESIDENT_HEADERS order; override by header."""
    number = str(overrides.pop("身份证号", None) or id_number())
    values: dict[str, object] = {
        "身份证号": number, "姓名": "张建国", "性别": None, "出生日期": None, "手机号": "13805311234",
        "户籍省份代码": "37", "社区代码": "370102009001", "住址": f"甸柳新村{next(_seq)}号楼2单元302",
        "与户主关系": "户主", "劳动能力": "完全", "就业状态": "登记失业",
    }
    values.update(overrides)
    return [values[h] for h in RESIDENT_HEADERS]


PERIOD_HEADERS = ["身份证号", "姓名", "险种", "参保省份", "开始月份", "结束月份", "月缴费基数", "缴费方式", "临时账户"]
VACANCY_HEADERS = ["统一社会信用代码", "岗位名称", "职业代码", "社区代码", "工作地址", "工资下限", "工资上限", "每日工时", "用工形式",
                   "站立行走", "搬运提举", "手部精细操作", "视力", "听力", "言语", "学习记忆", "便利措施", "有效期至"]


def vacancy_row(uscc: str, **overrides: object) -> list[object]:
    values: dict[str, object] = {
        "统一社会信用代码": uscc, "岗位名称": "小区保安", "职业代码": "4-07-05-01", "社区代码": "第三社区",
        "工作地址": "甸柳新村第一社区东门", "工资下限": 2800, "工资上限": 3600, "每日工时": 8, "用工形式": "全职",
        "站立行走": 3, "搬运提举": 1, "手部精细操作": 1, "视力": "正常阅读", "听力": 2, "言语": 2, "学习记忆": 1,
        "便利措施": "岗前培训、弹性工作时间", "有效期至": future().isoformat(),
    }
    values.update(overrides)
    return [values[h] for h in VACANCY_HEADERS]
