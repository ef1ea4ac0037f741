from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..audit.operations import record
from ..db import get_session
from ..extensions import limiter
from .access import home_endpoint
from .forms import LoginForm
from .users import authenticate

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` within this site (no open redirect)."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for(home_endpoint(current_user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = authenticate(db, form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            record(db, "auth.login", summary="登录", target_type="user", target_id=user.id, user=user)
            db.commit()
            return redirect(_safe_next(request.args.get("next")))
        record(db, "auth.login_failed", summary="登录失败", after={"username": form.username.data[:64]})
        db.commit()
        form.password.errors.append("用户名或密码不正确")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    db = get_session()
    record(db, "auth.logout", summary="退出登录", target_type="user", target_id=current_user.id)
    db.commit()
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
