"""One evaluation round of a circle: the inventory (有没有), the field-inspection facts of the
ten service indicators (好不好), and the rules file that scores them.

Points are never stored: they are computed from the facts by the rules snapshot the
evaluation was opened with, so a score can always be re-derived and explained.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from .timeutil import utcnow


class RulesSnapshot(SQLModel, table=True):
    """The exact text of every rules file an evaluation was scored with, by hash."""

    __tablename__ = "rules_snapshot"

    content_hash: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=64, index=True)
    version: str = Field(max_length=32)
    source: str = Field(sa_column=Column(Text, nullable=False))
    catalogue_source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class EvaluationState(str, enum.Enum):
    """The life of a round (DESIGN.md, "Life of an evaluation")."""

    draft = "draft"  # 草稿: freely edited, deletable
    ready = "ready"  # 待签发: complete, waiting to be issued
    issued = "issued"  # 已签发: frozen with every input
    withdrawn = "withdrawn"  # 已撤回
    corrected = "corrected"  # 已更正: replaced by a newer issued report that names it


class Evaluation(SQLModel, table=True):
    #: A correction is a new row of the same round with the next ``revision``.
    __table_args__ = (UniqueConstraint("circle_id", "round", "revision", name="uq_evaluation_circle_round_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    round: int
    rules_hash: str = Field(foreign_key="rules_snapshot.content_hash", max_length=64)
    rules_name: str = Field(max_length=64)
    rules_version: str = Field(max_length=32)
    #: The resident campaign whose summary gives indicators #2 and #3.
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="SET NULL")
    state: str = Field(default=EvaluationState.draft.value, max_length=16, index=True)
    #: 0 for the round as first opened; n for its n-th correction.
    revision: int = 0
    #: The issued round this one corrects (its report is replaced when this one is issued).
    corrects_id: int | None = Field(default=None, foreign_key="evaluation.id", ondelete="SET NULL")
    correction_reason: str = Field(default="", max_length=1000)
    #: The assessor confirmed that the linked campaign may still be open when issuing.
    campaign_open_confirmed: bool = False
    #: When the inventory (有没有) was last saved: an inventory with no type present is still saved.
    inventory_saved_at: datetime | None = None
    #: Why the round was withdrawn (or other state note), and when the state last changed.
    state_reason: str = Field(default="", max_length=1000)
    state_changed_at: datetime | None = None
    evaluated_on: date = Field(default_factory=lambda: utcnow().date())
    #: The circle's own score (自评) for the 有没有 table, kept apart from the assessor's.
    self_presence_points: float | None = None
    note: str = Field(default="", max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class InventoryItem(SQLModel, table=True):
    """One outlet type of the catalogue in this round: present or not, how many, evidence."""

    __tablename__ = "inventory_item"

    evaluation_id: int = Field(foreign_key="evaluation.id", primary_key=True, ondelete="CASCADE")
    type_code: str = Field(primary_key=True, max_length=64)
    present: bool = False
    outlets: int = 0
    evidence: str = Field(default="", max_length=1000)
    source: str = Field(default="assessor", max_length=16)


class IndicatorEntry(SQLModel, table=True):
    """The facts the assessor found for one service indicator, and the circle's self score."""

    __tablename__ = "indicator_entry"

    evaluation_id: int = Field(foreign_key="evaluation.id", primary_key=True, ondelete="CASCADE")
    indicator: str = Field(primary_key=True, max_length=32)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The suggested values shown when the assessor saved, ``{fact: {"value", "source"}}``
    #: (e.g. derived from the merchant inventory): kept next to the assessor's own facts.
    suggested: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    self_points: float | None = None
    note: str = Field(default="", max_length=1000)
    #: The assessor marked the indicator 不适用 (scored 0); ``note`` holds the reason.
    not_applicable: bool = False
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow)


class FrozenEvaluation(SQLModel, table=True):
    """Every input of an issued round, frozen when it was issued: the score sheet (rules,
    inventory, facts, survey figures) and the report's data document (with the campaign
    summary). An issued round is read from here, never re-computed."""

    __tablename__ = "frozen_evaluation"

    evaluation_id: int = Field(foreign_key="evaluation.id", primary_key=True, ondelete="CASCADE")
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    fingerprint: str = Field(max_length=64)
    frozen_at: datetime = Field(default_factory=utcnow)
