from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from .layout import PLATFORMS


class UploadForm(FlaskForm):
    file = FileField("导出文件（.xlsx 或 .csv）")
    platform = SelectField("来自", choices=[SelectChoice("", "自动识别"),
                                                *(SelectChoice(code, label) for code, label in PLATFORMS.items())], default="")


class ConfirmForm(FlaskForm):
    """The mapping fields themselves are many and depend on the file: the view reads them from
    the request (``col-N``, ``opt-N``, ``val-Q-N``), each checked against the questionnaire."""

    upload = HiddenField()
    save = BooleanField("保存这套对应关系，下次导入同一问卷的文件时直接使用", default=True)
