"""Paper questionnaires typed into a spreadsheet (CSV or XLSX), checked and stored.

Assessors type many paper forms in one go, so the import reports every problem in the file
at once, each with the row number and column letter they see in Excel, instead of stopping
at the first. A file with any problem stores nothing: fixing the sheet and importing it again
must never create duplicates of the rows that were fine the first time.

Answers are checked by :func:`surveyapp.questionnaire.validate_answers`, the same function
that checks the phone form, so a paper questionnaire is held to exactly the same rules. The
only difference is a required question left empty: on paper that is a fact about the form
the resident handed back, not a typing mistake, so the row is stored as incomplete (and the
write path excludes it) rather than refused.
"""
from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import Session, select

from ..audit.operations import record
from ..circles.queries import community_choices
from ..models import Campaign, Channel, Response
from ..models.timeutil import utcnow
from ..questionnaire import validate_answers
from ..questionnaire.expressions import MULTI_SEPARATORS
from ..textinput import UnreadableText, clean_text
from .operations import SERIAL_LOOKUP_CHUNK, NewResponse, record_many

#: Optional column holding the number printed on the paper form (not a question).
SERIAL_COLUMN = "serial"
#: Longest serial the database keeps (Response.serial).
SERIAL_MAX_LENGTH = 64
#: Longest cell value quoted in a problem; the full value stays in ``Problem.value``.
SHOWN_VALUE_LENGTH = 40
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
#: Question types answered with exactly one code.
SINGLE_CHOICE_TYPES = ("select_one", "likert5")

MSG_NO_FILE = "找不到这个文件，或无法打开"
MSG_SUFFIX = "不支持这种文件，请在 Excel 中另存为 .xlsx 或 .csv（UTF-8）后再导入"
MSG_ENCODING = "无法识别文件的编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入"
MSG_BAD_CSV = "CSV 文件格式有误，请在 Excel 中重新另存为 CSV 后再导入"
MSG_BAD_XLSX = "无法读取这个 Excel 文件，请确认它是 .xlsx 格式且没有损坏"
MSG_EMPTY_FILE = "文件是空的：第 1 行应为列名（题目名称）"
MSG_NO_ROWS = "文件中没有问卷数据：从第 2 行起每行填一份问卷"
MSG_UNKNOWN_COLUMN = "问卷中没有这一题，请检查列名"
MSG_NOTE_COLUMN = "这一题只是说明文字，没有答案，请删除这一列"
MSG_DUPLICATE_COLUMN = "列名重复，每一题只能有一列"
MSG_MISSING_COLUMN = "缺少这道必答题的列"
MSG_NAMELESS_COLUMN = "这一列有内容但没有列名，请在第 1 行填写题目名称"
MSG_SERIAL_TOO_LONG = f"问卷编号太长，请不超过{SERIAL_MAX_LENGTH}个字符"
MSG_FILE_TOO_BIG = "文件有 {size}，超过了上限 {cap}：请分成几个文件导入"
MSG_XLSX_UNPACKS = "这个 Excel 文件解压后有 {size}，超过了上限 {cap}：请删除多余的工作表、空行和格式后另存，或分成几个文件导入"
MSG_XLSX_DIMENSION = ("工作表的使用范围一直到 {last}，超过了上限（{rows} 行问卷、{columns} 列）："
                      "请删除数据以外的行和列后另存，或分成几个文件导入")
MSG_TOO_MANY_ROWS = "问卷超过了上限 {cap} 份（第 2 行起，连同空行计），这一行已超出：请删除多余的空行，或分成几个文件导入"
MSG_TOO_MANY_COLUMNS = "这一行的内容超出了上限 {cap} 列：请删除多余的列"
MSG_CELL_TOO_LONG = "这一格有 {n} 个字，超过了上限 {cap} 个字"
MSG_FORMULA = "这一格是公式，导入只接受直接填写的内容：请改为填写数值（可复制后“选择性粘贴 → 数值”）"
MSG_UNREADABLE = "这一格含有无法识别的字符，请重新输入"


