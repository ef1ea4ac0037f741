"""Arranging data for tests through the same operations the app uses."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from surveyapp.campaigns.operations import open_campaign
from surveyapp.circles.operations import create_circle
from surveyapp.models import CircleCreate, CommunityCreate
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire

DATA = Path(__file__).parent / "data"
APP_QUESTIONNAIRES = DATA / "app_questionnaires"
PROJECT_QUESTIONNAIRES = Path(__file__).parent.parent / "questionnaires"


def make_circle(db, name="测试生活圈", population=20000, communities=(("东社区", 12000), ("西社区", 8000))):
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
