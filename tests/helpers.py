"""Arranging data for tests through the same operations the app uses."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from surveyapp.campaigns.operations import open_campaign
from surveyapp.circles.operations import create_circle
from surveyapp.models import Circle, CircleCreate, CommunityCreate
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire, validate_answers

DATA = Path(__file__).parent / "data"
APP_QUESTIONNAIRES = DATA / "app_questionnaires"
PROJECT_QUESTIONNAIRES = Path(__file__).parent.parent / "questionnaires"


def make_circle(db, name=None, population=20000, communities=(("东社区", 12000), ("西社区", 8000))):
    """A circle; unnamed ones are 测试生活圈, then 测试生活圈 2, 3 … (a name is one circle's)."""
    if name is None:
        taken = set(db.exec(select(Circle.name)))
        name = next(n for n in ("测试生活圈", *(f"测试生活圈 {i}" for i in range(2, 1000))) if n not in taken)
    return create_circle(db, CircleCreate(
        name=name, population=population,
        communities=[CommunityCreate(name=n, population=p) for n, p in communities],
    ))


def make_campaign(db, circle, questionnaire_path, opens_in_days=-1, closes_in_days=30):
    questionnaire = load_questionnaire(questionnaire_path)
    now = utcnow()
    return open_campaign(
        db, circle, questionnaire,
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
    )


def complete_round(db, evaluation, reason: str = "测试：本生活圈不适用"):
    """Make ``evaluation`` complete (needs an app context): its inventory saved as it stands,
    every inspection indicator marked 不适用 with a reason, its open campaign confirmed."""
    from surveyapp.evaluation.operations import confirm_open_campaign, save_facts, save_inventory
    from surveyapp.evaluation.registry import rules_by_hash
    from surveyapp.evaluation.rules import SATISFACTION_KEYS

    rules = rules_by_hash(db, evaluation.rules_hash)
    if evaluation.inventory_saved_at is None:
        save_inventory(db, evaluation, rules, {})
    for key in rules.indicator_keys:
        if key not in SATISFACTION_KEYS:
            save_facts(db, evaluation, rules, key, {}, note=reason, not_applicable=True)
    confirm_open_campaign(db, evaluation, True)
    return evaluation


STEP_PATTERN = re.compile(r'name="step" value="(\d+)"')
KEY_PATTERN = re.compile(r'name="submission_key" value="([^"]+)"')


def form_fields(html: str) -> dict:
    """The hidden fields a step page carries (csrf token, submission key, step)."""
    from .conftest import csrf_token

    return {"csrf_token": csrf_token(html), "submission_key": KEY_PATTERN.search(html).group(1),
            "step": STEP_PATTERN.search(html).group(1), "js": "1"}


def answer_in_steps(client, url: str, answers: dict, max_steps: int = 12):
    """Fill in a paged questionnaire as a browser with JavaScript would: on every step post
    ``answers`` (each step takes its own questions) and press 下一步, until the last step is
    submitted or a step is refused. Returns the last response (a page to fix, or the redirect
    to the thank-you page) and the hidden fields of the last page shown."""
    page = client.get(url)
    for _ in range(max_steps):
        fields = form_fields(page.get_data(as_text=True))
        response = client.post(url, data={**answers, **fields, "nav": "next"})
        if response.status_code != 303 or "step=" not in response.headers["Location"]:
            return response, fields
        page = client.get(response.headers["Location"])
    raise AssertionError("the questionnaire did not end")


MERCHANT = PROJECT_QUESTIONNAIRES / "merchant.yaml"


def record_merchants(db, campaign, *answer_sets, channel="qr") -> dict:
    """Store merchant answers (checked like the phone form) and return the circle's outlets by name."""
    from sqlmodel import select

    from surveyapp.models import Outlet
    from surveyapp.responses.operations import NewResponse, record_many

    questionnaire = load_questionnaire(MERCHANT)
    items = []
    for answers in answer_sets:
        clean, errors = validate_answers(questionnaire, answers)
        assert not errors, errors
        items.append(NewResponse(answers=clean, channel=channel))
    record_many(db, campaign, questionnaire, items)
    return {o.name: o for o in db.exec(select(Outlet).where(Outlet.circle_id == campaign.circle_id))}