def column_letters(index: int) -> str:
    """Excel's name for the column at 0-based ``index``: A … Z, AA, AB …"""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing to fix in the sheet, located the way the assessor sees it in Excel."""

    file: str
    message: str
    row: int | None = None
    #: Column letter(s), e.g. "D", or "B、F" for a duplicated column.
    columns: str | None = None
    #: The column's name in the header (the question name).
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.row is not None:
            text += f" 第 {self.row} 行"
        if self.columns:
            text += f" {self.columns} 列"
        if self.column:
            text += f"（{self.column}）"
        if self.value is not None:
            text += f"“{_shown(self.value)}”"
        return f"{text}：{self.message}"


def _shown(value: str) -> str:
    """A cell value on one line and not too long, so each problem stays one line."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "⏎")
    if len(value) > SHOWN_VALUE_LENGTH:
        value = value[:SHOWN_VALUE_LENGTH] + "…"
    return value


class ImportFailed(Exception):
    """The file has problems; nothing was stored."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(summary(self.problems))


def summary(problems: Sequence[Problem]) -> str:
    return f"共 {len(problems)} 处问题，未导入任何问卷"


@dataclass(frozen=True)
class ImportResult:
    campaign: int
    #: Responses stored, including the incomplete and duplicate ones (kept, excluded).
    imported: int
    #: Stored with a required question left empty (excluded as incomplete).
    incomplete: int
    #: Stored with a serial already used in the campaign or earlier in the file.
    duplicates: int
    #: Entirely empty rows between filled ones (trailing empty rows are not counted).
    skipped_empty: int

    def as_dict(self) -> dict:
        return asdict(self)


# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How much a file may hold; every importer enforces the same caps, read from the settings
    ``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS`` and ``IMPORT_MAX_CELL_CHARS`` (see
    ``surveyapp/config.py`` for the defaults and why)."""

    max_bytes: int = 20_000_000
    max_rows: int = 50_000
    max_cell_chars: int = 5_000
    #: Columns a sheet may use (a questionnaire has dozens; a platform export a few hundred).
    max_columns: int = 1_000
    #: An XLSX is a zip of XML: its parts may unpack to this many times ``max_bytes``, about
    #: what a CSV of ``max_bytes`` becomes as sheet XML. A "zip bomb" is refused from the
    #: sizes its zip directory declares, before anything is unpacked.
    xlsx_expansion: int = 8

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(max_bytes=int(config["IMPORT_MAX_BYTES"]), max_rows=int(config["IMPORT_MAX_ROWS"]),
                   max_cell_chars=int(config["IMPORT_MAX_CELL_CHARS"]))


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@dataclass
class Sheet:
    """The cells of a file as text: ``rows`` are (spreadsheet row number, cells) after the header."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


class _TooMuch(Exception):
    """Stop reading: the file is past a cap (the problem says which)."""

    def __init__(self, problem: Problem):
        self.problem = problem


class _Collector:
    """Takes rows as they are read, checks each against the caps and the text rule, and keeps
    them; a file past the row or column cap stops the reading at once."""

    def __init__(self, file_name: str, limits: Limits):
        self.file_name, self.limits = file_name, limits
        self.rows: list[list[str]] = []
        self.problems: list[Problem] = []

    def cell_problem(self, row: int, column: int, message: str, value: str) -> None:
        if len(self.problems) < MAX_READ_PROBLEMS:
            self.problems.append(Problem(self.file_name, message, row=row, columns=column_letters(column), value=value))

    def add(self, number: int, cells: list) -> None:
        """Row ``number`` (1-based) with its cells; rows must come in order. Empty rows past
        the cap are ignored (Excel keeps formatted empty rows); a filled one stops the reading."""
        limits = self.limits
        texts = [_cell_text(value) for value in cells]
        if number > limits.max_rows + 1:
            if all(_blank(text) for text in texts):
                return
            raise _TooMuch(Problem(self.file_name, MSG_TOO_MANY_ROWS.format(cap=limits.max_rows), row=number))
        while len(self.rows) < number - 1:
            self.rows.append([])
        for index, text in enumerate(texts):
            if not text:
                continue
            if index >= limits.max_columns:
                raise _TooMuch(Problem(self.file_name, MSG_TOO_MANY_COLUMNS.format(cap=limits.max_columns),
                                       row=number, columns=column_letters(index), value=text[:SHOWN_VALUE_LENGTH]))
            if len(text) > limits.max_cell_chars:
                self.cell_problem(number, index, MSG_CELL_TOO_LONG.format(n=len(text), cap=limits.max_cell_chars),
                                  text[:SHOWN_VALUE_LENGTH])
                text = text[:limits.max_cell_chars]
            try:
                texts[index] = clean_text(text)
            except UnreadableText:
                self.cell_problem(number, index, MSG_UNREADABLE, "")
                texts[index] = ""
        self.rows.append(texts)


#: Problems found while reading (long cells...) reported before giving up on the rest.
MAX_READ_PROBLEMS = 200


def read_sheet(path: Path, limits: Limits = Limits(), file_name: str | None = None) -> Sheet:
    """Read a CSV or XLSX file into text cells, refusing early what is past ``limits``;
    raises ImportFailed for an unreadable or oversized file. Problems name the file
    ``file_name`` (an upload kept on disk under another name: the name its sender knows),
    else the file's own name."""
    path = Path(path)
    name = file_name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFailed([Problem(name, MSG_SUFFIX)])
    if not path.is_file():
        raise ImportFailed([Problem(name, MSG_NO_FILE)])
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImportFailed([Problem(name, MSG_FILE_TOO_BIG.format(size=_mb(size), cap=_mb(limits.max_bytes)))])
    collector = _Collector(name, limits)
    try:
        if suffix == ".csv":
            _read_csv(path, collector)
        else:
            _read_xlsx(path, collector)
    except _TooMuch as too_much:
        raise ImportFailed([*collector.problems, too_much.problem]) from None
    if collector.problems:
        raise ImportFailed(collector.problems)
    return _to_sheet(name, collector.rows)


