"""The two lists out of the system: a PDF (reports.rendering.render_pdf with
``templates/reports/community_lists.html``) and an XLSX workbook.

Both are built from one plain document (:func:`lists_document`), so the printout and the
spreadsheet say the same thing. Every row of the workbook goes through
``reports.spreadsheet.append_row``: project titles, notes and reasons are typed by staff and
could start with ``=``; they are written as string cells, shown as typed and never evaluated.
"""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.rendering import chinese_date, pdf_timestamp, render_pdf
from reports.spreadsheet import append_row
from reports.walk_coverage import coverage_context

from . import queries


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change_text(change: dict | None) -> str:
    if not change or change.get("difference") is None:
        return "—"
    points = change["difference"] * 100
    verdict = "变化明显" if change["significant"] else "在抽样误差范围内"
    p = f"，偶然概率 {change['p_value']:.3f}" if change.get("p_value") is not None else ""
    return f"{_pct(change['before_rate'])} → {_pct(change['after_rate'])}（{points:+.1f} 个百分点，{verdict}{p}）"


def lists_document(session, circle, today: date) -> dict:
    """Everything both exports print, as plain values."""
    listing = queries.demand_list(session, circle)
    labels = listing["labels"]
    project_rows = [queries.project_detail(session, queries.project_of_circle(session, circle.id, p["id"]), labels)
                    for p in queries.projects(session, circle.id, labels)]
    latest = listing["latest"]
    return {
        "circle": {"id": circle.id, "name": circle.name, "population": circle.population},
        "today": today,
        "listing": listing,
        "latest": latest,
        "previous": listing["previous"],
        "projects": project_rows,
    }


# --- PDF ---------------------------------------------------------------------------------------

def _pdf_context(document: dict) -> dict:
    latest, previous = document["latest"], document["previous"]
    listing = document["listing"]

    def campaign_text(demand):
        if demand is None:
            return "—"
        c = demand["campaign"]
        return f"第 {c['id']} 号调查（{chinese_date(c['opens_on'])} 开始）"

    items = []
    for row in listing["items"]:
        items.append({
            "rank": row["rank"], "label": row["label"], "count": row["count"], "share": _pct(row["share"]),
            "interval": f"{_pct(row['ci_low'])} – {_pct(row['ci_high'])}", "inventory": row["inventory"]["text"],
            "gap": row["inventory"]["kind"] == "gap", "far": row.get("far"),
            "projects": "；".join(f"{p['title']}（{p['status_label']}）" for p in row["projects"]) or "—",
            "decision": row["decision"]["reason"] if row["decision"] else "",
            "change": _change_text(row["change"]), "timing": row["timing"],
        })
    walking = [{"label": w["label"], "answered": w["answered"], "suppressed": w["suppressed"],
                "median": "—" if w["suppressed"] else f"{w['median_minutes']:g} 分钟",
                "within": "—" if w["suppressed"] else _pct(w["share_within_15"])}
               for w in listing["walking"]]
    projects = [{
        "id": p["id"], "title": p["title"], "type_label": p["type_label"],
        "demands": "、".join(d["label"] for d in p["demands"]), "action": p["action"] or "—",
        "responsible": p["responsible"], "planned_on": chinese_date(p["planned_on"]) if p["planned_on"] else "—",
        "status_label": p["status_label"],
        "completed_on": chinese_date(p["completed_on"]) if p["completed_on"] else "",
        "notes": [{"on": chinese_date(n["noted_on"]), "text": n["text"], "status": n["status_label"] or ""}
                  for n in p["notes"]],
    } for p in document["projects"]]
    name = document["circle"]["name"]
    return {
        "doc": {"title": f"{name} 需求清单与项目清单", "author": name, "created": pdf_timestamp(document["today"])},
        "circle": document["circle"], "printed_on": chinese_date(document["today"]),
        "latest": campaign_text(latest), "previous": campaign_text(previous) if previous else None,
        "respondents": latest["respondents"] if latest else 0,
        "suppressed": bool(latest and latest["suppressed"]), "has_survey": latest is not None,
        "question": latest["question"] if latest else "",
        "comparable": bool(listing.get("comparable")), "min_group": queries.MIN_GROUP,
        "inventory": (f"第 {listing['inventory']['round']} 轮评价（{chinese_date(listing['inventory']['evaluated_on'])}）"
                      if listing["inventory"] else None),
        "items": items, "unnamed": [r["label"] for r in listing["unnamed"]],
        "walking": walking, "projects": projects,
        "walk_coverage": coverage_context(listing.get("walk_coverage"), highlight=_far_types(listing)),
    }


