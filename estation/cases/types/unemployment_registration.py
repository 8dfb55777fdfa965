"""失业登记."""

from __future__ import annotations

from estation.cases.casetype import ID_CARD, CaseType

TYPE = CaseType(
    code="unemployment_registration",
    name="失业登记",
    summary="法定劳动年龄内、有劳动能力和就业要求、处于无业状态的人员登记失业，享受公共就业服务和扶持政策。",
    documents=(ID_CARD, "与原单位解除或终止劳动关系的证明（原为单位职工的）"),
    conditions=("法定劳动年龄内", "有劳动能力和就业要求", "处于无业状态", "在常住地或户籍地登记"),
    steps=("窗口受理：核对身份和就业状态", "登记失业信息，发放或更新《就业创业证》", "提供职业指导和岗位推荐"),
    time_limit_working_days=1,
)
