"""Forms of the community pages (Flask-WTF: every one carries the CSRF token).

Choice fields are filled per request from the circle's catalogue and checked here with a
Chinese message (WTForms' own "Not a valid choice" would be English); dates are typed into
text fields (``type=date`` in the browser) so that a wrong value comes back as typed.
"""
from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models.community import PROJECT_STATUS_LABELS

STATUS_CHOICES = [SelectChoice(code, label) for code, label in PROJECT_STATUS_LABELS.items()]
DATE_PATTERN = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")


def parse_date(text: str | None) -> date | None:
    """``2026-12-31`` (also ``2026/12/31`` and ``2026年12月31日``) → date; "" → None."""
    if not (text or "").strip():
        return None
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError("日期格式应为 2026-12-31")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ValueError("没有这一天，请核对日期") from exc


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _required(message: str):
    def check(form, field):
        if not (field.data or "").strip():
            raise ValidationError(message)
    return check


def _date_field(form, field):
    try:
        parse_date(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class ProjectForm(FlaskForm):
    title = StringField("项目名称", validators=[_required("请填写项目名称"), Length(max=100, message="项目名称不超过 100 字")])
    type_code = SelectField("业态类型", validate_choice=False)
    demands = SelectMultipleField("回应的需求", validate_choice=False, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    action = TextAreaField("做什么", validators=[Length(max=1000, message="项目内容不超过 1000 字")])
    responsible = StringField("责任人或责任单位", validators=[
        _required("请填写责任人或责任单位"), Length(max=100, message="不超过 100 字")])
    planned_on = StringField("计划完成日期", validators=[_date_field], render_kw={"type": "date"})
    status = SelectField("状态", choices=STATUS_CHOICES, validate_choice=False)

    def validate_type_code(self, field):
        if not field.data or field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("请选择业态类型")

    def validate_demands(self, field):
        known = {choice.value for choice in field.choices}
        if any(code not in known for code in field.data or ()):
            raise ValidationError("请从列出的需求中选择")

    def validate_status(self, field):
        if field.data not in PROJECT_STATUS_LABELS:
            raise ValidationError("请选择项目状态")


class NoteForm(FlaskForm):
    noted_on = StringField("日期", validators=[_required("请填写日期"), _date_field], render_kw={"type": "date"})
    text = TextAreaField("进展情况", validators=[_required("请填写进展情况"),
                                                 Length(max=1000, message="进展情况不超过 1000 字")])
    status = SelectField("状态变为", choices=[SelectChoice("", "不变")] + STATUS_CHOICES, validate_choice=False)

    def validate_status(self, field):
        if field.data and field.data not in PROJECT_STATUS_LABELS:
            raise ValidationError("请选择项目状态")


class DeclineForm(FlaskForm):
    reason = TextAreaField("不予实施的理由", validators=[Length(max=1000, message="理由不超过 1000 字")])


class TriageForm(FlaskForm):
    """One suggestion: group it under a demand, hide it, or show it again (the pressed button
    is the ``action`` field of the request)."""

    type_code = SelectField("归入需求", validate_choice=False)
