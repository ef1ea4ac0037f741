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
from surveyapp.xlsform.importer import XLSFormRefused, convert_xlsform, read_xlsform

from .helpers import PROJECT_QUESTIONNAIRES


def _structure(questionnaire) -> dict:
    """Everything a questionnaire says, as plain data, choice-list names included."""
    def question(q):
        return {
            "name": q.name, "type": q.type, "label": q.label, "label_en": q.label_en, "hint": q.hint,
            "required": q.required, "relevant": q.relevant.to_json() if q.relevant else None,
            "constraint": q.constraint.to_json() if q.constraint else None,
            "constraint_message": q.constraint_message,
            "choices": [(c.name, c.label, c.label_en) for c in q.choices] if q.choices else None,
            "choice_list": q.choice_list,
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
        ("begin_group", "g1", "第一页", "", "", ""),
        ("note", "n0", "说明", "", "", ""),
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
    assert not any("survey 第 2 行" in p or "survey 第 3 行" in p for p in problems)
    assert any(p.startswith("form.xlsx 工作表 survey 第 6 行 A 列（type）“begin_repeat”") for p in problems)
    assert any(p.startswith("form.xlsx 工作表 survey 第 7 行 D 列（relevant）“regex(${q1}, 'a')”：我们的表达式不支持") for p in problems)
    assert "form.xlsx 工作表 survey 第 8 行 F 列（appearance）“multiline”：我们的问卷不支持这种显示方式（appearance）" in problems
    assert "form.xlsx 工作表 survey 第 9 行 A 列（type）“select_one nolist”：choices 工作表里没有这个选项列表" in problems
    assert "form.xlsx 工作表 choices 第 3 行 B 列（name）“no no”：选项代码只能用字母、数字、下划线、点和减号" in problems


def test_nested_groups_and_conditions_on_groups_are_refused(tmp_path):
    problems = _refusals(tmp_path, _workbook([
        ("type", "name", "label", "relevant"),
        ("integer", "loose", "组外的题", ""),
        ("begin_group", "g1", "一", "${loose} > 1"),
        ("begin_group", "g2", "二", ""),
        ("end_group", "", "", ""),
    ]))
    assert len(problems) == 2
    assert problems[0].startswith("form.xlsx 工作表 survey 第 3 行 D 列（relevant）“${loose} > 1”：我们的问卷不能按条件跳过整组")
    assert problems[1].startswith("form.xlsx 工作表 survey 第 4 行 A 列（type）“begin_group”：分组里不能再套分组")


#: A form the way KoboToolbox writes it: metadata rows, its version calculation and ``$kuid``
#: column, Chinese and English labels, questions before, between and after groups, a
#: choice list shared by two questions and one named unlike ours, no settings notice.
KOBO_SURVEY = [
    ("type", "name", "label::Chinese (zh)", "label::English (en)", "required", "relevant", "calculation", "$kuid"),
    ("start", "start", "", "", "", "", "", "k1"),
    ("end", "end", "", "", "", "", "", "k2"),
    ("today", "today", "", "", "", "", "", "k3"),
    ("deviceid", "deviceid", "", "", "", "", "", "k4"),
    ("select_one yn", "has_shop", "家附近有便利店吗？", "Is there a shop nearby?", "true", "", "", "k5"),
    ("integer", "minutes", "走过去要几分钟？", "", "", "${has_shop} = 'yes'", "", "k6"),
    ("begin_group", "market", "菜市场", "Market", "", "", "", "k7"),
    ("select_one yn", "has_market", "有菜市场吗？", "", "", "", "", "k8"),
    ("end_group", "", "", "", "", "", "", "k9"),
    ("select_multiple Kinds", "kinds", "还缺哪些？", "", "", "", "", "k10"),
    ("text", "other", "还有什么？", "", "", "", "", "k11"),
    ("calculate", "__version__", "", "", "", "", "'vGx4Kq'", "k12"),
]
KOBO_CHOICES = [("yn", "yes", "有"), ("yn", "no", "没有"), ("Kinds", "a", "早餐"), ("Kinds", "b", "修鞋")]


def test_a_kobotoolbox_form_imports_with_notes(tmp_path):
    path = tmp_path / "kobo.xlsx"
    _workbook(KOBO_SURVEY, KOBO_CHOICES, (("form_title", "form_id", "version"), ("便利店调查", "shops", "2"))).save(path)
    converted = convert_xlsform(path, notice="某评价机构受托调查，匿名，答案保存两年。")
    questionnaire = load_questionnaire_text(converted.text, path=tmp_path / "shops.yaml")
    assert [(s.name, s.label, [q.name for q in s.questions]) for s in questionnaire.sections] == [
        ("part1", "第 1 部分", ["has_shop", "minutes"]),
        ("market", "菜市场", ["has_market"]),
        ("part2", "第 2 部分", ["kinds", "other"]),
    ]
    has_shop = questionnaire.question("has_shop")
    assert (has_shop.label, has_shop.label_en, has_shop.required) == ("家附近有便利店吗？", "Is there a shop nearby?", True)
    assert has_shop.choice_list == "yn" and questionnaire.question("has_market").choice_list == "yn"
    kinds = questionnaire.question("kinds")
    assert kinds.choice_list is None and [(c.name, c.label) for c in kinds.choices] == [("a", "早餐"), ("b", "修鞋")]
    assert questionnaire.question("minutes").relevant.source == "${has_shop} = 'yes'"
    assert questionnaire.notice == "某评价机构受托调查，匿名，答案保存两年。"
    assert converted.notes == [
        "survey 第 2 行 start（start）未导入：答题开始、结束的时间由我们的系统自动记录（用于“答题时间过短”），不作为题目",
        "survey 第 3 行 end（end）未导入：答题开始、结束的时间由我们的系统自动记录（用于“答题时间过短”），不作为题目",
        "survey 第 4 行 today（today）未导入：答题开始、结束的时间由我们的系统自动记录（用于“答题时间过短”），不作为题目",
        "survey 第 5 行 deviceid（deviceid）未导入：我们的问卷是匿名的，不收集设备、电话、账号等标识，也不录音、不记录轨迹",
        "survey 第 13 行 __version__ 是 KoboToolbox 记录表单版本的计算，未导入",
        "工作表 survey H 列（$kuid）是 KoboToolbox 自用的列，已忽略",
        "survey 第 11 行：选项列表名“Kinds”不符合我们的命名（小写字母开头），选项直接写在题目 kinds 里",
        "survey 第 6 行起不在分组里的题（has_shop、minutes）放进了新的一页“第 1 部分”（part1）：我们的问卷按页（分组）显示",
        "survey 第 11 行起不在分组里的题（kinds、other）放进了新的一页“第 2 部分”（part2）：我们的问卷按页（分组）显示",
    ]
    # the notes head the file, as comments a loader ignores
    assert converted.text.startswith("# 由 kobo.xlsx 导入：\n# survey 第 2 行 start（start）未导入")


def test_a_form_without_settings_is_named_after_its_file(tmp_path):
    path = tmp_path / "Shop Survey.xlsx"
    workbook = _workbook([("type", "name", "label"), ("integer", "n", "几个？")])
    del workbook["settings"], workbook["choices"]
    workbook.save(path)
    questionnaire = load_questionnaire_text(read_xlsform(path, notice="匿名"), path=tmp_path / "x.yaml")
    assert (questionnaire.name, questionnaire.title, questionnaire.version) == ("shop_survey", "shop_survey", "1")
    assert [s.name for s in questionnaire.sections] == ["part1"]


def test_a_calculation_is_still_refused_with_its_row(tmp_path):
    problems = _refusals(tmp_path, _workbook([("type", "name", "label", "calculation"),
                                              ("calculate", "total", "", "1 + 1"), ("integer", "n", "几个？", "")]))
    assert problems == ["form.xlsx 工作表 survey 第 2 行 D 列（calculation）“1 + 1”：我们的问卷格式没有这一列，请删除这一列的内容",
                        "form.xlsx 工作表 survey 第 2 行 A 列（type）“calculate”：我们的问卷没有这种题型"
                        "（支持：分组、单选、多选、整数、小数、文字、说明、时间、位置）"]


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
    assert problems == ["form.xlsx 工作表 settings 第 2 行（notice）：请在 settings 工作表加 notice 列（或导入时用 --notice 给出），"
                        "写上填写前给受访者看的说明（谁在问、是否匿名、答案保存多久）"]


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
    kobo = tmp_path / "kobo.xlsx"
    _workbook(KOBO_SURVEY, KOBO_CHOICES, (("form_title", "form_id"), ("便利店调查", "shops"))).save(kobo)
    result = runner.invoke(args=["xlsform", "import", str(kobo), "--out", str(tmp_path / "kobo.yaml")])
    assert result.exit_code == 1 and "--notice" in result.output
    result = runner.invoke(args=["xlsform", "import", str(kobo), "--out", str(tmp_path / "kobo.yaml"), "--notice", "匿名"])
    assert result.exit_code == 0, result.output
    assert "说明：survey 第 2 行 start（start）未导入" in result.output and "notice: 匿名" in (tmp_path / "kobo.yaml").read_text(
        encoding="utf-8")
