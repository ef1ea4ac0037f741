"""The loaded questionnaire: plain frozen dataclasses, no YAML, no Flask, no database.

Everything here is immutable so that one loaded questionnaire (cached by content hash) can be
shared by every request and by the analysis code without anyone changing it under the others.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .expressions import Expression
from .kinds import SURVEY_KINDS

QUESTION_TYPES = ("select_one", "select_multiple", "likert5", "integer", "decimal", "text", "note", "time", "geopoint")
SELECT_TYPES = ("select_one", "select_multiple", "likert5")

#: How the form is shown (XLSForm's ``style``): ``pages``, one step per section with back and
#: next, or ``single``, every question on one page.
FORM_STYLES = ("pages", "single")

#: A choice list longer than this is shown folded: its ``top_choices`` (or its first
#: FOLDED_PREVIEW choices) first, the rest under "更多".
FOLD_LONGER_THAN = 12
FOLDED_PREVIEW = 8
#: A text question this short (max_length) is one line, not a box.
SINGLE_LINE_MAX_LENGTH = 100


def default_kind(name: str) -> str:
    """The kind of a file that does not say (files frozen before ``kind`` existed)."""
    return "merchant" if name == "merchant" else "resident"


#: The dynamic choice list filled at run time from the circle's communities.
DYNAMIC_LISTS = ("communities",)


@dataclass(frozen=True)
class Choice:
    """One answer option. ``name`` is the code stored in responses (always a string)."""

    name: str
    label: str
    label_en: str | None = None


#: The built-in 5-point satisfaction scale, in display order (most satisfied first, then
#: 不清楚 last, as residents are used to seeing it on paper).
LIKERT5_CHOICES = (
    Choice("5", "非常满意", "Very satisfied"),
    Choice("4", "满意", "Satisfied"),
    Choice("3", "一般", "Neutral"),
    Choice("2", "不满意", "Dissatisfied"),
    Choice("1", "非常不满意", "Very dissatisfied"),
    Choice("0", "不清楚", "Don't know"),
)
LIKERT5_CODES = frozenset(choice.name for choice in LIKERT5_CHOICES)
LIKERT5_SATISFIED = ("4", "5")
LIKERT5_DONT_KNOW = ("0",)

DEFAULT_MAX_LENGTH = 500


@dataclass(frozen=True)
class CatalogueEntry:
    """One business type (业态) of a catalogue."""

    code: str
    label: str
    group: str  # "basic" (基本保障类) or "quality" (品质提升类)
    required: bool = False  # one of the city's 必备 basic types
    label_en: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """A versioned 业态 catalogue. Jurisdictions differ, so it is data, never code."""

    name: str
    version: str
    trial: bool
    basic: tuple[CatalogueEntry, ...]
    quality: tuple[CatalogueEntry, ...]
    title: str | None = None
    path: str | None = None
    content_hash: str | None = None
    _by_code: dict = field(init=False, compare=False, repr=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_code", {entry.code: entry for entry in self.basic + self.quality})

    @property
    def entries(self) -> tuple[CatalogueEntry, ...]:
        return self.basic + self.quality

    @property
    def required(self) -> tuple[str, ...]:
        """Codes of the required (必备) basic types, in catalogue order."""
        return tuple(entry.code for entry in self.basic if entry.required)

    def group(self, name: str) -> tuple[CatalogueEntry, ...]:
        """Entries of ``basic``, ``quality`` or ``all`` (what a question's `catalogue:` names)."""
        if name == "basic":
            return self.basic
        if name == "quality":
            return self.quality
        if name == "all":
            return self.entries
        raise KeyError(name)

    def entry(self, code: str) -> CatalogueEntry:
        return self._by_code[code]

    def label(self, code: str) -> str:
        return self._by_code[code].label

    def __contains__(self, code: object) -> bool:
        return code in self._by_code


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: str
    section: str
    line: int
    label_en: str | None = None
    hint: str | None = None
    required: bool = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: str | None = None
    choices: tuple[Choice, ...] | None = None
    #: The ``choice_lists`` entry the choices come from (None for inline ones): kept so that an
    #: XLSForm export names its lists as the file does, and an import gives them back.
    choice_list: str | None = None
    dynamic_choices: str | None = None
    catalogue: str | None = None
    indicator: str | None = None
    satisfied: tuple[str, ...] = ()
    dont_know: tuple[str, ...] = ()
    demand: bool = False
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None
    #: Codes shown before "更多" when the choice list is long (the most-named first).
    top_choices: tuple[str, ...] = ()

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    @property
    def is_multi(self) -> bool:
        return self.type == "select_multiple"

    @property
    def is_note(self) -> bool:
        return self.type == "note"

    def choices_for(self, communities: Sequence[str] = ()) -> tuple[Choice, ...]:
        """The options to show: the static ones, or the circle's communities for a dynamic list.

        Community codes are the community names themselves, so a paper questionnaire typed in
        later can be matched without a lookup table.
        """
        if self.dynamic_choices == "communities":
            seen: dict[str, Choice] = {}
            for name in communities:
                name = str(name).strip()
                if name and name not in seen:
                    seen[name] = Choice(name, name)
            return tuple(seen.values())
        return self.choices or ()

    @property
    def single_line(self) -> bool:
        """A short text (a shop's name, an address) is typed on one line."""
        return self.type == "text" and self.max_length is not None and self.max_length <= SINGLE_LINE_MAX_LENGTH

    def folded_choices(self, communities: Sequence[str] = ()) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
        """(shown first, folded under "更多"): a short list is all shown first."""
        choices = self.choices_for(communities)
        if len(choices) <= FOLD_LONGER_THAN:
            return choices, ()
        if self.top_choices:
            first = set(self.top_choices)
            by_code = {c.name: c for c in choices}
            shown = tuple(by_code[code] for code in self.top_choices if code in by_code)
            return shown, tuple(c for c in choices if c.name not in first)
        return choices[:FOLDED_PREVIEW], choices[FOLDED_PREVIEW:]

    def choice_label(self, code: str, communities: Sequence[str] = ()) -> str | None:
        for choice in self.choices_for(communities):
            if choice.name == code:
                return choice.label
        return None


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    questions: tuple[Question, ...]
    hint: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    name: str
    version: str
    title: str
    notice: str
    #: The minutes a file states (older files); what residents are told is counted by
    #: :func:`surveyapp.questionnaire.timing.estimated_minutes`.
    estimated_minutes: int | None
    sections: tuple[Section, ...]
    path: str
    content_hash: str
    title_en: str | None = None
    #: ``pages`` (default) or ``single`` (FORM_STYLES), from the file's ``style``.
    style: str = "pages"
    #: ``resident`` or ``merchant`` (SURVEY_KINDS), from the file's ``kind``.
    kind: str = "resident"
    #: The 业态 catalogue the `catalogue:` questions were filled from (None when unused).
    catalogue: Catalogue | None = None
    questions: tuple[Question, ...] = field(init=False, compare=False)
    _by_name: dict = field(init=False, compare=False, repr=False, hash=False)

    def __post_init__(self):
        flat = tuple(q for section in self.sections for q in section.questions)
        object.__setattr__(self, "questions", flat)
        object.__setattr__(self, "_by_name", {q.name: q for q in flat})

    def question(self, name: str) -> Question:
        """The question called ``name`` (KeyError when there is none)."""
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def indicator_questions(self, indicator: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.indicator == indicator)

    def indicators(self) -> tuple[str, ...]:
        """Every indicator named in the file, in order of first appearance."""
        return tuple(dict.fromkeys(q.indicator for q in self.questions if q.indicator))

    def demand_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.demand)

    def answerable_questions(self) -> tuple[Question, ...]:
        """Questions that carry answers (everything but notes): the columns of an import sheet."""
        return tuple(q for q in self.questions if not q.is_note)

    def skip_logic(self) -> dict[str, dict]:
        """question name -> JSON tree of its `relevant`, for the browser's show/hide script."""
        return {q.name: q.relevant.to_json() for q in self.questions if q.relevant is not None}
