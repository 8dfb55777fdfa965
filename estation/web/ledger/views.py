"""Page contexts of the ledger UI, assembled from the ledger services (no queries of their own)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.jobs import placements
from estation.ledger import duties, service, work
from estation.ledger.models import ActionKind, LedgerCategory, LedgerStatus
from estation.ledger.schemas import HouseholdLedger
from estation.web.ledger.charts import Bar, bar_chart

NEXT_MOVES = {
    LedgerStatus.open: [(LedgerStatus.in_progress, "开始办理")],
    LedgerStatus.in_progress: [(LedgerStatus.resolved, "标记已解决")],
    LedgerStatus.resolved: [],  # only a return visit confirms it
    LedgerStatus.confirmed: [(LedgerStatus.closed, "销号")],
    LedgerStatus.closed: [],
}
VISIT_KINDS = (ActionKind.home_visit, ActionKind.call, ActionKind.return_visit)


def household_context(session: Session, *, user: User, ledger: HouseholdLedger, today: date) -> dict:
    authors = {a.by_user_id for i in ledger.items for a in i.actions} | {a.by_user_id for a in ledger.general_actions}
    authors |= {i.raised_by_id for i in ledger.items} | {p.cadre_id for p in ledger.pairings}
    authors |= {c.by_user_id for i in ledger.items for c in i.status_changes} | {i.escalated_to_id for i in ledger.items}
    placed = {(a.resident_id, a.vacancy_id) for i in ledger.items for a in i.actions if a.kind == ActionKind.placement}
    open_referrals = {a.id for i in ledger.items for a in i.actions
                      if a.kind == ActionKind.job_referral and (a.resident_id, a.vacancy_id) not in placed}
    follow_ups = work.follow_ups(session, user=user, household_id=ledger.id)
    return {
        "ledger": ledger,
        "names": service.display_names(session, authors),
        "members": {m.id: m for m in ledger.members},
        "next_moves": NEXT_MOVES,
        "open_referrals": open_referrals,
        "follow_ups": follow_ups,
        "answerable_by": today + timedelta(days=placements.EARLY_DAYS),
        "visit_kinds": VISIT_KINDS,
        "open_items": [i for i in ledger.items if i.status != LedgerStatus.closed],
        "community": service.community_names(session).get(ledger.community_code, ""),
        "today": today,
    }


def dashboard_context(session: Session, *, user: User, today: date, no_contact_days: int) -> dict:
    stats = duties.dashboard(session, user=user, today=today)
    year, quarter = duties.quarter_of(today)
    leader_rows = duties.leader_duties(session, user=user, year=year, quarter=quarter)
    gaps = duties.no_contact(session, user=user, today=today, days=no_contact_days)
    tones = {"open": "warn", "in_progress": "accent", "resolved": "ok", "confirmed": "ok", "closed": "muted"}
    charts = {
        "status": bar_chart([Bar(LedgerStatus(k).label, v, tone=tones[k]) for k, v in stats.by_status.items()],
                            title="台账事项按状态"),
        "category": bar_chart([Bar(LedgerCategory(k).label, v) for k, v in
                               sorted(stats.by_category.items(), key=lambda kv: -kv[1])], title="台账事项按类别"),
        "overdue": bar_chart([Bar(k, v, tone="bad") for k, v in sorted(stats.overdue_by_community.items())],
                             title="逾期未办结事项（按社区）"),
        "compliance": bar_chart(
            [Bar(q, 100 * c / t if t else 0, tone="ok" if t and c == t else "warn", text=f"{c}/{t}")
             for q, c, t in stats.compliance], title="联居领导履职达标（按季度）", max_value=100),
        "visits": bar_chart(
            [Bar(q, v, target=r, tone="ok" if r and v >= r else "warn", text=f"{v}/{r}")
             for q, v, r in stats.visits_by_quarter], title="领导入户走访户数（按季度，虚线为应走访数）"),
        "leaders": bar_chart(
            [Bar(f"{r.leader_name}·{r.community_name}", r.households_visited, target=r.visits_required,
                 tone="ok" if r.compliant else "warn", text=f"{r.households_visited}/{r.visits_required}"
                 + ("" if r.meeting_held else " 未开会")) for r in leader_rows],
            title=f"{year}年第{quarter}季度各领导走访户数", max_value=duties.VISITS_REQUIRED),
    }
    held = service.held_communities(session, user, today)
    names = service.community_names(session)
    return {
        "stats": stats, "charts": charts, "leader_rows": leader_rows, "no_contact": gaps,
        "no_contact_days": no_contact_days, "year": year, "quarter": quarter,
        "held": [(c, names.get(c, c)) for c in held], "can_record_meeting": user.role in (Role.leader, Role.admin),
        "show_duties": user.role != Role.cadre,
        "total_items": sum(stats.by_status.values()),
        "overdue_total": sum(stats.overdue_by_community.values()),
    }
