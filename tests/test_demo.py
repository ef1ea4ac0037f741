"""The demo seeder: realistic, valid against the questionnaire, idempotent."""
from __future__ import annotations

from collections import Counter

from sqlmodel import select

from surveyapp.demo.seed import DEMO_CIRCLE, seed_demo
from surveyapp.models import Campaign, Circle, Response, User
from surveyapp.questionnaire import load_questionnaire, validate_answers
from surveyapp.responses.quality import OUTSIDE_COMMUNITY

from .helpers import PROJECT_QUESTIONNAIRES


def test_demo_command_seeds_once_prints_the_urls_and_is_idempotent(app, db, runner):
    """One seeding serves every check: seeding renders and issues the earlier round's report,
    the slowest part of the suite's set-up, so the demo's data, its earlier round and the
    command's idempotence are checked on the same seeded database."""
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "http://survey.test/s/" in result.output
    assert "/staff/login" in result.output and "demo-assessor" in result.output
    assert "已创建" in result.output

    questionnaire = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    circle = db.exec(select(Circle).where(Circle.name == DEMO_CIRCLE)).one()
    assert circle.population == 20000
    campaign = db.exec(select(Campaign).where(Campaign.circle_id == circle.id).order_by(Campaign.id)).first()
    rows = db.exec(select(Response).where(Response.campaign_id == campaign.id)).all()
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

    # Two years earlier: round 1 on its own survey, issued.
    from surveyapp.evaluation.service import circle_history

    with app.app_context():
        [first] = circle_history(db, circle)
    assert first["round"] == 1 and first["final_type"]["label"] == "基础型" and first["stars"] == 3
    assert first["service_total"] >= 70 and first["presence_total"] == 75

    # A second run finds the demo and adds nothing.
    stored = len(db.exec(select(Response.id)).all())
    with app.app_context():
        again = seed_demo(db, questionnaire)
    assert not again.created and again.responses == len(rows)
    assert len(db.exec(select(Circle)).all()) == 1
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0 and "已存在" in second.output
    db.expire_all()
    assert len(db.exec(select(Response.id)).all()) == stored


def test_demo_links_follow_the_served_port_unless_a_base_url_is_set():
    from surveyapp.demo.cli import served_base_url

    assert served_base_url("http://127.0.0.1:5000", "127.0.0.1", 5055) == "http://127.0.0.1:5055"
    assert served_base_url("http://127.0.0.1:5000", "0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert served_base_url("http://127.0.0.1:5000", "127.0.0.1", 5000) == "http://127.0.0.1:5000"
    assert served_base_url("https://wj.example.cn", "127.0.0.1", 5055) == "https://wj.example.cn"

def test_demo_round_one_is_signed_by_the_demo_firm(app, db):
    from surveyapp.appsettings.operations import assessor_firm
    from surveyapp.demo.seed import DEMO_ASSESSOR_NAME, DEMO_FIRM
    from surveyapp.models import IssuedReport

    with app.app_context():
        seed_demo(db, load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml"))
        assert assessor_firm(db) == DEMO_FIRM
    issued = db.exec(select(IssuedReport)).one()
    assert (issued.issued_by_firm, issued.issued_by_name) == (DEMO_FIRM, DEMO_ASSESSOR_NAME)
