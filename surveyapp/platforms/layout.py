"""The layout of 问卷星 and 腾讯问卷 exports, and the proposed mapping onto our questionnaire
(pure: no Flask, no database).

Both platforms download "按选项序号" (choice numbers) or "按选项文本" (choice text), as XLSX or
CSV: a few leading columns of their own (序号, 提交答卷时间, 所用时间 "185秒", 来源, 来源详情,
来自IP …), then one column per question headed by its number and text ("3、您对…满意吗？"), a
multiple choice spread over one 0/1 column per option ("5(便利店)"). An answer "其他" may carry
the resident's words ("其他〖…〗"): the choice is kept, the words are not (our question has no
text for them). Skipped questions read "(跳过)", unanswered ones "(空)".

The mapping says which export column answers which question, which option column is which
choice, and which cell text or number is which code. It is proposed from the label text and
confirmed (or corrected) by the assessor, and can be saved for the next file of the survey.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models.response import IMPORTED_CHANNELS, channel_name

#: Leading columns, by what the product does with them. Anything here marked "drop" is never
#: stored (addresses, where the link was opened, nicknames).
LEADING = {
    "序号": "serial", "编号": "serial", "答卷编号": "serial", "答卷序号": "serial",
    "提交答卷时间": "finished", "提交时间": "finished", "结束答题时间": "finished", "答题结束时间": "finished",
    "开始答题时间": "started", "答题开始时间": "started",
    "所用时间": "duration", "答题时长": "duration", "答题用时": "duration", "填写时长": "duration",
    "来源": "drop", "来源详情": "drop", "来自ip": "drop", "ip": "drop", "ip地址": "drop", "地理位置": "drop",
    "用户id": "drop", "微信昵称": "drop", "昵称": "drop", "总分": "drop", "填写设备": "drop", "浏览器": "drop",
    "操作系统": "drop", "渠道": "drop", "来源渠道": "drop", "自定义字段": "drop",
}
#: The platforms, by their channel code (the names come from the one channel list).
PLATFORMS = {code: channel_name(code, short=True) for code in IMPORTED_CHANNELS}
#: Cells meaning "no answer here".
EMPTY_CELLS = {"", "(跳过)", "（跳过）", "(空)", "（空）"}
_OPTION = re.compile(r"^\s*[Qq]?(\d+)\s*[(（](.+)[)）]\s*$")
_QUESTION = re.compile(r"^\s*(?:[Qq]|第)?(\d+)\s*(?:题)?\s*[、.．:：]\s*(.+?)\s*$")
_TYPE_TAG = re.compile(r"[【\[〔(（](?:单选题|多选题|填空题|矩阵.*?|量表题|下拉题|排序题|打分题|必答|选填)[】\]〕)）]\s*$")
_FILL = re.compile(r"〖.*?〗|\[.*?\]$")
MULTI_SEPARATORS = re.compile(r"[┋|]")
MATCH_AT_LEAST = 0.6


def normalise(text: str) -> str:
    """Label text for matching: width folded, punctuation and spaces dropped, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text.lower() if unicodedata.category(ch)[0] in "LN")


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in b or b in a:
        return 0.9 * min(len(a), len(b)) / max(len(a), len(b)) + 0.1
    return difflib.SequenceMatcher(None, a, b).ratio()


def strip_fill(cell: str) -> str:
    """"其他〖走路太远〗" → "其他": the resident's words after 其他 are not stored."""
    return _FILL.sub("", cell).strip()


@dataclass
class Column:
    index: int
    header: str
    #: "serial", "finished", "started", "duration", "drop", "question", "option" or "unknown".
    role: str
    number: int | None = None
    text: str = ""


def classify(header: Sequence[str]) -> list[Column]:
    columns = []
    for index, raw in enumerate(header):
        text = (raw or "").strip()
        key = normalise(text)
        if key in LEADING:
            columns.append(Column(index, text, LEADING[key]))
            continue
        option = _OPTION.match(text)
        question = _QUESTION.match(text)
        if option and not question:
            columns.append(Column(index, text, "option", int(option.group(1)), option.group(2).strip()))
        elif question:
            body = _TYPE_TAG.sub("", question.group(2)).strip()
            columns.append(Column(index, text, "question", int(question.group(1)), body))
        else:
            columns.append(Column(index, text, "unknown" if text else "drop"))
    return columns


def guess_platform(header: Sequence[str]) -> str:
    keys = {normalise(h) for h in header}
    return "tencent" if keys & {"编号", "开始答题时间", "结束答题时间", "答题时长"} else "wjx"


