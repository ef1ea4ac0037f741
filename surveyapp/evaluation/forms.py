"""Forms built at run time from the rules file: the inventory (one row per catalogue type)
and one form per indicator (one field per fact the rules ask for)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

BOOL_CHOICES = [SelectChoice("", "未填写"), SelectChoice("yes", "是"), SelectChoice("no", "否")]


class NewEvaluationForm(FlaskForm):
    campaign = SelectField("用于满意度指标的居民问卷调查", validate_choice=False)
    rules = SelectField("评价规则", validate_choice=False)
    #: Set by the confirmation step: the first submission only shows what will be created.
    confirmed = StringField()


class ReasonForm(FlaskForm):
    """Withdrawing or correcting an issued round: a reason is required."""

    reason = TextAreaField("理由", validators=[DataRequired("请写明理由"), Length(max=1000, message="理由不超过1000字")])


class ConfirmForm(FlaskForm):
    """Deleting a draft: the assessor ticks the box."""

    confirm = BooleanField("我确认删除这一轮评价草稿（业态清单和现场检查记录一并删除，不能恢复）",
                           validators=[DataRequired("请勾选确认")])


class CampaignForm(FlaskForm):
    campaign = SelectField("用于满意度指标的居民问卷调查", validate_choice=False)
    confirm_open = BooleanField("问卷调查仍在进行，确认用目前的数据签发")


def inventory_form(rules, rows, self_points):
    """Fields ``present_<code>``, ``outlets_<code>``, ``evidence_<code>`` per catalogue type."""
    attributes = {"self_points": StringField("自评分（有没有）", default="" if self_points is None else f"{self_points:g}")}
    for row in rows:
        code = row["code"]
        attributes[f"present_{code}"] = BooleanField(row["label"], default=row["present"])
        attributes[f"outlets_{code}"] = StringField("网点数", default=str(row["outlets"]) if row["outlets"] else "")
        attributes[f"evidence_{code}"] = StringField("佐证说明", default=row["evidence"])
    return type("InventoryForm", (FlaskForm,), attributes)


def _fact_default(field, value):
    if value is None:
        return None
    if field.kind == "bool":
        return "yes" if value else "no"
    if field.kind == "share":
        return f"{value * 100:g}%"
    if field.kind == "multi":
        return list(value)
    return str(value)


def indicator_form(fields, facts: dict, self_points, note: str, not_applicable: bool = False):
    attributes = {
        "self_points": StringField("自评分", default="" if self_points is None else f"{self_points:g}"),
        "note": StringField("备注（标为不适用时写明理由）", default=note),
        "not_applicable": BooleanField("本指标不适用于本生活圈，记 0 分", default=not_applicable),
    }
    for field in fields:
        default = _fact_default(field, facts.get(field.name))
        name = f"fact_{field.name}"
        if field.kind == "bool":
            attributes[name] = RadioField(field.label, choices=BOOL_CHOICES, default=default or "",
                                          validate_choice=False)
        elif field.kind == "choice":
            attributes[name] = RadioField(field.label, default=default or "", validate_choice=False,
                                          choices=[SelectChoice("", "未填写")] + [SelectChoice(c, l) for c, l in field.choices])
        elif field.kind == "multi":
            attributes[name] = SelectMultipleField(
                field.label, choices=[SelectChoice(c, l) for c, l in field.choices], default=default or [],
                validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
        else:
            attributes[name] = StringField(field.label, default=default or "")
    return type("IndicatorForm", (FlaskForm,), attributes)
