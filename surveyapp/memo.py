"""A per-process memo for what is looked up often but never changes for its key: the
resident's pages (a questionnaire's question views and blank markup, a token's campaign) and
the summary's answer-pattern statistics (keyed by the campaign's response state).

Bounded by emptying it when full: the keys in use at once are few (the open campaigns), so a
rare refill is cheaper than tracking recency."""
from __future__ import annotations

from typing import Any, Hashable


class ProcessMemo:
    def __init__(self, size: int):
        self._size = size
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        return self._values.get(key)

    def remember(self, key: Hashable, value: Any) -> Any:
        if len(self._values) >= self._size:
            self._values.clear()
        self._values[key] = value
        return value

    def forget(self, key: Hashable) -> None:
        self._values.pop(key, None)
