"""就业困难人员认定."""

from __future__ import annotations

from estation.cases.casetype import EMPLOYMENT_CARD, HUKOU_BOOK, ID_CARD, CaseType

TYPE = CaseType(
    code="employment_difficulty",
    name="就业困难人员认定",
    summary="已办理失业登记、符合就业困难情形的人员申请认定，享受岗位开发、社保补贴等援助。",
    documents=(
        ID_CARD,
        HUKOU_BOOK,
        EMPLOYMENT_CARD,
        "《就业困难人员认定申请表》",
        "符合困难情形的证明（如残疾人证、低保证明、零就业家庭证明等，按情形提供一种）",
    ),
    conditions=(
        "已办理失业登记",
        "属于大龄（女40周岁、男50周岁以上）、残疾、低保家庭、零就业家庭、连续失业一年以上等情形之一",
    ),
    steps=("窗口受理并初审", "社区公示5个工作日", "区人力资源社会保障部门审核认定", "认定结果记入《就业创业证》"),
    time_limit_working_days=20,
)
