from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..audit.operations import record
from ..db import get_session
from ..extensions import limiter
from ..web.expiry import refills_when_expired
from . import throttle
from .access import home_endpoint
from .forms import LoginForm, OwnPasswordForm
from .users import MIN_PASSWORD_LENGTH, authenticate, change_own_password, end_sessions

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed_attempt(response) -> bool:
    """Only failed sign-ins count against an address: an office behind one NAT signing in
    correctly all morning never reaches the limit."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` within this site (no open redirect)."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for(home_endpoint(current_user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_attempt)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        name = form.username.data
        wait = throttle.locked_seconds(name)
        user = None if wait else authenticate(db, name, form.password.data)
        if user is not None:
            throttle.succeeded(name)
            login_user(user)
            record(db, "auth.login", summary="登录", target_type="user", target_id=user.id, user=user)
            db.commit()
            if user.must_change_password:
                flash("这是管理员设置的一次性密码，请先设置您自己的新密码。", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
        if not wait:
            wait = throttle.failed(name)
        record(db, "auth.login_failed", summary="登录失败" + ("（已暂时锁定）" if wait else ""),
               after={"username": name[:64], **({"locked_seconds": wait} if wait else {})})
        db.commit()
        message = "用户名或密码不正确"
        if wait:
            message += f"；这个账户的错误次数过多，请 {throttle.wait_text(wait)}后再试"
        form.password.errors.append(message)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    db = get_session()
    user = current_user._get_current_object()  # loaded by this request's session
    end_sessions(user)
    record(db, "auth.logout", summary="退出登录（该账户所有会话均已结束）", target_type="user", target_id=user.id)
    db.commit()
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@refills_when_expired
def change_password():
    """Every staff member changes their own password (the current one is asked for)."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = current_user._get_current_object()
        problem = change_own_password(db, user, form.current_password.data, form.new_password.data)
        if problem:
            field, message = problem
            form[field].errors.append(message)
        else:
            db.commit()
            # Every other session of this user has ended; this one goes on with the new version.
            login_user(user)
            flash("密码已修改。您在其他设备上的登录已全部退出。", "info")
            return redirect(url_for(home_endpoint(user)))
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)
