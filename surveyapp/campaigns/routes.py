"""Staff pages of survey campaigns: the list of campaigns a user may see, and their QR codes."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from ..auth.access import campaign_or_404
from ..auth.users import visible_circle_ids
from ..db import get_session
from ..models.timeutil import utcnow
from ..questionnaire.kinds import survey_kind
from ..results.service import summary_for
from .forms import DeviceRuleForm
from .operations import CampaignError, set_answers_per_device
from .qr import public_url, qr_png, qr_svg
from .queries import campaign_rows

bp = Blueprint("campaigns", __name__, url_prefix="/staff")


@bp.route("/campaigns")
def index():
    db = get_session()
    rows = campaign_rows(db, visible_circle_ids(db, current_user))
    base = current_app.config["BASE_URL"]
    samples = {row.campaign.id: summary_for(db, row.campaign, detail=False)["sample"] for row in rows}
    return render_template(
        "campaigns/index.html", rows=rows, now=utcnow(), samples=samples,
        kinds={row.campaign.id: survey_kind(row.campaign.kind) for row in rows},
        links={row.campaign.id: public_url(base, row.campaign.token) for row in rows},
    )


@bp.route("/campaigns/<int:campaign_id>/qr.<kind>")
def qr(campaign_id: int, kind: str):
    campaign = campaign_or_404(campaign_id)
    url = public_url(current_app.config["BASE_URL"], campaign.token)
    if kind == "svg":
        body, mimetype = qr_svg(url), "image/svg+xml"
    elif kind == "png":
        body, mimetype = qr_png(url), "image/png"
    else:
        abort(404)
    return HttpResponse(
        body, mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign.id}-qr.{kind}"'},
    )


@bp.route("/campaigns/<int:campaign_id>/device-rule", methods=["POST"])
def device_rule(campaign_id: int):
    """How many answers one phone may give (为家人再填一份); 1 is one answer per phone."""
    campaign = campaign_or_404(campaign_id)
    form = DeviceRuleForm()
    if form.validate_on_submit():
        try:
            set_answers_per_device(get_session(), campaign, form.answers_per_device.data)
            flash(f"已设为每部手机最多填写 {campaign.answers_per_device} 份。", "info")
        except CampaignError as exc:
            flash(str(exc), "error")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("results.dashboard", campaign_id=campaign.id, _anchor="collection"))
