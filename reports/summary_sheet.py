"""The 汇总表 (summary sheet) of a campaign: one A4 page (PDF) and a spreadsheet (XLSX).

The spreadsheet is a flat table (a header row, one row per scored indicator, then the detail
items) so that a city can stack the sheets of all its circles. Every row goes through
:func:`reports.spreadsheet.append_row` (text cells are strings, never formulas, shown as
typed); numbers stay numbers, with percentage formats.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .campaign import _indicator_cards, _local_date, _num, _sample, count_text
from .rendering import chinese_date, pdf_timestamp, render_pdf
from .spreadsheet import append_row, csv_cell, xlsx_text

#: For CSV only (the apostrophe guard); XLSX writers use ``reports.spreadsheet.append_row``.
neutralise = csv_cell


def _sheet_context(summary: Mapping[str, Any], *, circle: Mapping[str, Any], assessor: str, report_number: str,
                   issued_on: date, fingerprint: str | None, rules_trial: bool,
                   questionnaire_title: str | None = None, firm: str | None = None,
                   corrects: str | None = None, correction_reason: str | None = None) -> dict:
    campaign = summary.get("campaign") or {}
    circle_name = circle.get("name") or campaign.get("circle_name") or "—"
    opens, closes = _local_date(campaign.get("opens_at")), _local_date(campaign.get("closes_at"))
    return {
        "doc": {"title": f"{circle_name} 汇总表", "author": assessor, "created": pdf_timestamp(issued_on)},
        "circle": {"name": circle_name,
                   "population": count_text(circle.get("population") or summary["sample"].get("population"))},
        "campaign": {"id": campaign.get("id"), "questionnaire": campaign.get("questionnaire"),
                     "title": questionnaire_title, "version": campaign.get("version"),
                     "fieldwork": f"{chinese_date(opens)} 至 {chinese_date(closes) if closes else '未设截止日期'}"
                     if opens else "—"},
        "assessor": assessor, "report_number": report_number, "issued_on": chinese_date(issued_on),
        "fingerprint": fingerprint, "rules_trial": rules_trial,
        "firm": firm, "corrects": corrects, "correction_reason": correction_reason,
        "sample": _sample(summary), "cards": _indicator_cards(summary),
    }


def summary_sheet_pdf(summary: dict, *, circle: dict, assessor: str, report_number: str, issued_on: date,
                      fingerprint: str | None = None, rules_trial: bool = True,
                      questionnaire_title: str | None = None, url_fetcher=None, preview: bool = False,
                      corrects: str | None = None, correction_reason: str | None = None,
                      firm: str | None = None) -> bytes:
    """The 汇总表 as one A4 page of PDF (same arguments → same bytes); ``preview``, ``corrects``,
    ``correction_reason`` and ``firm`` as in :func:`reports.campaign_report` (a correction is
    explained in the sign-off table, with its reason)."""
    context = _sheet_context(summary, circle=circle, assessor=assessor, report_number=report_number,
                             issued_on=issued_on, fingerprint=fingerprint, rules_trial=rules_trial,
                             questionnaire_title=questionnaire_title, firm=firm, corrects=corrects,
                             correction_reason=correction_reason)
    context.update(preview=preview)
    return render_pdf("summary_sheet.html", context, url_fetcher=url_fetcher)


# --- XLSX ---------------------------------------------------------------------------------------

HEADER = ("生活圈", "服务人口", "调查编号", "问卷", "问卷版本", "调查开始", "调查截止", "要求样本量", "有效样本量",
          "样本达标", "指标", "类别", "有效回答", "满意人数", "不清楚", "满意率", "误差范围下限", "误差范围上限",
          "临界", "得分", "满分", "评价机构", "报告编号", "报告日期", "数据指纹", "评分规则", "项目负责人",
          "更正并取代", "更正理由")
PERCENT_COLUMNS = {"满意率", "误差范围下限", "误差范围上限"}
WIDTHS = {"生活圈": 18, "指标": 34, "问卷": 12, "评价机构": 24, "报告编号": 16, "数据指纹": 24, "类别": 10,
          "调查开始": 12, "调查截止": 12, "报告日期": 12, "项目负责人": 14, "更正并取代": 16, "更正理由": 40}


def _row(base: list, label: Any, kind: str, item: Mapping[str, Any], points: Any, max_points: Any,
         tail: list) -> list:
    rate, low, high = _num(item.get("rate")), _num(item.get("ci_low")), _num(item.get("ci_high"))
    return base + [label, kind, _num(item.get("answered")), _num(item.get("satisfied")), _num(item.get("dont_know")),
                   rate, low, high, "是" if item.get("borderline") else "否", points, max_points] + tail


def _as_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def summary_sheet_xlsx(summary: dict, *, circle: dict, assessor: str, report_number: str, issued_on: date,
                       fingerprint: str | None = None, rules_trial: bool = True, firm: str | None = None,
                       corrects: str | None = None, correction_reason: str | None = None,
                       preview: bool = False) -> bytes:
    """The 汇总表 as an XLSX workbook: a header row, the two scored indicators, then the detail items.

    A ``preview`` says so where a reader looks without changing the table's shape (a city stacks
    the sheets): the sheet's tab, the workbook's title and the header of every printed page, as
    well as the number cell of every row.

    Every row carries the report's own facts (评价机构 = ``firm``, 项目负责人 = ``assessor``; with
    ``firm`` None the assessor is the 评价机构, as before firms were set) and, for a correction,
    the number it replaces and why, so a stacked city table still says which rows are corrections.

    Text cells are string cells showing what was typed (never formulas); counts are integers, rates are numbers
    in [0, 1] formatted as percentages. The same arguments give the same bytes (document dates
    from ``issued_on``, fixed timestamps inside the zip).
    """
    campaign = summary.get("campaign") or {}
    sample = summary["sample"]
    opens, closes = _local_date(campaign.get("opens_at")), _local_date(campaign.get("closes_at"))
    base = [circle.get("name") or campaign.get("circle_name"),
            _as_number(_num(circle.get("population") or sample.get("population"))),
            campaign.get("id"), campaign.get("questionnaire"), campaign.get("version"), opens, closes,
            _as_number(_num(sample.get("required"))), _as_number(_num(sample.get("valid"))),
            "是" if sample.get("met") else "否"]
    tail = [assessor if firm is None else firm, report_number, issued_on, fingerprint or "",
            "试行" if rules_trial else "正式", "" if firm is None else assessor, corrects or "",
            (correction_reason or "") if corrects else ""]
    rows = []
    for item in (summary.get("indicators") or {}).values():
        rows.append(_row(base, item.get("label"), "评分指标", item, _as_number(_num(item.get("points"))),
                         _as_number(_num(item.get("max_points"))), tail))
    for item in summary.get("details") or []:
        kind = {"business_detail": "业态细项", "service_detail": "服务细项"}.get(item.get("group"), "细项")
        rows.append(_row(base, item.get("label"), kind, item, None, None, tail))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总表（预览·未签发）" if preview else "汇总表"
    if preview:
        sheet.oddHeader.center.text = sheet.evenHeader.center.text = "预览 · 未签发"
        sheet.oddHeader.center.size = sheet.evenHeader.center.size = 16
    append_row(sheet, HEADER)
    for row in rows:
        append_row(sheet, [_as_number(v) if isinstance(v, float) else v for v in row])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, name in enumerate(HEADER, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, max(10, 2 * len(name) + 2))
        for cell in sheet[letter][1:]:
            if name in PERCENT_COLUMNS and isinstance(cell.value, (int, float)):
                cell.number_format = "0.0%"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.number_format = "#,##0"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{len(rows) + 1}"

    stamp = datetime.combine(issued_on, time(0, 0))
    workbook.properties.creator = xlsx_text(assessor)
    workbook.properties.title = xlsx_text(f"{base[0]} 汇总表" + ("（预览·未签发）" if preview else ""))
    workbook.properties.created = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fix_zip(buffer.getvalue(), stamp)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fix_zip(data: bytes, stamp: datetime) -> bytes:
    """Make the workbook reproducible: openpyxl stamps "now" into docProps/core.xml and the zip
    entries; use ``stamp`` for both."""
    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, body)
    return out.getvalue()


def city_summary_pdf(sheets: list[dict], *, title: str, assessor: str, issued_on: date, url_fetcher=None,
                     firm: str | None = None) -> bytes:
    """The 汇总表 of many circles in one PDF, one A4 page each (the city overview's export).

    ``sheets``: one ``{"summary", "circle", "report_number", "questionnaire_title"}`` per page,
    rendered exactly as :func:`summary_sheet_pdf` renders one (``firm`` as there)."""
    pages = [_sheet_context(sheet["summary"], circle=sheet["circle"], assessor=assessor,
                            report_number=sheet.get("report_number") or "—", issued_on=issued_on,
                            fingerprint=sheet.get("fingerprint"), rules_trial=sheet.get("rules_trial", True),
                            questionnaire_title=sheet.get("questionnaire_title"), firm=firm)
             for sheet in sheets]
    context = {"doc": {"title": title, "author": assessor, "created": pdf_timestamp(issued_on)}, "pages": pages}
    return render_pdf("city_summary_sheets.html", context, url_fetcher=url_fetcher)
