"""surveyapp: resident and merchant surveys and the evaluation of 一刻钟便民生活圈.

``create_app(config)`` builds the Flask application (flaskr's factory pattern): each part
registers itself through its own ``init_app``.
"""
from __future__ import annotations

import os

from .config import PROJECT_ROOT, load_settings


def create_app(config: dict | None = None):
    """Build the app. ``config`` overrides the environment (tests pass their own).

    Flask (through surveyapp.web.application) is imported here, not at the top, so that the
    pure parts (questionnaire, analysis, charts, reports) can be imported without it."""
    from .web.application import SurveyFlask

    app = SurveyFlask(
        __name__,
        instance_path=os.environ.get("SURVEYAPP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_settings(config, app.instance_path))

    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import db, errors, extensions, timezones, web
    from .questionnaire import registry as questionnaires
    from .accounts import init_app as init_accounts
    from .appsettings import init_app as init_appsettings
    from .audit import init_app as init_audit
    from .overview import init_app as init_overview
    from .api import init_app as init_api
    from .auth import init_app as init_auth
    from .campaigns import init_app as init_campaigns
    from .cli import init_app as init_cli
    from .collect import init_app as init_collect
    from .community import init_app as init_community
    from .evaluation import init_app as init_evaluation
    from .exports import init_app as init_exports
    from .platforms import init_app as init_platforms
    from .interview import init_app as init_interview
    from .merchants import init_app as init_merchants
    from .locations import init_app as init_locations
    from .circlepage import init_app as init_circlepage
    from .reporting import init_app as init_reporting
    from .responses import init_app as init_responses
    from .results import init_app as init_results

    web.init_app(app)
    db.init_app(app)
    extensions.init_app(app)
    questionnaires.init_app(app)
    errors.init_app(app)
    timezones.init_app(app)
    init_auth(app)
    init_accounts(app)
    init_appsettings(app)
    init_audit(app)
    init_overview(app)
    init_collect(app)
    init_campaigns(app)
    init_results(app)
    init_responses(app)
    init_api(app)
    init_evaluation(app)
    init_interview(app)
    init_merchants(app)
    init_locations(app)
    init_circlepage(app)
    init_community(app)
    init_reporting(app)
    init_exports(app)
    init_platforms(app)
    init_cli(app)
    return app
