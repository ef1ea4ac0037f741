"""The community point form: which community, an optional block name, and the coordinates as
"纬度 经度" (typed, or filled by clicking the map; ``datum`` says which datum a click gave)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class PointForm(FlaskForm):
    community = SelectField("社区", validate_choice=False)
    label = StringField("名称（可不填，如“3号院”）", validators=[Length(max=100, message="不超过100字")])
    location = StringField("坐标（纬度 经度，WGS-84）", validators=[InputRequired("请填写坐标，或在地图上点一下")])
    datum = HiddenField(default="wgs84")


class DeleteForm(FlaskForm):
    """A delete button: the CSRF token only."""
