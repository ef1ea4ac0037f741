"""The one rule for staff pages: an object of a circle the signed-in user may not see does
not exist for them (404, never 403, so ids reveal nothing)."""
from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user

from ..db import get_session
from ..models import Campaign, Circle, Evaluation
from .users import can_see_circle


def circle_or_404(circle_id: int) -> Circle:
    circle = get_session().get(Circle, circle_id)
    if circle is None or not can_see_circle(get_session(), current_user, circle.id):
        abort(404)
    return circle


def campaign_or_404(campaign_id: int) -> Campaign:
    campaign = get_session().get(Campaign, campaign_id)
    if campaign is None or not can_see_circle(get_session(), current_user, campaign.circle_id):
        abort(404)
    return campaign


def evaluation_or_404(evaluation_id: int) -> Evaluation:
    evaluation = get_session().get(Evaluation, evaluation_id)
    if evaluation is None or not can_see_circle(get_session(), current_user, evaluation.circle_id):
        abort(404)
    return evaluation


#: Roles that may see individual responses, enter evaluations and issue reports. Community
#: officers see aggregates and suggestion text only (their pages are under /community).
ASSESSMENT_ROLES = ("admin", "assessor")


def require_assessment_role() -> None:
    """before_request guard for the assessors' blueprints: officers get 404."""
    if current_user.is_authenticated and current_user.role not in ASSESSMENT_ROLES:
        abort(404)


def home_endpoint(user) -> str:
    """Where a user lands after signing in."""
    return "campaigns.index" if user.role in ASSESSMENT_ROLES else "community.index"


def assessors_only(bp) -> None:
    """Every page of ``bp`` needs a signed-in admin or assessor: anonymous visitors are sent
    to the login page, officers get 404."""

    @bp.before_request
    def _assessors_only():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        require_assessment_role()
        return None