@dataclass
class Mapping:
    """What the assessor confirms. ``columns``: export column header → question name ("" = not
    imported); ``options``: option column header → [question, code]; ``values``: question →
    {cell text → code ("" = leave unanswered)}."""

    platform: str
    columns: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"platform": self.platform, "columns": self.columns, "options": self.options, "values": self.values}

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        return cls(platform=str(data.get("platform") or "wjx"),
                   columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
                   options={str(k): [str(x) for x in v] for k, v in (data.get("options") or {}).items()},
                   values={str(q): {str(k): str(v) for k, v in m.items()} for q, m in (data.get("values") or {}).items()})


def propose_code(question, cell: str, communities: Sequence[str] = (), by_number: bool = False) -> str:
    """The code a cell most likely means. In a "按选项序号" file a number is the option's
    position in the platform's order (= our order); otherwise a choice's label (or code) as
    written, else the nearest label; "" when nothing is near enough."""
    cell = strip_fill(cell)
    choices = question.choices_for(communities)
    if by_number and cell.isdigit():
        return choices[int(cell) - 1].name if 1 <= int(cell) <= len(choices) else ""
    for choice in choices:
        if normalise(choice.label) == normalise(cell) or choice.name == cell:
            return choice.name
    if cell.isdigit() and 1 <= int(cell) <= len(choices):
        return choices[int(cell) - 1].name
    best, score = "", 0.0
    for choice in choices:
        s = similarity(choice.label, cell)
        if s > score:
            best, score = choice.name, s
    return best if score >= MATCH_AT_LEAST else ""


def propose(questionnaire, header: Sequence[str], rows: Sequence[Sequence[str]], communities: Sequence[str] = (),
            platform: str | None = None) -> Mapping:
    """The mapping proposed from the label text (and the cells seen, for the values)."""
    columns = classify(header)
    mapping = Mapping(platform or guess_platform(header))
    answerable = [q for q in questionnaire.answerable_questions()]
    taken: set[str] = set()
    # Question columns: best label match first, each question once.
    pairs = sorted(((similarity(q.label, c.text), c.header, q.name) for c in columns if c.role == "question"
                    for q in answerable), reverse=True)
    for score, header_text, name in pairs:
        if score < MATCH_AT_LEAST or name in taken or header_text in mapping.columns:
            continue
        mapping.columns[header_text] = name
        taken.add(name)
    for column in columns:
        if column.role == "question" and column.header not in mapping.columns:
            mapping.columns[column.header] = ""
    # Option columns, grouped by question number: the multiple choice whose labels fit best.
    groups: dict[int, list[Column]] = {}
    for column in columns:
        if column.role == "option":
            groups.setdefault(column.number, []).append(column)
    multis = [q for q in answerable if q.is_multi and q.name not in taken]
    for number, group in sorted(groups.items()):
        best, best_score = None, 0.0
        for question in multis:
            labels = [c.label for c in question.choices_for(communities)]
            score = sum(max((similarity(l, c.text) for l in labels), default=0) for c in group) / len(group)
            if score > best_score:
                best, best_score = question, score
        if best is None or best_score < MATCH_AT_LEAST:
            for column in group:
                mapping.options[column.header] = ["", ""]
            continue
        multis.remove(best)
        taken.add(best.name)
        for column in group:
            mapping.options[column.header] = [best.name, propose_code(best, column.text, communities)]
    # Values of mapped select questions, from the cells seen. A file whose single-choice cells
    # are all numbers was downloaded "按选项序号".
    by_name = {q.name: q for q in answerable}
    single = [c.index for c in columns if mapping.columns.get(c.header) and by_name[mapping.columns[c.header]].is_select]
    cells = [strip_fill(row[i]) for row in rows for i in single if i < len(row) and row[i].strip() not in EMPTY_CELLS]
    by_number = bool(cells) and all(cell.isdigit() for cell in cells)
    for column in columns:
        name = mapping.columns.get(column.header)
        if not name or not by_name[name].is_select:
            continue
        question = by_name[name]
        seen: dict[str, str] = mapping.values.setdefault(name, {})
        for row in rows:
            cell = row[column.index].strip() if column.index < len(row) else ""
            if cell in EMPTY_CELLS:
                continue
            parts = [strip_fill(p) for p in MULTI_SEPARATORS.split(cell)] if question.is_multi else [strip_fill(cell)]
            for part in parts:
                if part and part not in seen:
                    seen[part] = propose_code(question, part, communities, by_number)
    return mapping
