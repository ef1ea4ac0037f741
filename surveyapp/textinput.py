"""The one rule for text that enters the system (pure: no Flask, no database).

Every piece of text a person or a file hands us goes through :func:`clean_text`:

- C0 control characters (U+0000–U+001F) and DEL are removed, except tab and newline;
  a carriage return, alone or before a newline, becomes one newline. A NUL byte is not
  text anyone means to type, PostgreSQL cannot store it, and XLSX cannot hold most of them.
- A lone surrogate (U+D800–U+DFFF, which no UTF-8 text can hold: it comes from JSON
  ``"\\ud800"`` escapes or from undecodable bytes on a command line) is refused with
  :class:`UnreadableText`, whose message says so in Chinese.

Where it is applied (each of these calls into this module, so no field can forget it):
request parameters, form fields and JSON bodies (``surveyapp.web.request``), command-line
options (``surveyapp.cli``), imported files (``surveyapp.responses.importer``), and, as a
backstop for anything that reaches the database another way, every string and JSON value
flushed by a session (``surveyapp.db``), where a lone surrogate is replaced rather than refused.
"""
from __future__ import annotations

import re

#: C0 controls except tab (\x09) and newline (\x0a), and DEL. CR is handled before this runs.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
SURROGATES = re.compile("[\ud800-\udfff]")
#: Anything :func:`clean_text` would change or refuse: most text has none, and one search
#: settles it (an import cleans every cell of a file).
_TO_CLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\r\ud800-\udfff]")
REPLACEMENT = "\ufffd"

MSG_SURROGATE = "提交的文字中含有无法识别的字符（不成对的代理码位），请检查后重新输入"


class UnreadableText(ValueError):
    """Text holding a lone surrogate: it cannot be stored or shown faithfully."""

    def __init__(self, where: str = ""):
        self.where = where
        super().__init__(f"{where}：{MSG_SURROGATE}" if where else MSG_SURROGATE)


def clean_text(value: str, where: str = "") -> str:
    """``value`` with control characters removed and line ends made ``\\n``.

    Raises :class:`UnreadableText` (naming ``where``) for a lone surrogate."""
    if not _TO_CLEAN.search(value):
        return value
    if SURROGATES.search(value):
        raise UnreadableText(where)
    return _strip_controls(value)


def scrub_text(value: str) -> str:
    """Like :func:`clean_text` but never raises: a lone surrogate becomes U+FFFD (the database
    backstop, where there is nobody left to tell)."""
    return _strip_controls(SURROGATES.sub(REPLACEMENT, value))


def _strip_controls(value: str) -> str:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", value)


def clean_data(value, where: str = "", text=clean_text):
    """A JSON-like value (dicts, lists, strings, numbers) with every string, keys included,
    passed through ``text`` (:func:`clean_text` by default)."""
    if isinstance(value, str):
        return text(value, where) if text is clean_text else text(value)
    if isinstance(value, dict):
        return {clean_data(k, where, text): clean_data(v, where, text) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v, where, text) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_data(v, where, text) for v in value)
    return value


def needs_cleaning(value: str) -> bool:
    """True when :func:`clean_text` would change or refuse ``value`` (cheap check first)."""
    return _TO_CLEAN.search(value) is not None


def data_needs_cleaning(value) -> bool:
    """True when :func:`clean_data` would change or refuse ``value`` (no copy is made)."""
    if isinstance(value, str):
        return _TO_CLEAN.search(value) is not None
    if isinstance(value, dict):
        return any(data_needs_cleaning(k) or data_needs_cleaning(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(data_needs_cleaning(v) for v in value)
    return False
