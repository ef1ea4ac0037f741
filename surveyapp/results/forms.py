from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

EXCLUDE_REASONS = [
    SelectChoice("straightlining", "所有细项同一答案（确认剔除）"),
    SelectChoice("manual", "其他原因"),
]


class ExcludeForm(FlaskForm):
    reason = RadioField("剔除原因", choices=EXCLUDE_REASONS, default="straightlining",
                        validators=[InputRequired("请选择剔除原因")])
    note = StringField("说明", validators=[Length(max=500, message="说明不超过500字")])


class RestoreForm(FlaskForm):
    note = StringField("说明", validators=[Length(max=500, message="说明不超过500字")])
