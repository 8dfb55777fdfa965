"""A finished counter case, made through the cases service as the counter makes it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.cases import service as cases
from estation.cases.catalogue import load_catalogue
from estation.cases.models import Case
from estation.cases.types import continued_contribution
from tests.factories import create_resident


def finished_case(s: Session, *, clerk: User, day: date, resident=None, code: str = continued_contribution.TYPE.code,
                  refuse: bool = False) -> Case:
    """Opened with every document at the clerk's window and completed (or refused) the same day."""
    load_catalogue(s)
    resident = resident or create_resident(s)
    kind = cases.get_service_type(s, code)
    everything = [i.name for i in cases.checklist(s, service=kind, resident=resident, today=day)]
    case = cases.open_case(s, resident=resident, service_code=code, handed_in=everything, user=clerk,
                           window=clerk.window, today=day)
    if refuse:
        return cases.refuse(s, case=case, user=clerk, today=day, reason="不符合办理条件")
    return cases.complete(s, case=case, user=clerk, today=day)
