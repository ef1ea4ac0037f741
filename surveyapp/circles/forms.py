"""The circle form (new and edit) and the city-list upload.

Numbers are typed into text fields and checked here, so that a wrong value comes back as typed
with a Chinese message next to it (WTForms' IntegerField answers in English). The age bands
are those of the resident questionnaire, so the form is built per request
(:func:`circle_form`).
"""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

TIER_CHOICES = [SelectChoice("1", "一线城市"), SelectChoice("2", "二线城市"), SelectChoice("3", "其他城市")]
#: Empty community rows offered below the existing ones.
SPARE_COMMUNITY_ROWS = 3
NUMBER = re.compile(r"^\s*\d[\d,，]*\s*$")


def whole_number(text: str | None) -> int | None:
    """``20,000`` → 20000; empty → None; anything else raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    if not NUMBER.match(text):
        raise ValueError(text)
    return int(text.replace(",", "").replace("，", ""))


class CommunityRow(Form):
    """One community of the circle (a sub-form: the CSRF token is the outer form's)."""

    id = HiddenField()
    name = StringField("社区名称", validators=[Length(max=100, message="最多 100 个字")])
    population = StringField("人口")

    def validate_population(self, field):
        try:
            value = whole_number(field.data)
        except ValueError:
            raise ValidationError("人口应为非负整数，例如 8000") from None
        if value is None and (self.name.data or "").strip():
            raise ValidationError("请填写这个社区的人口")
        if value is not None and not (self.name.data or "").strip():
            raise ValidationError("请填写社区名称，或清空人口")


class CircleForm(FlaskForm):
    name = StringField("生活圈名称", validators=[InputRequired("请填写生活圈名称"), Length(max=100, message="最多 100 个字")])
    population = StringField("服务人口", description="常住人口；样本量要求按它的 3% 计算")
    city_tier = SelectField("城市等级", choices=TIER_CHOICES, default="3",
                            description="决定连锁化率的门槛（一线 30%、二线 25%、其他 20%）")
    communities = FieldList(FormField(CommunityRow), min_entries=1)
    address = StringField("地址", validators=[Optional(), Length(max=200, message="最多 200 个字")])
    notes = TextAreaField("备注", validators=[Optional(), Length(max=2000, message="最多 2000 个字")],
                          description="例如人口数据的来源和年份")

    def validate_population(self, field):
        try:
            value = whole_number(field.data)
        except ValueError:
            raise ValidationError("服务人口应为正整数，例如 20000") from None
        if value is None:
            raise ValidationError("请填写服务人口")
        if value <= 0:
            raise ValidationError("服务人口应大于 0")

    def validate_city_tier(self, field):
        if field.data not in ("1", "2", "3"):
            raise ValidationError("请选择城市等级")

    # --- age structure: fields ``age_<code>`` added by circle_form() ---------------------------
    age_bands: list[tuple[str, str]] = []

    def age_fields(self):
        return [self[f"age_{code}"] for code, _ in self.age_bands]

    def age_structure(self) -> dict[str, float] | None:
        """The shares typed (percent → fraction), None when all are empty; adds the messages
        next to the fields (call after validate(); False-y errors mean it is fine)."""
        fields = self.age_fields()
        if not any((f.data or "").strip() for f in fields):
            return None
        shares = {}
        for (code, _), field in zip(self.age_bands, fields):
            text = (field.data or "").strip().rstrip("%％")
            if not text:
                field.errors.append("各年龄段要么都填、要么都不填")
                continue
            try:
                share = float(text)
            except ValueError:
                field.errors.append("应为 0 到 100 之间的数字")
                continue
            if not 0 <= share <= 100:
                field.errors.append("应为 0 到 100 之间的数字")
                continue
            shares[code] = share
        if len(shares) != len(fields):
            return None
        total = sum(shares.values())
        if abs(total - 100) > 1:
            fields[0].errors.append(f"各年龄段合计为 {total:g}%，应为 100%")
            return None
        return {code: round(share / total, 6) for code, share in shares.items()}

    def community_entries(self) -> list[tuple[int | None, str, int]]:
        """(existing id or None, name, population) of the filled rows, in order."""
        rows = []
        for entry in self.communities.entries:
            name = (entry.form.name.data or "").strip()
            if not name:
                continue
            raw_id = (entry.form.id.data or "").strip()
            rows.append((int(raw_id) if raw_id.isdigit() else None, name, whole_number(entry.form.population.data) or 0))
        return rows


def circle_form(age_bands: list[tuple[str, str]], **kwargs) -> CircleForm:
    """A CircleForm with one percentage field per age band of the resident questionnaire."""
    attributes = {"age_bands": age_bands}
    for code, label in age_bands:
        attributes[f"age_{code}"] = StringField(f"{label}（%）", validators=[Length(max=20, message="太长了")])
    form_class = type("CircleFormWithAges", (CircleForm,), attributes)
    return form_class(**kwargs)


class CityListForm(FlaskForm):
    file = FileField("城市生活圈清单（.xlsx 或 .csv）")


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
