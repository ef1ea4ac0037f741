"""Checking one answer set: the single place that knows the rules.

The phone form and the paper import both call :func:`validate_answers`, so a questionnaire
typed in by an assessor is held to exactly the rules a resident's phone was. Messages are for
elderly residents: short, plain Chinese, saying what to do rather than what went wrong.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ..geo.points import GeoPointError, parse_geopoint
from .expressions import MULTI_SEPARATORS
from .model import Question, Questionnaire

MSG_REQUIRED = "请回答这一题"
MSG_CHOICE = "请从选项中选择"
MSG_ONE_CHOICE = "请只选一项"
MSG_INTEGER = "请填写一个数字，比如 10"
MSG_NUMBER = "请填写一个数字，比如 10 或 2.5"
MSG_CONSTRAINT = "这个回答好像不太对，请再看一下"
MSG_RANGE = "请填写 {min} 到 {max} 之间的数字"
MSG_MIN = "请填写不小于 {min} 的数字"
MSG_MAX = "请填写不大于 {max} 的数字"
MSG_TOO_LONG = "写得有点长，请删减到 {max_length} 字以内"
MSG_TIME = "请填写时间，比如 6:30 或 18:00"

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
#: A time of day as people write it: 6:30, 06:30, 6.30, 6点半, 6点30分, 下午6点, 18.
_TIME = re.compile(r"^(?P<part>上午|早上|早晨|凌晨|中午|下午|傍晚|晚上)?(?P<hour>[0-9]{1,2})"
                   r"(?:(?:[:.点时])(?P<minute>[0-9]{1,2}|半)?分?)?$")
_AFTERNOON = ("下午", "傍晚", "晚上")


def visible_questions(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown, in order, given ``answers``.

    A question is shown when its `relevant` is true reading only the answers of questions
    that are themselves shown: a hidden question's answer counts as unanswered, so hiding a
    question also hides whatever depends on it (as the browser does).
    """
    return list(iter_visible_questions(questionnaire, answers))


