"""``surveyapp responses ...``: paper import and maintenance."""
from __future__ import annotations

from flask.cli import AppGroup

responses_cli = AppGroup("responses", help="Stored responses: paper import, maintenance.")
