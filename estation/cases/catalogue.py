"""The service catalogue the counter works from: seeded from the registered case types, then an admin's to edit.

Every service lists everything a resident must bring, so the checklist at acceptance is complete and
told once. Time limits are working days counted from acceptance with complete documents.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from estation.cases.casetype import CaseType
from estation.cases.contribution import DEFAULT_CONFIGS
from estation.cases.models import ContributionSetting, ServiceType
from estation.cases.registry import REGISTRY


def load_catalogue(session: Session, *, overwrite: bool = False) -> int:
    """Add the registered services and the contribution figures that are missing; returns how many
    services were added. ``overwrite`` also resets services an admin has edited back to the seed."""
    added = 0
    for case_type in REGISTRY:
        row = session.get(ServiceType, case_type.code)
        if row is None:
            session.add(ServiceType(code=case_type.code, **_fields(case_type)))
            added += 1
        elif overwrite:
            for key, value in _fields(case_type).items():
                setattr(row, key, value)
    for config in DEFAULT_CONFIGS.values():
        if session.get(ContributionSetting, config.year) is None:
            session.add(ContributionSetting(
                year=config.year, province=config.province, average_monthly_wage=config.average_monthly_wage,
                lower_share=config.lower_share, upper_share=config.upper_share, rate=config.rate,
            ))
    session.flush()
    return added


def _fields(case_type: CaseType) -> dict:
    return dict(
        name=case_type.name, summary=case_type.summary, documents=list(case_type.documents),
        conditions=list(case_type.conditions), steps=list(case_type.steps),
        time_limit_working_days=case_type.time_limit_working_days,
    )
