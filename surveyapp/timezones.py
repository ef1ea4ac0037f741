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


def init_app(app) -> None:
    app.add_template_filter(local, "local")
