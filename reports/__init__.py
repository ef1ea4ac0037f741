"""PDF and spreadsheet outputs of the platform: the 评价报告, the 汇总表, the QR poster.

Pure: analysis results (plain dicts) in, bytes out. No Flask, no database — the CLI and the web
page produce the same bytes from the same data. Templates live in ``templates/reports/``, the
stylesheet in ``reports/static/``.
"""
from .campaign import campaign_report
from .poster import poster_page, qr_poster, qr_posters
from .rendering import ReportURLFetcher, render_pdf
from .spreadsheet import append_row, csv_cell
from .summary_sheet import neutralise, summary_sheet_pdf, summary_sheet_xlsx

__all__ = ["campaign_report", "summary_sheet_pdf", "summary_sheet_xlsx", "neutralise", "qr_poster", "qr_posters", "poster_page",
           "render_pdf", "ReportURLFetcher", "append_row", "csv_cell"]
