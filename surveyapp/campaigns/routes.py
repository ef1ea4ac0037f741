"""Staff pages of survey campaigns: the list of campaigns a user may see, their QR codes,
opening surveys for one circle or many, their dates (extend, shorten, close early, reopen)
and a batch's posters (one PDF) and QR codes (one ZIP)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_login import current_user

from pathlib import Path

from sqlmodel import select

from ..auth.access import campaign_or_404
from ..auth.users import visible_circle_ids
from ..circles.queries import visible_circles
from ..db import get_session
from ..downloads import file_response
from ..models import Campaign, Circle
from ..models.timeutil import utcnow
from ..questionnaire import QuestionnaireError
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import current_questionnaire
from ..results.service import light_summaries_for
from ..timezones import local_date, local_today
from ..web.expiry import refills_when_expired
from .batch import MAX_BATCH, posters_pdf
from .batch import qr_zip as make_qr_zip
from .forms import CloseForm, DeviceRuleForm, OpenSurveyForm, ReopenForm, ScheduleForm
from .operations import (CampaignError, close_campaign, open_campaigns, reopen_campaign, set_answers_per_device,
                         set_dates)
from .qr import public_url, qr_png, qr_svg
from .queries import campaign_rows

bp = Blueprint("campaigns", __name__, url_prefix="/staff")


@bp.route("/campaigns")
def index():
    db = get_session()
    rows = campaign_rows(db, visible_circle_ids(db, current_user))
    base = current_app.config["BASE_URL"]
    summaries = light_summaries_for(db, [row.campaign for row in rows])
    samples = {campaign_id: summary["sample"] for campaign_id, summary in summaries.items()}
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


# --- opening surveys, one circle or many ------------------------------------------------------

def questionnaire_choices() -> list[tuple[str, str]]:
    """(file name, "居民问卷调查 · title") of the questionnaire files, residents first."""
    choices = []
    for path in sorted(Path(current_app.config["QUESTIONNAIRE_DIR"]).glob("*.yaml")):
        try:
            questionnaire = current_questionnaire(path.stem)
        except (QuestionnaireError, LookupError):
            continue
        choices.append((questionnaire.kind != "resident", path.stem,
                        f"{survey_kind(questionnaire.kind).label} · {questionnaire.title}（{path.stem} v{questionnaire.version}）"))
    return [(name, label) for _, name, label in sorted(choices)]


@bp.route("/campaigns/new", methods=["GET", "POST"])
@refills_when_expired
def new():
    """Open a resident or merchant survey for the circles ticked (all of them, or none)."""
    db = get_session()
    circles = visible_circles(db, current_user)
    form = OpenSurveyForm()
    form.questionnaire.choices = questionnaire_choices()
    form.circles.choices = [(c.id, c.name) for c in circles]
    if not form.is_submitted():
        today = local_today()
        form.questionnaire.data = request.args.get("questionnaire") or "resident"
        form.opens_on.data = today.isoformat()
        form.closes_on.data = (today + timedelta(days=29)).isoformat()
        form.circles.data = [i for i in request.args.getlist("circle", type=int) if i in {c.id for c in circles}]
    if form.validate_on_submit():
        chosen = [c for c in circles if c.id in set(form.circles.data)]
        try:
            questionnaire = current_questionnaire(form.questionnaire.data)
            campaigns = open_campaigns(db, chosen, questionnaire, form.opens_at(), form.closes_at(),
                                       answers_per_device=form.device_rule())
        except (QuestionnaireError, LookupError) as exc:
            form.questionnaire.errors.append(f"问卷文件有误：{exc}")
        except CampaignError as exc:
            form.closes_on.errors.append(str(exc))
        else:
            flash(f"已为 {len(campaigns)} 个生活圈开启{survey_kind(questionnaire.kind).label}。", "info")
            return redirect(url_for("campaigns.batch", campaign=[c.id for c in campaigns]))
    with_open = _open_kinds(db, [c.id for c in circles])
    return render_template("campaigns/new.html", form=form, circles=circles, with_open=with_open), \
        422 if form.errors else 200


def _open_kinds(db, circle_ids: list[int]) -> dict[int, list[str]]:
    """circle id → labels of the surveys running or about to run there (shown beside each box)."""
    now = utcnow()
    result: dict[int, list[str]] = {}
    if not circle_ids:
        return result
    for campaign in db.exec(select(Campaign).where(Campaign.circle_id.in_(circle_ids))):
        if campaign.state(now) != "closed":
            result.setdefault(campaign.circle_id, []).append(survey_kind(campaign.kind).label)
    return result


def _selected():
    """The campaigns named by ``?campaign=`` (each must be visible: else 404), in that order."""
    ids = list(dict.fromkeys(request.args.getlist("campaign", type=int)))
    if len(ids) > MAX_BATCH:
        abort(413)
    return [campaign_or_404(i) for i in ids]


@bp.route("/campaigns/batch")
def batch():
    """Surveys just opened (or ticked on the list): their links, posters and QR codes."""
    campaigns = _selected()
    if not campaigns:
        flash("请先在列表中勾选问卷调查。", "error")
        return redirect(url_for("campaigns.index"))
    db = get_session()
    base = current_app.config["BASE_URL"]
    rows = [(c, db.get(Circle, c.circle_id), public_url(base, c.token)) for c in campaigns]
    return render_template("campaigns/batch.html", rows=rows, ids=[c.id for c in campaigns], now=utcnow(),
                           kinds={c.id: survey_kind(c.kind) for c in campaigns})


@bp.route("/campaigns/posters.pdf")
def posters():
    campaigns = _selected()
    if not campaigns:
        flash("请先勾选要打印海报的问卷调查。", "error")
        return redirect(url_for("campaigns.index"))
    content = posters_pdf(get_session(), campaigns, current_app.config["BASE_URL"])
    return file_response(content, "application/pdf", f"二维码海报-{len(campaigns)}份.pdf")


@bp.route("/campaigns/qr.zip")
def qr_zip():
    campaigns = _selected()
    if not campaigns:
        flash("请先勾选要下载二维码的问卷调查。", "error")
        return redirect(url_for("campaigns.index"))
    content = make_qr_zip(get_session(), campaigns, current_app.config["BASE_URL"])
    return file_response(content, "application/zip", f"二维码-{len(campaigns)}份.zip")


# --- dates, closing early, reopening ----------------------------------------------------------

def _schedule_page(campaign, status: int = 200, **forms):
    db = get_session()
    schedule = forms.get("schedule") or ScheduleForm(
        formdata=None, opens_on=local_date(campaign.opens_at).isoformat(),
        closes_on=local_date(campaign.closes_at).isoformat() if campaign.closes_at else "")
    return render_template("campaigns/schedule.html", campaign=campaign, circle=db.get(Circle, campaign.circle_id),
                           kind=survey_kind(campaign.kind), state=campaign.state(utcnow()), schedule=schedule,
                           reopen=forms.get("reopen") or ReopenForm(formdata=None), close=CloseForm(formdata=None),
                           link=public_url(current_app.config["BASE_URL"], campaign.token)), status


@bp.route("/campaigns/<int:campaign_id>/schedule", methods=["GET", "POST"])
@refills_when_expired
def schedule(campaign_id: int):
    """Set, extend or shorten the dates (the form), with closing early and reopening beside it."""
    campaign = campaign_or_404(campaign_id)
    if request.method == "GET":
        return _schedule_page(campaign)
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            set_dates(get_session(), campaign, form.opens_at(), form.closes_at())
        except CampaignError as exc:
            form.closes_on.errors.append(str(exc))
        else:
            flash("起止日期已保存。", "info")
            return redirect(url_for("campaigns.schedule", campaign_id=campaign.id))
    return _schedule_page(campaign, 422, schedule=form)


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
def close(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            close_campaign(get_session(), campaign)
        except CampaignError as exc:
            flash(str(exc), "error")
        else:
            flash("调查已结束：公开链接不再接受新的答卷，已收到的答卷都保留。", "info")
    else:
        flash("页面已过期，请刷新后再试。", "error")
    return redirect(url_for("campaigns.schedule", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/reopen", methods=["POST"])
@refills_when_expired
def reopen(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_campaign(get_session(), campaign, form.closes_at())
        except CampaignError as exc:
            form.closes_on.errors.append(str(exc))
        else:
            flash("调查已重新开启。", "info")
            return redirect(url_for("campaigns.schedule", campaign_id=campaign.id))
    return _schedule_page(campaign, 422, reopen=form)
