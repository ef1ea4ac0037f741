from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .users import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=256)])


class OwnPasswordForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=256)])
    new_password = PasswordField("新密码", validators=[
        DataRequired("请输入新密码"),
        Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"新密码至少 {MIN_PASSWORD_LENGTH} 位，最多 256 位")])
    confirm = PasswordField("再输入一次新密码", validators=[
        DataRequired("请再输入一次新密码"), EqualTo("new_password", "两次输入的新密码不一样")])
