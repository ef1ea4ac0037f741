"""Server-side SVG charts for the dashboard and the PDF reports.

Pure functions: plain numbers and strings in, an SVG document out as :class:`markupsafe.Markup`
(inline it in Jinja without ``|safe``). No Flask, no database, no external references; every piece
of text is escaped character data; the same input gives the same bytes.
"""
from .bars import distribution_bars, paired_rate_bars, rate_bars, ranking_bars
from .grid import importance_performance_grid
from .outlet_map import outlet_map
from .progress import sample_progress
from .svg import display_width, percent, truncate

__all__ = ["rate_bars", "paired_rate_bars", "sample_progress", "distribution_bars", "importance_performance_grid",
           "ranking_bars", "outlet_map", "truncate", "display_width", "percent"]
