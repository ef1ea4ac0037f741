"""The exact text of every questionnaire a campaign was opened with, keyed by its hash.

A campaign keeps answering the questionnaire it was opened with even when the file in
``questionnaires/`` is edited later, and any stored response can be read against the
exact text it was given under.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class QuestionnaireSnapshot(SQLModel, table=True):
    __tablename__ = "questionnaire_snapshot"

    content_hash: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=64, index=True)
    version: str = Field(max_length=32)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
