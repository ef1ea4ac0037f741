"""Merchants and the circle's outlet inventory: merchant answers build outlets (operations),
duplicates are offered for merging, and the inventory suggests facts to the evaluation
(derive). The package import stays light because the response write path imports
``operations``; the staff blueprint is imported only by :func:`init_app`."""


def init_app(app) -> None:
    from .routes import bp

    app.register_blueprint(bp)
