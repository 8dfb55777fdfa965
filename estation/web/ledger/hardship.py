"""Hardship households to zero (/ledger/hardship): the 零就业家庭 list and 公益性岗位 terms for cadres and
leaders, and for leaders how many eligible households received each policy, per community. (The cadre
answers a policy reminder on the household page: estation.web.ledger.routes.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from estation import clock
from estation.accounts.models import Role
from estation.config import Settings
from estation.deps import DB, Principal, get_settings_dep
from estation.ledger import hardship, rules
from estation.ledger.schemas import CoverageOut
from estation.web.pages import render
from estation.web.security import require_web_roles

router = APIRouter(prefix="/ledger", include_in_schema=False)

Staff = Annotated[Principal, Depends(require_web_roles(Role.cadre, Role.leader, Role.admin, login_url="/login"))]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


@router.get("/hardship")
def hardship_page(request: Request, db: DB, principal: Staff, settings: AppSettings) -> Response:
    today = clock.today()
    found = hardship.hardship(db, user=principal.user, today=today)
    coverage: list[CoverageOut] = []
    if principal.role != Role.cadre:
        coverage = hardship.reminder_coverage(db, user=principal.user, today=today,
                                              policy_rules=rules.rules_in_force(db, settings.ledger_rules_file))
    communities = list(dict.fromkeys(c.community_name for c in coverage))
    return render(request, "ledger/hardship.html", {
        "households": found.zero_employment_households, "posts": found.public_welfare_posts,
        "coverage": coverage, "coverage_communities": communities,
        "policies": list(dict.fromkeys(c.policy for c in coverage)), "today": today,
    })
