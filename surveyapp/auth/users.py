"""Writes and reads of staff accounts, and the access rule for circles."""
from __future__ import annotations

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import get_session
from ..extensions import login_manager
from ..models import Circle, CircleAccess, Role, User

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A user command that cannot be carried out; the message is for the operator."""


def create_user(session: Session, username: str, password: str, role: str, display_name: str = "") -> User:
    username = username.strip()
    if role not in {r.value for r in Role}:
        raise AccountError(f"未知角色 {role!r}，可选: admin, assessor, officer, interviewer")
    if not username:
        raise AccountError("用户名不能为空")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError(f"用户名 {username} 已存在")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        display_name=display_name or username,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active:
        # Spend the same time as a real check so that timing does not reveal usernames.
        check_password_hash(generate_password_hash("x"), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def grant_circle(session: Session, user: User, circle: Circle) -> None:
    if session.get(CircleAccess, (user.id, circle.id)) is None:
        session.add(CircleAccess(user_id=user.id, circle_id=circle.id))
        session.commit()


def visible_circle_ids(session: Session, user: User) -> list[int] | None:
    """Ids of the circles ``user`` may see; None means every circle (admins)."""
    if user.is_admin:
        return None
    rows = session.exec(select(CircleAccess.circle_id).where(CircleAccess.user_id == user.id))
    return list(rows)


def can_see_circle(session: Session, user: User, circle_id: int) -> bool:
    ids = visible_circle_ids(session, user)
    return ids is None or circle_id in ids


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return get_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
