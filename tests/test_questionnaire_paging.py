"""Form style, folded choice lists, time questions and the counted time estimate."""
from __future__ import annotations

import datetime

import pytest

from surveyapp.questionnaire import QuestionnaireError, load_questionnaire, validate_answers
from surveyapp.questionnaire.answers import parse_time
from surveyapp.questionnaire.timing import counted_questions, estimated_minutes, estimated_seconds

from .helpers import APP_QUESTIONNAIRES, PROJECT_QUESTIONNAIRES

HEAD = 'name: t\nversion: "1"\ntitle: 测试\nnotice: 匿名\n'


def load(tmp_path, body: str, head: str = HEAD):
    path = tmp_path / "t.yaml"
    path.write_text(head + body, encoding="utf-8")
    return load_questionnaire(path)


def test_style_defaults_to_pages_and_is_checked(tmp_path):
    body = "sections:\n  - name: s\n    label: 一\n    questions:\n      - {name: a, type: text, label: 文字}\n"
    assert load(tmp_path, body).style == "pages"
    assert load(tmp_path, body, HEAD + "style: single\n").style == "single"
    with pytest.raises(QuestionnaireError) as refused:
        load(tmp_path, body, HEAD + "style: scroll\n")
    assert (refused.value.line, refused.value.field) == (5, "style")


def test_top_choices_must_be_choices_and_fold_the_rest(tmp_path):
    options = "\n".join(f"          - {{name: c{i}, label: 选项{i}}}" for i in range(14))
    body = ("sections:\n  - name: s\n    label: 一\n    questions:\n      - name: m\n        type: select_multiple\n"
            "        label: 多选\n        top_choices: [c9, c3]\n        choices:\n" + options + "\n")
    question = load(tmp_path, body).question("m")
    first, more = question.folded_choices()
    assert [c.name for c in first] == ["c9", "c3"] and len(more) == 12 and "c9" not in {c.name for c in more}
    with pytest.raises(QuestionnaireError) as refused:
        load(tmp_path, body.replace("[c9, c3]", "[c9, nope]"))
    assert refused.value.field == "m.top_choices" and "nope" in str(refused.value)
    without = load(tmp_path, body.replace("        top_choices: [c9, c3]\n", "")).question("m")
    assert [len(part) for part in without.folded_choices()] == [8, 6]  # no top choices: the first eight


def test_the_resident_list_of_missing_types_folds_under_more():
    question = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml").question("missing_types")
    first, more = question.folded_choices()
    assert len(first) == 10 and first[0].name == "wet_market" and len(first) + len(more) == 33


@pytest.mark.parametrize("typed, stored", [
    ("6:30", "06:30"), ("06:30", "06:30"), ("６：３０", "06:30"), ("6.30", "06:30"), ("6点半", "06:30"),
    ("6点30分", "06:30"), ("下午6点", "18:00"), ("晚上10点", "22:00"), ("中午12点", "12:00"), ("18", "18:00"),
    ("24:00", "24:00"), (7, "07:00"), (datetime.time(5, 45), "05:45"),
])
def test_times_as_people_write_them(typed, stored):
    assert parse_time(typed) == (stored, None)


@pytest.mark.parametrize("typed", ["24:30", "25", "6:61", "六点", "6:3:0", True])
def test_times_that_are_not(typed):
    assert parse_time(typed) == (None, "请填写时间，比如 6:30 或 18:00")


def test_merchant_hours_are_time_questions():
    merchant = load_questionnaire(PROJECT_QUESTIONNAIRES / "merchant.yaml")
    assert merchant.question("opening_hour").type == "time"
    assert merchant.question("outlet_name").single_line and merchant.question("outlet_address").single_line
    clean, errors = validate_answers(merchant, {"outlet_name": "店", "outlet_address": "路1号",
                                                "outlet_type": "pharmacy", "is_chain": "no", "open_24h": "no",
                                                "opening_hour": "8:00", "closing_hour": "晚上9点半",
                                                "qr_payment": "no"})
    assert not errors and (clean["opening_hour"], clean["closing_hour"]) == ("08:00", "21:30")


def test_the_time_is_counted_from_the_items():
    mini = load_questionnaire(APP_QUESTIONNAIRES / "mini.yaml")
    # community 5 + 3 assumed communities, age_band 5 + 2 options, likert 5, integer 8, text 10;
    # why_unhappy has a `relevant` and is not counted.
    assert estimated_seconds(mini) == 8 + 7 + 5 + 8 + 10
    assert estimated_minutes(mini) == 1
    assert [q.name for q in counted_questions(mini)] == ["community", "age_band", "business_overall",
                                                         "walk_minutes", "suggestion"]
    resident = load_questionnaire(PROJECT_QUESTIONNAIRES / "resident.yaml")
    assert estimated_minutes(resident) == 3 and len(counted_questions(resident)) == 25
