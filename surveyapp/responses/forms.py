"""The paper-upload forms: the file, then the confirmation of what it will store."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length


class PaperUploadForm(FlaskForm):
    file = FileField("录好的文件（.xlsx 或 .csv）", validators=[
        FileRequired("请选择要上传的文件"),
        FileAllowed(["xlsx", "csv"], "只能上传 .xlsx 或 .csv 文件：请在 Excel 中另存为这两种格式之一"),
    ])


class PaperConfirmForm(FlaskForm):
    #: The upload waiting for confirmation (random, and bound to this browser's session).
    upload = HiddenField(validators=[InputRequired("找不到待确认的上传，请重新上传文件"), Length(max=64)])
