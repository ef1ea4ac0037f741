"""What a campaign's answers say: the figures computed from the answer tallies (and, for the
statistics that need whole answer patterns, from a bounded sample of rows), the dashboard
that shows them, and the review of responses that do or do not count."""


def init_app(app) -> None:
    from .cli import summary_command
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(summary_command)
