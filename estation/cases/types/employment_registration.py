"""就业登记."""

from __future__ import annotations

from estation.cases.casetype import ID_CARD, CaseType

TYPE = CaseType(
    code="employment_registration",
    name="就业登记",
    summary="实现就业（含灵活就业）的人员办理就业登记，终止失业登记状态。",
    documents=(ID_CARD, "劳动合同或用人单位录用证明（单位就业的）", "灵活就业情况说明或营业执照（灵活就业、个体经营的）"),
    conditions=("已实现就业或灵活就业", "法定劳动年龄内"),
    steps=("窗口受理：核对就业情况", "录入就业登记信息，在《就业创业证》上记载"),
    time_limit_working_days=5,
)