def _far_types(listing: dict) -> list[str]:
    return [row["code"] for row in listing["items"] if row.get("far")]


def lists_pdf(document: dict) -> bytes:
    context = _pdf_context(document)
    return render_pdf("community_lists.html", context,
                      identifier=f"community-{document['circle']['id']}-{document['today'].isoformat()}")


# --- XLSX --------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="ECEAE4")


def _sheet(workbook, title: str, header: list[str], rows: list[list], widths: list[int], percent_columns=()):
    sheet = workbook.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        append_row(sheet, row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column in percent_columns:
        for cell in sheet[get_column_letter(column)][1:]:
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
    sheet.freeze_panes = "A2"
    return sheet


def lists_xlsx(document: dict) -> bytes:
    listing = document["listing"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    demand_rows = []
    for row in listing["items"]:
        change = row["change"] or {}
        demand_rows.append([
            row["rank"], row["label"], row["code"], row["count"], listing["latest"]["respondents"], row["share"],
            row["ci_low"], row["ci_high"], row["inventory"]["text"], row["inventory"]["outlets"],
            "；".join(f"{p['title']}（{p['status_label']}）" for p in row["projects"]),
            row["decision"]["reason"] if row["decision"] else "",
            change.get("before_rate"), change.get("difference"), change.get("p_value"),
            ("是" if change.get("significant") else "否") if change.get("difference") is not None else "",
        ])
    _sheet(workbook, "需求清单",
           ["排名", "业态", "代码", "提及人数", "回答人数", "占比", "误差范围下限", "误差范围上限", "业态清单对照",
            "清单网点数", "项目", "不予实施的理由", "上一轮占比", "变化", "偶然概率", "变化是否明显"],
           demand_rows, [6, 22, 18, 9, 9, 9, 11, 11, 30, 10, 36, 30, 11, 9, 8, 10], percent_columns=(6, 7, 8, 13, 14))
    walking_rows = [[w["label"], w["answered"], None if w["suppressed"] else w["median_minutes"],
                     None if w["suppressed"] else w["share_within_15"],
                     f"回答不足 {queries.MIN_GROUP} 人，不显示" if w["suppressed"] else ""]
                    for w in listing["walking"]]
    _sheet(workbook, "步行时间", ["问题", "回答人数", "中位数（分钟）", "15分钟内占比", "说明"], walking_rows,
           [50, 10, 14, 14, 24], percent_columns=(4,))
    project_rows, note_rows = [], []
    for p in document["projects"]:
        project_rows.append([p["id"], p["title"], p["type_label"], "、".join(d["label"] for d in p["demands"]),
                             p["action"], p["responsible"], p["planned_on"], p["status_label"], p["completed_on"]])
        for n in p["notes"]:
            note_rows.append([p["id"], p["title"], n["noted_on"], n["status_label"] or "", n["text"], n["by"]])
    projects = _sheet(workbook, "项目清单", ["编号", "项目名称", "业态类型", "回应的需求", "做什么", "责任人或责任单位",
                                          "计划完成日期", "状态", "完成日期"],
                      project_rows, [7, 28, 18, 28, 40, 18, 13, 9, 13])
    notes = _sheet(workbook, "项目进展", ["项目编号", "项目名称", "日期", "状态变为", "进展情况", "记录人"], note_rows,
                   [9, 28, 13, 10, 60, 14])
    for sheet, columns in ((projects, ("G", "I")), (notes, ("C",))):
        for column in columns:
            for cell in sheet[column][1:]:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
