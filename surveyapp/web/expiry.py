"""A staff form sent after its CSRF token ran out comes back filled in, not as the 400 page.

A token lives four hours (``WTF_CSRF_TIME_LIMIT``); an assessor who leaves a half-typed circle
or account form open over lunch, or over a meeting, would otherwise lose everything typed. A
view marked :func:`refills_when_expired` is run once more for such a post: its own form is bound
to what was sent, fails its own CSRF check the same way (so nothing is written), and the page
comes back with the typed values, a fresh token and a message asking to submit again. The
resident's answer form does the same for itself in ``collect/answering.py``.

The contract of a marked view: it writes nothing unless its FlaskForm validates. Only a post
whose token itself is refused gets the second chance; a post refused for another reason (an
HTTPS post without a same-site Referer) keeps the plain 400 page, because its token would pass
the form's check.
"""
from __future__ import annotations

from flask import current_app, flash, g, request
from flask_wtf.csrf import ValidationError, validate_csrf

#: Shown above the form (a flashed message, the staff pages' usual place for one).
EXPIRED_MESSAGE = "页面停留时间较长，为保护您的账户，这次提交没有保存。您填写的内容都还在，请核对后再点一次提交按钮。"


def refills_when_expired(view):
    """Mark a staff form view whose page may be shown again for a post with an expired token.
    Put it right under ``@bp.route`` (``functools.wraps`` carries the mark through later
    decorators)."""
    view.refills_when_expired = True
    return view


def _token_refused() -> bool:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    try:
        validate_csrf(request.form.get(field))
    except ValidationError:
        return True
    return False


def refilled_page():
    """For a post to a marked view refused for its token: the view's page with what was typed
    (status 400); None otherwise (the caller shows the error page)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method != "POST" or not getattr(view, "refills_when_expired", False) or not _token_refused():
        return None
    g.form_expired = True
    flash(EXPIRED_MESSAGE, "error")
    response = current_app.make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
    response.status_code = 400
    return response


def problems(form) -> dict:
    """The form's errors a person can fix on the page (template global): a refused CSRF token
    is not one of them, the message above the form says what to do."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return {name: errors for name, errors in form.errors.items() if name != field}
