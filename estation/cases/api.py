"""JSON routes of the cases domain: the pension transfer assessment and the continued-contribution quote."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from estation.cases import contribution, pension, repository
from estation.cases.schemas import (
    ContributionQuoteIn,
    ContributionQuoteOut,
    TransferAssessmentIn,
    TransferAssessmentOut,
)
from estation.deps import DB
from estation.geo import provinces

router = APIRouter(prefix="/api/v1/pension", tags=["pension"])


@router.post("/transfer-assessment", response_model=TransferAssessmentOut)
def transfer_assessment(body: TransferAssessmentIn) -> TransferAssessmentOut:
    """Apply the national transfer rules (国办发〔2009〕66号 arts. 4-6) to one person's history and move."""
    assessment = pension.assess_transfer(body.to_request(), province_names=provinces())
    return TransferAssessmentOut.of(assessment)


def _invalid(field: str, message: str, value: object) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}]
    )


@router.post("/continued-contribution", response_model=ContributionQuoteOut)
def continued_contribution(body: ContributionQuoteIn, db: DB) -> ContributionQuoteOut:
    """What a flexible worker pays to continue: base within the year's bounds x rate, times months owed."""
    year = body.year if body.year is not None else (repository.latest_contribution_year(db) or date.today().year)
    config = repository.contribution_config(db, year)
    if config is None:
        raise _invalid("year", f"{year}年度的缴费基数和费率尚未配置", body.year)
    try:
        q = contribution.quote(config, months=body.month_count(), base=body.base, base_share=body.base_share)
    except contribution.BaseOutOfRange as exc:
        field = "base" if body.base is not None else "base_share"
        raise _invalid(field, str(exc), body.base if body.base is not None else body.base_share) from None
    explanation = (
        f"{q.year}年度灵活就业人员缴费基数可在{q.lower_base}元至{q.upper_base}元之间自选"
        f"（全省平均工资{config.average_monthly_wage}元的{config.lower_share:.0%}至{config.upper_share:.0%}）；"
        f"按基数{q.base}元、费率{q.rate:.0%}计，每月{q.monthly_amount}元，{q.months}个月合计{q.total}元。"
    )
    return ContributionQuoteOut(
        year=q.year, base=float(q.base), lower_base=float(q.lower_base), upper_base=float(q.upper_base),
        rate=float(q.rate), monthly_amount=float(q.monthly_amount), months=q.months, total=float(q.total),
        explanation=explanation,
    )
