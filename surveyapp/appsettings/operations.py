"""Reading and changing the settings kept in the database.

Only the keys listed in :data:`SETTINGS` exist; each has a label, a length limit and a hint
for the page. A change is audited (``setting.update``, before → after) in the same
transaction. Reports read a setting when they are rendered and an issued report keeps the
value it printed (``IssuedReport.issued_by_firm``): a later change never touches it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..audit.operations import record
from ..models import AppSetting
from ..models.timeutil import utcnow


@dataclass(frozen=True)
class Setting:
    key: str
    #: How the command line names it (``surveyapp settings set assessor-firm …``).
    cli_name: str
    label: str
    max_length: int
    hint: str


ASSESSOR_FIRM = "assessor_firm"
SETTINGS = {
    ASSESSOR_FIRM: Setting(
        ASSESSOR_FIRM, "assessor-firm", "评价机构名称", 100,
        "印在每份报告封面和签发栏的“评价机构”处（全称，与公章一致）。签发时随报告冻结：已签发的报告不随之改变。"
        "未设置时，该栏留空，由签发时手写。"),
}
BY_CLI_NAME = {setting.cli_name: setting for setting in SETTINGS.values()}


class SettingError(ValueError):
    """A value the setting does not accept; the message is for the user."""


def get_setting(session: Session, key: str) -> str:
    """The setting's value ('' when never set)."""
    if key not in SETTINGS:
        raise KeyError(key)
    row = session.get(AppSetting, key)
    return row.value if row is not None else ""


def assessor_firm(session: Session) -> str:
    return get_setting(session, ASSESSOR_FIRM)


def set_setting(session: Session, key: str, value: str, *, user_id: int | None = None) -> bool:
    """Store ``value`` (trimmed; '' clears it) with its audit entry; the caller commits.
    Returns whether anything changed (an unchanged value writes nothing)."""
    setting = SETTINGS[key]
    value = (value or "").strip()
    if len(value) > setting.max_length:
        raise SettingError(f"{setting.label}最多 {setting.max_length} 个字")
    row = session.get(AppSetting, key)
    before = row.value if row is not None else ""
    if before == value:
        return False
    if row is None:
        row = AppSetting(key=key)
    row.value, row.updated_by, row.updated_at = value, user_id, utcnow()
    session.add(row)
    record(session, "setting.update", summary=f"修改{setting.label}：{before or '（未设置）'} → {value or '（未设置）'}",
           target_type="setting", target_id=key, before={key: before}, after={key: value})
    return True
