"""Staff accounts. Residents and merchants never have accounts: their answers are anonymous."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlmodel import Field, SQLModel

from .timeutil import utcnow


class Role(str, enum.Enum):
    """Every staff role, in one place: forms, pages, the CLI and the access table read it."""

    admin = "admin"
    assessor = "assessor"
    officer = "officer"
    #: Asks residents the questions at the door or a street desk and types their answers on
    #: a tablet (访员模式); sees nothing but the campaigns of the circles granted to them.
    interviewer = "interviewer"


#: What each role is called on pages and in messages.
ROLE_LABELS = {
    Role.admin.value: "管理员",
    Role.assessor.value: "评价机构",
    Role.officer.value: "社区工作人员",
    Role.interviewer.value: "访员",
}


class User(UserMixin, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    display_name: str = Field(default="", max_length=64)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    #: Raised by signing out, a password change, disabling and a role change: a session
    #: carries the version it was opened with and ends when the two differ.
    session_version: int = Field(default=0)
    #: Set with a one-time password from an admin: the next sign-in must choose a new one.
    must_change_password: bool = Field(default=False)

    @property
    def is_active(self) -> bool:  # flask-login asks this
        return self.active

    def get_id(self) -> str:
        """What the session keeps: the id and the session version (flask-login's alternative
        token), so a raised version turns every earlier session into an anonymous one."""
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value