def _read_csv(path: Path, collector: _Collector) -> None:
    """Stream the rows of a CSV file into ``collector``.

    UTF-8 first (with or without the BOM Excel's "CSV UTF-8" writes): a GBK file is almost
    never valid UTF-8, while UTF-8 text often decodes as GB18030 into nonsense, so the order
    matters. GB18030 covers GBK/GB2312, what Excel in China saves as plain "CSV"."""
    try:
        with path.open("rb") as raw:
            head = raw.read(4096)
    except OSError as exc:
        raise ImportFailed([Problem(collector.file_name, MSG_NO_FILE)]) from exc
    # UTF-16 and binary files decode "successfully" into NULs; a stray NUL in a UTF-8 file is
    # only a character the text rule removes.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") * 8 > len(head):
        raise ImportFailed([Problem(collector.file_name, MSG_ENCODING)])
    previous_limit = csv.field_size_limit()
    # Let a long cell through the parser so that it is reported with its row and column
    # (the file itself is already within max_bytes).
    csv.field_size_limit(max(previous_limit, collector.limits.max_bytes + 1))
    try:
        for encoding in ("utf-8-sig", "gb18030"):
            collector.rows, collector.problems = [], []
            try:
                with path.open(encoding=encoding, newline="") as text:
                    for number, cells in enumerate(csv.reader(text), start=1):
                        collector.add(number, cells)
                return
            except UnicodeDecodeError:
                continue
            except csv.Error as exc:
                raise ImportFailed([Problem(collector.file_name, MSG_BAD_CSV)]) from exc
        raise ImportFailed([Problem(collector.file_name, MSG_ENCODING)])
    finally:
        csv.field_size_limit(previous_limit)


