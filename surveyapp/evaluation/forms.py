"""Forms built at run time from the rules file: the inventory (one row per catalogue type)
and one form per indicator (one field per fact the rules ask for)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

BOOL_CHOICES = [SelectChoice("", "未填写"), SelectChoice("yes", "是"), SelectChoice("no", "否")]


class NewEvaluationForm(FlaskForm):
    campaign = SelectField("用于满意度指标的居民问卷调查", validate_choice=False)
    rules = SelectField("评价规则", validate_choice=False)


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


def indicator_form(fields, facts: dict, self_points, note: str):
    attributes = {
        "self_points": StringField("自评分", default="" if self_points is None else f"{self_points:g}"),
        "note": StringField("备注", default=note),
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
