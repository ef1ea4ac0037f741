"""The one exception a bad questionnaire or catalogue file raises.

Survey people edit these files by hand, so every refusal names the file, the line and the
field: they should be able to fix the file without reading Python.
"""
from __future__ import annotations


class QuestionnaireError(Exception):
    """A questionnaire or catalogue file that cannot be used.

    ``line`` is 1-based (as editors show it) or ``None`` when the problem is not tied to a
    line (an unreadable file). ``field`` is a dotted path such as ``business_overall.type``
    or ``sections[0].questions[2].name``; it may be empty for whole-file problems.
    """

    def __init__(self, path, line: int | None, field: str, message: str):
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"

    def __reduce__(self):
        # Keep the exception picklable (worker processes, test runners) despite the custom init.
        return (type(self), (self.path, self.line, self.field, self.message))


class ExpressionError(ValueError):
    """A `relevant`/`constraint` expression that does not parse; the loader adds file and line."""
