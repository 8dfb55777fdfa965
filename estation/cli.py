"""The `estation` command: migrate, init, user, demo, import, export, serve (and index, match)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from estation.config import get_settings
from estation.db import make_engine, make_session_factory, session_scope

app = typer.Typer(help="就业e站 estation: 甸柳街道的就业与劳动保障数据平台。", no_args_is_help=True)
console = Console()


@contextmanager
def cli_session() -> Iterator[Session]:
    engine = make_engine(get_settings().sqlalchemy_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        yield progress


def progress_callback(progress: Progress):  # noqa: ANN201
    """Adapt a rich progress bar to the loaders' ``progress(step, done, total)`` callback."""
    tasks: dict[str, int] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = progress.add_task(step, total=total)
        progress.update(tasks[step], completed=done, total=total)

    return report


@app.callback()
def check_settings() -> None:
    """Every command starts by reading the settings: unsafe ones stop it with the reason, not a traceback."""
    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            for problem in error["msg"].removeprefix("Value error, ").split("; "):
                console.print(f"[red]配置有误：{problem}[/red]")
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (SQLite under ./var by default, or ESTATION_DATABASE_URL)."""
    from estation.migrate import upgrade

    url = get_settings().sqlalchemy_url
    upgrade(url)
    console.print(f"数据库已是最新结构：{make_engine(url).url.render_as_string(hide_password=True)}")


@app.command()
def init() -> None:
    """Set up a real instance: load the reference data and create the first admin; safe to repeat.

    Loads the occupation classification, the subdistrict and its communities and the service catalogue
    (whatever is missing). Creates the first admin from ESTATION_ADMIN_USERNAME and ESTATION_ADMIN_PASSWORD,
    or asks for them at a terminal; at least 10 characters, not a common password. Once an admin exists
    it creates none. Exit code 1 = no admin could be created (reason printed).
    """
    from estation.bootstrap import first_admin, load_reference
    from estation.cases.working_days import package_years

    with cli_session() as session, progress_bar() as progress:
        made = load_reference(session, progress=progress_callback(progress))
    added = {label: n for label, n in (("职业", made["occupation"]), ("社区", made["community"]),
                                       ("办事事项", made["service_type"])) if n}
    console.print("基础数据已载入：" + "，".join(f"新增{label} {n} 个" for label, n in added.items())
                  if added else "基础数据已是完整的，没有改动。")
    first, last = package_years()
    console.print(f"工作日历：chinese-calendar 载有 {first}-{last} 年的官方节假日；之后每年由管理员录入（见 README）。")
    with cli_session() as session:
        admin = first_admin(session)
        if admin is not None:
            console.print(f"已有管理员账号 {admin.username}，不再新建。")
            return
        username = _create_admin(session)
    console.print(f"已创建管理员账号 {username}。各窗口、社区和干部的账号用 estation user add 建。")


def _create_admin(session: Session) -> str:
    """The first admin from the settings, else asked for at a terminal (again until it is acceptable).

    Without a password in the settings and no terminal to ask at, exits 1 with what to set."""
    import sys

    from estation.bootstrap import create_first_admin
    from estation.errors import InvalidInput

    settings = get_settings()
    username = settings.admin_username or "admin"
    password = settings.admin_password.get_secret_value()
    interactive = not password
    if interactive and not sys.stdin.isatty():
        console.print("[red]还没有管理员账号：请设置 ESTATION_ADMIN_USERNAME 和 ESTATION_ADMIN_PASSWORD"
                      "（密码至少10位，不能是常见密码）后再运行 estation init，或在终端里运行它并按提示输入。[/red]")
        raise typer.Exit(1)
    ask_username = interactive
    while True:
        if ask_username:
            username = typer.prompt("管理员用户名", default=username)
        if interactive:
            password = typer.prompt("管理员密码（至少10位，不能是常见密码）", hide_input=True,
                                    confirmation_prompt="再输入一次密码")
        try:
            create_first_admin(session, username=username, password=password)
            return username
        except InvalidInput as exc:
            console.print(f"[red]没有创建管理员：{exc.message}[/red]")
            if not interactive:
                raise typer.Exit(1) from None
            ask_username = exc.field == "username"


user_app = typer.Typer(help="Staff accounts (an instance's first admin comes from `estation init`).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


class StaffRole(str, Enum):
    admin = "admin"
    counter_staff = "counter_staff"
    community_staff = "community_staff"
    cadre = "cadre"
    leader = "leader"


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Sign-in name: 3-40 letters, digits, _ . -"),
    role: StaffRole = typer.Option(..., help="What the account may do."),
    name: str = typer.Option(..., help="The person's name, shown on screens and in the access log."),
    window: int | None = typer.Option(None, help="counter_staff: the service hall window (1, 2, ...)."),
    community: str | None = typer.Option(None, help="community_staff and leader: the community's 12-digit code."),
) -> None:
    """Create a staff account; the password is asked for (twice, not shown): at least 10 characters, not a
    common password. Exit code 1 = refused (reason printed), nothing written."""
    from estation.accounts.models import Role
    from estation.bootstrap import create_staff_account
    from estation.errors import InvalidInput

    password = typer.prompt("密码（至少10位，不能是常见密码）", hide_input=True, confirmation_prompt="再输入一次密码")
    try:
        with cli_session() as session:
            create_staff_account(session, username=username, password=password, role=Role(role.value),
                                 display_name=name, window=window, community_code=community)
    except InvalidInput as exc:
        console.print(f"[red]没有建账号：{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"已建账号 {username}。")


@app.command()
def demo() -> None:
    """Load the fictional 甸柳街道 demo data (residents, employers, vacancies, accounts with a published
    password) on top of the reference data; safe to repeat. Refused when ESTATION_ENVIRONMENT=production."""
    from fixtures.demo import DEMO_PASSWORD, load_demo

    if get_settings().environment == "production":
        console.print("[red]生产环境（ESTATION_ENVIRONMENT=production）不能载入演示数据：演示账号的密码"
                      f"“{DEMO_PASSWORD}”是公开的。真实站点请用 estation init 载入基础数据并创建管理员。[/red]")
        raise typer.Exit(1)
    with cli_session() as session, progress_bar() as progress:
        load_demo(session, progress=progress_callback(progress))
    console.print("演示数据已载入。")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the web UIs and the JSON API (OpenAPI at /docs). Id numbers and phones are masked in the log."""
    import uvicorn

    from estation.privacy import server_log_config

    uvicorn.run("estation.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=server_log_config())


class Sheet(str, Enum):
    residents = "residents"
    periods = "periods"
    vacancies = "vacancies"


@app.command("import")
def import_(
    kind: Sheet = typer.Argument(..., help="What the file holds: residents (居民), periods (参保缴费期) or vacancies (岗位)."),
    file: Path = typer.Argument(..., help=".xlsx or .csv (UTF-8 or GB18030) with the Chinese headers of `estation export`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and print the report; write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Also save the full error list to this .xlsx."),
) -> None:
    """Import a sheet from the counter: all rows or none; every bad row is listed with its column and reason.

    Exit code 0 = imported (or dry run passed), 1 = rows refused, 2 = file refused (type, size, encoding).
    """
    from estation.imports.commands import run_import

    raise typer.Exit(run_import(kind.value, file, dry_run=dry_run, report_path=report))


@app.command("export")
def export(
    kind: Sheet = typer.Argument(..., help="residents (居民), periods (参保缴费期) or vacancies (岗位)."),
    out: Path = typer.Argument(..., help="The .xlsx file to write."),
    full: bool = typer.Option(False, "--full", help="Write id numbers and phones in full (needed to re-import)."),
    community: str | None = typer.Option(None, "--community", help="Only this community (12-digit code)."),
) -> None:
    """Export to .xlsx with the import headers; id numbers and phones are masked unless --full."""
    from estation.imports.commands import run_export

    raise typer.Exit(run_export(kind.value, out, full=full, community=community))


if __name__ == "__main__":
    app()


from indexing.cli import index_app  # noqa: E402 - mounted last so the main commands stay first in --help

app.add_typer(index_app, name="index")

from estation.matching.commands import match_app  # noqa: E402 - matching: estation match resident|household|vacancy

app.add_typer(match_app, name="match")


@app.command()
def backup(out: Path = typer.Argument(..., help="File to write (SQLite copy or pg_dump custom format).")) -> None:
    """Back up the whole database to one file; personal data stays encrypted in it."""
    from estation.backup import backup as run_backup

    run_backup(get_settings().sqlalchemy_url, out)
    console.print(f"已备份到 {out}")


@app.command()
def restore(src: Path = typer.Argument(..., help="A file written by `estation backup`.")) -> None:
    """Restore a backup into an EMPTY database, then rebuild the search index from it."""
    from estation.backup import BackupError
    from estation.backup import restore as run_restore
    from indexing.cli import KindChoice, rebuild

    try:
        run_restore(get_settings().sqlalchemy_url, src)
    except BackupError as exc:
        console.print(f"[red]无法恢复：{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print("数据库已恢复，正在重建搜索索引……")
    rebuild(kind=KindChoice.all)
