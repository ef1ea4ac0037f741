"""机构设置 (admins only): the values reports print about the issuing organisation."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..db import get_session
from . import operations
from .forms import SettingsForm

bp = Blueprint("appsettings", __name__, url_prefix="/staff/settings")


@bp.route("", methods=["GET", "POST"])
def index():
    db = get_session()
    form = SettingsForm()
    if not form.is_submitted():
        form.assessor_firm.data = operations.assessor_firm(db)
    if form.validate_on_submit():
        try:
            changed = operations.set_setting(db, operations.ASSESSOR_FIRM, form.assessor_firm.data or "",
                                             user_id=current_user.id)
        except operations.SettingError as exc:
            db.rollback()
            form.assessor_firm.errors.append(str(exc))
        else:
            db.commit()
            flash("已保存。之后签发的报告使用新的评价机构名称；已签发的报告不变。" if changed else "没有改动。", "info")
            return redirect(url_for("appsettings.index"))
    return render_template("appsettings/index.html", form=form), 422 if form.errors else 200
