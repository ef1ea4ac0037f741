"""One small class per question type: how it becomes a form field, and how the field's
submitted data is handed to the questionnaire's validator.

Checking the answers is not done here: :func:`surveyapp.questionnaire.validate_answers` is
the one place that knows the rules, shared with the paper import.
"""
from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..geo import DATUMS, GeoPointError, from_display, parse_geopoint


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


class GeopointField(StringField):
    """The location as XLSForm text (``"lat lon [altitude [accuracy]]"``), plus the datum of the
    map a pin was placed on (``<name>_datum``: ``wgs84``, the default, or ``gcj02``)."""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.datum = "wgs84"
        if formdata is not None and formdata.get(self.name + "_datum") in DATUMS:
            self.datum = formdata.get(self.name + "_datum")


class Geopoint(QuestionType):
    """使用当前位置 (the browser's geolocation, with its accuracy) or a pin on a map; the text
    box under the buttons shows the result and takes a typed coordinate when neither works.
    What reaches the validator is always WGS-84: a pin placed on GCJ-02 tiles is converted here."""

    template = "collect/_geopoint.html"

    def build_field(self, question, choices):
        return GeopointField(question.label)

    def raw_value(self, field):
        value = (field.data or "").strip()
        if not value:
            return None
        if getattr(field, "datum", "wgs84") != "wgs84":
            try:
                point = parse_geopoint(value)
            except GeoPointError:
                return value  # the validator words the problem
            return from_display(point.lat, point.lon, field.datum, point.accuracy).text()
        return value


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
    "geopoint": Geopoint(),
}


def question_type(question) -> QuestionType:
    return QUESTION_TYPES[question.type]