def _read_xlsx(path: Path, collector: _Collector) -> None:
    """Stream the first worksheet of an XLSX file into ``collector``.

    Before anything is unpacked, the zip directory's sizes are checked (a small file can
    unpack to gigabytes) and so is the sheet's declared dimension. openpyxl opens the
    workbook (read-only: shared strings, date styles); the sheet itself is streamed by
    :mod:`.xlsxcells`, cell by cell as stored: a stray cell at XFD1048576 is met as one cell
    (and refused) instead of a million padded rows. Formula cells are refused: the value typed
    is what is imported, never a computed one.
    """
    import zipfile

    from openpyxl import load_workbook

    from .xlsxcells import iter_rows

    limits = collector.limits
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed([Problem(collector.file_name, MSG_BAD_XLSX)]) from exc
    if unpacked > limits.max_bytes * limits.xlsx_expansion:
        raise ImportFailed([Problem(collector.file_name, MSG_XLSX_UNPACKS.format(size=_mb(unpacked),
                                                                      cap=_mb(limits.max_bytes * limits.xlsx_expansion)))])
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation, styles) from files saved
        # by Excel or WPS; they do not matter for reading values.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds (zip, XML, KeyError...) for a bad file
            raise ImportFailed([Problem(collector.file_name, MSG_BAD_XLSX)]) from exc
        try:
            sheet = workbook.worksheets[0]
            declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
            if declared_rows > limits.max_rows + 1 or declared_columns > limits.max_columns:
                raise _TooMuch(Problem(collector.file_name, MSG_XLSX_DIMENSION.format(
                    last=f"{column_letters(max(declared_columns, 1) - 1)}{declared_rows}", rows=limits.max_rows,
                    columns=limits.max_columns)))
            with sheet._get_source() as source:
                for number, cells in iter_rows(source, sheet._shared_strings, workbook._date_formats,
                                               workbook._timedelta_formats, workbook.epoch):
                    collector.add(number, _xlsx_row(collector.file_name, number, cells, collector))
        except (_TooMuch, ImportFailed):
            raise
        except Exception as exc:  # xlsxcells.BadSheet, or anything else a broken file makes openpyxl raise
            raise ImportFailed([Problem(collector.file_name, MSG_BAD_XLSX)]) from exc
        finally:
            workbook.close()


def _xlsx_row(file_name: str, number: int, cells: list, collector: _Collector) -> list:
    """The values of one parsed row in column order, gaps as None; formulas reported."""
    limits = collector.limits
    values: list = []
    for index, value, formula in cells:
        if value is None or value == "":
            continue
        if index >= limits.max_columns:
            raise _TooMuch(Problem(file_name, MSG_TOO_MANY_COLUMNS.format(cap=limits.max_columns), row=number,
                                   columns=column_letters(index), value=_cell_text(value)[:SHOWN_VALUE_LENGTH]))
        if formula is not None:
            collector.cell_problem(number, index, MSG_FORMULA, formula)
            value = None
        values.extend([None] * (index - len(values)))
        values.append(value)
    return values


def _cell_text(value) -> str:
    """A cell as the assessor typed it: 4 and 4.0 are both "4"; empty is ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _blank(cell: str) -> bool:
    return not cell.strip()


def _to_sheet(file_name: str, rows: list[list[str]]) -> Sheet:
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows.pop()  # Excel leaves formatted but empty rows at the end
    if not rows:
        raise ImportFailed([Problem(file_name, MSG_EMPTY_FILE, row=1)])
    header = [cell.strip() for cell in rows[0]]
    return Sheet(header, [(number, cells) for number, cells in enumerate(rows[1:], start=2)])


# --- checking ------------------------------------------------------------------------------

@dataclass
class _Columns:
    """Where each question's answers are in the sheet."""

    by_name: dict[str, int]
    serial: int | None


