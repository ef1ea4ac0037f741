"""An XLSForm workbook as a questionnaire file of ours (YAML text).

A form as KoboToolbox or ODK writes it imports: questions outside any group are gathered into
a page of their own (our questionnaire is pages of questions); metadata rows (``start``,
``end``, ``today``, ``deviceid`` …) are left out, because our pages time every answer
themselves and never collect device or personal identifiers; KoboToolbox's own columns
(``$kuid`` …) and its ``__version__`` row are ignored; a Chinese ``label::…(zh)`` column is
the label. Each of these is said in a note (printed, and written at the top of the file).
Choice-list names are kept (a name our format cannot hold, such as
the ``_question`` our export gives an inline list, is written inline).

What our format truly cannot say (repeats, calculations, nested groups, another choice
file, a condition on a group, functions our evaluator does not know, unknown columns holding
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
#: Metadata rows: what the field app records by itself, and why we leave each out.
METADATA = {
    **dict.fromkeys(("start", "end", "today", "start-geopoint"),
                    "答题开始、结束的时间由我们的系统自动记录（用于“答题时间过短”），不作为题目"),
    **dict.fromkeys(("deviceid", "imei", "subscriberid", "simserial", "phonenumber", "username", "email", "audit",
                     "background-audio", "background-geopoint"),
                    "我们的问卷是匿名的，不收集设备、电话、账号等标识，也不录音、不记录轨迹"),
}
#: KoboToolbox writes its form version as a calculation with one of these names.
VERSION_ROWS = {"__version__", "_version_", "_version__001"}
#: Section made for questions outside any group (``part1``, ``part2`` …).
LOOSE_SECTION = "part"


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


@dataclass(frozen=True)
class Converted:
    """The questionnaire file's text, and what the conversion left out or added (notes)."""

    text: str
    notes: list[str]


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
        self.header = [_header(h) for h in rows[0]] if rows else []
        self.rows = [(number, dict(zip(self.header, cells))) for number, cells in enumerate(rows[1:], start=2)
                     if any(cells)]

    @classmethod
    def empty(cls, file: str, name: str, header: list[str]) -> "_Sheet":
        sheet = cls.__new__(cls)
        sheet.file, sheet.name, sheet.header, sheet.rows = file, name, header, []
        return sheet

    def letter(self, column: str) -> str | None:
        return column_letters(self.header.index(column)) if column in self.header else None

    def problem(self, message: str, row: int | None = None, column: str | None = None, value=None) -> FormProblem:
        return FormProblem(self.file, self.name, message, row, self.letter(column) if column else None, column, value)


def _header(text: str) -> str:
    """A column header as read: lower case, a Chinese ``label::…`` / ``hint::…`` as the plain
    one (our label is the Chinese text)."""
    header = text.strip().lower()
    base, _, language = header.partition("::")
    if language and base in ("label", "hint") and re.search(r"\bzh\b|chinese|中文", language):
        return base
    return header


def _unknown_columns(sheet: _Sheet, known: set[str], problems: list, notes: list | None = None) -> None:
    for index, header in enumerate(sheet.header):
        if header in known or not header:
            continue
        if header.startswith("$"):  # KoboToolbox's own bookkeeping ($kuid, $autoname …)
            if notes is not None and any(r.get(header) for _, r in sheet.rows):
                notes.append(f"工作表 {sheet.name} {column_letters(index)} 列（{header}）是 KoboToolbox 自用的列，已忽略")
            continue
        used = next(((n, r[header]) for n, r in sheet.rows if r.get(header)), None)
        if used:
            problems.append(FormProblem(sheet.file, sheet.name, "我们的问卷格式没有这一列，请删除这一列的内容",
                                        used[0], column_letters(index), header, used[1]))


def _drop_metadata(survey: _Sheet, notes: list) -> None:
    """Leave out the rows a field app fills by itself (and KoboToolbox's version row), each
    with a note; their cells (a calculation) are then no column of ours to refuse."""
    kept = []
    for number, row in survey.rows:
        qtype, name = row.get("type", "").strip(), row.get("name", "")
        if qtype in METADATA:
            notes.append(f"survey 第 {number} 行 {qtype}（{name or qtype}）未导入：{METADATA[qtype]}")
        elif qtype == "calculate" and name in VERSION_ROWS:
            notes.append(f"survey 第 {number} 行 {name} 是 KoboToolbox 记录表单版本的计算，未导入")
        else:
            kept.append((number, row))
    survey.rows = kept


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，]+", text) if c]


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def read_xlsform(path: Path, notice: str | None = None) -> str:
    """The questionnaire file (YAML text) the workbook at ``path`` describes; raises
    XLSFormRefused with every problem."""
    return convert_xlsform(path, notice).text


