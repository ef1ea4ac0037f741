"""Forms of the outlet pages. Every form carries the CSRF token (FlaskForm); numbers are text
fields checked by the route so that a wrong entry is kept as typed next to its message."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

UNKNOWN_YES_NO = [SelectChoice("", "不清楚"), SelectChoice("yes", "是"), SelectChoice("no", "否")]


def _checkboxes(label, choices):
    return SelectMultipleField(label, choices=choices, validate_choice=False,
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class ActionForm(FlaskForm):
    """A button that changes something (close, reopen, merge, separate): the CSRF token only,
    plus which way when there is a choice."""

    value = HiddenField()


def outlet_form(type_choices, labels: dict[str, dict[str, str]]):
    """The form for an outlet the assessor saw that did not answer."""
    def options(name):
        return [SelectChoice(code, label) for code, label in labels.get(name, {}).items() if code != "none"]

    attributes = {
        "name": StringField("门店名称", validators=[InputRequired("请填写门店名称"), Length(max=100, message="不超过100字")]),
        "address": StringField("门店地址", validators=[Length(max=200, message="不超过200字")]),
        "type_code": SelectField("业态类型", choices=[SelectChoice("", "请选择")] + [SelectChoice(c, l) for c, l in type_choices], validate_choice=False),
        "chain": BooleanField("连锁品牌门店"),
        "brand": StringField("品牌名称", validators=[Length(max=100, message="不超过100字")]),
        "is_24h": BooleanField("24小时营业"),
        "addon_services": _checkboxes("便民服务（便利店、超市）", options("addon_services")),
        "breakfast_varieties": StringField("早餐主食和汤粥品种数"),
        "home_delivery": BooleanField("自己送货上门"),
        "instant_retail": BooleanField("上线外卖或即时零售平台"),
        "repair_categories": _checkboxes("维修服务品类", options("repair_categories")),
        "market_facilities": _checkboxes("市场设施", options("market_facilities")),
        "qr_payment": SelectField("可扫码付款", choices=UNKNOWN_YES_NO, validate_choice=False),
        "listed_on_platform": SelectField("已上线生活圈地图或平台", choices=UNKNOWN_YES_NO, validate_choice=False),
        "note": StringField("备注（如现场核查日期、照片编号）", validators=[Length(max=500, message="不超过500字")]),
    }
    return type("OutletForm", (FlaskForm,), attributes)
