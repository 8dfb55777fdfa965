"""The SELECTs of the cases domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.cases.contribution import DEFAULT_CONFIGS, ContributionConfig
from estation.cases.models import ContributionSetting


def contribution_config(session: Session, year: int) -> ContributionConfig | None:
    """The stored figures for ``year``, else the built-in demo figures, else None."""
    row = session.get(ContributionSetting, year)
    if row is not None:
        return ContributionConfig(
            year=row.year,
            province=row.province,
            average_monthly_wage=row.average_monthly_wage,
            lower_share=row.lower_share,
            upper_share=row.upper_share,
            rate=row.rate,
        )
    return DEFAULT_CONFIGS.get(year)


def latest_contribution_year(session: Session) -> int | None:
    stored = session.scalar(select(ContributionSetting.year).order_by(ContributionSetting.year.desc()).limit(1))
    candidates = [y for y in (stored, max(DEFAULT_CONFIGS, default=None)) if y is not None]
    return max(candidates, default=None)
