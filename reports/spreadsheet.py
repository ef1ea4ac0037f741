"""Text in spreadsheets exactly as it was typed, never evaluated (formula injection).

- **XLSX** (:func:`append_row`): a text cell is written as a string cell (``t="inlineStr"``),
  which no spreadsheet program evaluates, so ``=1+1`` shows as ``=1+1`` with no visible
  apostrophe; a text starting with a formula trigger also gets Excel's "quote prefix" style,
  so that editing the cell and pressing Enter keeps it text. Characters a worksheet cannot hold
  (most C0 controls) are dropped.
- **CSV** (:func:`csv_cell`): a CSV cell has no type, and Excel evaluates ``=…`` when it opens
  the file, so there the leading apostrophe is the only guard and is kept.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_text(value: Any) -> Any:
    """``value`` with the characters a worksheet cannot hold removed (other types unchanged)."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def append_row(sheet, values) -> None:
    """Append ``values`` to an openpyxl worksheet; every text cell is a string cell (never a
    formula) showing exactly the text given. Numbers, dates, booleans and None stay as they are."""
    sheet.append([xlsx_text(value) for value in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True


def csv_cell(value: Any) -> Any:
    """A value safe in a CSV cell: text starting with ``= + - @``, tab or CR gets a leading
    single quote (``'=1+1``), the only way CSV has to say "this is text"."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
