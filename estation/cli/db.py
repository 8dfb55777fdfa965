"""`estation migrate`, `estation backup`, `estation restore`: the database itself."""

from __future__ import annotations

from pathlib import Path

import typer

from estation.cli.common import console
from estation.config import get_settings


def migrate() -> None:
    """Bring the database schema up to date (SQLite under ./var by default, or ESTATION_DATABASE_URL)."""
    from estation.db import make_engine
    from estation.migrate import upgrade

    url = get_settings().sqlalchemy_url
    upgrade(url)
    console.print(f"数据库已是最新结构：{make_engine(url).url.render_as_string(hide_password=True)}")


def backup(out: Path = typer.Argument(..., help="File to write (SQLite copy or pg_dump custom format).")) -> None:
    """Back up the whole database to one file; personal data stays encrypted in it."""
    from estation.backup import backup as run_backup

    run_backup(get_settings().sqlalchemy_url, out)
    console.print(f"已备份到 {out}")


def restore(src: Path = typer.Argument(..., help="A file written by `estation backup`.")) -> None:
    """Restore a backup into an EMPTY database, then rebuild the search index from it."""
    from estation.backup import BackupError
    from estation.backup import restore as run_restore
    from estation.cli.index import KindChoice, rebuild

    try:
        run_restore(get_settings().sqlalchemy_url, src)
    except BackupError as exc:
        console.print(f"[red]无法恢复：{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print("数据库已恢复，正在重建搜索索引……")
    rebuild(kind=KindChoice.all)
