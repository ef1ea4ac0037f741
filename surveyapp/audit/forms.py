"""The audit log's filter form (a GET form: it reads, so it carries no CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

DATE_MESSAGE = "请按 2026-12-01 的格式填写日期"


class DayField(DateField):
    """A date typed as 2026-12-01 (what a date picker sends), refused in Chinese otherwise."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATE_MESSAGE) from exc


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField("操作人", validators=[Optional(), Length(max=64, message="不超过64个字")])
    action = SelectField("操作", choices=[SelectChoice("", "全部")], validate_choice=False, default="")
    circle = SelectField("生活圈", choices=[SelectChoice("", "全部")], default="")
    target = StringField("对象", description="如 问卷调查、评价，或对象编号",
                         validators=[Optional(), Length(max=64, message="不超过64个字")])
    date_from = DayField("从", validators=[Optional()], format="%Y-%m-%d")
    date_to = DayField("到", validators=[Optional()], format="%Y-%m-%d")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("结束日期不能早于开始日期")

    def validate_action(self, field):
        if field.data and field.data not in {choice.value for choice in self.action.choices}:
            raise ValidationError("没有这种操作")
