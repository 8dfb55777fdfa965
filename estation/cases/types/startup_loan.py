"""创业担保贷款申请."""

from __future__ import annotations

from estation.cases.casetype import HUKOU_BOOK, ID_CARD, CaseType

TYPE = CaseType(
    code="startup_loan",
    name="创业担保贷款申请",
    summary="符合条件的创业人员申请创业担保贷款，按政策享受财政贴息。",
    documents=(
        ID_CARD,
        HUKOU_BOOK,
        "营业执照（或其他合法经营证明）",
        "创业项目计划书",
        "经营场所租赁合同或产权证明",
        "符合申请条件人员类别的证明（如《就业创业证》、毕业证、退役证等）",
    ),
    conditions=("在本市创业、依法登记并正常经营", "属于创业担保贷款扶持人员范围", "本人及家庭无不良信用记录"),
    steps=("窗口受理：审核申请人条件和材料", "街道推荐并报区就业服务机构复审", "担保机构和经办银行审核放款"),
    time_limit_working_days=15,
)
