"""The Chinese column headers of each import/export sheet and the labels accepted for every enum.

One list per sheet drives both directions, so an exported file always re-imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from estation import physical
from estation.imports import cells
from estation.imports.files import normalise_header
from estation.jobs.models import ADJUSTMENT_LABELS, Adjustment, EmploymentType, Shift
from estation.labour.models import EmploymentStatus, Payer, Relation, Scheme, WorkCapacity

SEX_LABELS = {"male": ("男", "男性"), "female": ("女", "女性")}
RELATION_LABELS = {
    Relation.head: ("户主", "本人"),
    Relation.spouse: ("配偶", "妻", "夫", "妻子", "丈夫"),
    Relation.child: ("子女", "子", "女", "儿子", "女儿"),
    Relation.parent: ("父母", "父亲", "母亲", "父", "母"),
    Relation.grandchild: ("孙子女", "孙子", "孙女", "外孙子", "外孙女"),
    Relation.sibling: ("兄弟姐妹", "兄", "弟", "姐", "妹"),
    Relation.other: ("其他",),
}
CAPACITY_LABELS = {
    WorkCapacity.full: ("完全", "完全劳动能力"),
    WorkCapacity.partial: ("部分", "部分劳动能力", "部分丧失劳动能力"),
    WorkCapacity.none: ("丧失", "丧失劳动能力", "完全丧失劳动能力"),
}
STATUS_LABELS = {
    EmploymentStatus.employed: ("就业", "已就业", "在职"),
    EmploymentStatus.registered_unemployed: ("登记失业", "失业登记", "失业"),
    EmploymentStatus.flexible: ("灵活就业",),
    EmploymentStatus.retired: ("退休", "离退休"),
    EmploymentStatus.student: ("学生", "在校学生"),
    EmploymentStatus.out_of_labour_force: ("非劳动力", "不在劳动力市场"),
}
SCHEME_LABELS = {
    Scheme.pension: ("养老", "养老保险", "基本养老保险", "城镇企业职工基本养老保险"),
    Scheme.medical: ("医疗", "医疗保险", "基本医疗保险"),
    Scheme.unemployment: ("失业", "失业保险"),
    Scheme.work_injury: ("工伤", "工伤保险"),
}
PAYER_LABELS = {
    Payer.employer: ("单位", "单位缴纳", "用人单位"),
    Payer.individual: ("个人", "个人缴纳", "灵活就业"),
}
SHIFT_LABELS = {
    Shift.day: ("白班", "日班"),
    Shift.night: ("夜班",),
    Shift.rotating: ("倒班", "轮班"),
    Shift.flexible: ("弹性", "弹性排班"),
}
EMPLOYMENT_TYPE_LABELS = {
    EmploymentType.full_time: ("全职", "全日制"),
    EmploymentType.part_time: ("兼职", "非全日制"),
    EmploymentType.hourly: ("小时工", "钟点工"),
    EmploymentType.temporary: ("临时", "临时工"),
}
ADJUSTMENT_BY_LABEL = {label: adj for adj, label in ADJUSTMENT_LABELS.items()}
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
    names = physical.DOMAINS[domain][1]

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
        adj = ADJUSTMENT_BY_LABEL.get(part) or next((a for a in Adjustment if a.value == part.lower()), None)
        if adj is None:
            raise ValueError(f"未知的便利措施“{part}”，可选：{'、'.join(ADJUSTMENT_LABELS.values())}")
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
    Column("性别", "sex", cells.choice(SEX_LABELS)),
    Column("出生日期", "birth_date", cells.day),
    Column("手机号", "phone", cells.code, aliases=("手机号码", "联系电话", "电话")),
    Column("户籍省份代码", "hukou_province", cells.province, True, ("户籍省份", "户籍所在省")),
    Column("家庭编号", "household_id", cells.integer),
    Column("社区代码", "community", cells.text, aliases=("社区", "所属社区", "社区名称")),
    Column("住址", "address", cells.text, aliases=("家庭住址", "地址", "居住地址")),
    Column("困难家庭", "hardship", cells.boolean),
    Column("困难原因", "hardship_reason", cells.text),
    Column("与户主关系", "relation", cells.choice(RELATION_LABELS), True),
    Column("劳动能力", "work_capacity", cells.choice(CAPACITY_LABELS)),
    *_levels(),
    Column("每日最多工作小时", "max_hours_per_day", cells.number),
    Column("残疾类别", "disability_category", cells.text),
    Column("残疾等级", "disability_grade", disability_grade),
    Column("健康状况说明", "health_note", cells.text),
    Column("就业状态", "employment_status", cells.choice(STATUS_LABELS), True),
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
    Column("险种", "scheme", cells.choice(SCHEME_LABELS), True, ("参保险种",)),
    Column("参保省份", "province", cells.province, True, ("参保省份代码", "参保地")),
    Column("开始月份", "start_month", cells.month, True, ("起始月份", "缴费开始月份")),
    Column("结束月份", "end_month", cells.month, True, ("截止月份", "缴费结束月份")),
    Column("月缴费基数", "monthly_wage_base", cells.money, True, ("缴费基数",)),
    Column("缴费方式", "payer", cells.choice(PAYER_LABELS), True, ("缴费类型",)),
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
    Column("班次", "shift", cells.choice(SHIFT_LABELS)),
    Column("用工形式", "employment_type", cells.choice(EMPLOYMENT_TYPE_LABELS), True),
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
