"""The leader's outcomes page (/ledger/outcomes): the report of estation.reports with charts and the
fairness monitor (the four-fifths rule)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal
from estation.errors import InvalidInput
from estation.reports import service
from estation.web.ledger.charts import Bar, bar_chart
from estation.web.pages import render
from estation.web.security import require_web_roles

router = APIRouter(prefix="/ledger", include_in_schema=False)

Overseer = Annotated[Principal, Depends(require_web_roles(Role.leader, Role.admin, login_url="/login"))]


@router.get("/outcomes")
def outcomes_page(request: Request, db: DB, principal: Overseer,
                  from_month: Annotated[str, Query(alias="from", max_length=20)] = "",
                  to_month: Annotated[str, Query(alias="to", max_length=20)] = "") -> Response:
    today = clock.today()
    default_from = date(today.year - 1, today.month, 1) if today.month < 12 else date(today.year, 1, 1)
    from_month = from_month or default_from.strftime("%Y-%m")
    to_month = to_month or today.strftime("%Y-%m")
    ctx: dict[str, object] = {"from_month": from_month, "to_month": to_month, "error": "", "report": None}
    try:
        span = service.period(_month(from_month, "起始月份", "from"), _month(to_month, "结束月份", "to"))
    except InvalidInput as exc:
        ctx["error"] = exc.message
        return render(request, "ledger/outcomes.html", ctx, status_code=422)
    report = service.outcomes(db, user=principal.user, period=span, today=today)
    ctx.update(report=report, flags=report.flags, charts=_charts(report), dimensions=service.DIMENSIONS,
               rates=service.RATES, four_fifths=service.FOUR_FIFTHS, hidden_words=service.HIDDEN,
               hidden=[g for g in report.by_group if g.hidden], small_cell=service.SMALL_CELL)
    return render(request, "ledger/outcomes.html", ctx)


def _month(value: str, name: str, field: str) -> date:
    try:
        return service.first_day(service.month_of(name)(value))
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None


def _charts(report: service.Outcomes) -> dict[str, Markup]:
    flagged = {(f.group.dimension, f.group.group, f.rate) for f in report.flags}
    charts = {
        "placements": bar_chart([Bar(name, c.placements) for _, name, c in report.by_community],
                                title="各社区上岗人次"),
        "zero": bar_chart([Bar(name, c.zero_at_end, text=f"{c.zero_at_start}→{c.zero_at_end}户",
                               tone="bad" if c.zero_at_end > c.zero_at_start else "ok")
                           for _, name, c in report.by_community], title="各社区零就业家庭（期初→期末）"),
    }
    for dimension in service.DIMENSIONS:
        groups = [g for g in report.by_group if g.dimension == dimension]
        for which, words in service.RATES.items():
            charts[f"{dimension}.{which}"] = bar_chart(
                [Bar(g.label, 0, text=service.HIDDEN[g.hidden], tone="muted") if g.hidden else
                 Bar(g.label, round(g.rate(which) * 100), text=f"{round(g.rate(which) * 100)}%",
                     tone="bad" if (dimension, g.group, which) in flagged else "accent") for g in groups],
                title=f"按{service.DIMENSIONS[dimension]}：{words}", max_value=100)
    return charts
