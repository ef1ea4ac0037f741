"""The answer form, built at run time from the questionnaire (Indico's pattern).

Field attributes are ``q_<question name>`` so that no question name can collide with
the form's own attributes (``data``, ``errors``, ``meta`` ...).
"""
from __future__ import annotations

from flask_wtf import FlaskForm

from .questiontypes import question_type

FIELD_PREFIX = "q_"


class AnswerFormBase(FlaskForm):
    """CSRF is the only thing WTForms validates; answers go through validate_answers."""


def field_name(question) -> str:
    return FIELD_PREFIX + question.name


def build_answer_form(questionnaire, communities):
    """A FlaskForm subclass with one field per answerable question."""
    attributes = {}
    for question in questionnaire.questions:
        field = question_type(question).build_field(question, question.choices_for(communities))
        if field is not None:
            attributes[field_name(question)] = field
    return type("AnswerForm", (AnswerFormBase,), attributes)


def raw_answers(form, questionnaire) -> dict:
    """What the respondent submitted, keyed by question name, as validate_answers takes it."""
    raw = {}
    for question in questionnaire.questions:
        name = field_name(question)
        if name in form:
            raw[question.name] = question_type(question).raw_value(form[name])
    return raw


def attach_errors(form, errors: dict[str, str]) -> None:
    for question_name, message in errors.items():
        name = FIELD_PREFIX + question_name
        if name in form:
            form[name].errors = [message]
