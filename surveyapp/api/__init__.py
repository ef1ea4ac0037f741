"""JSON API for staff (same documents as the CLI's --json)."""
from .routes import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
