"""Scoring a circle against the two official tables (业态“有没有” and 服务“好不好”).

``rules`` and ``scoring`` are pure: rules come from versioned YAML files, facts and survey
counts come in as plain values, and results go out as JSON-able dicts (no Flask, no
database). ``registry`` (rules files and their snapshots), ``operations`` (writes) and
``service`` (the score sheet and a circle's history, reads), ``routes`` and ``forms`` (the
staff pages) are the app's side.
"""


def init_app(app) -> None:
    """The staff pages (``routes``) and the ``surveyapp evaluation`` commands."""
    from .cli import evaluation_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(evaluation_cli)
