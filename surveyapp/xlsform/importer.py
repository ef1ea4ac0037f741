"""An XLSForm workbook as a questionnaire file of ours (YAML text).

Everything the workbook says must be something our format can say; what it cannot (repeats,
calculations, metadata rows, nested groups, questions outside a group, another choice file,
a condition on a group, functions our evaluator does not know, unknown columns holding
something) is refused, every problem with its sheet, row and column. The YAML produced is then
loaded by our own loader, so the result obeys every rule a hand-written file does; a loader
complaint is placed back on the row and column it came from.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..questionnaire.errors import ExpressionError, QuestionnaireError
from ..questionnaire.expressions import compile_expression
from ..questionnaire.loader import load_questionnaire_text
from ..questionnaire.model import LIKERT5_CHOICES
from ..responses.importer import column_letters
from .export import COMMUNITIES_FILE, HINT_EN, LABEL_EN, bounds_constraint

PLAIN_TYPES = ("integer", "decimal", "text", "note", "time", "geopoint")
#: Column headers read (lower case); an unknown column with anything in it is refused.
SURVEY_READ = {"type", "name", "label", LABEL_EN.lower(), "hint", HINT_EN.lower(), "required", "relevant",
               "constraint", "constraint_message", "appearance", "indicator", "satisfied", "dont_know", "demand",
               "catalogue", "top_choices", "min", "max", "max_length"}
CHOICES_READ = {"list_name", "name", "label", LABEL_EN.lower()}
SETTINGS_READ = {"form_title", "form_id", "version", "style", "kind", "title_en", "notice"}
#: Appearances that say what our pages already do (one screen per group, the scale's look).
HARMLESS_APPEARANCES = {"", "field-list", "likert", "minimal"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")
YES = {"yes", "true", "true()", "1", "是"}


@dataclass(frozen=True)
class FormProblem:
    file: str
    sheet: str
    message: str
    row: int | None = None
    #: Column letter, e.g. "D".
    letter: str | None = None
    #: The column's header, e.g. "relevant".
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        text = f"{self.file} 工作表 {self.sheet}"
        if self.row is not None:
            text += f" 第 {self.row} 行"
        if self.letter:
            text += f" {self.letter} 列"
        if self.column:
            text += f"（{self.column}）"
        if self.value:
            text += f"“{self.value[:40]}”"
        return f"{text}：{self.message}"


class XLSFormRefused(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"共 {len(self.problems)} 处问题，未生成问卷")


class _Sheet:
    """One worksheet as dict rows keyed by lower-case header, with cell letters kept."""

    def __init__(self, file: str, name: str, worksheet):
        self.file, self.name = file, name
        rows = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
                 for v in row] for row in worksheet.iter_rows(values_only=True)]
        self.header = [h.lower() for h in rows[0]] if rows else []
        self.rows = [(number, dict(zip(self.header, cells))) for number, cells in enumerate(rows[1:], start=2)
                     if any(cells)]

    def letter(self, column: str) -> str | None:
        return column_letters(self.header.index(column)) if column in self.header else None

    def problem(self, message: str, row: int | None = None, column: str | None = None, value=None) -> FormProblem:
        return FormProblem(self.file, self.name, message, row, self.letter(column) if column else None, column, value)


def _unknown_columns(sheet: _Sheet, known: set[str], problems: list) -> None:
    for index, header in enumerate(sheet.header):
        if header in known or not header:
            continue
        used = next(((n, r[header]) for n, r in sheet.rows if r.get(header)), None)
        if used:
            problems.append(FormProblem(sheet.file, sheet.name, "我们的问卷格式没有这一列，请删除这一列的内容",
                                        used[0], column_letters(index), header, used[1]))


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，]+", text) if c]


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def read_xlsform(path: Path) -> str:
    """The questionnaire file (YAML text) the workbook at ``path`` describes; raises
    XLSFormRefused with every problem."""
    from openpyxl import load_workbook

    path = Path(path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise XLSFormRefused([FormProblem(path.name, "-", "无法读取这个 Excel 文件（.xlsx）")]) from exc
        try:
            sheets = {ws.title.strip().lower(): _Sheet(path.name, ws.title, ws) for ws in workbook.worksheets}
        finally:
            workbook.close()
    problems: list[FormProblem] = []
    for needed in ("survey", "choices", "settings"):
        if needed not in sheets:
            problems.append(FormProblem(path.name, needed, "缺少这个工作表"))
    if problems:
        raise XLSFormRefused(problems)
    survey, choices, settings = sheets["survey"], sheets["choices"], sheets["settings"]
    for sheet, known in ((survey, SURVEY_READ), (choices, CHOICES_READ), (settings, SETTINGS_READ)):
        _unknown_columns(sheet, known, problems)

    lists: dict[str, list[dict]] = {}
    for number, row in choices.rows:
        name, code = row.get("list_name", ""), row.get("name", "")
        if not _CODE.match(code):
            problems.append(choices.problem("选项代码只能用字母、数字、下划线、点和减号", number, "name", code))
        entry = {"name": code, "label": row.get("label", "")}
        if row.get(LABEL_EN.lower()):
            entry["label_en"] = row[LABEL_EN.lower()]
        lists.setdefault(name, []).append(entry)

    document, rows_of = _survey(survey, lists, problems)
    if not settings.rows:
        problems.append(settings.problem("缺少问卷名称（form_id）和标题（form_title）", 2))
    else:
        number, row = settings.rows[0]
        for column in ("form_id", "form_title"):
            if not row.get(column):
                problems.append(settings.problem("这一格不能为空", number, column))
        if not row.get("notice"):
            problems.append(settings.problem("请加 notice 列，写上填写前给受访者看的说明（谁在问、是否匿名、答案保存多久）",
                                             number, "notice"))
        head = {"name": row.get("form_id", ""), "kind": row.get("kind") or "resident",
                "version": row.get("version") or "1", "title": row.get("form_title", "")}
        for key in ("title_en",):
            if row.get(key):
                head[key] = row[key]
        head["style"] = row.get("style") or "pages"
        head["notice"] = row.get("notice") or ""
        document = {**head, **document}
    if problems:
        raise XLSFormRefused(problems)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
    try:
        load_questionnaire_text(text, path=path.with_suffix(".yaml"))
    except QuestionnaireError as exc:
        raise XLSFormRefused([_placed(exc, survey, rows_of)]) from None
    return text


def _placed(exc: QuestionnaireError, survey: _Sheet, rows_of: dict[str, int]) -> FormProblem:
    """A loader complaint ("business_overall.relevant: …") on the survey row and column."""
    name, _, key = exc.field.partition(".")
    if name in rows_of:
        return survey.problem(exc.message, rows_of[name], key.split("[")[0] or "name")
    return FormProblem(survey.file, survey.name, f"{exc.field}: {exc.message}" if exc.field else exc.message)


def _survey(survey: _Sheet, lists: dict[str, list[dict]], problems: list) -> tuple[dict, dict[str, int]]:
    sections: list[dict] = []
    used_lists: dict[str, list[dict]] = {}
    rows_of: dict[str, int] = {}
    current: dict | None = None
    for number, row in survey.rows:
        qtype = re.sub(r"\s+", " ", row.get("type", "")).strip()
        name = row.get("name", "")
        bad = lambda message, column="type", value=None: problems.append(  # noqa: E731
            survey.problem(message, number, column, value if value is not None else row.get(column, "")))
        appearance = row.get("appearance", "")
        if appearance not in HARMLESS_APPEARANCES:
            bad("我们的问卷不支持这种显示方式（appearance）", "appearance")
        if qtype in ("begin_group", "begin group"):
            if current is not None:
                bad("分组里不能再套分组：我们的问卷每组是一页")
                continue
            if row.get("relevant"):
                bad("我们的问卷不能按条件跳过整组，请把条件写在组内每一题上", "relevant")
            current = {"name": name, "label": row.get("label", "")}
            if row.get("hint"):
                current["hint"] = row["hint"]
            current["questions"] = []
            sections.append(current)
            continue
        if qtype in ("end_group", "end group"):
            if current is None:
                bad("没有对应的 begin_group")
            current = None
            continue
        if not _NAME.match(name):
            bad("题目名称只能用小写字母开头，由小写字母、数字和下划线组成", "name")
        question: dict = {"name": name}
        parts = qtype.split(" ")
        choices_list = None
        if parts[0] in ("select_one", "select_multiple") and len(parts) == 2:
            question["type"] = parts[0]
            choices_list = parts[1]
            if choices_list not in lists:
                bad("choices 工作表里没有这个选项列表")
                choices_list = None
        elif parts[0] in ("select_one_from_file", "select_multiple_from_file") and len(parts) == 2:
            if parts[1] != COMMUNITIES_FILE:
                bad(f"我们的问卷只能从 {COMMUNITIES_FILE}（本生活圈的社区）取选项")
            question["type"] = parts[0].removesuffix("_from_file")
            question["choices"] = "communities"
        elif qtype in PLAIN_TYPES:
            question["type"] = qtype
        else:
            bad("我们的问卷没有这种题型（支持：分组、单选、多选、整数、小数、文字、说明、时间、位置）")
            continue
        if current is None:
            bad("题目要放在分组（begin_group … end_group）里：我们的问卷每组是一页")
            continue
        question["label"] = row.get("label", "")
        for source, key in ((LABEL_EN.lower(), "label_en"), ("hint", "hint")):
            if row.get(source):
                question[key] = row[source]
        if row.get(HINT_EN.lower()):
            bad("我们的问卷没有英文提示", HINT_EN.lower())
        if row.get("required"):
            if row["required"].lower() not in YES | {"no", "false", "false()", "0"}:
                bad("请填 yes 或留空", "required")
            question["required"] = row["required"].lower() in YES
        for key in ("relevant", "constraint"):
            if row.get(key):
                try:
                    compile_expression(row[key])
                except ExpressionError as exc:
                    bad(f"我们的表达式不支持：{exc}", key)
        if row.get("relevant"):
            question["relevant"] = row["relevant"]
        for key in ("min", "max", "max_length"):
            if row.get(key):
                try:
                    question[key] = _number(row[key])
                except ValueError:
                    bad("请填一个数字", key)
        constraint = row.get("constraint", "")
        if constraint and constraint != _bounds_text(question):
            question["constraint"] = constraint
        if row.get("constraint_message"):
            question["constraint_message"] = row["constraint_message"]
        if choices_list is not None:
            items = lists[choices_list]
            builtin = [{"name": c.name, "label": c.label, "label_en": c.label_en} for c in LIKERT5_CHOICES]
            if appearance == "likert" and parts[0] == "select_one" and items == builtin:
                question["type"] = "likert5"
            elif row.get("catalogue"):
                question["catalogue"] = row["catalogue"]
            else:
                question["choices"] = choices_list
                used_lists[choices_list] = items
        for key in ("indicator",):
            if row.get(key):
                question[key] = row[key]
        for key in ("satisfied", "dont_know", "top_choices"):
            if row.get(key):
                question[key] = _codes(row[key])
        if row.get("demand"):
            question["demand"] = row["demand"].lower() in YES
        rows_of[name] = number
        current["questions"].append(question)
    if current is not None:
        problems.append(survey.problem("分组没有结束：缺少 end_group", None))
    document: dict = {}
    if used_lists:
        document["choice_lists"] = used_lists
    document["sections"] = sections
    return document, rows_of


def _bounds_text(question: dict) -> str | None:
    """The constraint the export wrote for ``min``/``max``/``max_length`` (dropped on the way in)."""

    class _Bounds:
        min = question.get("min")
        max = question.get("max")
        max_length = question.get("max_length")

    return bounds_constraint(_Bounds)

