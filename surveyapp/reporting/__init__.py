"""Reports in the app: gathering the data a report is made from, rendering it with the
pure ``reports`` package, issuing (freezing) it, and serving it to staff and the CLI."""
from .routes import bp


def init_app(app) -> None:
    from .cli import report_command, reports_group

    app.register_blueprint(bp)
    app.cli.add_command(report_command)
    app.cli.add_command(reports_group)
