"""`estation alerts digest`: today's digests of new matching jobs, for cron (the server's worker writes them too)."""

from __future__ import annotations

import typer

from estation.cli.common import cli_matcher, console

alerts_app = typer.Typer(help="短信和微信提醒：每日新岗位提醒。", no_args_is_help=True)


@alerts_app.command("digest")
def digest() -> None:
    """Write today's digests (Beijing day) not yet written: each resident who opted in to the daily jobs, and
    each cadre of a hardship household. Safe to repeat and to run beside the server: one digest per person
    per day. The server's notifier worker then sends them (SMS / WeChat, outside the quiet hours)."""
    from estation.matching.digest import run_daily

    with cli_matcher() as (parts, matcher):
        run = run_daily(parts.session_factory, matcher)
    console.print(f"居民：发出{len(run.sent)}份，没有新岗位{len(run.nothing_new)}人，今天已发过{len(run.already_done)}人")
    console.print(f"包户干部：发出{len(run.cadres_sent)}份，没有新岗位{len(run.cadres_nothing_new)}人，"
                  f"今天已发过{len(run.cadres_already_done)}人")
