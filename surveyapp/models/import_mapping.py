"""The confirmed mapping of a platform export (问卷星 / 腾讯问卷) onto a campaign's questionnaire,
saved so that the next file of the same survey is mapped without asking again."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class ImportMapping(SQLModel, table=True):
    __tablename__ = "import_mapping"

    id: int | None = Field(default=None, primary_key=True)
    #: One saved mapping per campaign (the survey's file layout does not change mid-way).
    campaign_id: int = Field(foreign_key="campaign.id", unique=True, ondelete="CASCADE")
    platform: str = Field(max_length=16)
    #: surveyapp.platforms.layout.Mapping.as_json(): columns, options and values.
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    saved_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    saved_at: datetime = Field(default_factory=utcnow)
