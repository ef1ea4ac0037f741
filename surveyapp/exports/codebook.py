"""The codebook of a questionnaire: every exported variable with its label, type, codes, skip
condition and the indicator it feeds, as XLSX and PDF (no Flask: CLI and page give the same
bytes). Built from the same variables as the data files, so the two never disagree."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from reports.rendering import pdf_timestamp, render_pdf
from reports.spreadsheet import append_row

from .dataset import MISSING_LABELS, OPEN_TEXT_MARK, Variable, build_variables

INDICATOR_LABELS = {
    "business_satisfaction": "服务“好不好”第 2 项 业态满意（总体题，计分）",
    "service_satisfaction": "服务“好不好”第 3 项 服务满意（总体题，计分）",
    "business_detail": "业态满意的细项（解释用，不计分）",
    "service_detail": "服务满意的细项（解释用，不计分）",
}
TYPE_LABELS = {
    "select_one": "单选", "select_multiple": "多选（每个选项一列 0/1）", "likert5": "五级满意度",
    "integer": "整数", "decimal": "小数", "text": "开放题（文字）", "time": "时刻（文字）", "geopoint": "位置（文字）",
}
HEADER = ["变量名", "变量标签", "类型", "取值与代码", "缺失值代码", "跳题条件（何时询问）", "所属指标", "来源题目"]


@dataclass(frozen=True)
class CodebookRow:
    name: str
    label: str
    type: str
    codes: str
    missing: str
    skip: str
    indicator: str
    question: str

    def cells(self) -> list[str]:
        return [self.name, self.label, self.type, self.codes, self.missing, self.skip, self.indicator, self.question]


def _row(variable: Variable, demand: set[str]) -> CodebookRow:
    if variable.source_type:
        kind = TYPE_LABELS.get(variable.source_type, variable.source_type)
    else:
        kind = "数值" if variable.kind == "numeric" else "文字"
    if variable.open_text:
        kind += "；仅评价机构导出"
    codes = "；".join(f"{code}={label}" for code, label in variable.value_labels.items() if code not in MISSING_LABELS)
    if variable.codes and variable.question:
        stored = "，".join(f"{name}→{number}" for name, number in variable.codes.items())
        codes += f"（问卷中的选项代码：{stored}）"
    if variable.option is not None:
        codes = f"0=未选；1=选中（选项代码 {variable.option}）"
    if variable.note:
        codes = f"{codes}。{variable.note}" if codes else variable.note
    indicator = INDICATOR_LABELS.get(variable.indicator or "", variable.indicator or "")
    if variable.question in demand:
        indicator = "需求清单（居民说缺少的业态）"
    return CodebookRow(
        name=variable.name, label=variable.label.removeprefix(OPEN_TEXT_MARK), type=kind, codes=codes,
        missing="、".join(f"{code}={MISSING_LABELS[code]}" for code in variable.missing),
        skip=f"仅当 {variable.relevant} 时询问" if variable.relevant else ("" if not variable.question else "总是询问"),
        indicator=indicator, question=variable.question or "（质量与渠道信息）",
    )


def codebook_rows(questionnaire, communities: Sequence[str] = ()) -> list[CodebookRow]:
    demand = {q.name for q in questionnaire.demand_questions()}
    return [_row(v, demand) for v in build_variables(questionnaire, communities, open_text=True)]


def codebook_xlsx(questionnaire, communities: Sequence[str] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "变量"
    append_row(sheet, HEADER)
    for row in codebook_rows(questionnaire, communities):
        append_row(sheet, row.cells())
    sheet.freeze_panes = "B2"
    about = workbook.create_sheet("说明")
    for line in _notes(questionnaire):
        append_row(about, [line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _notes(questionnaire) -> list[str]:
    return [
        f"{questionnaire.title}（{questionnaire.name}，版本 {questionnaire.version}，内容指纹 {questionnaire.content_hash[:12]}）",
        "缺失值：-1 = 不清楚（不计入满意率的分母）；-8 = 未问（跳题条件不成立）；空白 = 显示了但未回答。",
        "满意率 = 选“非常满意”“满意”的人数 ÷ 除“不清楚”以外的回答人数。",
        "开放题原文只在评价机构的导出中出现，变量标签以“【开放题原文，仅限评价机构】”开头。",
    ]


def codebook_pdf(questionnaire, communities: Sequence[str] = (), printed_on: date | None = None) -> bytes:
    printed_on = printed_on or date.today()
    return render_pdf("codebook.html", {
        "questionnaire": questionnaire, "header": HEADER, "rows": codebook_rows(questionnaire, communities),
        "notes": _notes(questionnaire), "printed_on": printed_on.isoformat(),
        "doc": {"title": f"{questionnaire.title} 编码手册", "author": "一刻钟便民生活圈调查评价平台",
                "created": pdf_timestamp(printed_on)},
    }, identifier=f"codebook-{questionnaire.content_hash[:16]}")
