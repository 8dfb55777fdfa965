"""`estation wechat menu`: the WeChat official account's menu, linking to the phone pages."""

from __future__ import annotations

import json

import typer

from estation.config import get_settings

wechat_app = typer.Typer(help="微信公众号：菜单。", no_args_is_help=True)


@wechat_app.command("menu")
def menu() -> None:
    """Print the menu definition (JSON, as the official account's menu API and console take it): each button
    opens a phone page under ESTATION_PUBLIC_URL. Refused without that address: a menu of relative links
    would open nothing."""
    from estation.notifications.wechat import menu as definition

    settings = get_settings()
    if not settings.public_url:
        typer.echo("请先设置 ESTATION_PUBLIC_URL（居民手机访问本站的地址，如 https://jiuye.example.cn）", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(definition(settings), ensure_ascii=False, indent=2))