def iter_visible_questions(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Iterator[Question]:
    """The questions shown, one at a time, reading each shown question's answer from ``answers``
    only after yielding it: a caller that fills ``answers`` as it goes (a simulated respondent
    answering in order) gets the questions its own answers make visible, in one pass."""
    seen: dict[str, Any] = {}
    for question in questionnaire.questions:
        if question.relevant is not None and not question.relevant.test(seen):
            continue
        yield question
        if not question.is_note and not _is_empty(answers.get(question.name)):
            seen[question.name] = answers[question.name]


def validate_answers(
    questionnaire: Questionnaire,
    raw: Mapping[str, Any],
    communities: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``raw`` (values as typed) and return ``(clean, errors)``.

    ``clean`` holds the visible, answered, valid questions with typed values; answers to hidden
    questions and notes are dropped (a resident who changed an earlier answer must not leave
    stale answers behind). ``errors`` maps question name to a Chinese message. Keys of ``raw``
    that are not questions are ignored (an import sheet may carry its own bookkeeping columns).

    Relevance is decided in file order from the clean answers so far, so an answer that is
    invalid also counts as unanswered for the questions after it. Constraints are checked once
    all answers are known, because they may read questions asked later.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown: list[Question] = []
    for question in questionnaire.questions:
        if question.is_note:
            continue
        if question.relevant is not None and not question.relevant.test(clean):
            continue
        shown.append(question)
        value = raw.get(question.name)
        if _is_empty(value):
            if question.required:
                errors[question.name] = MSG_REQUIRED
            continue
        typed, error = _parse(question, value, communities)
        if error:
            errors[question.name] = error
        else:
            clean[question.name] = typed
    for question in shown:
        if question.constraint is None or question.name not in clean:
            continue
        if not question.constraint.test(clean, current=clean[question.name]):
            errors[question.name] = question.constraint_message or MSG_CONSTRAINT
    for name in errors:
        clean.pop(name, None)
    return clean, errors


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):  # a geopoint
        return not value
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(_is_empty(v) for v in value)
    return False


def _normalise(value: Any) -> str:
    """Full-width digits, commas and spaces (common on Chinese keyboards) become ASCII."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _parse(question: Question, value: Any, communities: Sequence[str]) -> tuple[Any, str | None]:
    qtype = question.type
    if qtype in ("select_one", "likert5"):
        return _parse_one(question, value, communities)
    if qtype == "select_multiple":
        return _parse_multiple(question, value, communities)
    if qtype == "integer":
        return _parse_integer(question, value)
    if qtype == "decimal":
        return _parse_decimal(question, value)
    if qtype == "time":
        return parse_time(value)
    if qtype == "geopoint":
        return _parse_geopoint(value)
    return _parse_text(question, value)


def _parse_geopoint(value: Any) -> tuple[Any, str | None]:
    """A location, stored as ``{"lat", "lon", "accuracy"}`` on WGS-84 (accuracy in metres, null
    when the point was placed by hand or typed)."""
    try:
        return parse_geopoint(value).to_json(), None
    except GeoPointError as exc:
        return None, str(exc)


def parse_time(value: Any) -> tuple[str | None, str | None]:
    """A time of day as ``HH:MM`` (00:00 to 24:00), from what a merchant types."""
    if isinstance(value, bool):
        return None, MSG_TIME
    if isinstance(value, int):
        value = str(value)
    elif hasattr(value, "hour") and hasattr(value, "minute"):  # a time cell of a spreadsheet
        return f"{value.hour:02d}:{value.minute:02d}", None
    match = _TIME.match(_normalise(value).replace(" ", ""))
    if not match:
        return None, MSG_TIME
    hour = int(match["hour"])
    minute = match["minute"]
    minute = 30 if minute == "半" else int(minute or 0)
    part = match["part"]
    if part in _AFTERNOON and hour < 12:
        hour += 12
    elif part == "中午" and hour < 6:
        hour += 12
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None, MSG_TIME
    return f"{hour:02d}:{minute:02d}", None


def _parse_one(question: Question, value: Any, communities) -> tuple[Any, str | None]:
    if isinstance(value, (list, tuple)):
        codes = [v for v in value if not _is_empty(v)]
        if len(codes) != 1:
            return None, MSG_ONE_CHOICE
        value = codes[0]
    codes = {choice.name for choice in question.choices_for(communities)}
    code = str(value).strip()
    if code not in codes:
        # Paper imports: a spreadsheet may hold the code as the number 4.0 or in full width.
        code = _normalise(value)
        if code.endswith(".0") and code[:-2] in codes:
            code = code[:-2]
        if code not in codes:
            return None, MSG_CHOICE
    return code, None


def _parse_multiple(question: Question, value: Any, communities) -> tuple[Any, str | None]:
    if isinstance(value, (list, tuple)):
        given = [str(v).strip() for v in value if not _is_empty(v)]
    else:
        given = [code for code in MULTI_SEPARATORS.split(str(value).strip()) if code]
    order = [choice.name for choice in question.choices_for(communities)]
    known = set(order)
    picked = set()
    for code in given:
        if code not in known:
            code = _normalise(code)
            if code not in known:
                return None, MSG_CHOICE
        picked.add(code)
    return [code for code in order if code in picked], None


def _parse_integer(question: Question, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, MSG_INTEGER
    if isinstance(value, int):
        number = value
    else:
        text = _normalise(value)
        if _INTEGER.match(text):
            number = int(text)
        elif _DECIMAL.match(text) and Decimal(text) == Decimal(text).to_integral_value():
            number = int(Decimal(text))  # "12.0" from a spreadsheet cell
        else:
            return None, MSG_INTEGER
    return _bounded(question, number)


def _parse_decimal(question: Question, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, MSG_NUMBER
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _normalise(value)
        if not _DECIMAL.match(text):
            return None, MSG_NUMBER
        try:
            number = float(Decimal(text))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None, MSG_NUMBER
    if math.isnan(number) or math.isinf(number):
        return None, MSG_NUMBER
    return _bounded(question, number)


def _show(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _bounded(question: Question, number: int | float) -> tuple[Any, str | None]:
    low, high = question.min, question.max
    if (low is not None and number < low) or (high is not None and number > high):
        if question.constraint_message:
            return None, question.constraint_message
        if low is not None and high is not None:
            return None, MSG_RANGE.format(min=_show(low), max=_show(high))
        if low is not None:
            return None, MSG_MIN.format(min=_show(low))
        return None, MSG_MAX.format(max=_show(high))
    return number, None


def _parse_text(question: Question, value: Any) -> tuple[Any, str | None]:
    text = str(value).strip()
    if question.max_length is not None and len(text) > question.max_length:
        return None, MSG_TOO_LONG.format(max_length=question.max_length)
    return text, None