def _check_header(file_name: str, sheet: Sheet, questionnaire) -> tuple[_Columns, list[Problem]]:
    """Map names to column positions; report the columns the assessor must fix, left to right."""
    found: list[tuple[int, Problem]] = []
    answerable = {q.name for q in questionnaire.answerable_questions()}
    width = max([len(sheet.header), *(len(cells) for _, cells in sheet.rows)])
    header = sheet.header + [""] * (width - len(sheet.header))
    # Excel often carries blank columns along; only an unnamed column holding data matters.
    unnamed = {index for index, name in enumerate(header) if not name}
    unnamed_used = {index for _, cells in sheet.rows for index, cell in enumerate(cells)
                    if index in unnamed and not _blank(cell)}
    found.extend((index, Problem(file_name, MSG_NAMELESS_COLUMN, row=1, columns=column_letters(index), value=""))
                 for index in sorted(unnamed_used))
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        if name:
            positions.setdefault(name, []).append(index)
    for name, indexes in positions.items():
        if len(indexes) > 1:
            letters = "、".join(column_letters(i) for i in indexes)
            found.append((indexes[0], Problem(file_name, MSG_DUPLICATE_COLUMN, row=1, columns=letters, column=name,
                                              value=name)))
        if name == SERIAL_COLUMN or name in answerable:
            continue
        message = MSG_NOTE_COLUMN if name in questionnaire else MSG_UNKNOWN_COLUMN
        found.append((indexes[0], Problem(file_name, message, row=1, columns=column_letters(indexes[0]),
                                          column=name, value=name)))
    for question in questionnaire.answerable_questions():
        if question.required and question.name not in positions:
            found.append((width, Problem(file_name, MSG_MISSING_COLUMN, row=1, column=question.name)))
    # A duplicated column has been reported; its first copy is still checked row by row.
    columns = _Columns(
        by_name={name: indexes[0] for name, indexes in positions.items() if name in answerable},
        serial=positions[SERIAL_COLUMN][0] if SERIAL_COLUMN in positions else None,
    )
    return columns, [problem for _, problem in sorted(found, key=lambda pair: pair[0])]


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _as_given(cell: str, communities: Sequence[str]):
    """A single-choice cell holding several codes ("2 3": two boxes ticked on paper) goes to
    validate_answers as the list it is, so the assessor reads 请只选一项 rather than
    请从选项中选择. Static codes never contain separators; only a community name might, so
    a cell that is exactly one is left whole."""
    codes = [code for code in MULTI_SEPARATORS.split(cell.strip()) if code]
    if len(codes) > 1 and cell.strip() not in communities:
        return codes
    return cell


def _check_rows(file_name: str, sheet: Sheet, questionnaire, columns: _Columns, communities: Sequence[str],
                finished_at) -> tuple[list[NewResponse], int, list[Problem]]:
    items: list[NewResponse] = []
    problems: list[Problem] = []
    skipped = 0
    single = {q.name for q in questionnaire.answerable_questions() if q.type in SINGLE_CHOICE_TYPES}
    for number, cells in sheet.rows:
        if all(_blank(cell) for cell in cells):
            skipped += 1
            continue
        typed = {name: _cell(cells, index) for name, index in columns.by_name.items()}
        raw = {name: _as_given(value, communities) if name in single else value
               for name, value in typed.items()}
        clean, errors = validate_answers(questionnaire, raw, communities)
        complete = True
        found: list[tuple[int, Problem]] = []
        for name, message in errors.items():
            value = typed.get(name, "")
            if _blank(value):
                # validate_answers reports an empty cell only for a required question that
                # is shown: on paper that is an incomplete form, stored and excluded.
                complete = False
                continue
            index = columns.by_name[name]
            found.append((index, Problem(file_name, message, row=number, columns=column_letters(index), column=name,
                                         value=value)))
        serial = _cell(cells, columns.serial).strip()
        if len(serial) > SERIAL_MAX_LENGTH:
            found.append((columns.serial, Problem(file_name, MSG_SERIAL_TOO_LONG, row=number,
                                                  columns=column_letters(columns.serial), column=SERIAL_COLUMN,
                                                  value=serial)))
        problems.extend(problem for _, problem in sorted(found, key=lambda pair: pair[0]))
        if problems:
            continue  # nothing will be stored; keep checking, stop building
        items.append(NewResponse(
            answers=clean,
            channel=Channel.paper.value,
            complete=complete,
            started_at=None,
            finished_at=finished_at,
            device_hash=None,
            serial=serial or None,
        ))
    return items, skipped, problems


