"""The circle's public page (问38 智慧服务平台 / 问39 便民地图): one address per circle, reached by
QR code, listing the outlets whose merchants agreed to be listed, by type, with hours and
services, and the map. Public (no account); apart from every staff page."""
from __future__ import annotations


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
