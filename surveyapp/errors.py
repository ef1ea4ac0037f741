"""Error pages in plain Chinese: a user never sees a stack trace."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .web.expiry import refilled_page
from .web.request import TooLarge, UnreadableInput, too_large_message

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("没有权限", "您没有查看此页面的权限。"),
    404: ("页面不存在", "您要找的页面不存在，或链接已失效。请核对二维码或网址。"),
    405: ("请求方式不正确", "请从页面上的按钮操作。"),
    413: ("内容太大", "提交的内容太大了。"),
    429: ("操作太频繁", "您操作得太快了，请休息一分钟后再试。"),
    500: ("服务器出错了", "系统暂时出了问题，我们已记录。请稍后再试。"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify({"error": {"code": code, "message": detail or message}}), code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        # A staff form whose token ran out comes back with what was typed (web/expiry.py).
        return refilled_page() or render_error(400, "页面已过期或来源不明，请返回上一页刷新后再试。")

    @app.errorhandler(UnreadableInput)
    def _unreadable(exc: UnreadableInput):
        return render_error(400, exc.description)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        return render_error(413, exc.description if isinstance(exc, TooLarge) else too_large_message())

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500)
