"""服务评价 (/ledger/ratings) for leaders and admins: the month's 好差评 per window and per service, and how
fast residents' suggestions were answered in the twelve months to it. The figures are
estation.ratings.service.monthly's and estation.feedback.service.response_times'."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal
from estation.feedback import service as feedback
from estation.ratings import service as ratings
from estation.ratings.models import Satisfaction
from estation.reports.service import first_day
from estation.web.pages import render
from estation.web.security import require_web_roles

router = APIRouter(prefix="/ledger", include_in_schema=False)

Overseer = Annotated[Principal, Depends(require_web_roles(Role.leader, Role.admin, login_url="/login"))]


@router.get("/ratings")
def ratings_page(request: Request, db: DB, principal: Overseer,
                 month: Annotated[str, Query(max_length=20)] = "") -> Response:
    this_month = clock.today().replace(day=1)
    try:
        chosen = first_day(month) if month else this_month
        error = ""
    except ValueError:
        chosen, error = this_month, "月份请按“年-月”选择，如 2026-03；下面是本月的"
    report = ratings.monthly(db, month=chosen)
    times = feedback.response_times(db, first=date(chosen.year - 1, chosen.month, 1), last=chosen)
    months = [this_month]  # the choice: this month and the two years before it, newest first
    while len(months) < 25:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return render(request, "ledger/ratings.html", {
        "report": report, "month": chosen.strftime("%Y-%m"), "levels": list(Satisfaction), "times": times,
        "months": months if chosen in months else [chosen, *months],
        "error": error}, status_code=422 if error else 200)
