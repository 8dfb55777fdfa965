"""Importing residents, insurance periods and vacancies: all rows or none, every bad row reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from estation.identifiers import make_uscc
from estation.imports import ImportReport, import_bytes
from estation.jobs.models import Adjustment, EmploymentType, Vacancy, VacancyStatus
from estation.labour.models import (
    EmploymentStatus,
    Household,
    InsurancePeriod,
    Payer,
    Relation,
    Resident,
    Scheme,
    WorkCapacity,
)
from estation.labour.schemas import InsurancePeriodCreate
from estation.labour.service import add_insurance_period
from estation.outbox import OutboxEntry
from tests.imports.helpers import (
    PERIOD_HEADERS,
    RESIDENT_HEADERS,
    VACANCY_HEADERS,
    create_employer,
    create_resident,
    csv_bytes,
    id_number,
    resident_row,
    vacancy_row,
    future,
    xlsx_bytes,
)

MINIMUM_WAGE = 2200


def run(db, kind: str, data: bytes, filename: str = "表.xlsx", **kw) -> ImportReport:
    report = import_bytes(db, kind=kind, data=data, filename=filename, minimum_wage=MINIMUM_WAGE, **kw)
    db.commit()  # what the CLI's unit of work does: a refused file must leave nothing even after commit
    return report


def errors_of(report: ImportReport) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in report.errors}


# --- residents --------------------------------------------------------------------------------------


def test_good_residents_file_imports_every_row_with_its_household(db, count):
    head = id_number(date(1968, 3, 2), "male")
    spouse = id_number(date(1970, 8, 9), "female")
    headers = [*RESIDENT_HEADERS, "站立行走", "搬运提举", "残疾类别", "残疾等级", "同意向用人单位展示"]
    rows = [
        [*resident_row(身份证号=head, 姓名="刘长海", 住址="甸柳新村7号楼1单元201", 劳动能力="部分劳动能力"), 2, "提10公斤以内", "肢体", "二级", "是"],
        [*resident_row(身份证号=spouse, 姓名="赵桂兰", 性别="女", 出生日期="1970/8/9", 住址="甸柳新村7号楼1单元201", 与户主关系="配偶", 就业状态="灵活就业", 社区代码="甸柳新村第三社区"), None, None, None, None, "否"],
    ]
    report = run(db, "residents", xlsx_bytes(headers, rows))

    assert report.ok and report.committed and report.imported == 2
    assert count(Resident) == 2 and count(Household) == 1  # the same address in the file is one household
    liu = db.scalar(select(Resident).where(Resident.name == "刘长海"))
    assert liu.work_capacity == WorkCapacity.partial
    assert liu.limits["standing_walking"] == 2 and liu.limits["lifting_carrying"] == 2 and liu.limits["seeing"] == 4
    assert (liu.disability_category, liu.disability_grade, liu.consent_to_employers) == ("肢体", 2, True)
    zhao = db.scalar(select(Resident).where(Resident.name == "赵桂兰"))
    assert (zhao.relation, zhao.employment_status, zhao.sex) == (Relation.spouse, EmploymentStatus.flexible, "female")
    assert zhao.household_id == liu.household_id and zhao.community_code == "370102009001"


def test_a_file_with_bad_rows_reports_each_one_and_writes_nothing(db, count):
    registered = create_resident(db)
    db.commit()
    twin = id_number()
    rows = [
        resident_row(),                                            # row 2: fine
        resident_row(身份证号="370102198001010013"),                # row 3: check digit
        resident_row(身份证号=id_number(date(1980, 5, 17)), 出生日期="1981-05-17"),  # row 4: birth date vs id
        resident_row(户籍省份代码="99"),                            # row 5: unknown province
        resident_row(社区代码="370102009099"),                       # row 6: unknown community
        resident_row(身份证号=twin),                                 # row 7: fine on its own ...
        resident_row(身份证号=twin),                                 # row 8: ... but twice in the file
        resident_row(身份证号=registered.id_number),                 # row 9: already registered (service rule)
        resident_row(与户主关系="表哥", 手机号="1234"),                # row 10: two bad columns in one row
        resident_row(性别="女"),                                     # row 11: id says male
    ]
    report = run(db, "residents", xlsx_bytes(RESIDENT_HEADERS, rows))

    assert not report.committed and report.imported == 0
    assert errors_of(report) == {
        (3, "身份证号"), (4, "出生日期"), (5, "户籍省份代码"), (6, "社区代码"), (8, "身份证号"),
        (9, "身份证号"), (10, "与户主关系"), (10, "手机号"), (11, "性别"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert reasons[(3, "身份证号")] == "身份证号校验位不正确"
    assert reasons[(4, "出生日期")] == "出生日期与身份证号不一致"
    assert reasons[(5, "户籍省份代码")] == "未知的省级行政区代码"
    assert reasons[(8, "身份证号")] == "与第7行的身份证号重复"
    assert reasons[(9, "身份证号")] == "该身份证号已登记"
    assert "户主" in reasons[(10, "与户主关系")]
    assert count(Resident) == 1 and count(Household) == 1  # only the resident registered before the import


def test_keep_valid_writes_the_good_rows_and_leaves_each_bad_row_out_whole(db, count):
    """The admin's upload page imports the good rows once the clerk has read the report."""
    registered = create_resident(db)
    db.commit()
    rows = [
        resident_row(姓名="刘长海", 住址="甸柳新村8号楼1单元101"),  # row 2: fine
        resident_row(身份证号=registered.id_number, 住址="甸柳新村8号楼1单元102"),  # row 3: refused by the service,
        # after its new household was written in the row's savepoint: that household goes with the row
        resident_row(姓名="赵桂兰", 手机号="1234"),  # row 4: a bad cell
        resident_row(姓名="孙立新"),  # row 5: fine
    ]
    report = run(db, "residents", xlsx_bytes(RESIDENT_HEADERS, rows), keep_valid=True)

    assert report.committed and report.imported == report.valid == 2
    assert errors_of(report) == {(3, "身份证号"), (4, "手机号")}
    assert count(Resident) == 3 and count(Household) == 3
    assert set(db.scalars(select(Resident.name).where(Resident.id != registered.id))) == {"刘长海", "孙立新"}


