"""Writes and reads of staff accounts, and the access rule for circles."""
from __future__ import annotations

import functools

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import get_session
from ..extensions import login_manager
from ..models import Circle, CircleAccess, Role, User

MIN_PASSWORD_LENGTH = 8

#: How passwords are hashed: werkzeug's scrypt, which is slow on purpose (about 0.1 s per hash
#: or check on this kind of machine). Only the test suite lowers it (tests/conftest.py), where
#: hundreds of sign-ins would otherwise cost minutes and prove nothing more.
HASH_METHOD = "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


class AccountError(ValueError):
    """A user command that cannot be carried out; the message is for the operator."""


ROLE_CHOICES = tuple(r.value for r in Role)


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if len(password) > 256:
        return "密码最多 256 位"
    return None


def user_by_name(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip())).first()


def create_user(session: Session, username: str, password: str, role: str, display_name: str = "",
                *, must_change_password: bool = False, commit: bool = True) -> User:
    username = username.strip()
    if role not in ROLE_CHOICES:
        raise AccountError(f"未知角色 {role!r}，可选: {', '.join(ROLE_CHOICES)}")
    if not username:
        raise AccountError("用户名不能为空")
    if len(username) > 64:
        raise AccountError("用户名最多 64 个字符")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if user_by_name(session, username):
        raise AccountError(f"用户名 {username} 已存在")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
        must_change_password=must_change_password,
    )
    session.add(user)
    if commit:
        session.commit()
    else:
        session.flush()
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash made like every real one, checked when the username is unknown (made once per
    process on first use, not at import)."""
    return hash_password("not-a-password")


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user whose password this is, or None. An unknown or disabled username costs one
    hash check against a hash made the same way, as a wrong password does, so the time taken
    does not tell which usernames exist."""
    user = user_by_name(session, username)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def change_own_password(session: Session, user: User, current: str, new: str) -> tuple[str, str] | None:
    """Change ``user``'s password after checking the current one; ends their other sessions and
    records it (the caller commits). Returns (field, message) when it cannot be done."""
    from ..audit.operations import record

    if not check_password_hash(user.password_hash, current):
        return "current_password", "当前密码不正确"
    problem = password_problem(new)
    if problem:
        return "new_password", problem
    if check_password_hash(user.password_hash, new):
        return "new_password", "新密码不能与当前密码相同"
    was_one_time = user.must_change_password
    set_password(user, new)
    user.must_change_password = False
    end_sessions(user)
    record(session, "account.own_password", summary="修改了自己的密码" + ("（替换一次性密码）" if was_one_time else ""),
           target_type="user", target_id=user.id, user=user,
           before={"must_change_password": was_one_time}, after={"must_change_password": False})
    return None


def end_sessions(user: User) -> None:
    """End every session ``user`` has open (the caller commits): each carries the old version."""
    user.session_version = (user.session_version or 0) + 1


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
def load_user(session_id: str) -> User | None:
    """The user of a session, if the session is still current (see ``User.get_id``)."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (AttributeError, TypeError, ValueError):
        return None  # also sessions from before versions existed: sign in again
    user = get_session().get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return user
