"""Loading questionnaire and catalogue files, and refusing bad ones with file, line and field."""
from __future__ import annotations

import hashlib
import pickle
import textwrap
from pathlib import Path

import pytest

from surveyapp.questionnaire import (
    Catalogue,
    CatalogueEntry,
    Choice,
    Expression,
    QuestionnaireError,
    load_catalogue,
    load_catalogue_text,
    load_questionnaire,
    load_questionnaire_text,
)
from surveyapp.questionnaire.catalogue import default_catalogue_path

DATA = Path(__file__).parent / "data" / "questionnaires"

# Nine header lines: the first question of a test body is on line 10.
HEADER = """\
name: t
version: "1"
title: 测试
notice: 测试。
estimated_minutes: 1
sections:
  - name: main
    label: 主要
    questions:
"""

CATALOGUE = load_catalogue_text(textwrap.dedent("""\
    name: small
    version: "9"
    basic:
      - {code: convenience_store, label: 便利店, required: true}
      - {code: pharmacy, label: 药店}
    quality:
      - {code: coffee_tea, label: 咖啡}
    """), "small.yaml")


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def body(questions: str, tail: str = "") -> str:
    return HEADER + textwrap.indent(textwrap.dedent(questions), "      ") + textwrap.dedent(tail)


def refused(tmp_path: Path, text: str) -> QuestionnaireError:
    path = write(tmp_path, text)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path, catalogue=CATALOGUE)
    error = info.value
    assert error.path == str(path)
    return error


# --- loading good files -----------------------------------------------------------------------

def test_minimal_file_loads_with_hash_version_and_order():
    path = DATA / "minimal.yaml"
    q = load_questionnaire(path)
    assert q.name == "minimal"
    assert q.version == "1.0"
    assert q.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert q.path == str(path)
    assert [s.name for s in q.sections] == ["main"]
    assert [x.name for x in q.questions][:3] == ["community", "has_child", "child_age"]
    assert q.question("child_age").line == 16
    assert q.question("child_age").section == "main"
    assert q.question("child_age").min == 0 and q.question("child_age").max == 17


def test_likert5_defaults():
    q = load_questionnaire(DATA / "minimal.yaml")
    overall = q.question("overall")
    assert [c.name for c in overall.choices] == ["5", "4", "3", "2", "1", "0"]
    assert [c.label for c in overall.choices] == ["非常满意", "满意", "一般", "不满意", "非常不满意", "不清楚"]
    assert overall.satisfied == ("4", "5")
    assert overall.dont_know == ("0",)
    assert overall.is_select and not overall.is_multi
    assert q.indicator_questions("business_satisfaction") == (overall,)


def test_choice_codes_are_strings_and_dynamic_lists_resolve():
    q = load_questionnaire(DATA / "minimal.yaml")
    assert [c.name for c in q.question("reason").choices] == ["far", "dear", "3"]
    community = q.question("community")
    assert community.choices is None and community.dynamic_choices == "communities"
    assert community.choices_for(["幸福里社区", "  ", "和平社区", "幸福里社区"]) == (
        Choice("幸福里社区", "幸福里社区"), Choice("和平社区", "和平社区"))
    assert community.choices_for() == ()
    yes_no = q.question("has_child").choices_for(["ignored"])
    assert [c.name for c in yes_no] == ["yes", "no"]


def test_catalogue_next_to_the_file_is_the_default():
    q = load_questionnaire(DATA / "minimal.yaml")
    assert q.catalogue is not None and q.catalogue.name == "tiny"
    missing = q.question("missing")
    assert [c.name for c in missing.choices] == ["convenience_store", "wet_market", "pharmacy"]
    assert missing.catalogue == "basic" and missing.demand
    assert q.demand_questions() == (missing,)