def convert_xlsform(path: Path, notice: str | None = None) -> Converted:
    """The questionnaire file the workbook at ``path`` describes, with the notes of what was
    left out or added; ``notice`` is the text shown before the questions when the settings
    sheet has none (field apps have no such text). Raises XLSFormRefused with every problem."""
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
    notes: list[str] = []
    if "survey" not in sheets:
        raise XLSFormRefused([FormProblem(path.name, "survey", "缺少这个工作表")])
    # A form without selects needs no choices sheet, and the settings sheet is optional in XLSForm.
    survey = sheets["survey"]
    choices = sheets.get("choices") or _Sheet.empty(path.name, "choices", ["list_name", "name", "label"])
    settings = sheets.get("settings") or _Sheet.empty(path.name, "settings", ["form_title", "form_id"])
    _drop_metadata(survey, notes)
    for sheet, known in ((survey, SURVEY_READ), (choices, CHOICES_READ), (settings, SETTINGS_READ)):
        _unknown_columns(sheet, known, problems, notes)

    lists: dict[str, list[dict]] = {}
    for number, row in choices.rows:
        name, code = row.get("list_name", ""), row.get("name", "")
        if not _CODE.match(code):
            problems.append(choices.problem("选项代码只能用字母、数字、下划线、点和减号", number, "name", code))
        entry = {"name": code, "label": row.get("label", "")}
        if row.get(LABEL_EN.lower()):
            entry["label_en"] = row[LABEL_EN.lower()]
        lists.setdefault(name, []).append(entry)

    document, rows_of = _survey(survey, lists, problems, notes)
    number, row = settings.rows[0] if settings.rows else (2, {})
    # Like the reference converter, a form without form_id is named after its file.
    form_id = row.get("form_id") or re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    if not _NAME.match(form_id):
        problems.append(settings.problem("问卷名称（form_id）只能用小写字母开头，由小写字母、数字和下划线组成", number,
                                         "form_id", form_id))
    if not row.get("notice") and not notice:
        problems.append(settings.problem("请在 settings 工作表加 notice 列（或导入时用 --notice 给出），写上填写前给受访者看的"
                                         "说明（谁在问、是否匿名、答案保存多久）", number, "notice"))
    head = {"name": form_id, "kind": row.get("kind") or "resident", "version": row.get("version") or "1",
            "title": row.get("form_title") or form_id}
    if row.get("title_en"):
        head["title_en"] = row["title_en"]
    head["style"] = row.get("style") or "pages"
    head["notice"] = row.get("notice") or notice or ""
    document = {**head, **document}
    if problems:
        raise XLSFormRefused(problems)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
    try:
        load_questionnaire_text(text, path=path.with_suffix(".yaml"))
    except QuestionnaireError as exc:
        raise XLSFormRefused([_placed(exc, survey, rows_of)]) from None
    if notes:
        text = "".join(f"# {note}\n" for note in [f"由 {path.name} 导入：", *notes]) + text
    return Converted(text, notes)


def _placed(exc: QuestionnaireError, survey: _Sheet, rows_of: dict[str, int]) -> FormProblem:
    """A loader complaint ("business_overall.relevant: …") on the survey row and column."""
    name, _, key = exc.field.partition(".")
    if name in rows_of:
        return survey.problem(exc.message, rows_of[name], key.split("[")[0] or "name")
    return FormProblem(survey.file, survey.name, f"{exc.field}: {exc.message}" if exc.field else exc.message)


def _survey(survey: _Sheet, lists: dict[str, list[dict]], problems: list, notes: list
            ) -> tuple[dict, dict[str, int]]:
    sections: list[dict] = []
    used_lists: dict[str, list[dict]] = {}
    rows_of: dict[str, int] = {}
    current: dict | None = None
    #: The page made for questions outside any group, while such questions follow one another.
    loose: dict | None = None
    group_names = {row.get("name", "") for _, row in survey.rows}
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
            loose = None
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
        page = current
        if page is None:
            if loose is None:
                count = 1 + sum(1 for section in sections if section.get("loose"))
                section_name = f"{LOOSE_SECTION}{count}"
                while section_name in group_names:
                    section_name += "_"
                loose = {"name": section_name, "label": f"第 {count} 部分", "questions": [], "loose": number}
                sections.append(loose)
            page = loose
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
                question["type"] = "likert5"  # our scale; a list name of its own is kept below
            if question["type"] == "likert5" and choices_list == "likert5":
                pass
            elif row.get("catalogue"):
                question["catalogue"] = row["catalogue"]
            else:
                if _NAME.match(choices_list):
                    question["choices"] = choices_list
                    used_lists[choices_list] = items
                else:
                    question["choices"] = items
                    if not choices_list.startswith("_"):
                        notes.append(f"survey 第 {number} 行：选项列表名“{choices_list}”不符合我们的命名（小写字母开头），"
                                     f"选项直接写在题目 {name} 里")
        for key in ("indicator",):
            if row.get(key):
                question[key] = row[key]
        for key in ("satisfied", "dont_know", "top_choices"):
            if row.get(key):
                question[key] = _codes(row[key])
        if row.get("demand"):
            question["demand"] = row["demand"].lower() in YES
        rows_of[name] = number
        page["questions"].append(question)
    if current is not None:
        problems.append(survey.problem("分组没有结束：缺少 end_group", None))
    for section in sections:
        first = section.pop("loose", None)
        if first is not None:
            names = "、".join(q["name"] for q in section["questions"])
            notes.append(f"survey 第 {first} 行起不在分组里的题（{names}）放进了新的一页“{section['label']}”"
                         f"（{section['name']}）：我们的问卷按页（分组）显示")
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

