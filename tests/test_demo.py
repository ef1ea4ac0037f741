"""The demo seeder: realistic, valid against the questionnaire, idempotent."""
from __future__ import annotations

from collections import Counter

from sqlmodel import select

from surveyapp.demo.seed import DEMO_CIRCLE, seed_demo
from surveyapp.models import Circle, Response, User
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.responses.quality import OUTSIDE_COMMUNITY

from .helpers import PROJECT_QUESTIONNAIRES


def test_demo_seeds_a_circle_campaign_responses_and_staff(app, db):
    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    with app.app_context():
        result = seed_demo(db, questionnaire)
    assert result.created and result.circle.name == DEMO_CIRCLE and result.circle.population == 20000
    rows = db.exec(select(Response).where(Response.campaign_id == result.campaign.id)).all()
    assert 640 <= len(rows) <= 660
    complete = [r for r in rows if r.complete]
    incomplete = [r for r in rows if not r.complete]
    assert 0 < len(incomplete) <= 20 and all(r.exclusion == "incomplete" for r in incomplete)
    communities = ["幸福里社区", "和平社区", "新桥社区"]
    for row in complete[:100]:
        clean, errors = validate_answers(questionnaire, row.answers, [*communities, OUTSIDE_COMMUNITY])
        assert errors == {} and clean == row.answers
    overall = Counter(r.answers.get("business_overall") for r in complete)
    assert overall["0"] > 0, "some residents say 不清楚"
    satisfied = (overall["4"] + overall["5"]) / sum(v for k, v in overall.items() if k != "0")
    assert 0.6 < satisfied < 0.97  # realistic, not all happy
    assert set(Counter(r.answers["community"] for r in complete)) == {*communities, OUTSIDE_COMMUNITY}
    assert all(r.exclusion == "outside" for r in complete if r.answers["community"] == OUTSIDE_COMMUNITY)
    assert {"assessor", "admin"} <= set(db.exec(select(User.username)).all())


def test_demo_is_idempotent(app, db):
    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    with app.app_context():
        first = seed_demo(db, questionnaire)
        second = seed_demo(db, questionnaire)
    assert not second.created and second.responses == first.responses
    assert len(db.exec(select(Circle)).all()) == 1


def test_demo_command_prints_urls_without_serving(runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "http://survey.test/s/" in result.output
    assert "/staff/login" in result.output and "demo-assessor" in result.output


def test_demo_has_an_earlier_round_with_its_own_survey(app, db):
    from surveyapp.evaluation.service import circle_history

    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    with app.app_context():
        result = seed_demo(db, questionnaire)
        [first] = circle_history(db, result.circle)
    assert first["round"] == 1 and first["final_type"]["label"] == "基础型" and first["stars"] == 3
    assert first["service_total"] >= 70 and first["presence_total"] == 75


def test_demo_round_one_is_signed_by_the_demo_firm(app, db):
    from surveyapp.appsettings.operations import assessor_firm
    from surveyapp.demo.seed import DEMO_ASSESSOR_NAME, DEMO_FIRM
    from surveyapp.models import IssuedReport

    with app.app_context():
        seed_demo(db, load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml"))
        assert assessor_firm(db) == DEMO_FIRM
    issued = db.exec(select(IssuedReport)).one()
    assert (issued.issued_by_firm, issued.issued_by_name) == (DEMO_FIRM, DEMO_ASSESSOR_NAME)
