"""The community's demand list and project list, through the database: the ranking against
the inventory, the suppression of small groups, the suggestions that count, the round-to-round
comparison, and the indicator #1 (问需) rule."""
from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from sqlmodel import select

from surveyapp import analysis
from surveyapp.campaigns.operations import open_campaign
from surveyapp.community import needs_suggestion
from surveyapp.community.needs import NeedsRuleError, carried_out, load_rule
from surveyapp.community.operations import CommunityError, add_note, create_project, triage_suggestion
from surveyapp.community.queries import demand_list, latest_demand, suggestions
from surveyapp.evaluation.operations import open_evaluation, save_inventory
from surveyapp.evaluation.registry import current_rules
from surveyapp.models import CommunityProject, Response
from surveyapp.models.timeutil import utcnow
from surveyapp.questionnaire import load_questionnaire
from surveyapp.responses.operations import NewResponse, record_many
from surveyapp.responses.quality import OUTSIDE_COMMUNITY

from .helpers import make_circle

#: A small resident questionnaire with the parts the demand list reads: the missing types
#: (catalogue codes, ``demand: true``), the walking times and the open suggestion.
NEEDS_YAML = textwrap.dedent("""\
    name: needs
    version: "1"
    title: 需求测试问卷
    notice: 匿名填写。
    estimated_minutes: 1
    sections:
      - name: all
        label: 全部
        questions:
          - name: community
            type: select_one
            label: 您住在哪个社区？
            choices: communities
            required: true
          - name: business_overall
            type: likert5
            label: 业态满意吗？
            indicator: business_satisfaction
          - name: missing_types
            type: select_multiple
            label: 您觉得家附近还缺少哪些店铺或服务？
            demand: true
            choices:
              - {name: laundry, label: 洗衣店/洗染店}
              - {name: bookstore, label: 新式书店}
              - {name: pharmacy, label: 药店}
              - {name: recycling, label: 再生资源回收点}
          - name: walk_market_minutes
            type: integer
            label: 走到最近的菜市场要几分钟？
            min: 0
            max: 120
          - name: walk_store_minutes
            type: integer
            label: 走到最近的便利店要几分钟？
            min: 0
            max: 120
          - name: suggestion
            type: text
            label: 您还有什么建议？
            max_length: 500
    """)


