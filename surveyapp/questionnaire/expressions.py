"""A small, safe evaluator for the XLSForm-like `relevant` and `constraint` expressions.

Questionnaire files are data written by survey people, so their expressions must never reach
Python's ``eval``: they are parsed by a fixed `lark` grammar into a tiny JSON-able tree, and
that tree is walked by :func:`evaluate`. The same tree is handed to the browser
(``Expression.to_json()``), where a short JavaScript function applies the same rules for skip
logic, so server and phone agree on which questions are shown.

Node format (documented for survey people in docs/questionnaire-format.md)::

    {"lit": "abc"} / {"lit": 3} / {"lit": 2.5}     a literal string or number
    {"ref": "age"}                                 the answer to question ``age``
    {"current": true}                              ``.``, the answer being checked (constraints)
    {"op": OP, "args": [node, ...]}                an operator or a function

OP is one of ``or and = != < <= > >= + - * div mod neg not selected count-selected
string-length``. ``or``/``and`` take two or more arguments, ``neg``/``not``/
``count-selected``/``string-length`` one, ``selected`` two, the others two.
"""
from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from .errors import ExpressionError

_GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr
        | or_expr "or" and_expr        -> or_op

?and_expr: comparison
         | and_expr "and" comparison   -> and_op

?comparison: sum
           | sum COMP sum              -> compare

?sum: product
    | sum PLUS product                 -> arith
    | sum MINUS product                -> arith

?product: unary
        | product TIMES unary          -> arith
        | product DIV unary            -> arith
        | product MOD unary            -> arith

?unary: atom
      | MINUS unary                    -> neg

?atom: NUMBER                          -> number
     | STRING                          -> string
     | REF                             -> ref
     | "."                             -> current
     | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
     | "(" or_expr ")"

COMP: "!=" | "<=" | ">=" | "=" | "<" | ">"
PLUS: "+"
MINUS: "-"
TIMES: "*"
DIV: "div"
MOD: "mod"
REF: /\$\{[a-z][a-z0-9_]*\}/
FUNC: /[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*/
NUMBER: /[0-9]+(\.[0-9]+)?/
STRING: /'[^']*'/ | /"[^"]*"/

%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)

#: Function name -> number of arguments.
FUNCTIONS = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1}

#: Longest expression accepted: keeps the (recursive) tree walk far from Python's limit.
MAX_LENGTH = 1000

#: How a multiple-choice answer typed as one string is split into codes (shared with answers.py).
MULTI_SEPARATORS = re.compile(r"[\s,，、;；]+")

_NUMERIC = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


@v_args(inline=True)
class _ToNodes(Transformer):
    """Turns the parse tree into the JSON node format; also checks function names and arity."""

    def number(self, token: Token):
        text = str(token)
        return {"lit": float(text) if "." in text else int(text)}

    def string(self, token: Token):
        return {"lit": str(token)[1:-1]}

    def ref(self, token: Token):
        return {"ref": str(token)[2:-1]}

    def current(self):
        return {"current": True}

    def neg(self, _minus, operand):
        return {"op": "neg", "args": [operand]}

    def arith(self, left, operator, right):
        return {"op": str(operator), "args": [left, right]}

    def compare(self, left, operator, right):
        return {"op": str(operator), "args": [left, right]}

    def or_op(self, left, right):
        return _flatten("or", left, right)

    def and_op(self, left, right):
        return _flatten("and", left, right)

    def call(self, name: Token, *args):
        function = str(name)
        if function not in FUNCTIONS:
            raise ExpressionError(f"unknown function '{function}'")
        if len(args) != FUNCTIONS[function]:
            raise ExpressionError(
                f"function '{function}' takes {FUNCTIONS[function]} argument(s), got {len(args)}"
            )
        if function == "selected" and not ("ref" in args[0] or "current" in args[0]):
            raise ExpressionError("the first argument of selected() must be ${question} or .")
        return {"op": function, "args": list(args)}


def _flatten(op: str, left: dict, right: dict) -> dict:
    """`a or b or c` becomes one n-ary node: smaller JSON, simpler browser code."""
    args = list(left["args"]) if left.get("op") == op else [left]
    args.append(right)
    return {"op": op, "args": args}


