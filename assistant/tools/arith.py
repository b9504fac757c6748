"""Exact arithmetic and calendar sums for the tools, because a 0.5B model cannot add.

``evaluate`` walks the expression's syntax tree itself and allows only numbers,
arithmetic operators, parentheses and a handful of named functions: there is no
``eval``, no name lookup, no attribute access, so ``__import__('os')`` is simply not
an expression it knows. Exponents and intermediate results are bounded so that
``9**9**9`` is refused in microseconds instead of eating the CPU.

Dates are parsed from the forms people write in contracts and records. A slashed date
whose day and month could be swapped (``04/03/2025``) is refused rather than guessed:
a wrong deadline is worse than a question back.
"""

from __future__ import annotations

import ast
import calendar
import math
import operator
import re
from collections.abc import Callable
from datetime import date

from assistant.tools.registry import ToolError

MAX_EXPRESSION_CHARS = 200
MAX_EXPONENT = 1000
MAX_DIGITS = 300

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "round": round,
    "abs": abs,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
}
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PERCENT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*of\b", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%(?!\s*[\d(.])")


def _normalise(expression: str) -> str:
    """People's notation to Python's: 1,200 -> 1200, 15% of x -> 15/100*x, ^ and × and ÷."""
    text = expression.strip().rstrip("=").strip()
    for symbol in "£$€":
        text = text.replace(symbol, "")
    text = text.replace("×", "*").replace("÷", "/").replace("^", "**").replace("−", "-")
    text = _THOUSANDS.sub("", text)
    text = _PERCENT_OF.sub(r"(\1/100)*", text)
    return _PERCENT.sub(r"(\1/100)", text)


def _check_size(value: float) -> float:
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
        raise ToolError(f"the result has more than {MAX_DIGITS} digits")
    if isinstance(value, float) and math.isinf(value):
        raise ToolError("the result is too large")
    return value


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise ToolError(f"exponents are limited to {MAX_EXPONENT}")
    if abs(base) > 1 and exponent > 0 and exponent * math.log10(abs(base)) > MAX_DIGITS:
        raise ToolError(f"the result would have more than {MAX_DIGITS} digits")
    if base == 0 and exponent < 0:
        raise ToolError("zero cannot be raised to a negative power")
    return _check_size(base**exponent)


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ToolError(f"only numbers are allowed, not {node.value!r:.30}")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
            raise ToolError("division by zero")
        return _check_size(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ToolError(f"only these functions are allowed: {', '.join(_FUNCTIONS)}")
        args = [_eval(arg) for arg in node.args]
        if not args or len(args) > 20:
            raise ToolError(f"{node.func.id} needs between 1 and 20 numbers")
        try:
            return _check_size(_FUNCTIONS[node.func.id](*args))
        except (TypeError, ValueError) as exc:
            raise ToolError(f"{node.func.id}: {exc}") from exc
    if isinstance(node, ast.Name):
        raise ToolError(f"names like {node.id!r} are not allowed: write the numbers themselves")
    if isinstance(node, ast.Attribute):
        raise ToolError("attribute access is not allowed")
    raise ToolError(f"{type(node).__name__} is not allowed in a calculation")


def evaluate(expression: str) -> float:
    """The value of an arithmetic expression (``ToolError`` for anything else)."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ToolError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    text = _normalise(expression)
    if not text:
        raise ToolError("the expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ToolError(f"not an arithmetic expression: {expression!r:.60}") from exc
    value = _eval(tree)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return round(value, 10) if isinstance(value, float) else value


# -- dates -----------------------------------------------------------------------------
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([a-z]+) (\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+) (\d{1,2}) (\d{4})$")


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ToolError(f"{text!r} is not a valid date: {exc}") from exc


def parse_date(text: str) -> date:
    """A date from ISO (2025-03-03), "3 March 2025", "March 3, 2025", 03.03.2025 or "today"."""
    raw = text
    clean = " ".join(_ORDINAL.sub(r"\1", text.strip().lower()).replace(",", " ").replace(" of ", " ").split())
    if clean == "today":
        return date.today()
    numeric = _NUMERIC.match(clean)
    if numeric:
        a, b, c = (int(g) for g in numeric.groups())
        if len(numeric.group(1)) == 4:
            return _make(a, b, c, raw)
        if len(numeric.group(3)) != 4:
            raise ToolError(f"write the year with four digits: {raw!r}")
        if "." in clean or a > 12:
            return _make(c, b, a, raw)  # dotted dates are day-first everywhere they are used
        if b > 12:
            return _make(c, a, b, raw)
        if a != b:
            raise ToolError(
                f"{raw!r} is ambiguous (day/month or month/day?): write it as {c}-{b:02d}-{a:02d} "
                f"or with the month's name"
            )
        return _make(c, a, b, raw)
    for pattern, order in ((_DAY_MONTH_YEAR, (1, 2)), (_MONTH_DAY_YEAR, (2, 1))):
        match = pattern.match(clean)
        if match:
            day, month_name = match.group(order[0]), match.group(order[1])
            month = _MONTHS.get(month_name)
            if month is None:
                break
            return _make(int(match.group(3)), month, int(day), raw)
    raise ToolError(f"cannot read {raw!r} as a date: write it like 2025-03-03 or 3 March 2025")


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole calendar months, the day clipped to the month's length."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def whole_months(start: date, end: date) -> tuple[int, int]:
    """Complete calendar months from ``start`` to ``end`` (end >= start) and the days left."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def describe_difference(start: date, end: date, unit: str) -> dict[str, object]:
    """The gap between two dates in ``unit``, as a value and as a sentence."""
    days = (end - start).days
    earlier, later = sorted((start, end))
    span = abs(days)
    value: float
    if unit == "days":
        value, text = span, _plural(span, "day")
    elif unit == "weeks":
        value = round(span / 7, 2)
        text = _plural(span // 7, "week") + (f" and {_plural(span % 7, 'day')}" if span % 7 else "")
    else:
        months, rest = whole_months(earlier, later)
        if unit == "months":
            value, text = months, _plural(months, "month")
        else:
            value, text = months // 12, _plural(months // 12, "year")
            if months % 12:
                text += f", {_plural(months % 12, 'month')}"
        if rest:
            text += f" and {_plural(rest, 'day')}"
    order = "" if days >= 0 else " (the end date is before the start date)"
    when = f"from {start.strftime('%-d %B %Y')} to {end.strftime('%-d %B %Y')}"
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "unit": unit,
        "value": value,
        "days": days,
        "text": f"{text} {when}{order}",
    }
