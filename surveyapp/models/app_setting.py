"""Settings an admin keeps in the database (not in the environment): what a report prints
about the organisation that issues it, such as the assessment firm's name.

One row per key. A report copies the values it prints when it is issued
(``IssuedReport.issued_by_firm``), so changing a setting never changes an issued report.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class AppSetting(SQLModel, table=True):
    __tablename__ = "app_setting"

    #: e.g. ``assessor_firm`` (the keys are listed in ``surveyapp.appsettings.operations.SETTINGS``).
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=200)
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow)
