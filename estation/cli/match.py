"""`estation match resident|household|vacancy ID`: matching from the command line, printed with rich."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from estation.cli.common import cli_matcher, console

if TYPE_CHECKING:
    from estation.matching.service import Matcher

match_app = typer.Typer(help="岗位匹配：为居民、家庭或岗位查找合适的岗位、创业机会或人选。", no_args_is_help=True)
CLI_REASON = "工作人员在系统后台查询"
"""The reason of the access log rows these commands write (with no signed-in user: the system's rows)."""


@contextmanager
def _matching() -> Iterator[tuple[Matcher, Session]]:
    """The matcher as the server builds it, and one unit of work; exit code 3 if the model is unavailable."""
    from estation.db import session_scope

    with cli_matcher() as (parts, matcher), session_scope(parts.session_factory) as session:
        yield matcher, session


def _get(session, model, key: int, label: str):
    """The row, or a red line and exit code 1."""
    row = session.get(model, key)
    if row is None:
        console.print(f"[red]{label} {key} 不存在[/red]")
        raise typer.Exit(1)
    return row


def _jobs_table(title: str, result) -> Table:
    table = Table(title=title, show_lines=True)
    for col in ("#", "得分", "岗位", "单位", "距离", "每天", "为什么推荐"):
        table.add_column(col, overflow="fold")
    for n, m in enumerate(result.items, 1):
        dist = "居家" if m.home_based else (f"{m.distance_km:.1f}公里" if m.distance_km is not None else "")
        hours = f"{m.hours_per_day:g}小时" if m.hours_per_day is not None else ""
        table.add_row(str(n), f"{m.score:.3f}", m.title, m.employer_name, dist, hours, "\n".join(r.text for r in m.reasons))
    return table


def _print_result(title: str, result, *, notes: bool = True) -> None:
    """The table, then (``notes``) what to keep in mind and what each limit removed."""
    console.print(_jobs_table(title, result))
    if not notes:
        return
    for note in result.considerations:
        console.print(f"[bold]请注意：[/bold]{note}")
    if result.limits:
        console.print(f"[bold]按本人情况筛选[/bold]（相关岗位{result.pool}个）：")
    for lim in result.limits:
        mark = "（列表因此为空）" if lim.key in result.emptied_by else ""
        console.print(f"  {lim.label}：排除了{lim.removed}个{mark}" + (f"；{lim.advice}" if lim.removed else ""))
    if result.degraded:
        console.print("[yellow]搜索索引不可用，结果直接来自数据库。[/yellow]")


@match_app.command("resident")
def resident(resident_id: int = typer.Argument(..., help="居民编号"),
             limit: int = typer.Option(10, min=1, max=50, help="返回条数"),
             startups: bool = typer.Option(False, "--startups", help="推荐创业机会而不是岗位")) -> None:
    """Jobs (or start-up opportunities) for one resident, with the reasons and the limits that shaped them."""
    from estation.accounts.service import log_access
    from estation.labour.models import Resident

    with _matching() as (matcher, session):
        r = _get(session, Resident, resident_id, "居民")
        log_access(session, user=None, resident_id=r.id, action="match", what="岗位匹配", reason=CLI_REASON)
        result = matcher.recommend(session, resident=r, limit=limit, kind="startup" if startups else "vacancy")
        _print_result(f"为居民 {resident_id} 推荐的{'创业机会' if startups else '岗位'}", result)


@match_app.command("household")
def household(household_id: int = typer.Argument(..., help="家庭编号")) -> None:
    """Every working-age member with capacity: jobs and start-up opportunities each."""
    from estation.accounts.service import log_access
    from estation.labour.models import Household
    from estation.matching.households import match_household

    with _matching() as (matcher, session):
        h = _get(session, Household, household_id, "家庭")
        for m in h.members:
            log_access(session, user=None, resident_id=m.id, action="match", what="家庭成员岗位匹配", reason=CLI_REASON)
        result = match_household(matcher, session, household=h)
        for m in result.members:
            _print_result(f"{m.masked_name}（{m.age}岁）的岗位", m.jobs)
            _print_result(f"{m.masked_name}的创业机会", m.startups, notes=False)
        for s in result.skipped:
            console.print(f"{s.masked_name}：{s.reason}，不推荐")


@match_app.command("vacancy")
def vacancy(vacancy_id: int = typer.Argument(..., help="岗位编号"),
            limit: int = typer.Option(20, min=1, max=100, help="返回条数"),
            all_residents: bool = typer.Option(False, "--all", help="也列出未同意向用人单位展示的居民")) -> None:
    """Residents who fit a vacancy (names masked), best first."""
    from estation.accounts.service import log_access
    from estation.jobs.models import Vacancy
    from estation.matching.vacancies import residents_for_vacancy
    from estation.privacy import mask_name

    with _matching() as (matcher, session):
        v = _get(session, Vacancy, vacancy_id, "岗位")
        fits = residents_for_vacancy(matcher, session, vacancy=v, limit=limit, consented_only=not all_residents)
        table = Table(title=f"适合岗位“{v.title}”的居民", show_lines=True)
        for col in ("#", "得分", "居民", "编号", "距离", "为什么合适"):
            table.add_column(col, overflow="fold")
        for n, f in enumerate(fits, 1):
            log_access(session, user=None, resident_id=f.resident.id, action="match", what="岗位匹配人选", reason=CLI_REASON)
            dist = f"{f.distance_km:.1f}公里" if f.distance_km is not None else ""
            table.add_row(str(n), f"{f.score:.3f}", mask_name(f.resident.name), str(f.resident.id), dist,
                          "\n".join(r.text for r in f.reasons))
        console.print(table)
        if not fits:
            console.print("暂时没有符合条件的居民。")
