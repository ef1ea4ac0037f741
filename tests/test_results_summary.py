"""The summary document against hand-computed values, through the database.

Circle: population 1,000 → required sample ⌈0.03 × 1000⌉ = 30.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, record_many
from surveyapp.results.summary import campaign_summary

from .helpers import APP_QUESTIONNAIRES, make_campaign, make_circle

MINI = APP_QUESTIONNAIRES / "mini.yaml"


pytestmark = pytest.mark.usefixtures("app_questionnaires")


@pytest.fixture
def questionnaire():
    return load_questionnaire(MINI)


@pytest.fixture
def campaign(db):
    circle = make_circle(db, population=1000, communities=(("东社区", 600), ("西社区", 400)))
    return make_campaign(db, circle, MINI)


def answers(score, community="东社区", age="a18_59"):
    return {"community": community, "age_band": age, "business_overall": str(score)}


def add(db, campaign, questionnaire, scores, channel="paper", seconds=None, **kwargs):
    now = utcnow()
    items = [NewResponse(answers=answers(s, **kwargs), channel=channel,
                         started_at=now - timedelta(seconds=seconds) if seconds is not None else None,
                         finished_at=now) for s in scores]
    record_many(db, campaign, questionnaire, items)


def summary(db, campaign, questionnaire):
    return campaign_summary(db, campaign, questionnaire, sample_rate="0.03")


def test_exactly_90_percent_with_the_sample_met_scores_16(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["5"] * 20 + ["4"] * 7 + ["3"] * 2 + ["1"])
    doc = summary(db, campaign, questionnaire)
    assert doc["sample"] == {**doc["sample"], "population": 1000, "rate": 0.03, "required": 30, "valid": 30,
                             "met": True, "shortfall": 0}
    item = doc["indicators"]["business_satisfaction"]
    assert (item["answered"], item["satisfied"], item["dont_know"]) == (30, 27, 0)
    assert item["rate"] == pytest.approx(0.9)
    assert item["points"] == 16 and item["max_points"] == 16 and item["label"] == "业态满意"
    # n_eff = 30 / (1 − 30/1000) = 30.9278; Wilson at p = 0.9 (statsmodels, independently)
    assert item["ci_low"] == pytest.approx(0.7467345, abs=1e-6)
    assert item["ci_high"] == pytest.approx(0.9648781, abs=1e-6)
    assert item["ci_method"] == "wilson-fpc" and item["borderline"] is True
    # mean score: (20·5 + 7·4 + 2·3 + 1·1)/30 = 135/30 = 4.5 → (4.5 − 1)/4 × 100 = 87.5
    assert item["mean_score"] == pytest.approx(87.5)


def test_one_short_of_the_sample_scores_0_whatever_the_rate(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["5"] * 29)
    doc = summary(db, campaign, questionnaire)
    assert doc["sample"]["valid"] == 29 and doc["sample"]["met"] is False and doc["sample"]["shortfall"] == 1
    item = doc["indicators"]["business_satisfaction"]
    assert item["rate"] == 1.0 and item["points"] == 0


def test_exactly_80_percent_scores_10_and_just_under_scores_0(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["4"] * 24 + ["2"] * 6)
    item = summary(db, campaign, questionnaire)["indicators"]["business_satisfaction"]
    assert item["rate"] == pytest.approx(0.8) and item["points"] == 10
    add(db, campaign, questionnaire, ["3"])  # 24 of 31 = 77.4%
    item = summary(db, campaign, questionnaire)["indicators"]["business_satisfaction"]
    assert item["satisfied"] == 24 and item["answered"] == 31 and item["points"] == 0


def test_dont_know_is_left_out_of_the_denominator(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["5"] * 27 + ["2"] * 3 + ["0"] * 5)
    item = summary(db, campaign, questionnaire)["indicators"]["business_satisfaction"]
    assert (item["answered"], item["satisfied"], item["dont_know"]) == (30, 27, 5)
    assert item["points"] == 16


def test_all_dont_know_gives_no_rate_and_no_points(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["0"] * 30)
    doc = summary(db, campaign, questionnaire)
    item = doc["indicators"]["business_satisfaction"]
    assert doc["sample"]["met"] is True
    assert item["rate"] is None and item["points"] == 0 and item["borderline"] is False
    assert item["answered"] == 0 and item["dont_know"] == 30 and item["mean_score"] is None


def test_no_answers_at_all(db, campaign, questionnaire):
    doc = summary(db, campaign, questionnaire)
    assert doc["sample"]["valid"] == 0 and doc["sample"]["excluded"] == {}
    assert doc["indicators"]["business_satisfaction"]["rate"] is None
    json.dumps(doc, allow_nan=False)  # JSON-clean even when empty


def test_a_census_collapses_the_interval(db, questionnaire):
    circle = make_circle(db, population=40, communities=(("东社区", 40),))
    census = make_campaign(db, circle, MINI)
    add(db, census, questionnaire, ["5"] * 36 + ["1"] * 4)
    item = summary(db, census, questionnaire)["indicators"]["business_satisfaction"]
    assert item["rate"] == pytest.approx(0.9) and item["ci_low"] == pytest.approx(0.9) == item["ci_high"]


def test_excluded_responses_are_counted_by_reason_and_left_out(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["5"] * 30)
    add(db, campaign, questionnaire, ["1"] * 2, community="不住在以上社区")
    record_many(db, campaign, questionnaire, [NewResponse(answers={"community": "东社区"}, channel="paper")])
    doc = summary(db, campaign, questionnaire)
    assert doc["sample"]["valid"] == 30
    assert doc["sample"]["excluded"] == {"incomplete": 1, "outside": 2}
    assert doc["indicators"]["business_satisfaction"]["satisfied"] == 30


def test_too_fast_is_under_a_third_of_the_median_online_time(db, campaign, questionnaire):
    # online durations: 10 × 180 s, 1 × 61 s, 1 × 59 s → median 180 → cut-off 60 s
    add(db, campaign, questionnaire, ["5"] * 10, channel="qr", seconds=180)
    add(db, campaign, questionnaire, ["5"], channel="qr", seconds=61)
    add(db, campaign, questionnaire, ["1"], channel="qr", seconds=59)
    add(db, campaign, questionnaire, ["1"] * 3, channel="paper")  # paper is never too fast
    doc = summary(db, campaign, questionnaire)
    assert doc["quality"]["median_seconds"] == 180 and doc["quality"]["too_fast_cutoff_seconds"] == 60
    assert doc["sample"]["excluded"] == {"too_fast": 1}
    assert doc["sample"]["valid"] == 14
    item = doc["indicators"]["business_satisfaction"]
    assert (item["answered"], item["satisfied"]) == (14, 11)
    assert doc["sample"]["coverage"]["communities"][0]["observed"] == 14  # the fast one left out there too
    assert doc["campaign"]["channels"] == {"qr": 11, "paper": 3}


def test_too_fast_when_the_median_is_long(db, campaign, questionnaire):
    # median 600 s → cut-off 200 s, above the 120 s up to which answers are tallied per second:
    # the 150 s response is found through its row, the 90 s one through the tallies.
    add(db, campaign, questionnaire, ["5"] * 10, channel="qr", seconds=600)
    add(db, campaign, questionnaire, ["1"], channel="qr", seconds=150)
    add(db, campaign, questionnaire, ["2"], channel="qr", seconds=90)
    add(db, campaign, questionnaire, ["4"], channel="qr", seconds=200)  # exactly the cut-off: not too fast
    doc = summary(db, campaign, questionnaire)
    assert doc["quality"]["too_fast_cutoff_seconds"] == 200
    assert doc["sample"]["excluded"] == {"too_fast": 2} and doc["sample"]["valid"] == 11
    counts = doc["indicators"]["business_satisfaction"]
    assert (counts["answered"], counts["satisfied"]) == (11, 11)
    by_age = doc["breakdowns"]["business_satisfaction"]["age_band"]["groups"]
    assert [(g["group"], g["answered"]) for g in by_age] == [("a18_59", 11)]


def test_breakdown_groups_follow_the_forms_choice_order_whatever_came_first(db, questionnaire):
    # Tallies come back in no set order (the demo's came ordered by answer code, so a band whose
    # residents gave a low score came first). The table lists 18到59岁 before 60岁及以上 (the
    # questionnaire's order) and the communities in the circle's order, as the form lists them:
    # 西社区 was registered first, though 东 sorts before 西 by name.
    circle = make_circle(db, population=1000, communities=(("西社区", 400), ("东社区", 600)))
    campaign = make_campaign(db, circle, MINI)
    add(db, campaign, questionnaire, ["5"] * 6, age="a18_59", community="东社区")
    add(db, campaign, questionnaire, ["1"] * 6, age="a60", community="西社区")
    breakdowns = summary(db, campaign, questionnaire)["breakdowns"]["business_satisfaction"]
    assert [g["label"] for g in breakdowns["age_band"]["groups"]] == ["18到59岁", "60岁及以上"]
    assert [g["group"] for g in breakdowns["community"]["groups"]] == ["西社区", "东社区"]


def test_breakdowns_suppress_groups_under_five(db, campaign, questionnaire):
    add(db, campaign, questionnaire, ["5"] * 20 + ["2"] * 5, community="东社区")
    add(db, campaign, questionnaire, ["5"] * 3 + ["2"], community="西社区")
    table = summary(db, campaign, questionnaire)["breakdowns"]["business_satisfaction"]["community"]
    by_name = {row["group"]: row for row in table["groups"]}
    assert by_name["西社区"]["suppressed"] is True and by_name["西社区"]["rate"] is None
    assert by_name["西社区"]["answered"] is None
    # with only one group left, the complementary group is hidden too: 东 could reveal 西 by subtraction
    assert by_name["东社区"]["rate"] is None


def test_weighted_by_age_when_the_circles_age_structure_is_known(db, questionnaire):
    circle = make_circle(db, population=1000)
    circle.age_structure = {"a18_59": 0.5, "a60": 0.5}
    db.add(circle)
    db.commit()
    weighted = make_campaign(db, circle, MINI)
    # young: 20 answered, 10 satisfied; old: 10 answered, 10 satisfied
    add(db, weighted, questionnaire, ["5"] * 10 + ["2"] * 10, age="a18_59")
    add(db, weighted, questionnaire, ["5"] * 10, age="a60")
    doc = summary(db, weighted, questionnaire)
    assert doc["indicators"]["business_satisfaction"]["rate"] == pytest.approx(20 / 30)
    # weights 0.5/(20/30) = 0.75 and 0.5/(10/30) = 1.5 → (0.75·10 + 1.5·10) / (0.75·20 + 1.5·10) = 22.5/30
    assert doc["weighted"]["indicators"]["business_satisfaction"]["rate"] == pytest.approx(0.75)
    assert doc["weighted"]["weights"]["weights"] == pytest.approx({"a18_59": 0.75, "a60": 1.5})


def test_summary_cli_json_matches_the_api(app, db, runner, campaign, questionnaire, client):
    from surveyapp.auth.users import create_user, grant_circle
    from surveyapp.models import Circle

    from .test_auth import login

    add(db, campaign, questionnaire, ["5"] * 28 + ["3"] * 2)
    result = runner.invoke(args=["summary", "--campaign", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    user = create_user(db, "assessor1", "long-password", "assessor")
    grant_circle(db, user, db.get(Circle, campaign.circle_id))
    login(client, "assessor1", "long-password")
    api = client.get(f"/api/v1/campaigns/{campaign.id}/summary")
    assert api.status_code == 200 and api.json == document
    assert set(document) >= {"campaign", "sample", "indicators"}
    assert document["campaign"]["id"] == campaign.id and document["campaign"]["version"] == "1"
    plain = runner.invoke(args=["summary", "--campaign", str(campaign.id)])
    assert "业态满意: 93.3%" in plain.output and "得分 16 / 16" in plain.output
    assert "误差范围" in plain.output and "区间" not in plain.output  # plain words, as in the reports


def test_summary_cli_unknown_campaign(runner):
    result = runner.invoke(args=["summary", "--campaign", "404", "--json"])
    assert result.exit_code != 0 and "不存在" in result.output


def test_api_needs_sign_in_and_scopes_circles(app, db, client, campaign):
    from surveyapp.auth.users import create_user

    from .test_auth import login

    assert client.get(f"/api/v1/campaigns/{campaign.id}/summary").status_code == 401
    create_user(db, "stranger", "long-password", "assessor")
    login(client, "stranger", "long-password")
    response = client.get(f"/api/v1/campaigns/{campaign.id}/summary")
    assert response.status_code == 404 and response.json["error"]["code"] == 404


def test_the_order_of_responses_changes_nothing(db, questionnaire):
    import random

    circle = make_circle(db, population=1000, communities=(("东社区", 600), ("西社区", 400)))
    first, second = make_campaign(db, circle, MINI), make_campaign(db, circle, MINI)
    rng = random.Random(5)
    answer_sets = [answers(rng.choice("0123455"), community=rng.choice(["东社区", "西社区"]),
                           age=rng.choice(["a18_59", "a60"])) for _ in range(60)]
    record_many(db, first, questionnaire, [NewResponse(answers=a, channel="paper") for a in answer_sets])
    rng.shuffle(answer_sets)
    record_many(db, second, questionnaire, [NewResponse(answers=a, channel="paper") for a in reversed(answer_sets)])
    one, two = summary(db, first, questionnaire), summary(db, second, questionnaire)
    for document in (one, two):
        document.pop("campaign")
    assert one == two
