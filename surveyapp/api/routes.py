from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from ..auth.users import visible_circle_ids
from ..campaigns.queries import visible_campaign
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
    db = get_session()
    campaign = visible_campaign(db, campaign_id, visible_circle_ids(db, current_user))
    if campaign is None:
        abort(404)
    return jsonify(summary_for(db, campaign))
