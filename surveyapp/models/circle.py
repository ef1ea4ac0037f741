"""A living circle (生活圈) and the communities (社区) it serves."""
from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from .timeutil import utcnow


class CommunityCreate(SQLModel):
    """Validated input for one community of a circle."""

    name: str = Field(min_length=1, max_length=100)
    population: int = Field(ge=0)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("社区名称不能为空")
        return value


class CircleCreate(SQLModel):
    """Validated input for registering a circle."""

    name: str = Field(min_length=1, max_length=100)
    population: int = Field(gt=0, description="服务人口")
    city_tier: int = Field(default=3, ge=1, le=3, description="城市等级, 用于连锁化率门槛")
    communities: list[CommunityCreate] = []
    age_structure: dict[str, float] | None = Field(default=None, description="各年龄段人口占比, 用于加权")
    address: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("生活圈名称不能为空")
        return value

    @field_validator("address", "notes")
    @classmethod
    def _strip_text(cls, value: str) -> str:
        return value.strip()


class Circle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    population: int
    city_tier: int = 3
    #: Population share of each age band (codes of the questionnaire's age question), when
    #: known: residents' answers are then weighted to it (post-stratification).
    age_structure: dict[str, float] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: Where the circle is (street, district), as the bureau writes it; shown on its pages.
    address: str = Field(default="", max_length=200)
    #: Free notes of the assessor (e.g. where the population figure comes from).
    notes: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Community(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("circle_id", "name", name="uq_community_circle_name"),)

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    population: int = 0


class CircleAccess(SQLModel, table=True):
    """Which staff member may see which circle (admins see every circle)."""

    __tablename__ = "circle_access"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    circle_id: int = Field(foreign_key="circle.id", primary_key=True, ondelete="CASCADE")


class CommunityPoint(SQLModel, table=True):
    """A representative point of a community (社区代表点): its centre, or one of its residential
    blocks when it has several. On **WGS-84** (degrees). The 15-minute coverage is measured
    from these points."""

    __tablename__ = "community_point"

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True, ondelete="CASCADE")
    community_id: int = Field(foreign_key="community.id", index=True, ondelete="CASCADE")
    #: e.g. "3号院" for a block; empty for the community's single point.
    label: str = Field(default="", max_length=100)
    latitude: float
    longitude: float
    created_at: datetime = Field(default_factory=utcnow)
