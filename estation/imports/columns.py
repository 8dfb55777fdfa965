"""The Chinese column headers of each import/export sheet and the labels accepted for every enum.

One list per sheet drives both directions, so an exported file always re-imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from estation import physical
from estation.imports import cells
from estation.imports.files import normalise_header
from estation.jobs.models import Adjustment, EmploymentType, Shift
from estation.labour.models import EmploymentStatus, Payer, Relation, Scheme, Sex, WorkCapacity

# Other words people write in a sheet for a value, besides its label (estation.labels, what exports write)
# and its code: the import reads any of them.
SEX_ALSO = {Sex.male: ("男性",), Sex.female: ("女性",)}
RELATION_ALSO = {
    Relation.head: ("本人",),
    Relation.spouse: ("妻", "夫", "妻子", "丈夫"),
    Relation.child: ("子", "女", "儿子", "女儿"),
    Relation.parent: ("父亲", "母亲", "父", "母"),
    Relation.grandchild: ("孙子", "孙女", "外孙子", "外孙女", "孙辈"),
    Relation.sibling: ("兄", "弟", "姐", "妹"),
}
CAPACITY_ALSO = {
    WorkCapacity.full: ("完全",),
    WorkCapacity.partial: ("部分", "部分丧失劳动能力"),
    WorkCapacity.none: ("丧失", "完全丧失劳动能力", "无劳动能力"),
}
STATUS_ALSO = {
    EmploymentStatus.employed: ("已就业", "在职", "在业"),
    EmploymentStatus.registered_unemployed: ("失业登记", "失业"),
    EmploymentStatus.retired: ("离退休",),
    EmploymentStatus.student: ("在校学生", "在校"),
    EmploymentStatus.out_of_labour_force: ("不在劳动力市场",),
}
SCHEME_ALSO = {
    Scheme.pension: ("养老", "基本养老保险", "城镇企业职工基本养老保险"),
    Scheme.medical: ("医疗", "基本医疗保险"),
    Scheme.unemployment: ("失业",),
    Scheme.work_injury: ("工伤",),
}
PAYER_ALSO = {
    Payer.employer: ("单位缴纳", "用人单位"),
    Payer.individual: ("个人缴纳", "灵活就业"),
}
SHIFT_ALSO = {Shift.day: ("日班",), Shift.rotating: ("轮班",), Shift.flexible: ("弹性", "弹性排班")}
EMPLOYMENT_TYPE_ALSO = {
    EmploymentType.full_time: ("全日制",),
    EmploymentType.part_time: ("非全日制",),
    EmploymentType.hourly: ("钟点工",),
    EmploymentType.temporary: ("临时",),
}
_GRADES = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}


def disability_grade(value: cells.Cell) -> int | None:
    s = cells.text(value)
    if s is None:
        return None
    if s in _GRADES:
        return _GRADES[s]
    return cells.integer(s.removesuffix("级"))


def level(domain: str) -> cells.Parser:
    """A functional-domain level: the number 0-4 or its description on the shared scale."""
    names = physical.DOMAINS[domain].levels

    def parse(value: cells.Cell) -> int | None:
        if isinstance(value, str) and value.strip() in names:
            return names.index(value.strip())
        n = cells.integer(value)
        if n is not None and not 0 <= n <= physical.MAX_LEVEL:
            raise ValueError(f"应为0到{physical.MAX_LEVEL}的整数（0最轻，{physical.MAX_LEVEL}最重）")
        return n

    return parse


def adjustments(value: cells.Cell) -> list[Adjustment] | None:
    parts = cells.code_list(value) if isinstance(value, str) else None
    if parts is None:
        return None
    out = []
    for part in parts:
        adj = next((a for a in Adjustment if part in (a.label, a.value) or a.value == part.lower()), None)
        if adj is None:
            raise ValueError(f"未知的便利措施“{part}”，可选：{'、'.join(a.label for a in Adjustment)}")
        out.append(adj)
    return out


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    """The schema field it fills, or a key the row builder reads (``level:<domain>``, ``community``)."""
    parse: cells.Parser
    required: bool = False
    aliases: tuple[str, ...] = ()
    imported: bool = True
    """False for columns written only to help the reader of an export (ignored when re-imported)."""


def _levels(*, required: bool = False) -> list[Column]:
    """One column per functional domain: a resident's limit (blank: no limit there), or a vacancy's demand
    (required: a blank is never read as the lowest demand)."""
    return [Column(physical.domain_label(d), f"level:{d}", level(d), required) for d in physical.DOMAIN_NAMES]


RESIDENT_COLUMNS: list[Column] = [
    Column("身份证号", "id_number", cells.code, True, ("身份证号码", "公民身份号码")),
    Column("姓名", "name", cells.text, True),
    Column("性别", "sex", cells.choice(Sex, SEX_ALSO)),
    Column("出生日期", "birth_date", cells.day),
    Column("手机号", "phone", cells.code, aliases=("手机号码", "联系电话", "电话")),
    Column("户籍省份代码", "hukou_province", cells.province, True, ("户籍省份", "户籍所在省")),
    Column("家庭编号", "household_id", cells.integer),
    Column("社区代码", "community", cells.text, aliases=("社区", "所属社区", "社区名称")),
    Column("住址", "address", cells.text, aliases=("家庭住址", "地址", "居住地址")),
    Column("困难家庭", "hardship", cells.boolean),
    Column("困难原因", "hardship_reason", cells.text),
    Column("与户主关系", "relation", cells.choice(Relation, RELATION_ALSO), True),
    Column("劳动能力", "work_capacity", cells.choice(WorkCapacity, CAPACITY_ALSO)),
    *_levels(),
    Column("每日最多工作小时", "max_hours_per_day", cells.number),
    Column("残疾类别", "disability_category", cells.text),
    Column("残疾等级", "disability_grade", disability_grade),
    Column("健康状况说明", "health_note", cells.text),
    Column("就业状态", "employment_status", cells.choice(EmploymentStatus, STATUS_ALSO), True),
    Column("状态开始日期", "status_since", cells.day),
    Column("文化程度", "education", cells.text),
    Column("技能", "skills", cells.text),
    Column("工作经历", "experience", cells.text),
    Column("求职意愿", "wishes", cells.text),
    Column("意向职业代码", "occupation_codes", cells.code_list),
    Column("期望每日工时", "preferred_hours_per_day", cells.number),
    Column("期望每周天数", "preferred_days_per_week", cells.integer),
    Column("最远通勤公里", "max_travel_km", cells.number),
    Column("仅居家就业", "home_based_only", cells.boolean),
    Column("同意向用人单位展示", "consent_to_employers", cells.boolean),
]

PERIOD_COLUMNS: list[Column] = [
    Column("身份证号", "id_number", cells.code, True, ("身份证号码", "公民身份号码")),
    Column("姓名", "name", cells.text),
    Column("险种", "scheme", cells.choice(Scheme, SCHEME_ALSO), True, ("参保险种",)),
    Column("参保省份", "province", cells.province, True, ("参保省份代码", "参保地")),
    Column("开始月份", "start_month", cells.month, True, ("起始月份", "缴费开始月份")),
    Column("结束月份", "end_month", cells.month, True, ("截止月份", "缴费结束月份")),
    Column("月缴费基数", "monthly_wage_base", cells.money, True, ("缴费基数",)),
    Column("缴费方式", "payer", cells.choice(Payer, PAYER_ALSO), True, ("缴费类型",)),
    Column("单位名称", "employer_name", cells.text, aliases=("参保单位",)),
    Column("临时账户", "temporary_account", cells.boolean, aliases=("临时缴费账户",)),
]

VACANCY_COLUMNS: list[Column] = [
    Column("统一社会信用代码", "uscc", cells.code, True, ("信用代码",)),
    Column("单位名称", "employer_name", cells.text, imported=False),
    Column("岗位名称", "title", cells.text, True, ("岗位",)),
    Column("岗位描述", "description", cells.text, aliases=("岗位职责", "工作内容")),
    Column("职业代码", "occupation_code", cells.code, aliases=("职业分类代码",)),
    Column("社区代码", "community", cells.text, aliases=("社区", "所属社区")),
    Column("工作地址", "address", cells.text, True, ("地址",)),
    Column("纬度", "lat", cells.number),
    Column("经度", "lon", cells.number),
    Column("工资下限", "wage_min", cells.integer, True, ("最低工资", "月薪下限")),
    Column("工资上限", "wage_max", cells.integer, True, ("最高工资", "月薪上限")),
    Column("每日工时", "hours_per_day", cells.number, True, ("每天工作小时",)),
    Column("每周天数", "days_per_week", cells.integer, aliases=("每周工作天数",)),
    Column("班次", "shift", cells.choice(Shift, SHIFT_ALSO)),
    Column("用工形式", "employment_type", cells.choice(EmploymentType, EMPLOYMENT_TYPE_ALSO), True),
    Column("居家就业", "home_based", cells.boolean),
    *_levels(required=True),
    Column("便利措施", "adjustments", adjustments, aliases=("无障碍与便利措施",)),
    Column("招聘人数", "openings", cells.integer),
    Column("有效期至", "valid_until", cells.day, True, ("截止日期",)),
    Column("岗位状态", "status", cells.text, imported=False),
]

COLUMNS: dict[str, list[Column]] = {
    "residents": RESIDENT_COLUMNS,
    "periods": PERIOD_COLUMNS,
    "vacancies": VACANCY_COLUMNS,
}
KIND_NAMES = {"residents": "居民", "periods": "参保缴费期", "vacancies": "岗位"}


def header_index(columns: list[Column]) -> dict[str, Column]:
    return {normalise_header(name): column for column in columns for name in (column.header, *column.aliases)}