def test_missing_required_column_refuses_the_file_before_any_row(db, count):
    from estation.imports import UploadRefused

    headers = [h for h in RESIDENT_HEADERS if h != "就业状态"]
    rows = [[v for h, v in zip(RESIDENT_HEADERS, resident_row()) if h != "就业状态"]]
    with pytest.raises(UploadRefused, match="缺少必填列：就业状态"):
        run(db, "residents", xlsx_bytes(headers, rows))
    assert count(Resident) == 0


def test_blank_required_cell_is_reported_by_column(db):
    report = run(db, "residents", xlsx_bytes(RESIDENT_HEADERS, [resident_row(姓名=None, 就业状态="  ")]))
    assert errors_of(report) == {(2, "姓名"), (2, "就业状态")}
    assert all(e.reason == "必填，不能为空" for e in report.errors)


def test_id_number_stored_as_an_excel_number_is_refused_with_the_reason(db):
    row = resident_row()
    row[0] = int(row[0])  # what Excel does to an 18-digit number typed into a General cell
    report = run(db, "residents", xlsx_bytes(RESIDENT_HEADERS, [row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]
    assert "文本" in report.errors[0].reason


def test_dry_run_checks_everything_and_writes_nothing(db, count):
    report = run(db, "residents", xlsx_bytes(RESIDENT_HEADERS, [resident_row(), resident_row()]), dry_run=True)
    assert report.ok and report.valid == 2 and not report.committed and report.imported == 0
    assert count(Resident) == 0 and count(Household) == 0


def test_gb18030_csv_from_chinese_excel_imports(db, count):
    data = csv_bytes(RESIDENT_HEADERS, [resident_row(姓名="欧阳䶮", 住址="甸柳新村𠀋号楼")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the point of the test: this is not UTF-8
    report = run(db, "residents", data, filename="居民.csv")
    assert report.ok, report.errors
    assert db.scalar(select(Resident.name)) == "欧阳䶮"  # an extension-B character GBK cannot hold
    assert db.scalar(select(Household.address)) == "甸柳新村𠀋号楼"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf_csv_with_or_without_bom_imports(db, count, encoding):
    report = run(db, "residents", csv_bytes(RESIDENT_HEADERS, [resident_row()], encoding=encoding), filename="r.csv")
    assert report.ok, report.errors
    assert count(Resident) == 1


@pytest.mark.parametrize("payload", ["=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+1+1", "-2+3", "\t=1", " =HYPERLINK(\"http://x\")"])
def test_formula_injection_in_a_text_cell_is_refused(db, count, payload):
    report = run(db, "residents", csv_bytes(RESIDENT_HEADERS, [resident_row(姓名=payload)]), filename="r.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "姓名")]
    assert "公式" in report.errors[0].reason
    assert count(Resident) == 0


def test_apostrophe_escaped_text_is_kept_without_the_apostrophe(db):
    row = resident_row()
    headers = [*RESIDENT_HEADERS, "技能"]
    report = run(db, "residents", xlsx_bytes(headers, [[*row, "'-熟练使用电脑"]]))
    assert report.ok, report.errors
    assert db.scalar(select(Resident.skills)) == "-熟练使用电脑"


# --- insurance periods ------------------------------------------------------------------------------


def test_good_periods_file_imports(db, count):
    resident = create_resident(db, name="孙立平")
    db.commit()
    rows = [
        [resident.id_number, "孙立平", "养老", "山东", "2005-01", "2012-06", 3200, "单位", "否"],
        [resident.id_number, "孙立平", "基本养老保险", "44", "2012/7", "201812", "4500.50", "个人缴纳", "是"],
        [resident.id_number, None, "医疗", "37", date(2005, 1, 1), date(2018, 12, 1), 3200, "单位", None],
    ]
    report = run(db, "periods", xlsx_bytes(PERIOD_HEADERS, rows))
    assert report.ok, report.errors
    periods = db.scalars(select(InsurancePeriod)).all()
    assert {(p.scheme, p.province, p.start_month, p.end_month) for p in periods} == {
        (Scheme.pension, "37", date(2005, 1, 1), date(2012, 6, 1)),
        (Scheme.medical, "37", date(2005, 1, 1), date(2018, 12, 1)),
        (Scheme.pension, "44", date(2012, 7, 1), date(2018, 12, 1)),
    }
    guangdong = next(p for p in periods if p.province == "44")
    assert guangdong.monthly_wage_base == Decimal("4500.50") and guangdong.payer == Payer.individual
    assert guangdong.temporary_account is True


def test_bad_periods_are_each_reported_and_nothing_is_written(db, count):
    resident = create_resident(db, name="孙立平")
    add_insurance_period(
        db, resident=resident,
        data=InsurancePeriodCreate(scheme=Scheme.pension, province="37", start_month="2010-01", end_month="2012-12",
                                   monthly_wage_base=Decimal(3000), payer=Payer.employer),
    )
    db.commit()
    n = resident.id_number
    rows = [
        [n, "孙立平", "医疗", "37", "2010-01", "2012-12", 3000, "单位", "否"],      # row 2: fine
        [n, "孙立平", "养老", "37", "2012-06", "2013-12", 3000, "单位", "否"],      # row 3: overlaps the one on record
        [n, "孙立平", "失业", "37", "2014-01", "2015-12", 3000, "单位", "否"],      # row 4: fine
        [n, "孙立平", "失业", "37", "2015-06", "2016-12", 3000, "单位", "否"],      # row 5: overlaps row 4
        [n, "孙立平", "工伤", "98", "2014-01", "2015-12", 3000, "单位", "否"],      # row 6: unknown province
        [n, "孙立平", "生育", "37", "2014-01", "2015-12", 3000, "单位", "否"],      # row 7: not a scheme
        [n, "孙立平", "工伤", "37", "2016-01", "2015-12", 3000, "单位", "否"],      # row 8: ends before it starts
        [id_number(), "无此人", "养老", "37", "2014-01", "2015-12", 3000, "单位", "否"],  # row 9: unknown resident
        [n, "孙利平", "医疗", "37", "2016-01", "2016-12", 3000, "单位", "否"],      # row 10: name disagrees
        [n, "孙立平", "医疗", "37", "2017-01", "2017-12", -5, "单位", "否"],        # row 11: negative base
    ]
    report = run(db, "periods", xlsx_bytes(PERIOD_HEADERS, rows))
    assert errors_of(report) == {
        (3, "开始月份"), (5, "开始月份"), (6, "参保省份"), (7, "险种"), (8, "结束月份"), (9, "身份证号"), (10, "姓名"), (11, "月缴费基数"),
    }
    reasons = {e.row: e.reason for e in report.errors}
    assert "2010-01至2012-12" in reasons[3] and "重叠" in reasons[3]
    assert reasons[5] == "与第4行的同险种缴费期重叠"
    assert reasons[8] == "结束月份不能早于开始月份"
    assert reasons[11] == "应大于0"
    assert count(InsurancePeriod) == 1  # only the period on record before the import


# --- vacancies --------------------------------------------------------------------------------------


def test_good_vacancies_file_imports(db, count):
    employer = create_employer(db)
    db.commit()
    rows = [vacancy_row(employer.uscc), vacancy_row(employer.uscc.lower(), 岗位名称="楼道保洁", 职业代码="4-10-01-01", 用工形式="非全日制", 工资下限=1200, 工资上限=1500, 每日工时=4)]
    report = run(db, "vacancies", xlsx_bytes(VACANCY_HEADERS, rows))
    assert report.ok, report.errors
    guard = db.scalar(select(Vacancy).where(Vacancy.title == "小区保安"))
    assert guard.employer_id == employer.id and guard.community_code == "370102009001"
    assert guard.demands["lifting_carrying"] == 1 and guard.demands["seeing"] == 2  # "正常阅读" on the scale
    assert set(guard.adjustments) == {Adjustment.training.value, Adjustment.flexible_hours.value}
    assert guard.status == VacancyStatus.open and guard.valid_until == future()
    cleaner = db.scalar(select(Vacancy).where(Vacancy.title == "楼道保洁"))
    assert cleaner.employment_type == EmploymentType.part_time
    assert count(OutboxEntry) == 2  # the service queued both for indexing, as through the API


def test_bad_vacancies_are_each_reported_and_nothing_is_written(db, count):
    employer = create_employer(db)
    db.commit()
    u = employer.uscc
    rows = [
        vacancy_row(u),                                               # row 2: fine
        vacancy_row(u[:-1] + ("0" if u[-1] != "0" else "1")),          # row 3: USCC check character
        vacancy_row(make_uscc("91370102MA3C99999")),                   # row 4: valid, but no such employer
        vacancy_row(u, 岗位名称="夜班保安", 工资下限=1800),                 # row 5: below the minimum wage
        vacancy_row(u, 岗位名称="门卫", 职业代码="9-99-99-99"),            # row 6: not in the classification
        vacancy_row(u),                                               # row 7: same as row 2
        vacancy_row(u, 岗位名称="库管", 工资下限=4000, 工资上限=3000),       # row 8: max below min
        vacancy_row(u, 岗位名称="快递分拣", 有效期至="2020-01-01"),          # row 9: expired
        vacancy_row(u, 岗位名称="搬运工", 搬运提举=7, 便利措施="包吃住"),      # row 10: level and adjustment
        vacancy_row(u, 岗位名称="保洁", 视力=None),                       # row 11: a demand left blank
    ]
    report = run(db, "vacancies", xlsx_bytes(VACANCY_HEADERS, rows))
    got = errors_of(report)
    assert (3, "统一社会信用代码") in got and (4, "统一社会信用代码") in got
    assert {(5, "工资下限"), (6, "职业代码"), (7, "岗位名称"), (8, "工资上限"), (9, "有效期至"), (10, "搬运提举"), (10, "便利措施"), (11, "视力")} <= got
    assert not any(row == 2 for row, _ in got)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert reasons[(3, "统一社会信用代码")] == "统一社会信用代码校验位不正确"
    assert reasons[(4, "统一社会信用代码")] == "该用人单位尚未在系统中登记，请先登记用人单位"
    assert "最低工资标准" in reasons[(5, "工资下限")]
    assert reasons[(7, "岗位名称")].startswith("与第2行")
    assert reasons[(11, "视力")] == "必填，不能为空"  # never read as the lowest demand
    assert count(Vacancy) == 0 and count(OutboxEntry) == 0
