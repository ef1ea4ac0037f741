"""The labelled response data of a campaign: variables with labels and numeric codes, one row
per stored response (pure: no Flask, no database).

Statisticians open our answers in SPSS, Stata or Excel, so every format is written from this
one table and says the same thing:

- a select question is one numeric variable; its codes are the stored choice codes when those
  are whole numbers (the 5-point scale keeps 5 … 1), else the choice's position (1, 2, …);
- a multiple choice is one 0/1 variable per option (``missing_types_pharmacy``);
- two missing-value codes, the ones Chinese panel studies use (CFPS): ``-1`` 不清楚 (a
  don't-know answer) and ``-8`` 未问 (the skip logic did not show the question). A shown
  question left empty is system-missing (blank);
- quality facts beside the answers: valid, the exclusion reason, straight-lining, too fast,
  an extra answer from a phone that had answered, the channel and the post-stratification
  weight (age band).

Nothing that could identify a resident goes out: no device hash, submission key, serial,
interviewer, exact submission time, nor location. Open text (and a location a merchant gave)
is only in an assessor's export, and its variable label starts with :data:`OPEN_TEXT_MARK`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..models.response import CHANNEL_NAMES
from ..questionnaire.answers import visible_questions

DONT_KNOW = -1
NOT_ASKED = -8
MISSING_LABELS = {DONT_KNOW: "不清楚", NOT_ASKED: "未问（跳题）"}
OPEN_TEXT_MARK = "【开放题原文，仅限评价机构】"
#: Longest variable name written: Stata allows 32, but pyreadstat refuses 31 and more once a
#: file has several value-label sets (it names them after the variable); SPSS allows 64.
MAX_NAME = 30
#: Channels a response may come from, in the order of their codes.
CHANNELS = {code: names.full for code, names in CHANNEL_NAMES.items()}
#: Exclusion codes: 0 counts; the reasons in the dashboard's order.
EXCLUSIONS = {"incomplete": "未答完必答题", "outside": "不住在本生活圈", "duplicate": "重复提交",
              "too_fast": "答题时间过短", "straightlining": "所有细项同一答案（已确认）", "manual": "评价机构剔除"}
YES_NO = {0: "否", 1: "是"}
TICKED = {0: "未选", 1: "选中"}
#: Question types exported as text (only for assessors) and never as codes.
OPEN_TYPES = ("text", "geopoint")


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    #: "numeric" or "string".
    kind: str
    #: SPSS measurement level: "nominal", "ordinal" or "scale".
    measure: str
    value_labels: dict[int, str] = field(default_factory=dict)
    #: Stored choice code → numeric code (select questions).
    codes: dict[str, int] = field(default_factory=dict)
    #: Codes declared user-missing in SPSS.
    missing: tuple[int, ...] = ()
    question: str | None = None
    #: The option a multiple-choice 0/1 variable stands for.
    option: str | None = None
    open_text: bool = False
    #: The question's type as the questionnaire file says it (codebook).
    source_type: str = ""
    #: The skip condition (`relevant`) as written in the questionnaire file.
    relevant: str | None = None
    indicator: str | None = None
    note: str = ""


@dataclass
class Dataset:
    title: str
    variables: list[Variable]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def label_of(self, variable: Variable, value: Any) -> Any:
        """The cell of the labels sheet: a code's label, a number as it is, blank for missing."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if variable.kind == "numeric" and variable.value_labels:
            key = int(value) if float(value).is_integer() else value
            return variable.value_labels.get(key, value)
        return value


@dataclass(frozen=True)
class ResponseRecord:
    """What the export reads of one stored response (plain values, from the database)."""

    id: int
    channel: str
    finished_on: date | None
    duration_seconds: int | None
    answers: Mapping[str, Any]
    exclusion: str | None
    too_fast: bool
    straightlining: bool
    household_extra: bool
    weight: float | None


def _variable_name(question: str, option: str, index: int, taken: set[str]) -> str:
    candidate = f"{question}_{option}"[:MAX_NAME]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", candidate):
        candidate = f"{question[:MAX_NAME - 5]}_o{index}"
    while candidate in taken:
        candidate = f"{candidate[:MAX_NAME - 2]}_x"
    taken.add(candidate)
    return candidate


def choice_codes(question, communities: Sequence[str]) -> dict[str, int]:
    """Stored code → numeric code: whole-number codes kept, else positions; don't-know → -1."""
    choices = [c for c in question.choices_for(communities) if c.name not in question.dont_know]
    numbers: list[int] = []
    for choice in choices:
        if not re.fullmatch(r"-?[0-9]+", choice.name):
            break
        numbers.append(int(choice.name))
    whole = len(numbers) == len(choices) and not {DONT_KNOW, NOT_ASKED} & set(numbers)
    codes = {c.name: (int(c.name) if whole else position) for position, c in enumerate(choices, start=1)}
    codes.update({code: DONT_KNOW for code in question.dont_know})
    return codes