def test_explicit_catalogue_wins(tmp_path):
    path = write(tmp_path, body("- {name: m, type: select_multiple, label: 缺, catalogue: all}\n"))
    q = load_questionnaire(path, catalogue=CATALOGUE)
    assert [c.name for c in q.question("m").choices] == ["convenience_store", "pharmacy", "coffee_tea"]
    assert q.catalogue is CATALOGUE


def test_no_catalogue_is_loaded_when_unused(tmp_path):
    q = load_questionnaire(write(tmp_path, body("- {name: a, type: text, label: 文字}\n")))
    assert q.catalogue is None


def test_default_catalogue_path_falls_back_to_the_project(tmp_path):
    assert default_catalogue_path(DATA / "minimal.yaml") == DATA / "catalogues" / "national.yaml"
    fallback = default_catalogue_path(tmp_path / "q.yaml")
    assert fallback.name == "national.yaml" and fallback.parent.name == "catalogues"
    assert fallback.is_file()


def test_text_loading_hashes_the_utf8_bytes():
    text = (DATA / "minimal.yaml").read_text(encoding="utf-8")
    q = load_questionnaire_text(text, "snapshot/minimal.yaml")
    assert q.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert q.content_hash == load_questionnaire(DATA / "minimal.yaml").content_hash
    assert q.path == "snapshot/minimal.yaml"


def test_likert5_with_own_choices_and_codes(tmp_path):
    q = load_questionnaire(write(tmp_path, body("""\
        - name: s
          type: likert5
          label: 满意吗
          choices:
            - {name: 5, label: 很好}
            - {name: 4, label: 好}
            - {name: 3, label: 一般}
            - {name: 2, label: 差}
            - {name: 1, label: 很差}
          satisfied: [5]
        """)))
    s = q.question("s")
    assert [c.name for c in s.choices] == ["5", "4", "3", "2", "1"]
    assert s.satisfied == ("5",)
    assert s.dont_know == ()  # no "0" among the choices, so no default


def test_versions_written_as_numbers_are_kept_as_written(tmp_path):
    text = body("- {name: a, type: text, label: 文字}\n").replace('version: "1"', "version: 2026.10")
    assert load_questionnaire(write(tmp_path, text)).version == "2026.10"


def test_text_defaults_and_frozen_model():
    q = load_questionnaire(DATA / "minimal.yaml")
    assert q.question("comment").max_length == 500
    assert q.question("child_school").max_length == 10
    assert isinstance(q.question("child_age").relevant, Expression)
    with pytest.raises(AttributeError):
        q.question("comment").label = "x"  # type: ignore[misc]
    assert hash(q.question("reason"))  # frozen questions are hashable, expressions included
    assert q.skip_logic()["child_age"] == {"op": "=", "args": [{"ref": "has_child"}, {"lit": "yes"}]}


def test_catalogue_file(tmp_path):
    assert isinstance(CATALOGUE, Catalogue)
    assert CATALOGUE.required == ("convenience_store",)
    assert CATALOGUE.entry("pharmacy") == CatalogueEntry("pharmacy", "药店", "basic", False)
    assert CATALOGUE.label("coffee_tea") == "咖啡"
    assert CATALOGUE.trial is False
    path = write(tmp_path, "name: c\nversion: '1'\ntrial: true\nbasic:\n  - {code: a, label: 甲}\nquality: []\n", "c.yaml")
    with pytest.raises(QuestionnaireError) as info:
        load_catalogue(path)
    assert (info.value.line, info.value.field) == (6, "quality")
    path.write_text("name: c\nversion: '1'\nbasic:\n  - {code: a, label: 甲}\nquality:\n  - {code: a, label: 乙}\n")
    with pytest.raises(QuestionnaireError) as info:
        load_catalogue(path)
    assert (info.value.line, info.value.field) == (6, "quality[0].code")
    assert "duplicate code 'a'" in info.value.message
    path.write_text("name: c\nversion: '1'\nbasic:\n  - {code: a, label: 甲}\nquality:\n  - {code: b, label: 乙, required: true}\n")
    with pytest.raises(QuestionnaireError) as info:
        load_catalogue(path)
    assert (info.value.line, info.value.field) == (6, "b.required")


