"""One small class per question type: how it becomes a form field, and how the field's
submitted data is handed to the questionnaire's validator.

Checking the answers is not done here: :func:`surveyapp.questionnaire.validate_answers` is
the one place that knows the rules, shared with the paper import.
"""
from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def _options(choices):
    return [SelectChoice(c.name, c.label) for c in choices]


class QuestionType:
    """Base: a question rendered by ``template`` with a single text value."""

    template = "collect/_text.html"

    def build_field(self, question, choices):
        return StringField(question.label)

    def raw_value(self, field):
        value = field.data
        return value if value not in ("", None) else None


class SelectOne(QuestionType):
    template = "collect/_choices.html"

    def build_field(self, question, choices):
        # validate_choice=False: unknown codes are reported by validate_answers in Chinese.
        return RadioField(question.label, choices=_options(choices), validate_choice=False)


class Likert5(SelectOne):
    template = "collect/_likert.html"


class SelectMultiple(QuestionType):
    template = "collect/_choices.html"

    def build_field(self, question, choices):
        return SelectMultipleField(
            question.label,
            choices=_options(choices),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def raw_value(self, field):
        return list(field.data or []) or None


class Number(QuestionType):
    template = "collect/_number.html"


class Text(QuestionType):
    template = "collect/_textarea.html"

    def build_field(self, question, choices):
        return TextAreaField(question.label)


class Note(QuestionType):
    """A paragraph of text: no field, no answer."""

    template = "collect/_note.html"

    def build_field(self, question, choices):
        return None

    def raw_value(self, field):
        return None


QUESTION_TYPES: dict[str, QuestionType] = {
    "select_one": SelectOne(),
    "likert5": Likert5(),
    "select_multiple": SelectMultiple(),
    "integer": Number(),
    "decimal": Number(),
    "text": Text(),
    "note": Note(),
}


def question_type(question) -> QuestionType:
    return QUESTION_TYPES[question.type]
