"""The audit log of staff writes. ``operations.record`` is called by every write of the
product, in the write's own transaction; nothing in the product edits or deletes an entry."""


def init_app(app) -> None:
    """The admins' pages of the log (read and export only)."""
    from .cli import audit_cli
    from .routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
