"""Staff pages for evaluations: a circle's rounds, the inventory and field-inspection forms,
and the score sheet. The scoring itself lives in surveyapp.evaluation."""
from .routes import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
