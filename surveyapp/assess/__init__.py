"""Staff pages for assessors and admins: campaigns, their progress and QR codes."""
from .routes import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
