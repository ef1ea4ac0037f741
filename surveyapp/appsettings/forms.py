"""The settings page's form (admins only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from .operations import SETTINGS, ASSESSOR_FIRM

_FIRM = SETTINGS[ASSESSOR_FIRM]


class SettingsForm(FlaskForm):
    assessor_firm = StringField(_FIRM.label, description=_FIRM.hint,
                                validators=[Length(max=_FIRM.max_length,
                                                   message=f"最多 {_FIRM.max_length} 个字")])
