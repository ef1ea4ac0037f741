"""The JSON API. Who may call each endpoint is in the access table (auth/access_table.py);
an anonymous call answers 401 in JSON rather than redirecting to the sign-in page."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth.access import campaign_or_404
from ..db import get_session
from ..results.service import summary_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/campaigns/<int:campaign_id>/summary")
def campaign_summary(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return jsonify(summary_for(get_session(), campaign))