# --- errors: each names file, line and field ----------------------------------------------------

def test_yaml_syntax_error_names_the_line():
    path = DATA / "yaml_syntax.yaml"
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert info.value.line == 8
    assert "YAML syntax error" in info.value.message
    assert str(info.value).startswith(f"{path}:8: ")


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(tmp_path / "nope.yaml")
    assert info.value.line is None and "cannot read" in info.value.message
    error = refused(tmp_path, "")
    assert error.line == 1 and "empty" in error.message


def test_not_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: t\ntitle: 测试\n".encode("gbk"))
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert info.value.line == 2 and "UTF-8" in info.value.message


def test_str_reads_like_a_compiler_message(tmp_path):
    error = refused(tmp_path, body("""\
        - name: business_overall
          type: likert7
          label: 满意吗
        """))
    assert error.line == 11
    assert error.field == "business_overall.type"
    assert error.message.startswith("unknown question type 'likert7'")
    assert str(error).startswith(f"{error.path}:11: business_overall.type: unknown question type 'likert7'")
    assert pickle.loads(pickle.dumps(error)).line == 11


def test_missing_required_top_level_key(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字}\n").replace("notice: 测试。\n", ""))
    assert (error.line, error.field) == (1, "notice")
    assert error.message == "missing required key 'notice'"


def test_missing_required_question_key(tmp_path):
    error = refused(tmp_path, body("""\
        - {name: a, type: text, label: 文字}
        - name: b
          type: text
        """))
    assert (error.line, error.field, error.message) == (11, "b.label", "missing required key 'label'")


def test_missing_name_uses_the_position(tmp_path):
    error = refused(tmp_path, body("""\
        - {name: a, type: text, label: 文字}
        - {type: text, label: 文字}
        """))
    assert (error.line, error.field) == (11, "sections[0].questions[1].name")


def test_unknown_top_level_key(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字}\n", "languages: [zh]\n"))
    assert (error.line, error.field, error.message) == (11, "languages", "unknown key 'languages'")


def test_unknown_question_key(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: text
          label: 文字
          requried: true
        """))
    assert (error.line, error.field, error.message) == (13, "a.requried", "unknown key 'requried'")


def test_key_not_allowed_for_the_type(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: note
          label: 说明
          required: true
        """))
    assert (error.line, error.field) == (13, "a.required")
    assert error.message == "'required' is not allowed on a note question"
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字, min: 1}\n"))
    assert (error.line, error.field) == (10, "a.min")


def test_wrong_value_types(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: text
          label: 文字
          required: 1
        """))
    assert (error.line, error.field) == (13, "a.required")
    assert "true or false" in error.message
    error = refused(tmp_path, body("""\
        - name: a
          type: integer
          label: 数字
          max: lots
        """))
    assert (error.line, error.field) == (13, "a.max") and "number" in error.message
    error = refused(tmp_path, body("""\
        - name: a
          type: text
          label: [文字]
        """))
    assert (error.line, error.field) == (12, "a.label") and "must be text" in error.message
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字}\n").replace("estimated_minutes: 1", "estimated_minutes: 三"))
    assert (error.line, error.field) == (5, "estimated_minutes")
    error = refused(tmp_path, HEADER.replace("    questions:\n", "    questions: none\n"))
    assert (error.line, error.field) == (9, "sections[0].questions")


def test_bad_question_name(tmp_path):
    error = refused(tmp_path, body("- {name: Age, type: text, label: 年龄}\n"))
    assert (error.line, error.field) == (10, "sections[0].questions[0].name")
    assert "not a valid name" in error.message


def test_duplicate_question_name(tmp_path):
    error = refused(tmp_path, body("""\
        - {name: a, type: text, label: 文字}
        - {name: b, type: text, label: 文字}
        - {name: a, type: text, label: 又一个}
        """))
    assert (error.line, error.field) == (12, "sections[0].questions[2].name")
    assert "duplicate question name 'a'" in error.message and "line 10" in error.message


def test_duplicate_yaml_key(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: text
          label: 文字
          label: 又一个
        """))
    assert (error.line, error.field, error.message) == (13, "a.label", "duplicate key 'label'")


