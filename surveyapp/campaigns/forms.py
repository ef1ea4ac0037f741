"""Forms of the campaign pages: the device rule, opening surveys (one circle or many),
changing dates, closing and reopening.

Dates are typed into text fields (``type=date`` in the browser) and checked here, so a wrong
value comes back as typed with a Chinese message next to it. A date is a day where the
circles are (SURVEYAPP_TIMEZONE): a survey opens at the start of its first day and closes at
the end of its last day, the day printed on the poster.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..community.forms import parse_date
from ..models.campaign import MAX_ANSWERS_PER_DEVICE

#: Longest survey one form may set (a year and a day, as the command line's --days).
MAX_DAYS = 366


class DeviceRuleForm(FlaskForm):
    answers_per_device = IntegerField(
        "每部手机最多可填写", validators=[
            InputRequired("请填写一个数字，比如 3"),
            NumberRange(1, MAX_ANSWERS_PER_DEVICE, f"请填写 1 到 {MAX_ANSWERS_PER_DEVICE} 之间的数字"),
        ])


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def start_of(day: date) -> datetime:
    """The first moment of ``day`` where the circles are, in UTC."""
    return datetime.combine(day, time(0, 0), _zone()).astimezone(timezone.utc)


def end_of(day: date) -> datetime:
    """The first moment after ``day`` where the circles are, in UTC: a survey closing on
    ``day`` takes answers all that day (the poster prints ``day``)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), _zone()).astimezone(timezone.utc) - timedelta(seconds=1)


def _date_check(field, required: bool) -> date | None:
    try:
        value = parse_date(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if value is None and required:
        raise ValidationError("请填写日期，例如 2026-12-31")
    return value


class DatesMixin:
    """``opens_on`` and ``closes_on`` (the last day answers are taken)."""

    def validate_opens_on(self, field):
        _date_check(field, True)

    def validate_closes_on(self, field):
        closes = _date_check(field, True)
        try:
            opens = parse_date(self.opens_on.data)
        except ValueError:
            return
        if opens and closes:
            if closes < opens:
                raise ValidationError("结束日期不能早于开始日期")
            if (closes - opens).days > MAX_DAYS:
                raise ValidationError(f"一次调查最长 {MAX_DAYS} 天")

    def opens_at(self) -> datetime:
        return start_of(parse_date(self.opens_on.data))

    def closes_at(self) -> datetime:
        return end_of(parse_date(self.closes_on.data))


class OpenSurveyForm(DatesMixin, FlaskForm):
    questionnaire = SelectField("问卷", validate_choice=False)
    circles = SelectMultipleField("生活圈", coerce=int, validate_choice=False,
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    opens_on = StringField("开始日期")
    closes_on = StringField("结束日期（含当天）")
    answers_per_device = StringField("每部手机最多可填写（份）",
                                     description=f"1 到 {MAX_ANSWERS_PER_DEVICE}；不填按问卷类型的默认值（居民 3、商户 5）")

    def validate_questionnaire(self, field):
        if field.data not in {value for value, _ in self.questionnaire.choices}:
            raise ValidationError("请选择问卷")

    def validate_circles(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个生活圈")
        allowed = {value for value, _ in field.choices}
        if any(value not in allowed for value in field.data):
            raise ValidationError("所选生活圈不存在，请刷新页面后重新选择")

    def validate_answers_per_device(self, field):
        text = (field.data or "").strip()
        if text and (not text.isdigit() or not 1 <= int(text) <= MAX_ANSWERS_PER_DEVICE):
            raise ValidationError(f"请填写 1 到 {MAX_ANSWERS_PER_DEVICE} 之间的数字，或不填")

    def device_rule(self) -> int | None:
        text = (self.answers_per_device.data or "").strip()
        return int(text) if text else None


class ScheduleForm(DatesMixin, FlaskForm):
    opens_on = StringField("开始日期")
    closes_on = StringField("结束日期（含当天）", description="延长或缩短调查：改这个日期；改到今天以前即结束调查")


class ReopenForm(FlaskForm):
    closes_on = StringField("新的结束日期（含当天）", description="原结束日期已过时必须填写")

    def validate_closes_on(self, field):
        _date_check(field, False)

    def closes_at(self) -> datetime | None:
        day = parse_date(self.closes_on.data)
        return end_of(day) if day else None


class CloseForm(FlaskForm):
    """Only the CSRF token: closing early asks nothing else."""
