"""A 问卷星 / 腾讯问卷 export, read with a confirmed mapping, checked and stored all or nothing.

The file is read by the paper import's reader (the same caps, text rule, formula refusal), or
its cells are those kept from the upload (read once, see uploads.py); each
row becomes answers through the mapping, and the answers are checked by ``validate_answers``
and stored by ``record_many``: the one write path. Submission time and duration are kept (the
too-fast rule applies to the platform's channel); IP addresses, 来源详情 and the like are
never read into a response.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import Session

from reports.rendering import CHINA_TZ

from ..circles.queries import community_choices
from ..models import Campaign
from ..questionnaire import validate_answers
from ..responses.importer import (SERIAL_MAX_LENGTH, ImportFailed, ImportResult, Limits, Problem, Sheet,
                                  column_letters, read_sheet)
from ..responses.operations import NewResponse, record_many
from .layout import EMPTY_CELLS, MULTI_SEPARATORS, Mapping, classify, strip_fill

#: A value the assessor chose to leave unanswered (never proposed: it must be chosen).
LEAVE_BLANK = "-"
MSG_UNMATCHED = "这个答案在对应关系里没有对应的选项：请在对应关系中为它选一个选项，或选“留空”"
MSG_TIME = "无法识别这个时间，应为 2024/5/6 10:20:30 这样的格式"
MSG_DURATION = "无法识别答题用时，应为 185秒、3分5秒 或 185"
MSG_NO_QUESTION = "对应关系里没有一列对应到问卷的题目"
MSG_MISSING_COLUMN = "对应关系里的这一列在文件中没有：请确认文件来自同一份问卷"
_DURATION = re.compile(r"^(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+)\s*秒)?$")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M",
                 "%Y年%m月%d日 %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_duration(cell: str) -> int | None:
    """"185秒", "3分5秒", "1小时2分", or a bare number of seconds."""
    cell = cell.strip()
    if cell.isdigit():
        return int(cell)
    match = _DURATION.match(cell)
    if not match or not any(match.groups()):
        raise ValueError(cell)
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_time(cell: str) -> datetime:
    """A platform's local (Beijing) time as an aware UTC datetime."""
    text = cell.strip().split(".")[0]
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=CHINA_TZ).astimezone(timezone.utc)
        except ValueError:
            continue
    raise ValueError(cell)


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def check_export(session: Session, campaign: Campaign, questionnaire, source: Path | Sheet, mapping: Mapping,
                 limits: Limits = Limits(), now: datetime | None = None, file_name: str | None = None):
    """(responses to store, empty rows skipped, every problem) for the export ``source``: a
    file's path, or the cells already read from it (``file_name`` names it in problems)."""
    if isinstance(source, Sheet):
        sheet, name = source, file_name or "导出文件"
    else:
        name = file_name or Path(source).name
        try:
            sheet = read_sheet(Path(source), limits)
        except ImportFailed as failed:
            return [], 0, failed.problems
    columns = classify(sheet.header)
    by_header = {c.header: c for c in columns}
    problems: list[Problem] = []
    for header, question in [*mapping.columns.items(), *((h, qc[0]) for h, qc in mapping.options.items())]:
        if question and header not in by_header:
            problems.append(Problem(name, MSG_MISSING_COLUMN, row=1, column=header, value=header))
    if problems:
        return [], 0, problems
    question_columns = {h: q for h, q in mapping.columns.items() if q and q in questionnaire}
    option_columns = {h: (q, c) for h, (q, c) in mapping.options.items() if q and q in questionnaire and c}
    if not question_columns and not option_columns:
        return [], 0, [Problem(name, MSG_NO_QUESTION, row=1)]
    roles = {c.role: c.index for c in reversed(columns) if c.role in ("serial", "finished", "started", "duration")}
    communities = community_choices(session, campaign.circle_id)
    where: dict[str, int] = {}
    for header, question in question_columns.items():
        where.setdefault(question, by_header[header].index)
    for header, (question, _) in option_columns.items():
        where.setdefault(question, by_header[header].index)
    items: list[NewResponse] = []
    skipped = 0
    now = now or datetime.now(timezone.utc)
    for number, cells in sheet.rows:
        if all(not cell.strip() for cell in cells):
            skipped += 1
            continue
        found: list[tuple[int, Problem]] = []

        def problem(index: int, message: str, value: str, column: str | None = None) -> None:
            found.append((index, Problem(name, message, row=number, columns=column_letters(index), column=column,
                                         value=value)))

        raw: dict[str, object] = {}
        for header, question_name in question_columns.items():
            index = by_header[header].index
            cell = _cell(cells, index)
            if cell in EMPTY_CELLS:
                continue
            question = questionnaire.question(question_name)
            if not question.is_select:
                raw[question_name] = cell
                continue
            parts = [strip_fill(p) for p in MULTI_SEPARATORS.split(cell)] if question.is_multi else [strip_fill(cell)]
            codes = []
            for part in parts:
                code = mapping.values.get(question_name, {}).get(part, "")
                if code == LEAVE_BLANK:
                    continue
                if not code:
                    problem(index, MSG_UNMATCHED, part, question_name)
                    continue
                codes.append(code)
            if codes:
                raw[question_name] = codes if question.is_multi else codes[0]
        ticked: dict[str, list[str]] = {}
        for header, (question_name, code) in option_columns.items():
            cell = _cell(cells, by_header[header].index)
            if cell in EMPTY_CELLS:
                continue
            chosen = ticked.setdefault(question_name, [])
            if strip_fill(cell) not in ("0", "否"):
                chosen.append(code)
        for question_name, codes in ticked.items():
            if codes:
                raw[question_name] = codes
        clean, errors = validate_answers(questionnaire, raw, communities)
        complete = True
        for question_name, message in errors.items():
            if question_name not in raw:
                complete = False  # a required question unanswered: stored, excluded as incomplete
                continue
            value = raw[question_name]
            problem(where[question_name], message, " ".join(value) if isinstance(value, list) else str(value),
                    question_name)
        finished = started = None
        duration = None
        if "finished" in roles and _cell(cells, roles["finished"]):
            try:
                finished = parse_time(_cell(cells, roles["finished"]))
            except ValueError:
                problem(roles["finished"], MSG_TIME, _cell(cells, roles["finished"]))
        if "started" in roles and _cell(cells, roles["started"]):
            try:
                started = parse_time(_cell(cells, roles["started"]))
            except ValueError:
                problem(roles["started"], MSG_TIME, _cell(cells, roles["started"]))
        if "duration" in roles and _cell(cells, roles["duration"]):
            try:
                duration = parse_duration(_cell(cells, roles["duration"]))
            except ValueError:
                problem(roles["duration"], MSG_DURATION, _cell(cells, roles["duration"]))
        serial = _cell(cells, roles["serial"]) if "serial" in roles else ""
        problems.extend(p for _, p in sorted(found, key=lambda pair: pair[0]))
        if problems:
            continue
        finished = finished or now
        if duration is not None:
            started = finished - timedelta(seconds=duration)
        items.append(NewResponse(
            answers=clean, channel=mapping.platform, complete=complete, started_at=started, finished_at=finished,
            serial=f"{mapping.platform}-{serial}"[:SERIAL_MAX_LENGTH] if serial else None,
        ))
    if not problems and not items:
        problems.append(Problem(name, "文件中没有答卷数据", row=2))
    return items, skipped, problems


def import_export(session: Session, campaign: Campaign, questionnaire, source: Path | Sheet, mapping: Mapping,
                  limits: Limits = Limits(), file_name: str | None = None) -> ImportResult:
    """Check the whole export (a path, or the cells read from it), then store every row in one
    transaction; ImportFailed otherwise."""
    items, skipped, problems = check_export(session, campaign, questionnaire, source, mapping, limits,
                                            file_name=file_name)
    if problems:
        raise ImportFailed(problems)
    stored = record_many(session, campaign, questionnaire, items)
    return ImportResult(
        campaign=campaign.id, imported=len(stored),
        incomplete=sum(1 for r in stored if not r.complete),
        duplicates=sum(1 for r in stored if r.duplicate_of is not None),
        skipped_empty=skipped,
    )
