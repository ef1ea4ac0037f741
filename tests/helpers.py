"""Arranging data for tests through the same operations the app uses."""
from __future__ import annotations

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
