"""`estation init`, `estation user add`, `estation demo`: a new instance's reference data and accounts."""

from __future__ import annotations

from enum import Enum

import typer
from sqlalchemy.orm import Session

from estation.cli.common import cli_session, console, progress_bar, progress_callback
from estation.config import get_settings


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
    from estation.accounts.staff import create_staff_account
    from estation.errors import InvalidInput

    password = typer.prompt("密码（至少10位，不能是常见密码）", hide_input=True, confirmation_prompt="再输入一次密码")
    try:
        with cli_session() as session:
            create_staff_account(session, username=username, password=password, role=Role[role.name],
                                 display_name=name, window=window, community_code=community)
    except InvalidInput as exc:
        console.print(f"[red]没有建账号：{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"已建账号 {username}。")


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
