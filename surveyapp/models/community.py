"""The community's own lists (需求清单 → 项目清单): projects that answer residents' demands,
their dated progress notes, demands the community decided not to meet, and how the officer
sorted the residents' open suggestions.

The demand list itself is never stored: it is computed from the resident answers of the
circle's latest campaign, so it cannot drift from the survey. What is stored here is only
what the officer decided about it. A demand is named by its catalogue type code, which is
the same in every round, so a project stays linked to "its" demand across surveys.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class ProjectStatus(str, enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    on_hold = "on_hold"


#: The words an officer sees for each status (the order is the order of a project's life).
PROJECT_STATUS_LABELS = {
    ProjectStatus.planned.value: "计划",
    ProjectStatus.in_progress.value: "推进中",
    ProjectStatus.done.value: "已完成",
    ProjectStatus.on_hold.value: "搁置",
}


class CommunityProject(SQLModel, table=True):
    """One line of the 项目清单: what the community will do about a demand, and by whom."""

    __tablename__ = "community_project"

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=100)
    #: The catalogue type the project adds or improves (e.g. ``laundry``).
    type_code: str = Field(max_length=64)
    action: str = Field(default="", max_length=1000)
    responsible: str = Field(default="", max_length=100)
    planned_on: date | None = None
    status: str = Field(default=ProjectStatus.planned.value, max_length=16)
    #: The day the project was marked 已完成 (kept when a later note changes nothing else):
    #: the round-to-round comparison asks whether it fell between the two surveys.
    completed_on: date | None = None
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProjectDemand(SQLModel, table=True):
    """A project answers these demands (catalogue type codes of the circle's demand list)."""

    __tablename__ = "community_project_demand"

    project_id: int = Field(foreign_key="community_project.id", primary_key=True, ondelete="CASCADE")
    type_code: str = Field(primary_key=True, max_length=64)


class ProjectNote(SQLModel, table=True):
    """A dated progress note; ``status`` is set when the note moved the project on."""

    __tablename__ = "community_project_note"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="community_project.id", index=True, ondelete="CASCADE")
    noted_on: date
    text: str = Field(max_length=1000)
    status: str | None = Field(default=None, max_length=16)
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class DemandDecision(SQLModel, table=True):
    """The community decided not to meet a demand, and why (one per circle and type)."""

    __tablename__ = "community_demand_decision"

    circle_id: int = Field(foreign_key="circle.id", primary_key=True, ondelete="CASCADE")
    type_code: str = Field(primary_key=True, max_length=64)
    reason: str = Field(max_length=1000)
    decided_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime = Field(default_factory=utcnow)


class SuggestionTriage(SQLModel, table=True):
    """How the officer sorted one resident's open suggestion: grouped under a demand, or
    hidden. The text itself stays in the response; hiding only takes it off the list."""

    __tablename__ = "community_suggestion"

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    type_code: str | None = Field(default=None, max_length=64)
    hidden: bool = False
    hidden_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    hidden_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow)
