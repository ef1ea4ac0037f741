"""Account pages (admins only): the list, a new account, and one account's page with its
forms (name and role, circles, one-time password, disable/enable). A refused change re-renders
the page with the message next to the field and what was typed kept."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..db import get_session
from ..models import User
from ..web.expiry import refills_when_expired
from . import operations, queries
from .forms import AccountForm, CirclesForm, NewAccountForm, OneTimePasswordForm, StateForm

bp = Blueprint("accounts", __name__, url_prefix="/staff/accounts")


def suggested_password() -> str:
    """A password an admin can read out or copy: 12 characters from a 55-letter alphabet
    without look-alikes (about 69 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("")
def index():
    return render_template("accounts/index.html", rows=queries.accounts(get_session()))


@bp.route("/new", methods=["GET", "POST"])
@refills_when_expired
def new():
    db = get_session()
    form = NewAccountForm()
    form.circles.choices = queries.circle_choices(db)
    if not form.is_submitted():
        form.password.data = suggested_password()
    if form.validate_on_submit():
        try:
            user = operations.create_account(db, form.username.data, form.role.data, form.password.data,
                                             display_name=form.display_name.data or "",
                                             circle_ids=form.circles.data or [])
        except operations.FieldError as exc:
            db.rollback()
            form[exc.field].errors.append(str(exc))
        else:
            db.commit()
            flash(f"已新建账户 {user.username}。请把一次性密码告诉本人，首次登录时须修改。", "info")
            return redirect(url_for("accounts.show", user_id=user.id))
    return render_template("accounts/new.html", form=form), 422 if form.errors else 200


def _forms(db, user: User, **given):
    """The account page's forms, each filled from the account unless given (a refused one)."""
    forms = {
        "account": given.get("account") or AccountForm(formdata=None, display_name=user.display_name, role=user.role),
        "circles": given.get("circles") or CirclesForm(formdata=None, circles=operations.circle_ids_of(db, user)),
        "password": given.get("password") or OneTimePasswordForm(formdata=None, password=suggested_password()),
        "state": StateForm(formdata=None, active="1" if not user.active else "0"),
    }
    forms["circles"].circles.choices = queries.circle_choices(db)
    return forms


def _page(db, user: User, status: int = 200, **given):
    return render_template("accounts/show.html", account=user, forms=_forms(db, user, **given),
                           is_self=user.id == current_user.id), status


@bp.route("/<int:user_id>")
def show(user_id: int):
    db = get_session()
    return _page(db, _user_or_404(user_id))


def _apply(user: User, name: str, form, change, done: str):
    """Validate ``form``, run ``change``; commit and go back to the page, or show why not."""
    db = get_session()
    if name == "circles":
        form.circles.choices = queries.circle_choices(db)
    if form.validate_on_submit():
        try:
            change()
        except operations.FieldError as exc:
            db.rollback()
            field = exc.field if exc.field in form else next(iter(form.data))
            form[field].errors.append(str(exc))
        else:
            db.commit()
            flash(done, "info")
            return redirect(url_for("accounts.show", user_id=user.id))
    if name == "state":
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return _page(db, user, 422)
    return _page(db, user, 422, **{name: form})


@bp.route("/<int:user_id>/edit", methods=["POST"])
@refills_when_expired
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = AccountForm()
    return _apply(user, "account", form, lambda: operations.update_account(
        get_session(), user, display_name=form.display_name.data or "", role=form.role.data,
        acting=current_user._get_current_object()), "已保存。角色有变化时，该账户已退出所有登录。")


@bp.route("/<int:user_id>/circles", methods=["POST"])
@refills_when_expired
def circles(user_id: int):
    user = _user_or_404(user_id)
    form = CirclesForm()
    return _apply(user, "circles", form, lambda: operations.set_circles(get_session(), user, form.circles.data or []),
                  "可查看的生活圈已保存。")


@bp.route("/<int:user_id>/password", methods=["POST"])
@refills_when_expired
def password(user_id: int):
    user = _user_or_404(user_id)
    form = OneTimePasswordForm()
    return _apply(user, "password", form, lambda: operations.set_one_time_password(get_session(), user,
                                                                                   form.password.data),
                  "一次性密码已设置，该账户已退出所有登录；本人下次登录时须修改密码。")


@bp.route("/<int:user_id>/state", methods=["POST"])
def state(user_id: int):
    user = _user_or_404(user_id)
    form = StateForm()
    return _apply(user, "state", form, lambda: operations.set_active(
        get_session(), user, form.active.data == "1", acting=current_user._get_current_object()),
        "账户已启用。" if form.active.data == "1" else "账户已停用，并已退出所有登录。")
