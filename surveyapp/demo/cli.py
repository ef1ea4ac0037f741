"""``surveyapp demo``: migrate, seed the demo circle, print the URLs, serve."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask import current_app
from werkzeug.serving import run_simple

from ..campaigns.qr import public_url, write_qr_files
from ..config import DEFAULTS
from ..db import get_engine, session_scope
from ..migrations import upgrade_database
from ..questionnaire.registry import current_questionnaire
from .seed import DEMO_USERS, seed_demo


def served_base_url(configured: str, host: str, port: int) -> str:
    """The address the demo's links and QR codes should carry: the one set in
    ``SURVEYAPP_BASE_URL`` if any, else the address the demo serves on (``--port 5055`` must
    not print links to port 5000)."""
    if configured != DEFAULTS["BASE_URL"]:
        return configured
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown_host}:{port}"


@click.command("demo")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Seed and print the URLs, then exit.")
def demo_command(host, port, no_serve):
    """Seed a demo circle with realistic synthetic responses, print the URLs, serve."""
    app = current_app._get_current_object()
    app.config["BASE_URL"] = served_base_url(app.config["BASE_URL"], host, port)
    upgrade_database(get_engine())
    with session_scope() as session:
        result = seed_demo(session, current_questionnaire("resident"))
        base = app.config["BASE_URL"]
        url = public_url(base, result.campaign.token)
        svg, png = write_qr_files(url, app.config["QR_DIR"], f"campaign-{result.campaign.id}")
        state = "已创建" if result.created else "已存在"
        click.echo(f"演示生活圈 {result.circle.name} {state}: 服务人口 {result.circle.population:,}, "
                   f"问卷 {result.responses} 份")
    click.echo("")
    click.echo(f"  居民问卷（手机打开）: {url}")
    click.echo(f"  二维码文件:          {png}")
    click.echo(f"  生活圈便民地图:      {base.rstrip('/')}/c/{result.circle.id}")
    click.echo(f"  工作人员登录:        {base.rstrip('/')}/staff/login")
    for username, role, password, _name in DEMO_USERS:
        click.echo(f"      {role:9s} 用户名 {username}  密码 {password}")
    click.echo("")
    if no_serve:
        return
    click.echo(f"正在 http://{host}:{port} 提供服务，按 Ctrl+C 停止。")
    run_simple(host, port, app, threaded=True, use_reloader=False)
