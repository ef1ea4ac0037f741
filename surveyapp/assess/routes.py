from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user, login_required

from ..auth.users import visible_circle_ids
from ..campaigns.qr import public_url, qr_png, qr_svg
from ..campaigns.queries import campaign_rows, visible_campaign
from ..db import get_session
from ..models.timeutil import utcnow

bp = Blueprint("assess", __name__, url_prefix="/staff")


@bp.before_request
@login_required
def _require_login():
    """Every page of this blueprint is for signed-in staff."""


@bp.route("/")
@bp.route("/campaigns")
def campaigns():
    db = get_session()
    rows = campaign_rows(db, visible_circle_ids(db, current_user))
    base = current_app.config["BASE_URL"]
    return render_template(
        "assess/campaigns.html", rows=rows, now=utcnow(),
        links={row.campaign.id: public_url(base, row.campaign.token) for row in rows},
    )


def _campaign_or_404(campaign_id: int):
    db = get_session()
    campaign = visible_campaign(db, campaign_id, visible_circle_ids(db, current_user))
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campaigns/<int:campaign_id>/qr.<kind>")
def campaign_qr(campaign_id: int, kind: str):
    campaign = _campaign_or_404(campaign_id)
    url = public_url(current_app.config["BASE_URL"], campaign.token)
    if kind == "svg":
        body, mimetype = qr_svg(url), "image/svg+xml"
    elif kind == "png":
        body, mimetype = qr_png(url), "image/png"
    else:
        abort(404)
    return Response(
        body, mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}-qr.{kind}"'},
    )
