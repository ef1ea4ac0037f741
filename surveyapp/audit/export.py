"""The audit log as XLSX or CSV: every text cell neutralised (an actor or summary typed as
``=…`` stays text), times in local time."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.spreadsheet import append_row, csv_cell

from .queries import action_label, changes_text, target_label

HEADER = ("编号", "时间", "操作人", "角色", "操作", "操作代码", "对象", "生活圈编号", "说明", "变更（前 → 后）", "地址")


def _cells(entry, when: str, names) -> list:
    return [entry.id, when, entry.actor, entry.role, action_label(entry.action), entry.action, target_label(entry),
            entry.circle_id, entry.summary, changes_text(entry, names), entry.address]


def audit_xlsx(entries, when, names=None) -> bytes:
    """``when(entry)`` gives the entry's local time as text; ``names`` circle names by id."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "操作记录"
    append_row(sheet, HEADER)
    for entry in entries:
        append_row(sheet, _cells(entry, when(entry), names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJK", (8, 18, 14, 8, 16, 22, 16, 10, 40, 60, 16)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def audit_csv(entries, when, names=None) -> bytes:
    """UTF-8 with BOM, so that Excel in China opens it with the right characters."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for entry in entries:
        writer.writerow([csv_cell(value) for value in _cells(entry, when(entry), names)])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
