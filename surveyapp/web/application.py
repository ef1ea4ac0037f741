"""The application class: Flask, with one lookup made once per function instead of per call."""
from __future__ import annotations

from flask import Flask


class SurveyFlask(Flask):
    """Flask asks, on every call of every view and hook (ten or more per request), whether the
    function is a coroutine function (``inspect.iscoroutinefunction``), though the answer is
    fixed per function: here it is asked once per function and kept (the functions are the
    app's views and hooks, a fixed set)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}

    def ensure_sync(self, func):
        try:
            return self._synced[func]
        except KeyError:
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            return super().ensure_sync(func)
