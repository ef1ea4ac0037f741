"""The cells of one XLSX worksheet, streamed with the standard library's expat parser.

openpyxl still opens the workbook (shared strings, which styles are dates, the date epoch,
where the sheet is); only the sheet's own XML is read here. openpyxl's read-only parser builds
an element tree for every cell and parses its coordinate, which made a 问卷星 export of 2,000
rows × 75 columns take about 2.7 s of CPU to read; expat's callbacks on plain strings take
about a fifth of that. Faster readers exist (calamine, in Rust), but they build the whole
sheet as one dense grid, so a single stray cell at XFD1048576 makes them ask for hundreds of
gigabytes and abort the process, and they do not say which cells hold formulas, which the
importers refuse. Here cells are met one by one as stored, in rows, and a formula is seen.

Values are what openpyxl would give: shared and inline strings as text, numbers as int or
float, date-styled numbers as datetimes (timedelta for duration styles), booleans, errors as
their text ("#N/A"). A document type declaration (the way to entity bombs) is refused.
"""
from __future__ import annotations

from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.utils.datetime import from_excel, from_ISO8601

#: Bytes fed to the parser at a time: rows come out as they are read, so a file past a cap
#: stops early.
CHUNK = 1 << 16


class BadSheet(ValueError):
    """The sheet's XML is not what an XLSX worksheet holds."""


#: One parsed cell: 0-based column, the value, and the formula text ("=A1+1") or None.
Cell = tuple[int, object, "str | None"]


def _column_index(letters: str, known: dict[str, int]) -> int:
    index = known.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            if not "A" <= letter <= "Z":
                raise BadSheet(letters)
            index = index * 26 + ord(letter) - 64
        index -= 1
        known[letters] = index
    return index


def _refuse_doctype(*_args) -> None:
    raise BadSheet("DOCTYPE")


def iter_rows(source, shared_strings, date_styles=frozenset(), timedelta_styles=frozenset(), epoch=None
              ) -> Iterator[tuple[int, list[Cell]]]:
    """(1-based row number, its cells in stored order) for each ``<row>`` of the worksheet XML
    read from the binary file ``source``. Rows without cells are not given."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    done: list[tuple[int, list[Cell]]] = []
    known: dict[str, int] = {}
    names: dict[str, str] = {}
    # Parser state, kept in the closure (attribute look-ups on an object cost more per cell).
    row_number = 0
    column = -1
    cells: list[Cell] = []
    cell_type = "n"
    style = 0
    text: list[str] = []
    collecting = False
    in_phonetic = 0
    formula: str | None = None
    value_text: str | None = None

    def start(name: str, attrs: dict) -> None:
        nonlocal row_number, column, cells, cell_type, style, collecting, in_phonetic, formula, value_text
        tag = names.get(name)
        if tag is None:  # the tag without a prefix ("x:c" → "c"): some writers prefix the namespace
            tag = names[name] = name.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                column = _column_index(ref.rstrip("0123456789"), known)
            else:
                column += 1
            cell_type = attrs.get("t", "n")
            style = int(attrs.get("s") or 0)
            formula = None
            value_text = None
        elif tag == "v":
            text.clear()
            collecting = True
        elif tag == "t":
            if not in_phonetic:
                collecting = True  # inline string runs: keep gathering into one text
        elif tag == "is":
            text.clear()
        elif tag == "f":
            text.clear()
            collecting = True
        elif tag == "rPh":
            in_phonetic += 1
        elif tag == "row":
            number = attrs.get("r")
            row_number = int(float(number)) if number else row_number + 1
            column = -1
            cells = []

    def end(name: str) -> None:
        nonlocal collecting, in_phonetic, formula, value_text
        tag = names.get(name)
        if tag is None:
            tag = names[name] = name.rpartition(":")[2]
        if tag == "c":
            cells.append((column, _value(cell_type, style, formula, value_text), formula))
        elif tag == "v":
            value_text = "".join(text)
            collecting = False
        elif tag == "t":
            collecting = False
        elif tag == "is":
            value_text = "".join(text)
        elif tag == "f":
            formula = "=" + "".join(text)
            collecting = False
        elif tag == "rPh":
            in_phonetic -= 1
        elif tag == "row":
            if cells:
                done.append((row_number, cells))

    def characters(data: str) -> None:
        if collecting:
            text.append(data)

    def _value(kind: str, style_id: int, formula_text, raw):
        if formula_text is not None:
            return formula_text
        if raw is None or (raw == "" and kind != "inlineStr"):
            return None
        if kind == "n":
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            if style_id in date_styles:
                try:
                    return from_excel(number, epoch, timedelta=style_id in timedelta_styles)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return shared_strings[int(raw)]
        if kind in ("str", "inlineStr", "e"):
            return raw
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        while True:
            chunk = source.read(CHUNK)
            parser.Parse(chunk, not chunk)
            if done:
                yield from done
                done.clear()
            if not chunk:
                return
    except expat.ExpatError as exc:
        raise BadSheet(str(exc)) from exc
    except (IndexError, KeyError) as exc:  # a shared string index past the table
        raise BadSheet(str(exc)) from exc
