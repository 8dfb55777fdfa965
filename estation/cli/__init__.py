"""The `estation` command (also `python -m estation`). One module per command group; this file is the
table of contents, in the order `estation --help` lists them:

    db      migrate, backup, restore            setup   init, user add, demo
    serve   serve                               sheets  import, export
    index   index rebuild | sync | status       match   match resident | household | vacancy
    alerts  alerts digest                       wechat  wechat menu

Commands build what they need through the composition root (estation.composition), as the server does.
"""

from __future__ import annotations

import typer

from estation.cli import alerts, db, index, match, serve, setup, sheets, wechat
from estation.cli.common import check_settings

app = typer.Typer(help="就业e站 estation: 甸柳街道的就业与劳动保障数据平台。", no_args_is_help=True)
app.callback()(check_settings)
app.command()(db.migrate)
app.command()(setup.init)
app.add_typer(setup.user_app, name="user")
app.command()(setup.demo)
app.command()(serve.serve)
app.command("import")(sheets.import_)
app.command("export")(sheets.export)
app.add_typer(index.index_app, name="index")
app.add_typer(match.match_app, name="match")
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(wechat.wechat_app, name="wechat")
app.command()(db.backup)
app.command()(db.restore)
