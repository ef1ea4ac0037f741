"""XLSForm both ways: our questionnaires convert with the reference converter (pyxform, without
its Java validator), come back as the same questionnaire, and a workbook our format cannot
express is refused with sheet, row and column."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from surveyapp.questionnaire import load_questionnaire
from surveyapp.questionnaire.loader import load_questionnaire_text
from surveyapp.xlsform.export import xlsform_workbook
from surveyapp.xlsform.importer import XLSFormRefused, read_xlsform

from .helpers import PROJECT_QUESTIONNAIRES


def _structure(questionnaire) -> dict:
    """Everything a questionnaire says, as plain data (list names aside: they are not kept)."""
    def question(q):
        return {
            "name": q.name, "type": q.type, "label": q.label, "label_en": q.label_en, "hint": q.hint,
            "required": q.required, "relevant": q.relevant.to_json() if q.relevant else None,
            "constraint": q.constraint.to_json() if q.constraint else None,
            "constraint_message": q.constraint_message,
            "choices": [(c.name, c.label, c.label_en) for c in q.choices] if q.choices else None,
            "dynamic": q.dynamic_choices, "catalogue": q.catalogue, "indicator": q.indicator,
            "satisfied": q.satisfied, "dont_know": q.dont_know, "demand": q.demand, "min": q.min, "max": q.max,
            "max_length": q.max_length, "top_choices": q.top_choices,
        }
    return {
        "head": (questionnaire.name, questionnaire.kind, questionnaire.version, questionnaire.title,
                 questionnaire.title_en, questionnaire.style, questionnaire.notice.strip()),
        "sections": [(s.name, s.label, s.hint, [question(q) for q in s.questions]) for s in questionnaire.sections],
    }


@pytest.mark.parametrize("name", ["resident", "merchant"])
def test_export_converts_with_pyxform(name):
    workbook = xlsform_workbook(load_questionnaire(PROJECT_QUESTIONNAIRES / f"{name}.yaml"))
    warnings: list[str] = []
    result = convert(io.BytesIO(workbook), warnings=warnings, file_type=".xlsx", validate=False)
    xform = result.xform
    assert "<h:title>" in xform and 'relevant=" /' in xform
    if name == "resident":
        assert 'relevant=" /data/overall/business_overall  = 1 or  /data/overall/business_overall  = 2"' in xform  # the skip logic of business_problems
        assert 'jr://file-csv/communities.csv' in xform


@pytest.mark.parametrize("name", ["resident", "merchant"])
def test_round_trip_gives_the_same_questionnaire(name, tmp_path):
    original = load_questionnaire(PROJECT_QUESTIONNAIRES / f"{name}.yaml")
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(xlsform_workbook(original))
    text = read_xlsform(path)
    again = load_questionnaire_text(text, path=PROJECT_QUESTIONNAIRES / f"{name}-imported.yaml")
    assert _structure(again) == _structure(original)


def _workbook(survey_rows, choice_rows=(), settings=(("form_title", "form_id", "notice"), ("测试", "t", "匿名填写"))) -> Workbook:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in survey_rows:
        survey.append(list(row))
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in choice_rows:
        choices.append(list(row))
    sheet = workbook.create_sheet("settings")
    for row in settings:
        sheet.append(list(row))
    return workbook


def _refusals(tmp_path, workbook) -> list[str]:
    path = tmp_path / "form.xlsx"
    workbook.save(path)
    with pytest.raises(XLSFormRefused) as refused:
        read_xlsform(path)
    return [str(p) for p in refused.value.problems]


def test_what_our_format_cannot_say_is_refused_with_sheet_row_and_column(tmp_path):
    workbook = _workbook([
        ("type", "name", "label", "relevant", "calculation", "appearance"),
        ("start", "start", "", "", "", ""),
        ("begin_group", "g1", "第一页", "", "", ""),
        ("select_one yn", "q1", "有吗？", "", "", ""),
        ("calculate", "c1", "", "", "${q1} + 1", ""),
        ("begin_repeat", "r1", "重复", "", "", ""),
        ("integer", "q2", "几个？", "regex(${q1}, 'a')", "", ""),
        ("text", "q3", "说说", "", "", "multiline"),
        ("select_one nolist", "q4", "哪个？", "", "", ""),
        ("end_group", "", "", "", "", ""),
    ], [("yn", "yes", "有"), ("yn", "no no", "没有")])
    problems = _refusals(tmp_path, workbook)
    assert "form.xlsx 工作表 survey 第 5 行 E 列（calculation）“${q1} + 1”：我们的问卷格式没有这一列，请删除这一列的内容" in problems
    assert any(p.startswith("form.xlsx 工作表 survey 第 2 行 A 列（type）“start”：我们的问卷没有这种题型") for p in problems)
    assert any(p.startswith("form.xlsx 工作表 survey 第 6 行 A 列（type）“begin_repeat”") for p in problems)
    assert any(p.startswith("form.xlsx 工作表 survey 第 7 行 D 列（relevant）“regex(${q1}, 'a')”：我们的表达式不支持") for p in problems)
    assert "form.xlsx 工作表 survey 第 8 行 F 列（appearance）“multiline”：我们的问卷不支持这种显示方式（appearance）" in problems
    assert "form.xlsx 工作表 survey 第 9 行 A 列（type）“select_one nolist”：choices 工作表里没有这个选项列表" in problems
    assert "form.xlsx 工作表 choices 第 3 行 B 列（name）“no no”：选项代码只能用字母、数字、下划线、点和减号" in problems


def test_nested_groups_and_loose_questions_are_refused(tmp_path):
    problems = _refusals(tmp_path, _workbook([
        ("type", "name", "label", "relevant"),
        ("integer", "loose", "组外的题", ""),
        ("begin_group", "g1", "一", "${loose} > 1"),
        ("begin_group", "g2", "二", ""),
        ("end_group", "", "", ""),
    ]))
    assert problems[0].startswith("form.xlsx 工作表 survey 第 2 行 A 列（type）“integer”：题目要放在分组")
    assert problems[1].startswith("form.xlsx 工作表 survey 第 3 行 D 列（relevant）“${loose} > 1”：我们的问卷不能按条件跳过整组")
    assert problems[2].startswith("form.xlsx 工作表 survey 第 4 行 A 列（type）“begin_group”：分组里不能再套分组")


def test_a_loader_rule_is_placed_on_its_row(tmp_path):
    problems = _refusals(tmp_path, _workbook([
        ("type", "name", "label", "relevant"),
        ("begin_group", "g1", "一", ""),
        ("integer", "q1", "几个？", "${nobody} = 1"),
        ("end_group", "", "", ""),
    ]))
    assert len(problems) == 1 and problems[0].startswith("form.xlsx 工作表 survey 第 3 行 D 列（relevant）：")


def test_a_plain_xlsform_becomes_a_questionnaire(tmp_path):
    path = tmp_path / "plain.xlsx"
    _workbook([
        ("type", "name", "label", "required", "relevant"),
        ("begin_group", "g1", "基本情况", "", ""),
        ("select_one yn", "has_shop", "家附近有便利店吗？", "yes", ""),
        ("select_multiple kinds", "kinds", "有哪些？", "", "${has_shop} = 'yes'"),
        ("end_group", "", "", "", ""),
    ], [("yn", "yes", "有"), ("yn", "no", "没有"), ("kinds", "a", "甲"), ("kinds", "b", "乙")],
        (("form_title", "form_id", "version", "notice"), ("便利店调查", "shops", 3, "匿名填写"))).save(path)
    questionnaire = load_questionnaire_text(read_xlsform(path), path=tmp_path / "shops.yaml")
    assert (questionnaire.name, questionnaire.version, questionnaire.title) == ("shops", "3", "便利店调查")
    kinds = questionnaire.question("kinds")
    assert kinds.relevant.source == "${has_shop} = 'yes'" and [c.name for c in kinds.choices] == ["a", "b"]
    assert questionnaire.question("has_shop").required


def test_a_form_without_a_notice_is_refused(tmp_path):
    problems = _refusals(tmp_path, _workbook([("type", "name", "label"), ("begin_group", "g", "一"), ("end_group", "", "")],
                                             settings=(("form_title", "form_id"), ("测试", "t"))))
    assert problems == ["form.xlsx 工作表 settings 第 2 行（notice）：请加 notice 列，写上填写前给受访者看的说明（谁在问、是否匿名、答案保存多久）"]


def test_cli_both_ways(runner, tmp_path):
    out = tmp_path / "resident.xlsx"
    result = runner.invoke(args=["xlsform", "export", "--questionnaire", "resident", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["survey", "choices", "settings"]
    back = tmp_path / "resident.yaml"
    result = runner.invoke(args=["xlsform", "import", str(out), "--out", str(back)])
    assert result.exit_code == 0, result.output
    assert back.read_text(encoding="utf-8").startswith("name: resident\n")
    bad = tmp_path / "bad.xlsx"
    _workbook([("type", "name", "label"), ("begin_repeat", "r", "重复")]).save(bad)
    result = runner.invoke(args=["xlsform", "import", str(bad), "--out", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1 and "bad.xlsx 工作表 survey 第 2 行 A 列（type）" in result.output
