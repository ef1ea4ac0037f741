"""The entry template: an XLSX made from a campaign's questionnaire for typing paper forms.

The first sheet is what :mod:`surveyapp.responses.importer` reads: row 1 holds the column
names it expects (``serial`` and every answerable question's name), each header cell carries
the question's wording as a note, and every single-choice column has a drop-down of its
allowed codes (Excel's data validation), so a typist can only pick a code the import accepts.
Number columns refuse what is not a number in range. The second sheet lists every question
with its codes and labels, so the person typing can read 4 as 满意.

Written from the campaign's frozen questionnaire (by hash), so the template always matches
what the import will check. Every text cell goes through ``reports.spreadsheet.append_row``.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.spreadsheet import append_row, xlsx_text

from ..questionnaire import LIKERT5_CHOICES
from .importer import SERIAL_COLUMN, SINGLE_CHOICE_TYPES

ENTRY_SHEET = "录入"
CODES_SHEET = "选项说明"
#: Rows of the entry sheet that get the drop-downs (a batch of paper forms is far smaller).
VALIDATED_ROWS = 5000
TYPE_LABELS = {"select_one": "单选", "likert5": "单选（满意度）", "select_multiple": "多选",
               "integer": "整数", "decimal": "数字", "text": "文字", "geopoint": "位置", "time": "时间"}
#: Drop-downs point at the codes on the second sheet rather than listing them inline: Excel
#: refuses an inline list longer than 255 characters (a catalogue question has dozens of codes).
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def choices_of(question, communities: Sequence[str]):
    """The codes a question accepts, in the order the paper form shows them."""
    if question.type == "likert5" and not question.choices:
        return LIKERT5_CHOICES
    return question.choices_for(communities)


def _note(question, choices) -> str:
    text = f"{question.label}（{TYPE_LABELS.get(question.type, question.type)}"
    text += "，必答）" if question.required else "）"
    if question.type in SINGLE_CHOICE_TYPES and choices:
        text += "\n从下拉列表选择代码：" + "；".join(f"{c.name}={c.label}" for c in choices[:12])
        if len(choices) > 12:
            text += "……（全部见“选项说明”表）"
    elif question.is_multi:
        text += "\n填写所选各项的代码，用空格或逗号分隔，如 1 3（代码见“选项说明”表）"
    if question.hint:
        text += f"\n提示：{question.hint}"
    return text


def entry_template_xlsx(questionnaire, communities: Sequence[str] = (), *, title: str = "") -> bytes:
    """The entry template of ``questionnaire`` for a circle with ``communities`` (the codes of
    a community question), as XLSX bytes."""
    workbook = Workbook()
    entry = workbook.active
    entry.title = ENTRY_SHEET
    codes = workbook.create_sheet(CODES_SHEET)

    questions = list(questionnaire.answerable_questions())
    append_row(entry, [SERIAL_COLUMN, *(q.name for q in questions)])
    bold = Font(bold=True)
    for cell in entry[1]:
        cell.font, cell.fill = bold, HEADER_FILL
    entry["A1"].comment = Comment(xlsx_text("问卷编号（纸质问卷上印的号码，可不填）。编号重复的问卷会保存但不计入有效样本。"),
                                  "surveyapp", width=260, height=90)
    entry.column_dimensions["A"].width = 12
    entry.freeze_panes = "B2"

    append_row(codes, [f"{title or questionnaire.title}：纸质问卷录入说明"])
    codes["A1"].font = Font(bold=True, size=13)
    append_row(codes, ["“录入”表第 1 行是题目名称（列名），请勿修改；从第 2 行起每行录入一份纸质问卷。"
                       "单选题从下拉列表选择代码；多选题填写代码，用空格或逗号分隔；未作答的题留空。"
                       "录好后在网页上“上传纸质问卷”，系统会先检查全部内容，有问题时一条都不保存。"])
    codes.merge_cells("A2:F2")
    codes["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    codes.row_dimensions[2].height = 48
    append_row(codes, [])
    append_row(codes, ["列", "题目名称", "题目", "题型", "代码", "选项"])
    for cell in codes[4]:
        cell.font, cell.fill = bold, HEADER_FILL
    for letter, width in zip("ABCDEF", (6, 22, 40, 14, 10, 30)):
        codes.column_dimensions[letter].width = width

    for index, question in enumerate(questions, start=2):
        letter = get_column_letter(index)
        choices = choices_of(question, communities) if (question.is_select or question.type == "likert5") else ()
        entry.cell(row=1, column=index).comment = Comment(xlsx_text(_note(question, choices)), "surveyapp",
                                                         width=320, height=160)
        entry.column_dimensions[letter].width = max(10, min(24, len(question.name) + 2))
        first = codes.max_row + 1
        kind = TYPE_LABELS.get(question.type, question.type) + ("，必答" if question.required else "")
        if choices:
            for number, choice in enumerate(choices):
                append_row(codes, [letter if number == 0 else "", question.name if number == 0 else "",
                                   question.label if number == 0 else "", kind if number == 0 else "",
                                   choice.name, choice.label])
        else:
            append_row(codes, [letter, question.name, question.label, kind, "", ""])
        last = codes.max_row
        rows = f"{letter}2:{letter}{VALIDATED_ROWS + 1}"
        validation = None
        if question.type in SINGLE_CHOICE_TYPES and choices:
            validation = DataValidation(type="list", formula1=f"'{CODES_SHEET}'!$E${first}:$E${last}",
                                        allow_blank=True)
            validation.error = "请从下拉列表中选择代码（代码及含义见“选项说明”表）"
        elif question.type in ("integer", "decimal"):
            low = question.min if question.min is not None else -1_000_000_000
            high = question.max if question.max is not None else 1_000_000_000
            validation = DataValidation(type="whole" if question.type == "integer" else "decimal",
                                        operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
            validation.error = f"请填写 {low:g} 到 {high:g} 之间的{'整数' if question.type == 'integer' else '数字'}"
        if validation is not None:
            validation.errorTitle = "代码不在选项中" if validation.type == "list" else "数字不对"
            validation.showErrorMessage = True
            validation.prompt = xlsx_text(question.label[:250])
            validation.showInputMessage = True
            entry.add_data_validation(validation)
            validation.add(rows)
    codes.freeze_panes = "A5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
