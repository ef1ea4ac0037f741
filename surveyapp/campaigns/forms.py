from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..models.campaign import MAX_ANSWERS_PER_DEVICE


class DeviceRuleForm(FlaskForm):
    answers_per_device = IntegerField(
        "每部手机最多可填写", validators=[
            InputRequired("请填写一个数字，比如 3"),
            NumberRange(1, MAX_ANSWERS_PER_DEVICE, f"请填写 1 到 {MAX_ANSWERS_PER_DEVICE} 之间的数字"),
        ])