@pytest.fixture
def questionnaire_dir(tmp_path):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "needs.yaml").write_text(NEEDS_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def app_config(app_config, questionnaire_dir):
    app_config["QUESTIONNAIRE_DIR"] = str(questionnaire_dir)
    return app_config


@pytest.fixture
def circle(db):
    return make_circle(db, name="需求生活圈", population=5000, communities=(("东社区", 5000),))


def survey(db, circle, questionnaire_dir, picks, days_ago=1, suggestions_=(), extra=()):
    """A campaign whose i-th valid resident named ``picks[i]`` (a list of codes), walked 10
    minutes, and wrote ``suggestions_[i]`` if given. ``extra``: further NewResponse items."""
    questionnaire = load_questionnaire(questionnaire_dir / "needs.yaml")
    opened = utcnow() - timedelta(days=days_ago)
    campaign = open_campaign(db, circle, questionnaire, opens_at=opened, closes_at=opened + timedelta(days=30))
    items = []
    for i, codes in enumerate(picks):
        answers = {"community": "东社区", "walk_market_minutes": "10", "walk_store_minutes": "20"}
        if codes:
            answers["missing_types"] = list(codes)
        if i < len(suggestions_) and suggestions_[i]:
            answers["suggestion"] = suggestions_[i]
        items.append(NewResponse(channel="paper", answers=answers))
    record_many(db, campaign, questionnaire, items + list(extra))
    return campaign


def test_ranking_with_intervals_set_against_the_inventory(app, db, circle, questionnaire_dir):
    # 40 residents: bookstore 30, laundry 12 + 5 = 17, pharmacy 3 + 5 = 8, nobody recycling.
    picks = [["bookstore"] + (["laundry"] if i < 12 else []) + (["pharmacy"] if i >= 27 else []) for i in range(30)]
    picks += [["laundry"] if i % 2 else ["pharmacy"] for i in range(10)]
    survey(db, circle, questionnaire_dir, picks)
    counts = {code: sum(code in p for p in picks) for code in ("laundry", "bookstore", "pharmacy")}
    assert counts == {"bookstore": 30, "laundry": 17, "pharmacy": 8}
    with app.app_context():
        rules = current_rules("national")
        evaluation = open_evaluation(db, circle, rules)
        save_inventory(db, evaluation, rules, {"pharmacy": {"outlets": 3}, "laundry": {"present": False}})
        listing = demand_list(db, circle)
    assert listing["latest"]["respondents"] == 40
    rows = {r["code"]: r for r in listing["items"]}
    assert [r["code"] for r in listing["items"]] == sorted(counts, key=lambda c: -counts[c])
    assert [r["rank"] for r in listing["items"]] == [1, 2, 3]
    bookstore = rows["bookstore"]
    assert bookstore["count"] == counts["bookstore"] and bookstore["share"] == pytest.approx(counts["bookstore"] / 40)
    low, high = analysis.wilson_interval(counts["bookstore"], 40)
    assert (bookstore["ci_low"], bookstore["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # Named as missing, and the inventory has none → a gap; the inventory has 3 → unknown or too far.
    assert rows["laundry"]["inventory"]["kind"] == "gap"
    assert rows["pharmacy"]["inventory"] == {"kind": "known", "outlets": 3,
                                             "text": "清单中有 3 个：居民可能不知道，或离家太远"}
    assert [r["code"] for r in listing["unnamed"]] == ["recycling"]
    walking = {w["name"]: w for w in listing["walking"]}
    assert walking["walk_market_minutes"]["median_minutes"] == 10
    assert walking["walk_market_minutes"]["share_within_15"] == 1.0
    assert walking["walk_store_minutes"]["share_within_15"] == 0.0


def test_without_an_evaluation_the_inventory_reading_says_so(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6)
    with app.app_context():
        listing = demand_list(db, circle)
    assert listing["items"][0]["inventory"]["kind"] == "unknown"


def test_fewer_than_five_respondents_show_no_figures(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 4, suggestions_=["想要洗衣店"] * 4)
    with app.app_context():
        listing = demand_list(db, circle)
        latest = latest_demand(db, circle.id)
        shown = suggestions(db, circle.id, latest)
    assert listing["latest"]["suppressed"] is True and listing["latest"]["respondents"] == 4
    assert listing["items"] == [] and listing["unnamed"] == []
    assert all(w["suppressed"] and "median_minutes" not in w for w in listing["walking"])
    assert shown == [], "four households' own words could point at them"


def test_five_respondents_are_enough(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 5)
    with app.app_context():
        listing = demand_list(db, circle)
    assert listing["latest"]["suppressed"] is False and listing["items"][0]["count"] == 5


def test_suggestions_come_from_valid_responses_only(app, db, circle, questionnaire_dir):
    outsider = NewResponse(channel="paper", answers={"community": OUTSIDE_COMMUNITY, "suggestion": "外来的建议"})
    unfinished = NewResponse(channel="paper", complete=False, answers={"community": "东社区", "suggestion": "没答完"})
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6, suggestions_=["多开洗衣店", "", "  ", "=1+1"],
           extra=[outsider, unfinished])
    with app.app_context():
        latest = latest_demand(db, circle.id)
        texts = [s["text"] for s in suggestions(db, circle.id, latest)]
    assert texts == ["多开洗衣店", "=1+1"]


def test_hiding_keeps_the_text_and_who_hid_it(app, db, circle, questionnaire_dir):
    from surveyapp.auth.users import create_user

    officer = create_user(db, "wang", "officer-pass", "officer", "王干事")
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6, suggestions_=["多开洗衣店", "骂人的话"])
    with app.app_context():
        latest = latest_demand(db, circle.id)
        first, second = suggestions(db, circle.id, latest)
        triage_suggestion(db, circle.id, second["id"], hidden=True, user_id=officer.id)
        triage_suggestion(db, circle.id, first["id"], type_code="laundry", user_id=officer.id,
                          known_types={"laundry"})
        with pytest.raises(CommunityError):
            triage_suggestion(db, circle.id, first["id"], type_code="nonsense", known_types={"laundry"})
        after = {s["id"]: s for s in suggestions(db, circle.id, latest)}
        listing = demand_list(db, circle)
    assert after[second["id"]]["hidden"] and after[second["id"]]["hidden_by"] == "王干事"
    assert after[second["id"]]["hidden_at"] is not None
    assert db.get(Response, second["id"]).answers["suggestion"] == "骂人的话"
    assert after[first["id"]]["type_code"] == "laundry"
    assert {r["code"]: r["suggestions"] for r in listing["items"]}["laundry"] == 1


def test_a_suggestion_of_another_circle_cannot_be_sorted(app, db, circle, questionnaire_dir):
    other = make_circle(db, name="别的生活圈", communities=(("东社区", 5000),))
    survey(db, other, questionnaire_dir, [["laundry"]] * 6, suggestions_=["别处的建议"])
    response_id = db.exec(select(Response.id)).first()
    with app.app_context(), pytest.raises(CommunityError):
        triage_suggestion(db, circle.id, response_id, hidden=True)


def test_round_to_round_comparison_since_the_project_was_done(app, db, circle, questionnaire_dir):
    # Before: 20 of 40 residents miss a laundry; after the project: 8 of 40.
    before = [["laundry"] if i < 20 else ["bookstore"] for i in range(40)]
    after = [["laundry"] if i < 8 else ["bookstore"] for i in range(40)]
    survey(db, circle, questionnaire_dir, before, days_ago=400)
    survey(db, circle, questionnaire_dir, after, days_ago=5)
    today = utcnow().date()
    with app.app_context():
        project = create_project(db, circle.id, {"laundry"}, {
            "title": "引进洗衣店", "type_code": "laundry", "responsible": "居委会"}, None, today)
        add_note(db, circle.id, project, today - timedelta(days=200), "开业了", "done", None)
        listing = demand_list(db, circle)
    assert listing["comparable"] is True
    laundry = next(r for r in listing["items"] if r["code"] == "laundry")
    change = laundry["change"]
    # pooled 28/80 = 0.35; se = sqrt(0.35·0.65·(1/40 + 1/40)) = 0.106654; z = (0.2 − 0.5)/se = −2.8128
    assert change["before_rate"] == 0.5 and change["after_rate"] == 0.2
    assert change["difference"] == pytest.approx(-0.3)
    assert change["z"] == pytest.approx(-2.8128, abs=1e-4)
    assert change["p_value"] == pytest.approx(0.00491, abs=1e-4) and change["significant"] is True
    assert laundry["projects"][0]["title"] == "引进洗衣店"
    assert laundry["timing"] == [f"引进洗衣店：{(today - timedelta(days=200)).isoformat()} 完成，在两轮调查之间"]
    bookstore = next(r for r in listing["items"] if r["code"] == "bookstore")
    assert bookstore["change"]["difference"] == pytest.approx(0.3) and bookstore["timing"] == []


def test_no_comparison_with_a_single_round(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6)
    with app.app_context():
        listing = demand_list(db, circle)
    assert listing["previous"] is None and listing["items"][0]["change"] is None


def test_a_project_done_after_the_latest_survey_waits_for_the_next_round(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6, days_ago=400)
    survey(db, circle, questionnaire_dir, [["laundry"]] * 6, days_ago=10)
    today = utcnow().date()
    with app.app_context():
        project = create_project(db, circle.id, {"laundry"}, {
            "title": "洗衣店", "type_code": "laundry", "responsible": "居委会", "status": "done"}, None, today)
        listing = demand_list(db, circle)
    assert project.completed_on == today
    assert "效果要看下一轮" in listing["items"][0]["timing"][0]


# --- indicator #1 (问需) ---------------------------------------------------------------------

DEFAULT = load_rule()


@pytest.mark.parametrize("statuses, expected", [
    ([], False),                                            # no project at all
    (["done"], True),
    (["done", "in_progress"], True),                        # all started, 1 of 2 done = half
    (["done", "planned"], False),                           # one not started
    (["done", "in_progress", "in_progress"], False),        # 1 of 3 done < half
    (["done", "done", "in_progress"], True),
    (["done", "done", "on_hold"], False),                   # on hold counts as not started
    (["in_progress", "in_progress"], False),                # none done
])
def test_carried_out_default_rule(statuses, expected):
    ok, sentence = carried_out(statuses, DEFAULT)
    assert ok is expected and sentence


def test_carried_out_rule_is_configurable():
    lenient = load_rule({"started_share": "1/2", "completed_share": 0, "count_on_hold": False})
    assert carried_out(["in_progress", "planned"], lenient)[0] is True
    assert carried_out(["done", "done", "on_hold"], load_rule({"count_on_hold": False}))[0] is True
    assert "不计入" in carried_out(["done", "on_hold"], load_rule({"count_on_hold": False}))[1]
    with pytest.raises(NeedsRuleError):
        load_rule({"completed_share": 1.5})
    with pytest.raises(NeedsRuleError):
        load_rule({"min_projects": 0})


def test_shipped_rule_file_is_the_documented_default():
    assert DEFAULT.started_share == 1 and DEFAULT.completed_share == pytest.approx(0.5)
    assert DEFAULT.count_on_hold is True and DEFAULT.min_projects == 1 and DEFAULT.trial is True


def test_needs_suggestion_follows_both_lists(app, db, circle, questionnaire_dir):
    today = utcnow().date()
    with app.app_context():
        nothing = needs_suggestion(db, circle.id)
        assert nothing == {"lists_exist": False, "projects_carried_out": False, "reasons": nothing["reasons"]}
        assert any("还没有" in r for r in nothing["reasons"])

        survey(db, circle, questionnaire_dir, [["laundry"]] * 6)
        only_demands = needs_suggestion(db, circle.id)
        assert only_demands["lists_exist"] is False and any("项目清单：还没有项目" in r for r in only_demands["reasons"])

        first = create_project(db, circle.id, {"laundry"}, {"title": "洗衣店", "type_code": "laundry",
                                                             "responsible": "居委会"}, None, today)
        planned = needs_suggestion(db, circle.id)
        assert planned["lists_exist"] is True and planned["projects_carried_out"] is False

        add_note(db, circle.id, first, today, "开业", "done", None)
        second = create_project(db, circle.id, {"laundry"}, {"title": "回收点", "type_code": "laundry",
                                                              "responsible": "居委会", "status": "in_progress"},
                                None, today)
        done = needs_suggestion(db, circle.id)
        assert done["lists_exist"] is True and done["projects_carried_out"] is True
        assert any("试行" in r for r in done["reasons"])
        assert set(done) == {"lists_exist", "projects_carried_out", "reasons"}

        app.config["COMMUNITY_NEEDS_RULE"] = {"completed_share": 1}
        assert needs_suggestion(db, circle.id)["projects_carried_out"] is False
        assert second.id != first.id


def test_a_survey_too_small_is_no_demand_list(app, db, circle, questionnaire_dir):
    survey(db, circle, questionnaire_dir, [["laundry"]] * 3)
    with app.app_context():
        create_project(db, circle.id, {"laundry"}, {"title": "洗衣店", "type_code": "laundry",
                                                    "responsible": "居委会", "status": "done"}, None, utcnow().date())
        result = needs_suggestion(db, circle.id)
    assert result["lists_exist"] is False and result["projects_carried_out"] is True
    assert any("不足 5 人" in r for r in result["reasons"])


def test_project_writes_check_their_input(app, db, circle):
    today = utcnow().date()
    with app.app_context():
        with pytest.raises(CommunityError, match="请填写项目名称"):
            create_project(db, circle.id, {"laundry"}, {"title": " ", "type_code": "laundry", "responsible": "x"},
                           None, today)
        with pytest.raises(CommunityError, match="请选择业态类型"):
            create_project(db, circle.id, {"laundry"}, {"title": "t", "type_code": "nope", "responsible": "x"},
                           None, today)
        project = create_project(db, circle.id, {"laundry", "bookstore"}, {
            "title": "t", "type_code": "laundry", "demands": ["bookstore"], "responsible": "x"}, None, today)
        other = make_circle(db, name="别处")
        with pytest.raises(CommunityError):
            add_note(db, other.id, project, today, "越界", None, None)
    stored = db.exec(select(CommunityProject)).all()
    assert len(stored) == 1 and stored[0].status == "planned"
