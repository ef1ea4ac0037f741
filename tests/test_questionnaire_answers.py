"""validate_answers and visible_questions: the one place an answer set is checked."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.questionnaire import load_questionnaire, validate_answers, visible_questions

DATA = Path(__file__).parent / "data" / "questionnaires"
Q = load_questionnaire(DATA / "minimal.yaml")
COMMUNITIES = ["幸福里社区", "和平社区"]
#: Characters a typist might produce: codes, digits, separators, full-width forms, Chinese.
TYPED = "abcdefnorsty_0123456789., ，、.-+４５幸福里社区字"


def check(raw, communities=COMMUNITIES):
    return validate_answers(Q, raw, communities)


def base(**extra):
    raw = {"community": "幸福里社区", "overall": "4"}
    raw.update(extra)
    return raw


def test_valid_set_is_typed():
    clean, errors = check(base(
        has_child="yes", child_age="8", child_school=" 实验小学 ", overall="2",
        reason=["dear", "far"], missing="wet_market convenience_store", spend="12.5",
        floors="3", comment="  多开点早餐店  ",
    ))
    assert errors == {}
    assert clean == {
        "community": "幸福里社区", "has_child": "yes", "child_age": 8, "child_school": "实验小学",
        "overall": "2", "reason": ["far", "dear"], "missing": ["convenience_store", "wet_market"],
        "spend": 12.5, "floors": 3, "comment": "多开点早餐店",
    }
    assert isinstance(clean["spend"], float) and isinstance(clean["floors"], int)


def test_required_questions():
    clean, errors = check({"community": "", "overall": None})
    assert errors == {"community": "请回答这一题", "overall": "请回答这一题"}
    assert clean == {}
    _, errors = check({"community": "  ", "overall": []})
    assert errors == {"community": "请回答这一题", "overall": "请回答这一题"}


def test_unknown_codes():
    _, errors = check(base(community="别的社区", has_child="maybe", overall="6"))
    assert errors == {"community": "请从选项中选择", "has_child": "请从选项中选择", "overall": "请从选项中选择"}
    _, errors = check(base(missing="wet_market coffee_tea"))
    assert errors == {"missing": "请从选项中选择"}


def test_dynamic_choices_need_the_communities():
    _, errors = check(base(), communities=())
    assert errors == {"community": "请从选项中选择"}


def test_select_one_given_a_list():
    clean, errors = check(base(has_child=["no"]))
    assert errors == {} and clean["has_child"] == "no"
    _, errors = check(base(has_child=["no", "yes"]))
    assert errors == {"has_child": "请只选一项"}


def test_spreadsheet_and_full_width_codes():
    clean, errors = check(base(overall="４", floors="１２", spend="3.0"))
    assert errors == {}
    assert (clean["overall"], clean["floors"], clean["spend"]) == ("4", 12, 3.0)
    clean, errors = check(base(overall="4.0", floors="12.0"))
    assert errors == {} and (clean["overall"], clean["floors"]) == ("4", 12)


@pytest.mark.parametrize("text", [
    "convenience_store,wet_market",
    "convenience_store, wet_market",
    "convenience_store wet_market",
    "wet_market，convenience_store",
    "wet_market、convenience_store  wet_market",
    " convenience_store;wet_market ",
])
def test_multi_select_strings(text):
    clean, errors = check(base(missing=text))
    assert errors == {}
    assert clean["missing"] == ["convenience_store", "wet_market"]


def test_multi_select_list_deduplicated_in_choice_order():
    clean, _ = check(base(missing=["pharmacy", "convenience_store", "pharmacy", ""]))
    assert clean["missing"] == ["convenience_store", "pharmacy"]
    clean, _ = check(base(missing=["", " "]))
    assert "missing" not in clean


def test_numbers():
    _, errors = check(base(floors="三楼", spend="abc"))
    assert errors == {"floors": "请填写一个数字，比如 10", "spend": "请填写一个数字，比如 10 或 2.5"}
    _, errors = check(base(floors="2.5", spend="nan"))
    assert errors == {"floors": "请填写一个数字，比如 10", "spend": "请填写一个数字，比如 10 或 2.5"}
    clean, errors = check(base(floors=7, spend=2))
    assert errors == {} and clean["floors"] == 7 and clean["spend"] == 2.0


@pytest.mark.parametrize("value, error", [
    ("-1", "请填写 0 到 17 之间的数字"),
    ("0", None),
    ("17", None),
    ("18", "请填写 0 到 17 之间的数字"),
])
def test_min_max_boundaries(value, error):
    clean, errors = check(base(has_child="yes", child_age=value))
    assert errors.get("child_age") == error
    assert ("child_age" in clean) is (error is None)


@pytest.mark.parametrize("question, value, error", [
    ("spend", "0.5", None),
    ("spend", "0.49", "请填写不小于 0.5 的数字"),
    ("floors", "30", None),
    ("floors", "31", "请填写不大于 30 的数字"),
    ("floors", "-5", None),
])
def test_one_sided_bounds(question, value, error):
    _, errors = check(base(**{question: value}))
    assert errors.get(question) == error


def test_constraint_message():
    _, errors = check(base(overall="1", reason="far dear 3"))
    assert errors == {"reason": "最多选两项"}
    clean, errors = check(base(overall="1", reason="far 3"))
    assert errors == {} and clean["reason"] == ["far", "3"]


def test_constraint_message_replaces_the_bounds_message(tmp_path):
    q = load_questionnaire(Path(__file__).parents[1] / "questionnaires" / "resident.yaml")
    _, errors = validate_answers(q, {"walk_market_minutes": "121"}, ["甲社区"])
    assert errors["walk_market_minutes"] == "请填写0到120之间的分钟数"
    _, errors = validate_answers(q, {"walk_market_minutes": "走5分钟"}, ["甲社区"])
    assert errors["walk_market_minutes"] == "请填写一个数字，比如 10"


def test_text_too_long():
    _, errors = check(base(comment="字" * 501))
    assert errors == {"comment": "写得有点长，请删减到 500 字以内"}
    clean, errors = check(base(comment="字" * 500))
    assert errors == {} and len(clean["comment"]) == 500
    _, errors = check(base(has_child="yes", child_age="10", child_school="一" * 11))
    assert errors == {"child_school": "写得有点长，请删减到 10 字以内"}


def test_hidden_answers_are_dropped():
    clean, errors = check(base(has_child="no", child_age="5", overall="5", reason="far"))
    assert errors == {}
    assert "child_age" not in clean and "reason" not in clean


def test_hidden_questions_are_not_checked():
    _, errors = check(base(has_child="no", child_age="not a number", overall="5", reason="nonsense"))
    assert errors == {}


def test_relevance_chain():
    shown = dict(has_child="yes", child_age="8", child_school="实验小学")
    clean, _ = check(base(**shown))
    assert clean["child_school"] == "实验小学"
    # child_age hidden -> it counts as unanswered -> child_school hidden too.
    clean, errors = check(base(**{**shown, "has_child": "no"}))
    assert errors == {}
    assert "child_age" not in clean and "child_school" not in clean
    # child_age visible but too young for school.
    clean, _ = check(base(**{**shown, "child_age": "4"}))
    assert "child_school" not in clean
    # an invalid answer also counts as unanswered for its dependants.
    clean, errors = check(base(**{**shown, "child_age": "99"}))
    assert "child_age" in errors and "child_school" not in clean and "child_school" not in errors


def test_notes_never_carry_answers_and_unknown_keys_are_ignored():
    clean, errors = check(base(info="something", paper_no="17"))
    assert errors == {}
    assert "info" not in clean and "paper_no" not in clean


def test_visible_questions():
    names = [q.name for q in visible_questions(Q, {})]
    assert "child_age" not in names and "child_school" not in names and "reason" not in names
    assert "info" in names  # notes are shown
    names = [q.name for q in visible_questions(Q, {"has_child": "yes", "child_age": "8", "overall": "2"})]
    assert {"child_age", "child_school", "reason"} <= set(names)
    names = [q.name for q in visible_questions(Q, {"has_child": "no", "child_age": "8"})]
    assert "child_age" not in names and "child_school" not in names
    assert [q.name for q in visible_questions(Q, {})] == [q.name for q in Q.questions if q.relevant is None]


@given(st.dictionaries(
    st.sampled_from([q.name for q in Q.questions] + ["extra"]),
    st.one_of(
        st.none(),
        st.integers(),
        st.sampled_from(["yes", "no", "4", "1", "far", "3", "wet_market", "幸福里社区", "8", "1.5"]),
        st.text(alphabet=TYPED, max_size=12),
        st.lists(st.text(alphabet=TYPED, max_size=6), max_size=4),
    ),
))
def test_any_input_gives_clean_and_errors_that_do_not_overlap(raw):
    clean, errors = check(raw)
    assert not set(clean) & set(errors)
    visible = {q.name for q in visible_questions(Q, clean)}
    assert set(clean) <= visible
    assert all(isinstance(message, str) and message for message in errors.values())
