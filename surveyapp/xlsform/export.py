"""A questionnaire as an XLSForm workbook.

Each section is a group (``field-list``: one screen per section, as on our phones); the
built-in 5-point scale is the choice list ``likert5``; the circle's communities, known only when
a campaign opens, come from ``communities.csv`` (``select_one_from_file``) which the field team
adds; a catalogue question gets its choices written out and says ``catalogue`` so that the
import can return to the catalogue. Numbers' bounds and a text's length become constraints
(what field apps understand) and are also kept in their own columns (what we understand). The
domain columns (``indicator``, ``satisfied``, ``dont_know``, ``demand``, ``top_choices``) are
extra columns, which XLSForm converters ignore.
"""
from __future__ import annotations

import io

from openpyxl import Workbook

from reports.spreadsheet import append_row

from ..questionnaire.model import LIKERT5_CHOICES, LIKERT5_DONT_KNOW, LIKERT5_SATISFIED

LABEL_EN = "label::English (en)"
HINT_EN = "hint::English (en)"
SURVEY_COLUMNS = ["type", "name", "label", LABEL_EN, "hint", "required", "relevant", "constraint",
                  "constraint_message", "appearance", "indicator", "satisfied", "dont_know", "demand", "catalogue",
                  "top_choices", "min", "max", "max_length"]
CHOICE_COLUMNS = ["list_name", "name", "label", LABEL_EN]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "style", "kind", "title_en", "notice"]
COMMUNITIES_FILE = "communities.csv"


def bounds_constraint(question) -> str | None:
    """The constraint a field app checks for ``min``/``max``/``max_length``."""
    parts = []
    if question.min is not None:
        parts.append(f". >= {question.min}")
    if question.max is not None:
        parts.append(f". <= {question.max}")
    if question.max_length is not None:
        parts.append(f"string-length(.) <= {question.max_length}")
    return " and ".join(parts) or None


class _ListNames:
    """The XLSForm list of each select question: the file's own list name where it has one
    (questions sharing it share it here too), the built-in scale as ``likert5``, and an inline
    list ``_`` + its question's name: a name our lists cannot have (they start with a letter),
    so the import writes it back inline."""

    def __init__(self, questionnaire):
        self.taken = {q.choice_list for q in questionnaire.questions if q.choice_list} | {"likert5"}
        self.inline: dict[tuple, str] = {}

    def of(self, question) -> str:
        if question.choice_list is not None:
            return question.choice_list
        if question.type == "likert5" and tuple(question.choices) == LIKERT5_CHOICES:
            return "likert5"
        key = tuple((c.name, c.label, c.label_en) for c in question.choices)
        if key not in self.inline:
            name = f"_{question.name}"
            while name in self.taken:
                name = f"{name}_choices"
            self.taken.add(name)
            self.inline[key] = name
        return self.inline[key]


def _type(question, lists) -> str:
    if question.dynamic_choices == "communities":
        kind = "select_one" if question.type == "select_one" else "select_multiple"
        return f"{kind}_from_file {COMMUNITIES_FILE}"
    if question.is_select:
        kind = "select_one" if question.type in ("select_one", "likert5") else "select_multiple"
        return f"{kind} {lists.of(question)}"
    return question.type


def _number(value):
    return "" if value is None else value


def xlsform_workbook(questionnaire) -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    choices = workbook.create_sheet("choices")
    settings = workbook.create_sheet("settings")
    append_row(survey, SURVEY_COLUMNS)
    lists = _ListNames(questionnaire)
    written: set[str] = set()
    choice_rows = []
    for section in questionnaire.sections:
        append_row(survey, ["begin_group", section.name, section.label, "", section.hint or "", "", "", "", "",
                            "field-list"] + [""] * (len(SURVEY_COLUMNS) - 10))
        for q in section.questions:
            qtype = _type(q, lists)
            list_name = qtype.split(" ", 1)[1] if q.is_select and q.dynamic_choices is None else None
            if list_name and list_name not in written:
                written.add(list_name)
                choice_rows.extend([list_name, c.name, c.label, c.label_en or ""] for c in q.choices)
            constraint = q.constraint.source if q.constraint is not None else bounds_constraint(q)
            # The scale's own satisfied / don't-know codes are the loader's defaults: written
            # only when a question says otherwise.
            defaults = (LIKERT5_SATISFIED, LIKERT5_DONT_KNOW) if q.type == "likert5" else ((), ())
            append_row(survey, [
                qtype, q.name, q.label, q.label_en or "", q.hint or "", "yes" if q.required else "",
                q.relevant.source if q.relevant is not None else "", constraint or "", q.constraint_message or "",
                "likert" if q.type == "likert5" else "", q.indicator or "",
                " ".join(q.satisfied) if q.satisfied != defaults[0] else "",
                " ".join(q.dont_know) if q.dont_know != defaults[1] else "",
                "yes" if q.demand else "", q.catalogue or "", " ".join(q.top_choices),
                _number(q.min), _number(q.max), _number(q.max_length),
            ])
        append_row(survey, ["end_group", section.name] + [""] * (len(SURVEY_COLUMNS) - 2))
    append_row(choices, CHOICE_COLUMNS)
    for row in choice_rows:
        append_row(choices, row)
    append_row(settings, SETTINGS_COLUMNS)
    append_row(settings, [questionnaire.title, questionnaire.name, questionnaire.version, questionnaire.style,
                          questionnaire.kind, questionnaire.title_en or "", questionnaire.notice])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
