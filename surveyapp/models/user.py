"""Staff accounts. Residents and merchants never have accounts: their answers are anonymous."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class Role(str, enum.Enum):
    admin = "admin"
    assessor = "assessor"
    officer = "officer"
    #: Asks residents the questions at the door or a street desk and types their answers on
    #: a tablet (访员模式); sees nothing but the campaigns of the circles granted to them.
    interviewer = "interviewer"


class User(UserMixin, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    display_name: str = Field(default="", max_length=64)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def is_active(self) -> bool:  # flask-login asks this
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value
