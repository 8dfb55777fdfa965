"""社会保险补贴申领."""

from __future__ import annotations

from estation.cases.casetype import EMPLOYMENT_CARD, ID_CARD, CaseType

TYPE = CaseType(
    code="social_insurance_subsidy",
    name="社会保险补贴申领",
    summary="灵活就业的就业困难人员缴纳社会保险费后，按规定申领社会保险补贴。",
    documents=(
        ID_CARD,
        EMPLOYMENT_CARD,
        "就业困难人员认定证明",
        "社会保险缴费凭证",
        "本人社会保障卡或银行卡（用于补贴发放）",
    ),
    conditions=("已认定为就业困难人员", "以灵活就业身份缴纳社会保险费", "补贴期限未满"),
    steps=("窗口受理并核对缴费记录", "街道初审并公示", "区人力资源社会保障部门审核后发放补贴"),
    time_limit_working_days=20,
)
