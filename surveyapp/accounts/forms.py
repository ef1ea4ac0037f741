"""Forms of the account pages (admins only). Choices come from ``Role`` and the circles."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.users import MIN_PASSWORD_LENGTH
from ..models.user import ROLE_LABELS

PASSWORD_HINT = f"至少 {MIN_PASSWORD_LENGTH} 位；把它告诉本人，首次登录时须改成自己的密码"


def role_choices():
    return [SelectChoice("", "请选择")] + [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]


def _circles_field():
    return SelectMultipleField("可查看的生活圈", coerce=int, validate_choice=True,
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class NewAccountForm(FlaskForm):
    username = StringField("用户名（登录用）", validators=[InputRequired("请填写用户名"),
                                                  Length(max=64, message="用户名最多 64 个字符")])
    display_name = StringField("姓名或单位（页面和报告上显示）", validators=[Length(max=64, message="最多 64 个字")])
    role = SelectField("角色", choices=role_choices(), validators=[InputRequired("请选择角色")])
    circles = _circles_field()
    password = StringField("一次性密码", validators=[InputRequired("请填写一次性密码"), Length(max=256)],
                           description=PASSWORD_HINT)


class AccountForm(FlaskForm):
    display_name = StringField("姓名或单位", validators=[Length(max=64, message="最多 64 个字")])
    role = SelectField("角色", choices=role_choices(), validators=[InputRequired("请选择角色")])


class CirclesForm(FlaskForm):
    #: Marks the form as sent: with every box unticked, a browser sends no ``circles`` at all.
    sent = HiddenField(validators=[AnyOf(["1"], "请从账户页面提交")])
    circles = _circles_field()


class OneTimePasswordForm(FlaskForm):
    password = StringField("新的一次性密码", validators=[InputRequired("请填写一次性密码"), Length(max=256)],
                           description=PASSWORD_HINT)


class StateForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"], "请从账户页面提交")])
