"""The city overview as a spreadsheet: one row per circle, the table a bureau forwards.

Every row goes through :func:`reports.spreadsheet.append_row` (a circle name typed as
``=…`` stays text); rates stay numbers formatted as percentages.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.spreadsheet import append_row

from .queries import INDICATORS, CircleRow

HEADER = ("生活圈", "服务人口", "城市等级", "居民调查编号", "调查状态", "剩余天数", "有效问卷", "要求样本量",
          "样本达标", "业态满意率", "业态满意得分", "服务满意率", "服务满意得分", "最近评价轮次", "评价状态",
          "类型", "星级", "等级", "报告编号", "需要处理")
PERCENT = {"业态满意率", "服务满意率"}


def _rate_cells(row: CircleRow, key: str) -> list:
    rate = row.rates.get(key)
    if rate is None:
        return [None, None]
    if not rate.assessable:
        return ["无法评价", 0]
    return [rate.rate, rate.points]


def overview_xlsx(rows: list[CircleRow], *, title: str = "生活圈总览") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "生活圈总览"
    append_row(sheet, HEADER)
    for row in rows:
        met = None if row.met is None else ("是" if row.met else "否")
        cells = [row.name, row.population, row.tier_label, row.campaign_id, row.survey_label, row.days_left,
                 row.valid, row.required, met]
        for key in INDICATORS:
            cells.extend(_rate_cells(row, key))
        cells.extend([row.round, row.round_label, row.final_type, row.stars, row.grade, row.report_number,
                      "；".join(row.attention)])
        append_row(sheet, cells)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for index, name in enumerate(HEADER, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = {"生活圈": 20, "需要处理": 40, "报告编号": 16}.get(name, 11)
        if name in PERCENT:
            for cell in sheet[letter][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{len(rows) + 1}"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