def test_undefined_choice_list(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: select_one
          label: 选
          choices: colours
        """))
    assert (error.line, error.field, error.message) == (13, "a.choices", "undefined choice list 'colours'")


def test_select_needs_choices_and_not_both(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: select_one, label: 选}\n"))
    assert (error.line, error.field) == (10, "a.choices")
    error = refused(tmp_path, body("""\
        - name: a
          type: select_multiple
          label: 选
          choices: [{name: x, label: 甲}]
          catalogue: all
        """))
    assert (error.line, error.field) == (14, "a.catalogue") and "not both" in error.message
    error = refused(tmp_path, body("- {name: a, type: select_one, label: 选, catalogue: everything}\n"))
    assert (error.line, error.field) == (10, "a.catalogue")


def test_satisfied_code_not_in_choices(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: select_one
          label: 选
          choices: yes_no
          satisfied:
            - "yes"
            - maybe
        """, """\
        choice_lists:
          yes_no: [{name: "yes", label: 是}, {name: "no", label: 否}]
        """))
    assert (error.line, error.field) == (16, "a.satisfied")
    assert error.message == "code 'maybe' is not one of the question's choices"


def test_dont_know_code_not_in_likert_scale(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: likert5
          label: 满意吗
          dont_know: [9]
        """))
    assert (error.line, error.field) == (13, "a.dont_know")


def test_likert5_choices_must_use_codes_0_to_5(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: likert5
          label: 满意吗
          choices:
            - {name: 5, label: 满意}
            - {name: 7, label: 超级满意}
        """))
    assert (error.line, error.field) == (15, "a.choices")
    assert "'7'" in error.message


def test_duplicate_choice_code(tmp_path):
    error = refused(tmp_path, body("""\
        - name: a
          type: select_one
          label: 选
          choices:
            - {name: x, label: 甲}
            - {name: y, label: 乙}
            - {name: x, label: 丙}
        """))
    assert (error.line, error.field) == (16, "a.choices[2].name")
    assert error.message == "duplicate choice code 'x'"
    error = refused(tmp_path, body("- {name: a, type: select_one, label: 选, choices: dup}\n", """\
        choice_lists:
          dup:
            - {name: 1, label: 甲}
            - {name: "1", label: 乙}
        """))
    assert (error.line, error.field) == (14, "choice_lists.dup[1].name")


