"""养老保险关系转移接续: the national transfer rules (``estation.cases.pension``) as a counter case type.

Which documents are needed follows art. 5 (transfer or temporary account, back to the hukou province, an
approved official transfer) and the resident's history (a temporary account held somewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from estation.cases import pension
from estation.cases.casetype import (
    HALL_PROVINCE, ID_CARD, SOCIAL_SECURITY_CARD, Assessed, CaseType, Condition, IntakeField, Situation,
)
from estation.geo import provinces
from estation.labour.models import Scheme

PROCEDURE_WORDS = {"transfer": "转移基本养老保险关系", "temporary_account": "建立临时基本养老保险缴费账户"}


def procedure_rule(s: Situation) -> str | None:
    """The art. 5 rule this situation falls under, or None while what decides it is not known."""
    new = s.answers.get("new_province")
    if new is None or s.hukou_province is None:
        return None
    if new == s.hukou_province:
        return "art5_hukou"
    if s.sex is None or s.birth_date is None:
        return None
    if pension.age_on(s.birth_date, s.today) < pension.TEMPORARY_ACCOUNT_AGE[s.sex]:
        return "art5_age_under"
    approved = s.answers.get("approved_official_transfer")
    if approved is None:
        return None
    return "art5_official" if approved else "art5_age_over"


def _rule_in(*rules: str) -> Callable[[Situation], bool | None]:
    def holds(s: Situation) -> bool | None:
        rule = procedure_rule(s)
        return None if rule is None else rule in rules
    return holds


def _has_temporary_account(s: Situation) -> bool | None:
    return None if s.pension_history is None else any(p.temporary_account for p in s.pension_history)


TRANSFERRING = Condition("如转移养老保险关系（回户籍省参保，男未满50周岁、女未满40周岁，或经批准调动的）",
                         _rule_in("art5_hukou", "art5_age_under", "art5_official"))
TEMPORARY = Condition("如男满50周岁、女满40周岁到户籍省以外参保（未经批准调动）", _rule_in("art5_age_over"))
def _back_home(s: Situation) -> bool | None:
    new = s.answers.get("new_province")
    return None if new is None or s.hukou_province is None else new == s.hukou_province


BACK_HOME = Condition("如回户籍所在省参保", _back_home)
OFFICIAL = Condition("如经县级以上组织部门或人社部门批准调动", _rule_in("art5_official"))
HAD_TEMPORARY = Condition("如有外省临时缴费账户", _has_temporary_account)


def _request(s: Situation) -> pension.TransferRequest:
    if s.sex is None or s.birth_date is None or s.hukou_province is None:
        raise ValueError("a transfer is assessed for a resident on file")
    return pension.TransferRequest(
        sex=s.sex, birth_date=s.birth_date, hukou_province=s.hukou_province,
        new_province=s.answers["new_province"], application_date=s.today, history=s.pension_history or (),
        approved_official_transfer=bool(s.answers.get("approved_official_transfer")),
        personal_account_balance=Decimal(s.answers.get("personal_account_balance", 0)),
    )


def assess(s: Situation) -> dict[str, Any]:
    """The transfer assessment (arts. 4-6 and the minimum) kept with the case."""
    a = pension.assess_transfer(_request(s), province_names=provinces())
    return {"assessment": {
        "procedure": a.procedure,
        "pooled_fund_amount": str(a.pooled_fund_amount),
        "personal_account_amount": str(a.personal_account_amount),
        "years_by_province": {k: str(v) for k, v in a.years_by_province.items()},
        "total_contribution_years": str(a.total_contribution_years),
        "meets_minimum": a.meets_minimum,
        "claim_province": a.claim_province,
        "explanation": a.explanation,
    }}


def describe(details: dict[str, Any]) -> Assessed | None:
    a = details.get("assessment")
    if not a:
        return None
    short = "" if a["meets_minimum"] else f"（不足{pension.DEFAULT_MINIMUM_YEARS}年）"
    return Assessed(title="养老保险转移测算", explanation=a["explanation"], facts=[
        ("办理方式", PROCEDURE_WORDS[a["procedure"]]),
        ("个人账户转移额", f"{a['personal_account_amount']} 元"),
        ("统筹基金转移额", f"{a['pooled_fund_amount']} 元"),
        ("累计缴费年限", f"{a['total_contribution_years']} 年{short}"),
        ("待遇领取地", provinces().get(a["claim_province"], "未知")),
    ])


TYPE = CaseType(
    code="pension_transfer",
    name="养老保险关系转移接续",
    summary="跨省流动就业人员将城镇企业职工基本养老保险关系和资金转入新参保地；男满50周岁、女满40周岁到非户籍省就业的，建立临时缴费账户。",
    documents=(
        ID_CARD,
        SOCIAL_SECURITY_CARD,
        "原参保地社会保险经办机构出具的《基本养老保险参保缴费凭证》（含个人账户记录）",
    ),
    conditional_documents=(
        ("《基本养老保险关系转移接续申请表》（书面申请）", TRANSFERRING),
        ("《临时基本养老保险缴费账户》建立申请（在新参保地登记）", TEMPORARY),
        ("户口簿（证明户籍在转入省）", BACK_HOME),
        ("县级以上党委组织部门或人力资源社会保障部门的调动批准文件", OFFICIAL),
        ("与调入单位签订的劳动合同", OFFICIAL),
        ("临时基本养老保险缴费账户的缴费凭证", HAD_TEMPORARY),
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
    intake=(
        IntakeField("new_province", "转入省（新参保地）", "province", assumed=HALL_PROVINCE),
        IntakeField("personal_account_balance", "个人账户储存额（元）", "money", assumed=Decimal(0),
                    hint="以参保缴费凭证为准"),
        IntakeField("approved_official_transfer", "经县级以上组织、人社部门批准调动", "yes_no"),
    ),
    scheme=Scheme.pension,
    assess=assess,
    describe=describe,
)
