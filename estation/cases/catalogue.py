"""The service catalogue the counter works from: seed data an admin may edit afterwards.

Every service lists everything a resident must bring, so the checklist at acceptance is complete and
told once. Time limits are working days counted from acceptance with complete documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from estation.cases.contribution import DEFAULT_CONFIGS
from estation.cases.models import ContributionSetting, ServiceType

ID_CARD = "居民身份证原件"
HUKOU_BOOK = "户口簿原件"
SOCIAL_SECURITY_CARD = "社会保障卡"
EMPLOYMENT_CARD = "《就业创业证》"


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    summary: str
    documents: tuple[str, ...]
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    time_limit_working_days: int


PENSION_TRANSFER = "pension_transfer"
CONTINUED_CONTRIBUTION = "continued_contribution"
UNEMPLOYMENT_REGISTRATION = "unemployment_registration"
EMPLOYMENT_REGISTRATION = "employment_registration"
EMPLOYMENT_DIFFICULTY = "employment_difficulty"
STARTUP_LOAN = "startup_loan"
SOCIAL_INSURANCE_SUBSIDY = "social_insurance_subsidy"

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        code=PENSION_TRANSFER,
        name="养老保险关系转移接续",
        summary="跨省流动就业人员将城镇企业职工基本养老保险关系和资金转入新参保地；男满50周岁、女满40周岁到非户籍省就业的，建立临时缴费账户。",
        documents=(
            ID_CARD,
            SOCIAL_SECURITY_CARD,
            "原参保地社会保险经办机构出具的《基本养老保险参保缴费凭证》（含个人账户记录）",
            "《基本养老保险关系转移接续申请表》",
        ),
        conditions=(
            "已在新参保地（转入地）参保缴费",
            "未按月领取基本养老金",
            "原参保地无欠缴（欠费须先在原参保地补缴）",
            "同时存在两个及以上养老保险关系的，保留一个，其余清退个人账户",
        ),
        steps=(
            "窗口受理：核对材料，系统测算转移类型、转移金额和待遇领取地",
            "新参保地经办机构15个工作日内审核，向原参保地发出联系函或书面告知不予受理的理由",
            "原参保地15个工作日内办理转出并划转资金",
            "新参保地收到关系和资金后15个工作日内办结接续",
        ),
        time_limit_working_days=45,
    ),
    ServiceSpec(
        code=CONTINUED_CONTRIBUTION,
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
    ),
    ServiceSpec(
        code=UNEMPLOYMENT_REGISTRATION,
        name="失业登记",
        summary="法定劳动年龄内、有劳动能力和就业要求、处于无业状态的人员登记失业，享受公共就业服务和扶持政策。",
        documents=(ID_CARD, "与原单位解除或终止劳动关系的证明（原为单位职工的）"),
        conditions=("法定劳动年龄内", "有劳动能力和就业要求", "处于无业状态", "在常住地或户籍地登记"),
        steps=("窗口受理：核对身份和就业状态", "登记失业信息，发放或更新《就业创业证》", "提供职业指导和岗位推荐"),
        time_limit_working_days=1,
    ),
    ServiceSpec(
        code=EMPLOYMENT_REGISTRATION,
        name="就业登记",
        summary="实现就业（含灵活就业）的人员办理就业登记，终止失业登记状态。",
        documents=(ID_CARD, "劳动合同或用人单位录用证明（单位就业的）", "灵活就业情况说明或营业执照（灵活就业、个体经营的）"),
        conditions=("已实现就业或灵活就业", "法定劳动年龄内"),
        steps=("窗口受理：核对就业情况", "录入就业登记信息，在《就业创业证》上记载"),
        time_limit_working_days=5,
    ),
    ServiceSpec(
        code=EMPLOYMENT_DIFFICULTY,
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
    ),
    ServiceSpec(
        code=STARTUP_LOAN,
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
    ),
    ServiceSpec(
        code=SOCIAL_INSURANCE_SUBSIDY,
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
    ),
)


def load_catalogue(session: Session, *, overwrite: bool = False) -> int:
    """Add the catalogue's services and the contribution figures that are missing; returns how many
    services were added. ``overwrite`` also resets services an admin has edited back to the seed."""
    added = 0
    for spec in SERVICES:
        row = session.get(ServiceType, spec.code)
        if row is None:
            session.add(_row(spec))
            added += 1
        elif overwrite:
            for key, value in _fields(spec).items():
                setattr(row, key, value)
    for config in DEFAULT_CONFIGS.values():
        if session.get(ContributionSetting, config.year) is None:
            session.add(ContributionSetting(
                year=config.year, province=config.province, average_monthly_wage=config.average_monthly_wage,
                lower_share=config.lower_share, upper_share=config.upper_share, rate=config.rate,
            ))
    session.flush()
    return added


def _fields(spec: ServiceSpec) -> dict:
    return dict(
        name=spec.name, summary=spec.summary, documents=list(spec.documents), conditions=list(spec.conditions),
        steps=list(spec.steps), time_limit_working_days=spec.time_limit_working_days,
    )


def _row(spec: ServiceSpec) -> ServiceType:
    return ServiceType(code=spec.code, **_fields(spec))