def test_communities_is_reserved(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字}\n", """\
        choice_lists:
          communities: [{name: x, label: 甲}]
        """))
    assert (error.line, error.field) == (12, "choice_lists.communities")


def test_bad_expression(tmp_path):
    error = refused(tmp_path, body("""\
        - {name: a, type: integer, label: 数字}
        - name: b
          type: text
          label: 文字
          relevant: ${a} >> 3
        """))
    assert (error.line, error.field) == (14, "b.relevant")
    assert "bad expression" in error.message and "column" in error.message


def test_relevant_refers_to_unknown_or_later_question(tmp_path):
    error = refused(tmp_path, body("""\
        - name: b
          type: text
          label: 文字
          relevant: ${nobody} = 'x'
        """))
    assert (error.line, error.field) == (13, "b.relevant")
    assert "'nobody'" in error.message
    path = DATA / "later_reference.yaml"
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert (info.value.line, info.value.field) == (13, "first.relevant")
    assert "asked before" in info.value.message


def test_relevant_cannot_use_self_or_current_or_note(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: integer, label: 数字, relevant: '${a} > 1'}\n"))
    assert (error.line, error.field) == (10, "a.relevant")
    error = refused(tmp_path, body("- {name: a, type: integer, label: 数字, relevant: '. > 1'}\n"))
    assert (error.line, error.field) == (10, "a.relevant") and "'.'" in error.message
    error = refused(tmp_path, body("""\
        - {name: n, type: note, label: 说明}
        - {name: a, type: integer, label: 数字, relevant: "${n} = ''"}
        """))
    assert (error.line, error.field) == (11, "a.relevant") and "note" in error.message


def test_constraint_may_read_later_questions_but_not_unknown_ones(tmp_path):
    text = body("""\
        - {name: a, type: integer, label: 数字, constraint: '. <= ${b}'}
        - {name: b, type: integer, label: 数字}
        """)
    q = load_questionnaire(write(tmp_path, text))
    assert q.question("a").constraint.references() == {"b"}
    error = refused(tmp_path, body("""\
        - {name: a, type: integer, label: 数字}
        - name: c
          type: integer
          label: 数字
          constraint: . <= ${zzz}
        """))
    assert (error.line, error.field) == (14, "c.constraint")


def test_constraint_message_needs_a_constraint_except_on_numbers(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字, constraint_message: 不对}\n"))
    assert (error.line, error.field) == (10, "a.constraint_message")
    q = load_questionnaire(write(tmp_path, body("- {name: a, type: integer, label: 数, max: 3, constraint_message: 太大}\n")))
    assert q.question("a").constraint_message == "太大"


def test_bounds_are_checked(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: integer, label: 数, min: 5, max: 1}\n"))
    assert (error.line, error.field) == (10, "a.max")
    error = refused(tmp_path, body("- {name: a, type: integer, label: 数, min: 0.5}\n"))
    assert (error.line, error.field) == (10, "a.min")


def test_duplicate_section_name(tmp_path):
    text = body("- {name: a, type: text, label: 文字}\n") + (
        "  - name: main\n"
        "    label: 又一个\n"
        "    questions:\n"
        "      - {name: b, type: text, label: 文字}\n"
    )
    error = refused(tmp_path, text)
    assert (error.line, error.field) == (11, "sections[1].name")


def test_serial_is_a_reserved_question_name(tmp_path):
    path = tmp_path / "reserved.yaml"
    path.write_text(
        'name: r\nversion: "1"\ntitle: 测试\nnotice: 匿名\nestimated_minutes: 1\nsections:\n'
        '  - name: s\n    label: 部分\n    questions:\n'
        '      - name: serial\n        type: text\n        label: 编号\n', encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.line == 10 and "reserved" in str(caught.value)


# --- the kind of a survey ---------------------------------------------------------------------

def test_kind_is_read_from_the_file(tmp_path):
    text = body("- {name: a, type: text, label: 文字}\n").replace("name: t\n", "name: t\nkind: merchant\n")
    assert load_questionnaire(write(tmp_path, text)).kind == "merchant"


def test_kind_defaults_from_the_name_for_files_written_before_it_existed(tmp_path):
    text = body("- {name: a, type: text, label: 文字}\n")
    assert load_questionnaire(write(tmp_path, text)).kind == "resident"
    assert load_questionnaire(write(tmp_path, text.replace("name: t\n", "name: merchant\n"))).kind == "merchant"


def test_unknown_kind_is_refused_with_line_and_field(tmp_path):
    error = refused(tmp_path, body("- {name: a, type: text, label: 文字}\n").replace("name: t\n", "name: t\nkind: shops\n"))
    assert (error.line, error.field) == (2, "kind")
    assert "unknown kind 'shops'" in error.message


def test_project_questionnaires_say_their_kind():
    project = Path(__file__).parent.parent / "questionnaires"
    assert load_questionnaire(project / "resident.yaml").kind == "resident"
    assert load_questionnaire(project / "merchant.yaml").kind == "merchant"
