"""The counter's case types, one module each. A new service is a new module here, listed below, plus its tests."""

from __future__ import annotations

from estation.cases.casetype import CaseType
from estation.cases.types import (
    continued_contribution,
    employment_difficulty,
    employment_registration,
    pension_transfer,
    social_insurance_subsidy,
    startup_loan,
    unemployment_registration,
)

BUILT_IN: tuple[CaseType, ...] = (
    pension_transfer.TYPE,
    continued_contribution.TYPE,
    unemployment_registration.TYPE,
    employment_registration.TYPE,
    employment_difficulty.TYPE,
    startup_loan.TYPE,
    social_insurance_subsidy.TYPE,
)
