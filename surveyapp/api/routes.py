from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..db import get_session
from ..results.service import summary_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _require_staff():
    """API calls answer 401 in JSON rather than redirecting to the login page."""
    if not current_user.is_authenticated:
        abort(401)


@bp.route("/campaigns/<int:campaign_id>/summary")
def campaign_summary(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return jsonify(summary_for(get_session(), campaign))
