"""Writing a :class:`~surveyapp.exports.dataset.Dataset` in the formats statisticians open.

- XLSX (openpyxl, through :func:`reports.spreadsheet.append_row`: no cell is ever a formula):
  sheets 代码 (codes), 标签 (labels), 变量 (variables) and 说明 (notes).
- CSV (UTF-8 with BOM, so Excel in China opens it; cells guarded by ``csv_cell``): codes or labels.
- SPSS ``.sav`` and Stata ``.dta`` with pyreadstat (the ReadStat C library, maintained, used
  by R's haven): variable labels, value labels, SPSS user-missing codes and measurement levels.
  Stata has no user-missing values for whole numbers: there -1 and -8 carry value labels.
"""
from __future__ import annotations

import csv
import io
import math
import os
import tempfile

from openpyxl import Workbook

from reports.spreadsheet import append_row, csv_cell

from .dataset import MISSING_LABELS, Dataset

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel（代码与标签）"),
    "csv": ("text/csv; charset=utf-8", "csv", "CSV（代码）"),
    "labels.csv": ("text/csv; charset=utf-8", "labels.csv", "CSV（标签）"),
    "sav": ("application/x-spss-sav", "sav", "SPSS .sav"),
    "dta": ("application/x-stata-dta", "dta", "Stata .dta"),
}


def _cell(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _labelled_rows(dataset: Dataset):
    for row in dataset.rows:
        yield [_cell(dataset.label_of(v, row.get(v.name))) for v in dataset.variables]


def _coded_rows(dataset: Dataset):
    for row in dataset.rows:
        yield [_cell(row.get(v.name)) for v in dataset.variables]


def to_xlsx(dataset: Dataset) -> bytes:
    workbook = Workbook()
    codes = workbook.active
    codes.title = "代码"
    labels = workbook.create_sheet("标签")
    for sheet, rows in ((codes, _coded_rows(dataset)), (labels, _labelled_rows(dataset))):
        append_row(sheet, dataset.names)
        for values in rows:
            append_row(sheet, values)
        sheet.freeze_panes = "B2"
    variables = workbook.create_sheet("变量")
    append_row(variables, ["变量名", "变量标签", "类型", "取值标签", "缺失值代码"])
    for v in dataset.variables:
        append_row(variables, [v.name, v.label, "数值" if v.kind == "numeric" else "文字",
                               "；".join(f"{k}={label}" for k, label in v.value_labels.items()),
                               "、".join(f"{code}={MISSING_LABELS[code]}" for code in v.missing)])
    notes = workbook.create_sheet("说明")
    for line in [dataset.title, *dataset.notes,
                 "缺失值：-1 = 不清楚；-8 = 未问（跳题未显示）；空白 = 显示了但未回答",
                 "不含设备标识、提交时刻、问卷纸质编号等可识别个人的信息"]:
        append_row(notes, [line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(dataset: Dataset, labelled: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in dataset.names])
    for values in (_labelled_rows(dataset) if labelled else _coded_rows(dataset)):
        writer.writerow(["" if value is None else csv_cell(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _frame(dataset: Dataset):
    import pandas as pd

    columns = {}
    for v in dataset.variables:
        values = [row.get(v.name) for row in dataset.rows]
        if v.kind == "numeric":
            columns[v.name] = pd.Series([math.nan if x is None else float(x) for x in values], dtype="float64")
        else:
            columns[v.name] = pd.Series(["" if x is None else str(x) for x in values], dtype="object")
    return pd.DataFrame(columns, columns=dataset.names)


def _write_with(writer, dataset: Dataset, suffix: str, **options) -> bytes:
    """pyreadstat writes to a path: a private temporary file, read back and removed."""
    handle, path = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        writer(_frame(dataset), path, column_labels={v.name: v.label for v in dataset.variables},
               variable_value_labels={v.name: {float(k): text for k, text in v.value_labels.items()}
                                      for v in dataset.variables if v.kind == "numeric" and v.value_labels},
               **options)
        with open(path, "rb") as written:
            return written.read()
    finally:
        os.unlink(path)


def to_sav(dataset: Dataset) -> bytes:
    import pyreadstat

    return _write_with(pyreadstat.write_sav, dataset, ".sav",
                       file_label=dataset.title[:64],
                       missing_ranges={v.name: list(v.missing) for v in dataset.variables if v.missing},
                       variable_measure={v.name: v.measure for v in dataset.variables})


def to_dta(dataset: Dataset) -> bytes:
    import pyreadstat

    return _write_with(pyreadstat.write_dta, dataset, ".dta", file_label=dataset.title[:80])


def write(dataset: Dataset, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(dataset)
    if fmt == "csv":
        return to_csv(dataset)
    if fmt == "labels.csv":
        return to_csv(dataset, labelled=True)
    if fmt == "sav":
        return to_sav(dataset)
    if fmt == "dta":
        return to_dta(dataset)
    raise KeyError(fmt)