def check_file(session: Session, campaign: Campaign, questionnaire, source: Path | Sheet, limits: Limits = Limits(),
               file_name: str | None = None) -> tuple[list[NewResponse], int, list[Problem]]:
    """Check ``source`` (a file's path, or the cells already read from one, named ``file_name``):
    the responses to store, the empty rows skipped, and every problem."""
    if isinstance(source, Sheet):
        sheet, name = source, file_name or "上传的文件"
    else:
        name = Path(source).name
        try:
            sheet = read_sheet(Path(source), limits)
        except ImportFailed as failed:
            return [], 0, failed.problems
    columns, problems = _check_header(name, sheet, questionnaire)
    communities = community_choices(session, campaign.circle_id)
    items, skipped, row_problems = _check_rows(name, sheet, questionnaire, columns, communities, utcnow())
    problems.extend(row_problems)
    if not problems and not items:
        problems.append(Problem(name, MSG_NO_ROWS, row=2))
    return items, skipped, problems


def save_sheet(sheet: Sheet, path: Path, name: str) -> None:
    """Keep the cells read from an upload named ``name`` between two requests (the page that
    checks it and the one that stores it), so the file is read once."""
    Path(path).write_text(json.dumps({"name": name, "header": sheet.header, "rows": sheet.rows}, ensure_ascii=False),
                          encoding="utf-8")


def load_sheet(path: Path) -> tuple[Sheet, str]:
    """The cells kept by :func:`save_sheet`, and the upload's name."""
    kept = json.loads(Path(path).read_text(encoding="utf-8"))
    return Sheet(kept["header"], [(number, cells) for number, cells in kept["rows"]]), kept["name"]


def _counts(session: Session, campaign: Campaign, items: list[NewResponse], skipped: int) -> ImportResult:
    """What storing ``items`` will give: how many, incomplete, and duplicate serials (used
    already in the campaign or earlier in the file), the way ``record_many`` will mark them."""
    serials = [item.serial for item in items if item.serial]
    used: set[str] = set()
    distinct = sorted(set(serials))
    for start in range(0, len(distinct), SERIAL_LOOKUP_CHUNK):
        used.update(session.exec(select(Response.serial).where(
            Response.campaign_id == campaign.id, Response.serial.in_(distinct[start:start + SERIAL_LOOKUP_CHUNK]))).all())
    duplicates = 0
    for serial in serials:
        if serial in used:
            duplicates += 1
        used.add(serial)
    return ImportResult(campaign=campaign.id, imported=len(items),
                        incomplete=sum(1 for item in items if not item.complete), duplicates=duplicates,
                        skipped_empty=skipped)


def preview_file(session: Session, campaign: Campaign, questionnaire, path: Path | Sheet,
                 limits: Limits = Limits(), file_name: str | None = None) -> ImportResult:
    """Check ``path`` completely and say what importing it would store, storing nothing
    (the confirmation page in the browser). Raises ImportFailed with every problem."""
    items, skipped, problems = check_file(session, campaign, questionnaire, path, limits, file_name)
    if problems:
        raise ImportFailed(problems)
    return _counts(session, campaign, items, skipped)


def import_file(session: Session, campaign: Campaign, questionnaire, path: Path | Sheet,
                limits: Limits = Limits(), file_name: str | None = None) -> ImportResult:
    """Check ``path`` completely, then store all of its questionnaires in one transaction,
    with the audit entry of the import.

    Raises ImportFailed (with every problem) and stores nothing when anything is wrong.
    ``questionnaire`` must be the campaign's own frozen questionnaire; ``file_name`` is the
    name the user knows the file by (an upload is stored under another name).
    """
    items, skipped, problems = check_file(session, campaign, questionnaire, path, limits, file_name)
    if problems:
        raise ImportFailed(problems)
    counts = _counts(session, campaign, items, skipped)
    name = file_name or (Path(path).name if not isinstance(path, Sheet) else "上传的文件")
    record(session, "responses.import", summary=f"导入纸质问卷 {counts.imported} 份（{name}）",
           target_type="campaign", target_id=campaign.id, circle_id=campaign.circle_id,
           after={"file": name, "imported": counts.imported, "incomplete": counts.incomplete,
                  "duplicates": counts.duplicates, "skipped_empty": counts.skipped_empty})
    stored = record_many(session, campaign, questionnaire, items)
    return ImportResult(
        campaign=campaign.id,
        imported=len(stored),
        incomplete=sum(1 for response in stored if not response.complete),
        duplicates=sum(1 for response in stored if response.duplicate_of is not None),
        skipped_empty=skipped,
    )