def build_variables(questionnaire, communities: Sequence[str], *, open_text: bool) -> list[Variable]:
    """The variables of ``questionnaire``'s responses, quality facts first."""
    variables = [
        Variable("response_id", "问卷编号（本系统）", "numeric", "nominal", note="系统内部编号，不含个人信息"),
        Variable("channel", "填写渠道", "numeric", "nominal",
                 value_labels={i: label for i, label in enumerate(CHANNELS.values(), start=1)},
                 codes={code: i for i, code in enumerate(CHANNELS, start=1)}),
        Variable("finished_on", "提交日期（北京时间）", "string", "nominal", note="只到日，不含时刻"),
        Variable("duration_seconds", "答题用时（秒）", "numeric", "scale", note="扫码填写与平台导入有；纸质问卷无"),
        Variable("valid", "计入有效样本", "numeric", "nominal", value_labels=dict(YES_NO)),
        Variable("exclusion", "剔除原因", "numeric", "nominal",
                 value_labels={0: "有效", **{i: label for i, label in enumerate(EXCLUSIONS.values(), start=1)}},
                 codes={"": 0, **{code: i for i, code in enumerate(EXCLUSIONS, start=1)}}),
        Variable("straightlining", "所有细项同一答案（标记）", "numeric", "nominal", value_labels=dict(YES_NO)),
        Variable("too_fast", "答题时间过短", "numeric", "nominal", value_labels=dict(YES_NO)),
        Variable("household_extra", "同一手机为家人再填", "numeric", "nominal", value_labels=dict(YES_NO)),
        Variable("weight", "事后分层权重（年龄段）", "numeric", "scale",
                 note="有效问卷按年龄段人口占比加权，加权合计等于有效问卷数；无效问卷为空"),
    ]
    taken = {v.name for v in variables}
    missing_labels = dict(MISSING_LABELS)
    for question in questionnaire.questions:
        if question.is_note:
            continue
        common = dict(question=question.name, source_type=question.type,
                      relevant=question.relevant.source if question.relevant is not None else None,
                      indicator=question.indicator)
        taken.add(question.name)
        if question.type in OPEN_TYPES:
            if open_text:
                variables.append(Variable(question.name, OPEN_TEXT_MARK + question.label, "string", "nominal",
                                          open_text=True, **common))
            continue
        if question.type == "select_multiple":
            for index, choice in enumerate(question.choices_for(communities), start=1):
                name = _variable_name(question.name, choice.name, index, taken)
                variables.append(Variable(
                    name, f"{question.label} — {choice.label}", "numeric", "nominal",
                    value_labels={**TICKED, NOT_ASKED: MISSING_LABELS[NOT_ASKED]}, missing=(NOT_ASKED,),
                    option=choice.name, **common))
            continue
        if question.is_select:
            codes = choice_codes(question, communities)
            labels = {codes[c.name]: c.label for c in question.choices_for(communities)}
            labels[NOT_ASKED] = missing_labels[NOT_ASKED]
            missing = (DONT_KNOW, NOT_ASKED) if question.dont_know else (NOT_ASKED,)
            measure = "ordinal" if question.type == "likert5" else "nominal"
            note = "选项为本生活圈的社区" if question.dynamic_choices == "communities" else ""
            variables.append(Variable(question.name, question.label, "numeric", measure,
                                      value_labels=dict(sorted(labels.items(), key=lambda kv: -kv[0])), codes=codes,
                                      missing=missing, note=note, **common))
            continue
        if question.type in ("integer", "decimal"):
            variables.append(Variable(question.name, question.label, "numeric", "scale",
                                      value_labels={NOT_ASKED: missing_labels[NOT_ASKED]}, missing=(NOT_ASKED,),
                                      **common))
            continue
        variables.append(Variable(question.name, question.label, "string", "nominal", **common))
    return variables


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _answer_cells(variables: Sequence[Variable], questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    shown = {q.name for q in visible_questions(questionnaire, answers)}
    cells: dict[str, Any] = {}
    for variable in variables:
        if variable.question is None:
            continue
        value = answers.get(variable.question)
        asked = variable.question in shown
        if variable.kind == "string":
            if not asked or _empty(value):
                cells[variable.name] = ""
            elif isinstance(value, (list, tuple)):
                cells[variable.name] = " ".join(str(v) for v in value)
            else:
                cells[variable.name] = str(value)
        elif not asked:
            cells[variable.name] = NOT_ASKED
        elif variable.option is not None:
            cells[variable.name] = math.nan if _empty(value) else int(variable.option in value)
        elif _empty(value):
            cells[variable.name] = math.nan
        elif variable.codes:
            cells[variable.name] = variable.codes.get(str(value), math.nan)
        else:
            cells[variable.name] = float(value) if not isinstance(value, bool) else math.nan
    return cells


def build_dataset(title: str, questionnaire, communities: Sequence[str], records: Iterable[ResponseRecord],
                  *, open_text: bool, notes: Sequence[str] = ()) -> Dataset:
    variables = build_variables(questionnaire, communities, open_text=open_text)
    by_name = {v.name: v for v in variables}
    rows = []
    for record in records:
        exclusion = record.exclusion or ("too_fast" if record.too_fast else "")
        row = {
            "response_id": record.id,
            "channel": by_name["channel"].codes.get(record.channel, math.nan),
            "finished_on": record.finished_on.isoformat() if record.finished_on else "",
            "duration_seconds": math.nan if record.duration_seconds is None else record.duration_seconds,
            "valid": int(not exclusion),
            "exclusion": by_name["exclusion"].codes[exclusion],
            "straightlining": int(record.straightlining),
            "too_fast": int(record.too_fast),
            "household_extra": int(record.household_extra),
            "weight": math.nan if record.weight is None else record.weight,
        }
        row.update(_answer_cells(variables, questionnaire, record.answers))
        rows.append(row)
    return Dataset(title=title, variables=variables, rows=rows, notes=list(notes))
