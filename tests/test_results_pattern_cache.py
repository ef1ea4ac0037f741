"""The summary's answer-pattern statistics (reliability, key drivers) are kept per process for
the campaign's response state: read again unchanged they are not recomputed, and a stored,
excluded or restored response gives the figures a fresh computation gives."""
from __future__ import annotations

import pytest
from sqlmodel import select

from surveyapp.demo.synthetic import generate
from surveyapp.memo import ProcessMemo
from surveyapp.models import Response
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, exclude_response, record_many, record_response, \
    restore_response
from surveyapp.results import summary as summary_module
from surveyapp.results.summary import campaign_summary

from .helpers import PROJECT_QUESTIONNAIRES, make_campaign, make_circle

pytestmark = pytest.mark.usefixtures("project_questionnaires")

RESIDENT = PROJECT_QUESTIONNAIRES / "resident.yaml"
COMMUNITIES = (("东社区", 12000), ("西社区", 8000))
PATTERN_PARTS = ("patterns", "reliability", "drivers", "importance_performance")


@pytest.fixture
def computations(monkeypatch):
    """Counts the computations of the pattern statistics (the memo starts empty)."""
    monkeypatch.setattr(summary_module, "_PATTERN_STATISTICS", ProcessMemo(256))
    calls = []
    compute = summary_module._compute_pattern_statistics

    def counted(*args):
        calls.append(args[1].id)
        return compute(*args)

    monkeypatch.setattr(summary_module, "_compute_pattern_statistics", counted)
    return calls


def patterns(db, campaign, questionnaire) -> dict:
    document = campaign_summary(db, campaign, questionnaire, sample_rate="0.03")
    return {part: document[part] for part in PATTERN_PARTS}


def fresh(db, campaign, questionnaire, monkeypatch) -> dict:
    """The same figures computed with nothing kept."""
    monkeypatch.setattr(summary_module, "_PATTERN_STATISTICS", ProcessMemo(256))
    return patterns(db, campaign, questionnaire)


def test_pattern_statistics_are_kept_until_a_response_is_stored_excluded_or_restored(db, computations, monkeypatch):
    questionnaire = load_questionnaire(RESIDENT)
    campaign = make_campaign(db, make_circle(db, communities=COMMUNITIES), RESIDENT)
    items = generate(questionnaire, list(COMMUNITIES), 241, seed=14, mood=-0.5)
    record_many(db, campaign, questionnaire, [NewResponse(answers=item.answers, channel="paper") for item in items[:240]])

    first = patterns(db, campaign, questionnaire)
    assert first["drivers"]["business_satisfaction"]["n"] > 0 and first["patterns"]["rows"] == 240
    first["drivers"]["business_satisfaction"]["items"].clear()  # a caller decorating its copy changes nothing kept
    again = patterns(db, campaign, questionnaire)
    assert computations == [campaign.id]
    assert again == fresh(db, campaign, questionnaire, monkeypatch) and again["drivers"]["business_satisfaction"]["items"]
    computations.clear()

    new = record_response(db, campaign, questionnaire, NewResponse(answers=items[240].answers, channel="paper"))
    stored = patterns(db, campaign, questionnaire)
    assert computations == [campaign.id] and stored["patterns"]["rows"] == 241
    assert stored != again and stored == fresh(db, campaign, questionnaire, monkeypatch)
    assert patterns(db, campaign, questionnaire) == stored and len(computations) == 2  # the fresh one, then kept

    exclude_response(db, questionnaire, new, "manual", "测试")
    excluded = patterns(db, campaign, questionnaire)
    assert len(computations) == 3 and excluded["patterns"]["rows"] == 240
    assert excluded == again == fresh(db, campaign, questionnaire, monkeypatch)

    # One response out and another back in between two reads: the same number of valid
    # responses, stored responses and highest id, but other answer patterns.
    earlier = db.exec(select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)).first()
    exclude_response(db, questionnaire, earlier, "manual", "测试")
    restore_response(db, questionnaire, new, "测试")
    swapped = patterns(db, campaign, questionnaire)
    assert len(computations) == 5 and swapped["patterns"]["rows"] == 240
    assert swapped != excluded and swapped == fresh(db, campaign, questionnaire, monkeypatch)


def test_another_campaigns_answers_do_not_reach_the_kept_figures(db, computations):
    questionnaire = load_questionnaire(RESIDENT)
    circle = make_circle(db, communities=COMMUNITIES)
    one, two = make_campaign(db, circle, RESIDENT), make_campaign(db, circle, RESIDENT)
    items = generate(questionnaire, list(COMMUNITIES), 120, seed=15, mood=-0.5)
    record_many(db, one, questionnaire, [NewResponse(answers=item.answers, channel="paper") for item in items[:60]])
    record_many(db, two, questionnaire, [NewResponse(answers=item.answers, channel="paper") for item in items[60:]])
    first, second = patterns(db, one, questionnaire), patterns(db, two, questionnaire)
    assert computations == [one.id, two.id] and first != second
    assert patterns(db, one, questionnaire) == first and patterns(db, two, questionnaire) == second
    assert computations == [one.id, two.id]


def test_the_community_lists_do_not_compute_pattern_statistics(app, db, computations):
    """The officers' demand list reads the demand ranking, walking times and sample only: the
    answer-pattern statistics (hundreds of model fits after each new answer) are not computed
    for it, and its figures are those of the full summary."""
    from surveyapp.community.queries import demand_list

    questionnaire = load_questionnaire(RESIDENT)
    circle = make_circle(db, communities=COMMUNITIES)
    campaign = make_campaign(db, circle, RESIDENT)
    items = generate(questionnaire, list(COMMUNITIES), 60, seed=16)
    record_many(db, campaign, questionnaire, [NewResponse(answers=item.answers, channel="paper") for item in items])
    with app.test_request_context():
        listing = demand_list(db, circle)
        assert computations == [] and listing["latest"]["respondents"] > 0
        full = campaign_summary(db, campaign, questionnaire, sample_rate="0.03")
        lean = campaign_summary(db, campaign, questionnaire, sample_rate="0.03", patterns=False)
    assert computations == [campaign.id]
    assert not set(PATTERN_PARTS) & set(lean) and {k: v for k, v in full.items() if k not in PATTERN_PARTS} == lean
