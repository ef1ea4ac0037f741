"""One small class per question type: the template that shows it, and how its posted value is
read from the request.

Inputs are plain markup in precompiled Jinja templates (no form library builds a widget per
field per request). Checking the answers is not done here: :func:`surveyapp.questionnaire.
validate_answers` is the one place that knows the rules, shared with the paper import.
"""
from __future__ import annotations

#: Input names are ``q_<question name>`` so that no question name collides with the form's
#: own fields (``csrf_token``, ``step``, ``nav`` ...).
FIELD_PREFIX = "q_"


def field_name(question) -> str:
    return FIELD_PREFIX + question.name


class QuestionType:
    """Base: a question shown by ``template`` with a single text value."""

    template = "collect/_text.html"

    def template_for(self, question) -> str:
        return self.template

    def raw_value(self, formdata, question):
        value = formdata.get(field_name(question))
        return value if value not in ("", None) else None


class SelectOne(QuestionType):
    template = "collect/_choices.html"


class Likert5(SelectOne):
    template = "collect/_likert.html"


class SelectMultiple(QuestionType):
    template = "collect/_choices.html"

    def raw_value(self, formdata, question):
        return [v for v in formdata.getlist(field_name(question)) if v] or None


class Number(QuestionType):
    template = "collect/_number.html"


class Time(QuestionType):
    template = "collect/_time.html"


class Text(QuestionType):
    """One line for a short text (a shop's name, an address), a box for a long one."""

    def template_for(self, question) -> str:
        return "collect/_text.html" if question.single_line else "collect/_textarea.html"


class Note(QuestionType):
    """A paragraph of text: no input, no answer."""

    template = "collect/_note.html"

    def raw_value(self, formdata, question):
        return None


QUESTION_TYPES: dict[str, QuestionType] = {
    "select_one": SelectOne(),
    "likert5": Likert5(),
    "select_multiple": SelectMultiple(),
    "integer": Number(),
    "decimal": Number(),
    "time": Time(),
    "text": Text(),
    "note": Note(),
}


def question_type(question) -> QuestionType:
    return QUESTION_TYPES[question.type]
