"""The ledger as a paper 台账: one row per problem with its actions, as .xlsx (openpyxl) or print rows.

Masking follows the viewer: a sensitive note exported by someone who may not read it is masked in the
file too, so an export never leaks more than the screen. Every cell, the title and subtitle included, and
the file name are written by ``estation.sheets``, so text typed by a cadre never becomes a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from estation import sheets
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.labour.models import Household
from estation.labour.service import communities
from estation.ledger import repository, service
from estation.ledger.models import ActionKind, LedgerStatus

HEADERS = ["序号", "社区", "住址", "户主", "问题类别", "问题描述", "提出日期", "提出人", "办结期限",
           "帮扶措施（日期 · 方式 · 内容 · 经办人）", "办理状态", "回访情况", "销号日期", "包户干部"]
WIDTHS = [6, 10, 22, 8, 10, 34, 12, 10, 12, 60, 10, 24, 12, 12]


@dataclass
class LedgerRow:
    number: int
    community: str
    address: str
    head: str
    category: str
    problem: str
    raised_on: date
    raised_by: str
    due_on: date
    actions: list[str]
    status: str
    overdue: bool
    return_visit: str
    closed_on: date | None
    cadres: str

    def cells(self) -> list:
        return [self.number, self.community, self.address, self.head, self.category, self.problem, self.raised_on,
                self.raised_by, self.due_on, "\n".join(self.actions), self.status + ("（逾期）" if self.overdue else ""),
                self.return_visit, self.closed_on, self.cadres]


def ledger_rows(session: Session, *, user: User, households: list[Household], today: date,
                reason: str) -> list[LedgerRow]:
    ids = [h.id for h in households]
    by_id = {h.id: h for h in households}
    items = repository.items_in(session, ids)
    pairings = repository.active_pairings(session, day=today, household_ids=ids)
    people = repository.users(session, {p.cadre_id for p in pairings} | {i.raised_by_id for i in items}
                              | {a.by_user_id for i in items for a in i.actions})
    places = communities(session)
    cadres: dict[int, list[str]] = {}
    for p in pairings:
        cadres.setdefault(p.household_id, []).append(people[p.cadre_id].display_name)
    for h in households:
        for member in h.members:
            log_access(session, user=user, resident_id=member.id, action="export", what="台账导出", reason=reason)
    rows = []
    for n, item in enumerate(items, start=1):
        h = by_id[item.household_id]
        out = service.item_out(item, user, today)
        head = next((m for m in h.members if m.relation.value == "head"), h.members[0] if h.members else None)
        lines, checks = [], []
        for a in out.actions:
            who = people[a.by_user_id].display_name if a.by_user_id in people else ""
            lines.append(f"{a.on:%Y-%m-%d} · {a.kind.label} · {a.note} · {who}".rstrip(" ·"))
            if a.kind == ActionKind.return_visit and a.outcome_ok is not None:
                checks.append(f"{a.on:%Y-%m-%d} {'已解决' if a.outcome_ok else '未解决'}")
        closed = next((c.on for c in reversed(item.status_changes) if c.to_status == LedgerStatus.closed), None)
        rows.append(LedgerRow(
            number=n, community=places[h.community_code].short_name if h.community_code in places else "",
            address=h.address, head=head.name if head else "", category=item.category.label,
            problem=out.problem, raised_on=item.raised_on,
            raised_by=people[item.raised_by_id].display_name if item.raised_by_id in people else "",
            due_on=item.due_on, actions=lines, status=item.status.label, overdue=out.overdue,
            return_visit="；".join(checks), closed_on=closed if item.status == LedgerStatus.closed else None,
            cadres="、".join(cadres.get(h.id, [])),
        ))
    return rows


def workbook(rows: list[LedgerRow], *, title: str, subtitle: str) -> bytes:
    wb = sheets.new_workbook()
    ws = wb.active
    ws.title = "台账"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(HEADERS))
    ws.merge_cells(f"A1:{last}1")
    heading = sheets.put(ws, "A1", title)
    heading.font = Font(size=16, bold=True)
    heading.alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    sheets.put(ws, "A2", subtitle)
    sheets.add_row(ws, HEADERS)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
        cell = ws.cell(row=3, column=col)
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheets.add_row(ws, row.cells())
        r = ws.max_row
        for col in range(1, len(HEADERS) + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = border
            cell.alignment = wrap
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        ws.row_dimensions[r].height = max(30, 15 * max(1, len(row.actions)))
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
