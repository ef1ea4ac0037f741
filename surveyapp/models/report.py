"""Issued reports: frozen bytes with what they were made from.

Issuing freezes a report: its bytes, their SHA-256, a fingerprint of the data document it
was rendered from, the rules version, who issued it and when. It can be downloaded again
byte for byte; when the data moves on, the fingerprint says so.
"""
from __future__ import annotations

from datetime import date, datetime

from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class IssuedReport(SQLModel, table=True):
    __tablename__ = "issued_report"

    id: int | None = Field(default=None, primary_key=True)
    #: campaign_report, evaluation_report, summary_sheet_pdf or summary_sheet_xlsx
    kind: str = Field(max_length=32)
    report_number: str = Field(max_length=64, unique=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True, ondelete="SET NULL")
    evaluation_id: int | None = Field(default=None, foreign_key="evaluation.id", index=True, ondelete="SET NULL")
    media_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64)
    data_fingerprint: str = Field(max_length=64)
    rules_version: str | None = Field(default=None, max_length=100)
    issued_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    issued_by_name: str = Field(default="", max_length=64)
    #: The assessment firm printed as 评价机构, copied from the setting when issued ('' when none
    #: was set; ``None`` for reports issued before the setting existed, which printed the issuer).
    issued_by_firm: str | None = Field(default=None, max_length=200)
    #: The date printed on the report (local date of issue).
    issued_on: date
    issued_at: datetime = Field(default_factory=utcnow)
    #: The report this one corrects (both say so: this one names it, the old one is marked).
    replaces_id: int | None = Field(default=None, foreign_key="issued_report.id", ondelete="SET NULL")
    #: Withdrawn reports keep their bytes; these say when and why.
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = Field(default="", max_length=1000)
    #: Why this report corrects the one it replaces (printed on it).
    correction_reason: str = Field(default="", max_length=1000)
    #: The data document a campaign report was rendered from, frozen with it (an evaluation
    #: report's inputs are frozen with its round: ``FrozenEvaluation``).
    document: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