class Expression:
    """A compiled expression: its source text and its node tree.

    Equal (and hashed) by source, so questions holding expressions stay usable as frozen
    dataclasses.
    """

    __slots__ = ("source", "_tree", "_run")

    def __init__(self, source: str, tree: dict):
        self.source = source
        self._tree = tree
        self._run = _compiled(tree)

    def to_json(self) -> dict:
        """The node tree (a fresh copy: callers may serialise or mutate it)."""
        return copy.deepcopy(self._tree)

    def references(self) -> set[str]:
        """Names of the questions the expression reads (``.`` is not included)."""
        found: set[str] = set()
        _collect_refs(self._tree, found)
        return found

    def uses_current(self) -> bool:
        """Whether ``.`` appears: only constraints may use it."""
        return _uses_current(self._tree)

    def evaluate(self, answers: Mapping[str, Any], current: Any = None) -> Any:
        """The value of the expression; unanswered questions read as the empty string."""
        return self._run(answers, current)

    def test(self, answers: Mapping[str, Any], current: Any = None) -> bool:
        """The expression's value as a yes/no (what `relevant` and `constraint` need)."""
        return to_bool(self.evaluate(answers, current))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(("Expression", self.source))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(source: str) -> Expression:
    """Parse ``source``; raise :class:`ExpressionError` (plain English, with the column)."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = _PARSER.parse(source)
    except UnexpectedCharacters as exc:
        raise ExpressionError(
            f"syntax error at column {exc.column}: unexpected character {source[exc.pos_in_stream]!r}"
        ) from None
    except UnexpectedEOF:
        raise ExpressionError("syntax error: the expression ends too early") from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "") == "$END":
            raise ExpressionError("syntax error: the expression ends too early") from None
        shown = f" {str(token)!r}" if token is not None else ""
        raise ExpressionError(f"syntax error at column {exc.column}: unexpected{shown}") from None
    except LarkError as exc:  # pragma: no cover - any other parser complaint
        raise ExpressionError(f"syntax error: {exc}") from None
    try:
        nodes = _ToNodes().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ExpressionError):
            raise exc.orig_exc from None
        raise  # pragma: no cover - a bug in the transformer, not in the file
    return Expression(source, nodes)


# --- evaluation ------------------------------------------------------------------------------

def _collect_refs(node: dict, found: set[str]) -> None:
    if "ref" in node:
        found.add(node["ref"])
    for arg in node.get("args", ()):
        _collect_refs(arg, found)


def _uses_current(node: dict) -> bool:
    return "current" in node or any(_uses_current(arg) for arg in node.get("args", ()))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def to_number(value: Any) -> float | int:
    """XPath's number(): numbers as they are, numeric strings parsed, anything else NaN."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _NUMERIC.match(text):
            return float(text) if "." in text else int(text)
    return math.nan


def to_string(value: Any) -> str:
    """XPath's string(): unanswered is "", a multiple choice is its codes joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def to_bool(value: Any) -> bool:
    """XPath's boolean(): non-zero numbers, non-empty strings and selections are true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    return not _is_empty(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _codes(value: Any) -> list[str]:
    if _is_empty(value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [code for code in MULTI_SEPARATORS.split(str(value).strip()) if code]


def _is_numeric(value: Any) -> bool:
    if _is_number(value):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value.strip()))


def _compare(op: str, left: Any, right: Any) -> bool:
    """Numbers when both sides are numbers or numeric strings ("3" = 3), text otherwise.

    The browser's skip-logic script applies exactly this rule, so both agree on what is shown.
    An unanswered question is "", which is not numeric: ``${age} = 3`` is false, and so is
    ``${age} > 60`` ("" sorts before "60" as text) while ``${age} < 60`` is true.
    """
    if _is_numeric(left) and _is_numeric(right):
        a: Any = to_number(left)
        b: Any = to_number(right)
    else:
        a, b = to_string(left), to_string(right)
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b  # ">="; NaN makes every ordering false


def _arith(op: str, left: Any, right: Any) -> float | int:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    # "mod": XPath truncates towards zero like C's fmod.
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    result = math.fmod(a, b)
    return int(result) if isinstance(a, int) and isinstance(b, int) else result


def _compiled(node: Mapping) -> Callable[[Mapping[str, Any], Any], Any]:
    """The node tree as nested Python functions of (answers, current), built once per
    expression: evaluating then follows the tree without looking up what each node is (the
    skip logic runs on every request of a resident's journey)."""
    if "lit" in node:
        literal = node["lit"]
        return lambda answers, current: literal
    if "ref" in node:
        name = node["ref"]

        def read(answers, current):
            value = answers.get(name)
            return "" if _is_empty(value) else value
        return read
    if "current" in node:
        return lambda answers, current: "" if _is_empty(current) else current
    op = node["op"]
    args = [_compiled(arg) for arg in node["args"]]
    if op == "or":
        return lambda answers, current: any(to_bool(arg(answers, current)) for arg in args)
    if op == "and":
        return lambda answers, current: all(to_bool(arg(answers, current)) for arg in args)
    first = args[0]
    if op == "not":
        return lambda answers, current: not to_bool(first(answers, current))
    if op == "neg":
        return lambda answers, current: -to_number(first(answers, current))
    if op == "count-selected":
        return lambda answers, current: len(_codes(first(answers, current)))
    if op == "string-length":
        return lambda answers, current: len(to_string(first(answers, current)))
    second = args[1]
    if op == "selected":
        return lambda answers, current: to_string(second(answers, current)) in _codes(first(answers, current))
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return lambda answers, current: _compare(op, first(answers, current), second(answers, current))
    if op in ("+", "-", "*", "div", "mod"):
        return lambda answers, current: _arith(op, first(answers, current), second(answers, current))
    raise ExpressionError(f"unknown operator {op!r}")  # pragma: no cover - trees come from the parser


def evaluate(tree: Mapping, answers: Mapping[str, Any], current: Any = None) -> Any:
    """Evaluate a node tree in the JSON format (e.g. one read back from storage)."""
    return _compiled(tree)(answers, current)
