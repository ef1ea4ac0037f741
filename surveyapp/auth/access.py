"""Who may open what.

Two rules, each in one place:
- **Roles**: :data:`surveyapp.auth.access_table.ACCESS_TABLE` lists every endpoint with the
  roles allowed; :func:`enforce` checks it before every request. An endpoint that is not in
  the table is refused to everyone (and fails the test that walks the URL map).
- **Circles**: an object of a circle the signed-in user may not see does not exist for them
  (404, never 403, so ids reveal nothing): the ``*_or_404`` helpers below.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from ..db import get_session
from ..models import Campaign, Circle, Evaluation
from .access_table import ACCESS_TABLE, ANONYMOUS, ASSESSOR, ADMIN, INTERVIEWER
from .users import can_see_circle

#: Roles that may see individual responses, enter evaluations and issue reports.
ASSESSMENT_ROLES = (ADMIN, ASSESSOR)
#: All a user signed in with a one-time password may do before choosing their own.
ONE_TIME_PASSWORD_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})


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


def home_endpoint(user) -> str:
    """Where a user lands after signing in."""
    if user.role == INTERVIEWER:
        return "interview.index"
    return "overview.index" if user.role in ASSESSMENT_ROLES else "community.index"


def allowed_roles(endpoint: str | None) -> frozenset[str]:
    """The roles the table allows for ``endpoint`` (nobody for an endpoint not in it)."""
    return ACCESS_TABLE.get(endpoint or "", frozenset())


def enforce():
    """before_request: apply the access table to the matched endpoint."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    roles = allowed_roles(endpoint)
    if ANONYMOUS in roles:
        return None
    if not roles:
        current_app.logger.error("Endpoint %s is not in the access table; refused", endpoint)
        abort(404)
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return current_app.login_manager.unauthorized()
    if current_user.role not in roles:
        abort(404)
    if current_user.must_change_password and endpoint not in ONE_TIME_PASSWORD_ENDPOINTS:
        if request.path.startswith("/api/"):
            abort(403)
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app) -> None:
    # First of all before_request functions: a request the table refuses is answered before
    # its body is read (an anonymous upload never gets parsed) and before the CSRF check.
    app.before_request_funcs.setdefault(None, []).insert(0, enforce)
