"""Where things are: communities' representative points (a staff page), the circle's
15-minute coverage, and the map settings every map page reads.

The pure parts live in :mod:`surveyapp.geo` (distances, datum, coverage) and
:mod:`surveyapp.charts.outlet_map` (the SVG map); this package reads and writes the database.
"""
from __future__ import annotations


def init_app(app) -> None:
    from .routes import bp
    from .queries import map_centre, map_settings

    app.register_blueprint(bp)
    app.add_template_global(map_settings, "map_settings")
    app.add_template_global(map_centre, "map_centre")
