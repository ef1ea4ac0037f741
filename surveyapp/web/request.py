"""The request class: every parameter, form field and JSON body is cleaned and bounded here.

- Text: :func:`surveyapp.textinput.clean_text` is applied to every query-string parameter,
  form field (names and values) and JSON string as Werkzeug builds them, so a view, a form
  or a future field cannot see a NUL byte or forget the rule. A lone surrogate answers 400
  with a Chinese message.
- Size: a body larger than ``REQUEST_MAX_BYTES`` (``IMPORT_MAX_BYTES`` plus a little for a
  view marked :func:`accepts_upload`), more than ``REQUEST_MAX_FIELDS`` fields, or one field
  longer than ``FIELD_MAX_CHARS`` characters answers 413 before the view runs: the body is
  refused from its Content-Length before it is read, and fields are counted and measured as
  they are parsed (Werkzeug applies its per-field and part limits to multipart bodies only).
"""
from __future__ import annotations

from flask import Request, current_app, has_app_context, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..textinput import UnreadableText, clean_data, clean_text

#: Room for the multipart envelope (boundaries, CSRF token, other small fields) of an upload.
UPLOAD_ENVELOPE_BYTES = 256 * 1024


def accepts_upload(view):
    """Mark a view that receives a file: its body may be as large as ``IMPORT_MAX_BYTES``."""
    view.accepts_upload = True
    return view


class UnreadableInput(BadRequest):
    """400 with the Chinese message of :class:`UnreadableText`."""

    def __init__(self, error: UnreadableText):
        super().__init__(description=str(error))


class TooLarge(RequestEntityTooLarge):
    """413 saying which limit was passed."""


def _mb(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def too_large_message(limit: str | None = None) -> str:
    """The Chinese explanation of a 413 (``limit``: "fields", "field" or None for the body)."""
    if not has_app_context():
        return "提交的内容太大了。"
    config = current_app.config
    if limit == "fields":
        return f"提交的项目太多了（每次最多 {config['REQUEST_MAX_FIELDS']} 项），请返回上一页检查后再提交。"
    if limit == "field":
        return f"有一项填写的内容太长了（每项最多 {config['FIELD_MAX_CHARS']} 个字），请删减后再提交。"
    return (f"提交的内容太大了（网页表单最多 {_mb(config['REQUEST_MAX_BYTES'])}，"
            f"上传的文件最多 {_mb(config['IMPORT_MAX_BYTES'])}），请删减后再提交。")


def _pairs(mapping):
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return list(mapping.items())
    return list(mapping)


def _refusal(pairs) -> TooLarge | None:
    if not pairs or not has_app_context():
        return None
    config = current_app.config
    if len(pairs) > config["REQUEST_MAX_FIELDS"]:
        return TooLarge(too_large_message("fields"))
    longest = config["FIELD_MAX_CHARS"]
    if any(isinstance(value, str) and len(value) > longest for _, value in pairs):
        return TooLarge(too_large_message("field"))
    return None


class CleanParameters(ImmutableMultiDict):
    """Request parameters (query string, form fields, uploaded files) as Werkzeug builds them,
    counted, measured and cleaned. Values that are not text (uploaded files) pass as they are."""

    #: Raise a refusal at once (query strings); form bodies keep it for the request to raise
    #: once the uploaded files parsed alongside can be closed.
    defer_refusal = False

    def __init__(self, mapping=None):
        pairs = _pairs(mapping)
        self.refusal = _refusal(pairs)
        if self.refusal is not None:
            if not self.defer_refusal:
                raise self.refusal
            pairs = []
        try:
            pairs = [(clean_text(key, key[:40]), clean_text(value, key[:40]) if isinstance(value, str) else value)
                     for key, value in pairs]
        except UnreadableText as exc:
            raise UnreadableInput(exc) from exc
        super().__init__(pairs)


class _FormParameters(CleanParameters):
    defer_refusal = True


class SurveyRequest(Request):
    parameter_storage_class = CleanParameters

    def make_form_data_parser(self):
        parser = super().make_form_data_parser()
        parser.cls = _FormParameters
        return parser

    def _load_form_data(self) -> None:
        super()._load_form_data()
        refusal = getattr(self.form, "refusal", None)
        if refusal is not None:
            for _, upload in self.files.items(multi=True):
                upload.close()
            raise refusal

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        """The JSON body with every string (keys too) cleaned; 400 for a lone surrogate."""
        value = super().get_json(force=force, silent=silent, cache=cache)
        try:
            return clean_data(value, "JSON")
        except UnreadableText as exc:
            raise UnreadableInput(exc) from exc

    def _upload_view(self) -> bool:
        view = current_app.view_functions.get(self.endpoint or "")
        return bool(getattr(view, "accepts_upload", False))

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        config = current_app.config
        if self._upload_view():
            return config["IMPORT_MAX_BYTES"] + UPLOAD_ENVELOPE_BYTES
        return config["REQUEST_MAX_BYTES"]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def read_parameters() -> None:
    """before_request, right after the access table (``surveyapp.auth.access``): read (and so
    check) the query string and the form body before any view, database lookup or CSRF check
    spends time on the request."""
    request.args
    if request.method in ("POST", "PUT", "PATCH"):
        request.form


def init_app(app) -> None:
    app.request_class = SurveyRequest
    app.before_request_funcs.setdefault(None, []).insert(0, read_parameters)
    config = app.config
    # Werkzeug's own multipart limits, in the same terms: a text part is at most as many
    # bytes as its longest UTF-8 spelling; a few parts more than fields for the files.
    config["MAX_FORM_MEMORY_SIZE"] = config["FIELD_MAX_CHARS"] * 4
    config["MAX_FORM_PARTS"] = config["REQUEST_MAX_FIELDS"] + 10
    config["MAX_CONTENT_LENGTH"] = config["REQUEST_MAX_BYTES"]
