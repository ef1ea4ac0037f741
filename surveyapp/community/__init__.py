"""Community officers' pages (需求清单 → 项目清单): what residents say is missing, what the
community does about it, and the suggestion for indicator #1 (问需) that follows from both.

``needs_suggestion(session, circle_id)`` is the entry point for the evaluation pages.
"""
from .needs import needs_suggestion
from .routes import bp

__all__ = ["init_app", "needs_suggestion"]


def init_app(app) -> None:
    app.register_blueprint(bp)
