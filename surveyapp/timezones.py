"""Times are stored in UTC and shown in the circle's local time (China: Asia/Shanghai)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local(value: datetime | None, fmt: str = "%Y-%m-%d") -> str:
    """Jinja filter: ``{{ campaign.opens_at | local('%Y年%m月%d日') }}``."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def local_date(value: datetime | None):
    """The local calendar date of a stored UTC time."""
    return None if value is None else value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def local_today():
    """Today's date where the circles are (reports are dated with it)."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def init_app(app) -> None:
    app.add_template_filter(local, "local")
