"""灵活就业人员续保: continuing the employees' pension as a flexible worker (the contribution calculator is
``estation.cases.contribution``)."""

from __future__ import annotations

from estation.cases.casetype import ID_CARD, SOCIAL_SECURITY_CARD, CaseType
from estation.labour.models import Scheme

TYPE = CaseType(
    code="continued_contribution",
    name="灵活就业人员续保",
    summary="中断缴费后以灵活就业人员身份接续缴纳职工基本养老保险，缴费基数在全省平均工资的60%至300%之间自选。",
    documents=(ID_CARD, SOCIAL_SECURITY_CARD, "《灵活就业人员参保登记表》", "本人银行卡（签订委托扣款协议）"),
    conditions=(
        "具有本市户籍或在本市办理居住证的灵活就业人员",
        "法定劳动年龄内，未按月领取基本养老金",
        "未在用人单位参加职工基本养老保险",
    ),
    steps=(
        "窗口受理：确认参保身份，选择缴费基数，测算月缴费额和欠缴月数",
        "登记参保信息，签订委托扣款协议",
        "按月（或按选择的周期）扣款缴费",
    ),
    time_limit_working_days=3,
    scheme=Scheme.pension,
)
