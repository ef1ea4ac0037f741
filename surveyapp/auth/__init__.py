"""Staff sign-in (Flask-Login). Residents and merchants never sign in."""
from .routes import bp
from .users import load_user  # noqa: F401  (registers the user loader)


def init_app(app) -> None:
    from .access import init_app as init_access

    from ..models.user import ROLE_LABELS

    init_access(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["role_labels"] = ROLE_LABELS

