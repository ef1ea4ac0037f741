"""Writes on staff accounts, shared by the admin pages and ``surveyapp user ...``.

Each function changes the account, records the change in the audit log and leaves the commit
to the caller (same transaction). Signing out, a password change, disabling and a role change
end every earlier session of that user (:func:`surveyapp.auth.users.end_sessions`). An admin
cannot disable their own account or take away their own admin role, and the last active admin
cannot be disabled or demoted, so nobody locks the bureau out of its own system.
"""
from __future__ import annotations

from sqlmodel import Session, func, select

from ..audit.operations import record, snapshot
from ..auth.users import (AccountError, ROLE_CHOICES, create_user, end_sessions, password_problem,
                          set_password)
from ..models import Circle, CircleAccess, Role, User
from ..models.user import ROLE_LABELS


class FieldError(AccountError):
    """An account change refused, with the form field the message belongs next to."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def circle_ids_of(session: Session, user: User) -> list[int]:
    return sorted(session.exec(select(CircleAccess.circle_id).where(CircleAccess.user_id == user.id)))


def _fields(user: User) -> dict:
    return snapshot(user, ("username", "display_name", "role", "active", "must_change_password"))


def _who(user: User) -> str:
    return f"{user.display_name or user.username}（{user.username}）"


def _circles(session: Session, circle_ids) -> list[Circle]:
    circles = []
    for circle_id in sorted(set(circle_ids)):
        circle = session.get(Circle, circle_id)
        if circle is None:
            raise FieldError("circles", f"生活圈 {circle_id} 不存在")
        circles.append(circle)
    return circles


def create_account(session: Session, username: str, role: str, password: str, *, display_name: str = "",
                   circle_ids=(), one_time: bool = True) -> User:
    """A new staff account; with ``one_time`` the password must be changed at first sign-in."""
    username = username.strip()
    if not username:
        raise FieldError("username", "请填写用户名")
    if any(c.isspace() for c in username):
        raise FieldError("username", "用户名不能含空格")
    if role not in ROLE_CHOICES:
        raise FieldError("role", "请选择角色")
    problem = password_problem(password)
    if problem:
        raise FieldError("password", problem)
    circles = _circles(session, circle_ids)
    try:
        user = create_user(session, username, password, role, display_name.strip(),
                           must_change_password=one_time, commit=False)
    except AccountError as exc:
        raise FieldError("username", str(exc)) from exc
    for circle in circles:
        session.add(CircleAccess(user_id=user.id, circle_id=circle.id))
    record(session, "account.create", summary=f"新建账户 {_who(user)}，角色：{ROLE_LABELS[role]}",
           target_type="user", target_id=user.id, before=None,
           after={**_fields(user), "circles": [c.id for c in circles]})
    return user


def _active_admins(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User).where(User.role == Role.admin.value,
                                                                    User.active == True)).one()  # noqa: E712


def _guard_admin_loss(session: Session, user: User, acting: User | None, what: str) -> None:
    if acting is not None and acting.id == user.id:
        raise FieldError("role" if what == "role" else "active", "不能对自己的账户做这项修改，请另一位管理员操作")
    if user.role == Role.admin.value and user.active and _active_admins(session) <= 1:
        raise FieldError("role" if what == "role" else "active", "这是最后一个可用的管理员账户，不能停用或改为其他角色")


def update_account(session: Session, user: User, *, display_name: str | None = None, role: str | None = None,
                   acting: User | None = None) -> None:
    """Change the name shown and/or the role; a new role ends the user's sessions."""
    before = _fields(user)
    if role is not None and role != user.role:
        if role not in ROLE_CHOICES:
            raise FieldError("role", "请选择角色")
        _guard_admin_loss(session, user, acting, "role")
        user.role = role
        end_sessions(user)
    if display_name is not None:
        user.display_name = display_name.strip() or user.username
    after = _fields(user)
    if before == after:
        return
    text = f"修改账户 {_who(user)}"
    if before["role"] != after["role"]:
        text += f"：角色 {ROLE_LABELS[before['role']]} → {ROLE_LABELS[after['role']]}"
    record(session, "account.update", summary=text, target_type="user", target_id=user.id,
           before=before, after=after)
    session.add(user)


def set_circles(session: Session, user: User, circle_ids) -> None:
    """Grant exactly these circles (revoking the others)."""
    wanted = {c.id for c in _circles(session, circle_ids)}
    had = set(circle_ids_of(session, user))
    if wanted == had:
        return
    for circle_id in had - wanted:
        session.delete(session.get(CircleAccess, (user.id, circle_id)))
    for circle_id in wanted - had:
        session.add(CircleAccess(user_id=user.id, circle_id=circle_id))
    record(session, "account.circles", summary=f"修改 {_who(user)} 可查看的生活圈（增加 {len(wanted - had)} 个，"
           f"取消 {len(had - wanted)} 个）", target_type="user", target_id=user.id,
           before={"circles": sorted(had)}, after={"circles": sorted(wanted)})


def grant(session: Session, user: User, circle_id: int) -> None:
    set_circles(session, user, {*circle_ids_of(session, user), circle_id})


def revoke(session: Session, user: User, circle_id: int) -> None:
    had = circle_ids_of(session, user)
    if circle_id not in had:
        raise FieldError("circles", f"{user.username} 本来就不能查看生活圈 {circle_id}")
    set_circles(session, user, set(had) - {circle_id})


def set_active(session: Session, user: User, active: bool, *, acting: User | None = None) -> None:
    """Disable (ending every session) or enable an account."""
    if user.active == active:
        return
    if not active:
        _guard_admin_loss(session, user, acting, "active")
        end_sessions(user)
    before = _fields(user)
    user.active = active
    session.add(user)
    record(session, "account.enable" if active else "account.disable",
           summary=f"{'启用' if active else '停用'}账户 {_who(user)}", target_type="user", target_id=user.id,
           before=before, after=_fields(user))


def set_one_time_password(session: Session, user: User, password: str) -> None:
    """An admin sets a password the user must change at their next sign-in; ends their sessions."""
    problem = password_problem(password)
    if problem:
        raise FieldError("password", problem)
    before = _fields(user)
    set_password(user, password)
    user.must_change_password = True
    end_sessions(user)
    session.add(user)
    # The password itself is never recorded; only that it was set.
    record(session, "account.password", summary=f"为 {_who(user)} 设置一次性密码（首次登录须修改）",
           target_type="user", target_id=user.id, before=before, after=_fields(user), only_changes=False)
