"""A safe parser for objective strings: a small arithmetic grammar, never ``eval``.

sympy's ``parse_expr``/``sympify`` run ``eval`` on their input, so a string such as
``"x + __import__('os').system('...')"`` would run a shell command. This module parses the
text with Python's :mod:`ast` (``mode="eval"``), checks every node against a whitelist,
and only then builds the sympy expression from the checked tree. Nothing in the text is
ever executed; input from files and flags is data.

Grammar (anything else is refused with :class:`~qdq.errors.ProblemError`, naming the
offending piece and its 1-based column):

- numbers: integer and decimal literals (``3``, ``0.25``, ``1e-3``); integers become
  ``sympy.Integer`` and decimals ``sympy.Float`` of the literal text, so ``3/10`` is the
  exact ``Rational(3, 10)`` (the same objects sympy's own parser builds);
- the problem's variables (``x, y, z`` for up to three dimensions and ``x0, x1, ...``)
  and the constants ``pi``, ``e`` and ``E`` (Euler's number);
- ``+ - * / **``, unary ``-``/``+`` and parentheses; ``^`` is read as ``**`` (the text is
  ASCII and has no string literals, so a plain character replacement is exact);
- calls by plain name, positional arguments only, of the functions in :data:`FUNCTIONS`:

  - one argument: ``sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp sqrt
    abs Abs sign floor ceiling``, and the numpy spellings ``arcsin arccos arctan arcsinh
    arccosh arctanh``;
  - ``log(v)`` (natural) or ``log(v, b)`` (base ``b``);
  - ``atan2(y, x)`` (also ``arctan2``);
  - ``min``/``Min`` and ``max``/``Max`` of 1 to 32 arguments.

Refused: attribute access, subscripts, strings, f-strings, bytes, complex/bool/None
literals, lambdas, comprehensions, list/tuple/dict/set displays, keyword or starred
arguments, calls of anything but a table name, comparisons, boolean and bitwise operators,
``%`` and ``//``, conditional and assignment expressions, and unknown names (with a
"did you mean" hint). The text must be printable ASCII (a pasted ``−`` or ``×`` is named
with its column); line breaks and tabs count as spaces. Limits (:data:`MAX_LENGTH` and
friends) bound the work a string can cause, and are checked before sympy builds anything
big: at most 10 000 characters, 5 000 syntax nodes, nesting depth 100 (brackets, calls,
powers, signs; a chain ``a + b + c ...`` counts once), integer literals of at most 300
digits, numeric exponents of absolute value at most 1 000 (``9**9**9**9`` is refused, not
computed), and every folded constant (powers, products, function values) of at most about
1 000 digits; constants that are poles, infinite, undefined or complex (``1/0``, ``log(0)``,
``asin(2)``, ``log(x, 0)``) are refused (:mod:`qdq.expression_guard`). ``#``, a backslash and
``;`` are refused (Python would read a comment or a continuation). Python's own parser
errors (including its recursion and memory limits) become ``ProblemError`` too.

Example:
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> parse_expression("3/10*x^4 - x**2 + 0.2*x", {"x": x})
    3*x**4/10 - x**2 + 0.2*x
    >>> from qdq.errors import ProblemError
    >>> try:
    ...     parse_expression("x + __import__('os').system('id')", {"x": x})
    ... except ProblemError as exc:
    ...     print(exc)
    objective "x + __import__('os').system('id')" contains attribute access: \
"__import__('os').system" at column 5
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from typing import Any

from qdq.errors import ProblemError
from qdq.expression_guard import MAX_EXPONENT, MAX_INT_DIGITS, MAX_POWER_DIGITS, constant_problem
from qdq.expression_guard import digits as _digits
from qdq.expression_table import CONSTANTS, FUNCTIONS
from qdq.expression_table import describe_refused as _describe_refused

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INT_DIGITS",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_POWER_DIGITS",
    "parse_expression",
]

#: Longest accepted text, in characters.
MAX_LENGTH = 10_000
#: Most syntax nodes (names, numbers, operators, calls) in one expression.
MAX_NODES = 5_000
#: Deepest nesting of parentheses, calls, powers and unary signs (a ``+``/``-`` or
#: ``*``/``/`` chain counts as one level however long it is).
MAX_DEPTH = 100


# Chains of these operators are flat in sympy (Add / Mul), so they do not add depth.
_FAMILY = {ast.Add: "add", ast.Sub: "add", ast.Mult: "mul", ast.Div: "mul"}
_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)

def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS, key=lambda n: (n.lower(), n)))


class _Source:
    """The original text, the one-line text handed to :func:`ast.parse`, and offsets between."""

    def __init__(self, text: str):
        self.text = text
        full = text.replace("^", "**")
        # Line breaks and tabs become spaces one for one: the text is one logical line
        # (a TOML multi-line string parses as typed) and offsets stay put.
        for ch in "\t\r\n":
            full = full.replace(ch, " ")
        # Python's parser refuses leading blanks ("unexpected indent"); skip them.
        self._lead = len(full) - len(full.lstrip(" "))
        self.parsed = full[self._lead:]
        # Each "^" grew by one character: a parsed offset maps back by subtracting the
        # number of "^" that start before it.
        self._carets = [i + k for k, i in enumerate(
            j for j, ch in enumerate(text) if ch == "^")]

    def original(self, parsed_offset: int) -> int:
        """Offset in :attr:`text` of an offset in :attr:`parsed` (ASCII: bytes == chars)."""
        offset = parsed_offset + self._lead
        shift = sum(1 for c in self._carets if c < offset)
        # An offset on the second "*" of an inserted "**" maps to the "^" itself.
        shift -= sum(1 for c in self._carets if c + 1 == offset)
        return offset - shift

    def where(self, node: ast.AST) -> tuple[str, int]:
        """The node's original source text and its 1-based column."""
        start = self.original(node.col_offset)
        end = self.original(node.end_col_offset)
        return self.text[start:end], start + 1


class _RefusalError(Exception):
    def __init__(self, node: ast.AST | None, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


class _Checker:
    """Walks the tree once (iteratively), refusing anything outside the grammar."""

    def __init__(self, names: Mapping[str, Any]):
        self.names = names

    def check(self, tree: ast.Expression) -> None:
        count = 0
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if count > MAX_NODES:
                raise _RefusalError(None, f"has more than {MAX_NODES} numbers, names and "
                                     "operators; simplify it")
            if depth > MAX_DEPTH:
                raise _RefusalError(node, f"is nested more than {MAX_DEPTH} levels deep")
            # Reversed, so that the leftmost offending piece is the one reported.
            stack.extend(reversed(self._children(node, depth)))

    def _children(self, node: ast.AST, depth: int) -> list[tuple[ast.AST, int]]:
        if isinstance(node, ast.Constant):
            self._check_constant(node)
            return []
        if isinstance(node, ast.Name):
            self._check_name(node)
            return []
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BINOPS):
            family = _FAMILY.get(type(node.op))
            chained = family is not None and isinstance(node.left, ast.BinOp) and (
                _FAMILY.get(type(node.left.op)) == family)
            return [(node.left, depth if chained else depth + 1), (node.right, depth + 1)]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return [(node.operand, depth + 1)]
        if isinstance(node, ast.Call):
            self._check_call(node)
            return [(arg, depth + 1) for arg in node.args]
        raise _RefusalError(node, f"contains {_describe_refused(node)}")

    @staticmethod
    def _check_constant(node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _RefusalError(node, f"contains {_describe_refused(node)}; only real numbers "
                                 "such as 3 or 0.25 are allowed")
        if isinstance(value, int) and value >= 10**MAX_INT_DIGITS:
            raise _RefusalError(node, f"contains an integer with more than {MAX_INT_DIGITS} "
                                 "digits")

    def _check_name(self, node: ast.Name) -> None:
        name = node.id
        if name in self.names or name in CONSTANTS:
            return
        if name in FUNCTIONS:
            raise _RefusalError(node, f"uses the function {name!r} without calling it; write "
                                 f"{name}(...)")
        choices = [*self.names, *CONSTANTS]
        close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise _RefusalError(node, f"uses unknown variable(s) [{name!r}]; {hint}"
                             f"use {', '.join(sorted(self.names))} (and pi, e)")

    def _check_call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name):
            raise _RefusalError(func, f"contains {_describe_refused(func)}")
        name = func.id
        if name not in FUNCTIONS:
            close = [] if name.startswith("_") else difflib.get_close_matches(
                name, list(FUNCTIONS), n=1, cutoff=0.6)
            if close:
                raise _RefusalError(node, f"calls the unknown function {name!r}; did you mean "
                                     f"{close[0]!r}? Known functions: {_function_list()}")
            raise _RefusalError(node, f"calls {name + '(...)'!r}, which is not allowed: only the "
                                 f"functions {_function_list()} can be called, by plain "
                                 "name")
        if node.keywords:
            raise _RefusalError(node, f"passes a keyword argument to {name}(); use positional "
                                 "arguments only")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _RefusalError(arg, "contains a starred argument")
        _, low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise _RefusalError(node, f"calls {name}() with {len(node.args)} argument(s); it takes "
                                 f"{want}")


class _Builder:
    """Builds the sympy expression from a checked tree, post-order, without recursion."""

    def __init__(self, names: Mapping[str, Any], source: _Source):
        import sympy

        self.sympy = sympy
        self.names = names
        self.source = source

    def build(self, tree: ast.Expression):
        values: dict[int, Any] = {}
        stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
        while stack:
            node, ready = stack.pop()
            if not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(self._operands(node)))
                continue
            args = [values.pop(id(child)) for child in self._operands(node)]
            if isinstance(node, ast.Call):  # before sympy folds floor(huge) digit by digit
                for arg, child in zip(args, node.args, strict=True):
                    self._guard(child, arg)
                if node.func.id == "log" and len(args) == 2 and args[1].is_number and not (
                        args[1].is_positive and args[1] != 1):  # log(x, 0) folds to 0
                    raise _RefusalError(node.args[1], "is not a valid logarithm base (it must "
                                        "be positive and not 1)")
            try:
                value = self._make(node, args)
            except (ValueError, ArithmeticError) as exc:  # sympy's PrecisionExhausted, ...
                raise _RefusalError(node, "cannot be evaluated as a finite real number "
                                    f"({type(exc).__name__})") from None
            self._guard(node, value)
            values[id(node)] = value
        return values[id(tree.body)]

    @staticmethod
    def _guard(node: ast.AST, value) -> None:
        why = constant_problem(value)
        if why is not None:
            raise _RefusalError(node, f"{why}; remove or rewrite this piece")

    @staticmethod
    def _operands(node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            return list(node.args)
        return []

    def _make(self, node: ast.AST, args: list):
        sp = self.sympy
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):
                return sp.Integer(node.value)
            # The literal's own text, as sympy's parser does: same precision, same value.
            text, _ = self.source.where(node)
            return sp.Float(text.replace("_", ""))
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            return getattr(sp, CONSTANTS[node.id])
        if isinstance(node, ast.UnaryOp):
            return -args[0] if isinstance(node.op, ast.USub) else +args[0]
        if isinstance(node, ast.BinOp):
            left, right = args
            op = type(node.op)
            if op is ast.Add:
                return left + right
            if op is ast.Sub:
                return left - right
            if op is ast.Mult:
                return left * right
            if op is ast.Div:
                return left / right
            self._check_power(node, left, right)
            return left**right
        name = node.func.id
        return getattr(sp, FUNCTIONS[name][0])(*args)

    def _check_power(self, node: ast.BinOp, base, exponent) -> None:
        # sympy evaluates numeric powers eagerly: 9**(9**9) would compute a 370-million
        # digit integer. Refuse before building it.
        if not (exponent.is_Number and exponent.is_finite):
            return
        if abs(exponent) > MAX_EXPONENT:
            shown = str(exponent)
            shown = shown if len(shown) <= 20 else f"{shown[:8]}... ({len(shown)} digits)"
            raise _RefusalError(node, f"has the exponent {shown} (absolute value above "
                                 f"{MAX_EXPONENT})")
        if base.is_Rational and exponent.is_Rational and base.p != 0:
            size = _digits(base) * float(abs(exponent))
            if size > MAX_POWER_DIGITS:
                raise _RefusalError(node, f"has a constant power with about {int(size)} digits "
                                     f"(more than {MAX_POWER_DIGITS})")


def _syntax_message(source: _Source, exc: SyntaxError) -> tuple[str, int]:
    """A plain-language description and 1-based column of a Python syntax error."""
    offset = exc.offset or 0
    if (exc.lineno or 1) > 1 or offset < 1 or offset > len(source.parsed):
        column = len(source.text) + 1
        what = exc.msg if "never closed" in (exc.msg or "") else "invalid syntax"
    else:
        column = source.original(offset - 1) + 1
        what = exc.msg or "invalid syntax"
    if what == "invalid syntax":
        what = "unexpected text here" if column <= len(source.text) else \
            "the expression ends too early"
    return what, column


def parse_expression(text: str, names: Mapping[str, Any], *, what: str = "objective"):
    """Parse ``text`` in the safe grammar of this module into a sympy expression.

    Args:
        text: The expression, e.g. ``"0.3*x**4 - x**2 + 0.2*x"``.
        names: Variable name -> sympy symbol (or any sympy expression) it stands for.
        what: Noun used in error messages (``"objective"``, ``"expression"``).

    Returns:
        The ``sympy.Expr``, built with sympy's ordinary arithmetic from the checked tree,
        so ``"3/10"`` is the exact ``Rational(3, 10)`` and ``"0.3"`` is ``Float('0.3')``.

    Raises:
        ProblemError: If the text is not a string, is empty, too long or too deeply nested,
            has a syntax error (the message gives the column), or uses anything outside the
            grammar (the message names the piece, its column, and a close match when one
            exists). Nothing in the text is executed, whatever it contains.

    Example:
        >>> import sympy
        >>> x, y = sympy.symbols("x y", real=True)
        >>> parse_expression("x^2 + cos(y) - 3/10", {"x": x, "y": y})
        x**2 + cos(y) - 3/10
        >>> from qdq.errors import ProblemError
        >>> try:
        ...     parse_expression("sinn(x)", {"x": x})
        ... except ProblemError as exc:
        ...     print(str(exc).split("?")[0])
        objective 'sinn(x)' calls the unknown function 'sinn' at column 1; did you mean 'sin'
    """
    if not isinstance(text, str):
        raise ProblemError(f"{what} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ProblemError(f"{what} string is empty; give an expression such as 'x**2'")
    shown = text if len(text) <= 80 else text[:60] + f"... ({len(text)} characters)"
    if len(text) > MAX_LENGTH:
        raise ProblemError(f"{what} {shown!r} is longer than {MAX_LENGTH} characters; "
                           "simplify it or pass a Python callable instead")
    bad = next((i for i, ch in enumerate(text) if not (ch.isascii() and (
        ch.isprintable() or ch in "\t\n\r"))), None)
    if bad is not None:
        raise ProblemError(f"{what} {shown!r} contains the character {text[bad]!r} at column "
                           f"{bad + 1}; use ASCII operators such as '-' and '*'")
    trick = next((i for i, ch in enumerate(text) if ch in "#\\;"), None)
    if trick is not None:  # Python would read '#...' as a comment and drop the rest
        raise ProblemError(f"{what} {shown!r} contains {text[trick]!r} at column {trick + 1}; "
                           "comments, line continuations and ';' are not allowed")
    _check_brackets(text, shown, what)
    source = _Source(text)
    try:
        tree = ast.parse(source.parsed, mode="eval")
    except SyntaxError as exc:
        message, column = _syntax_message(source, exc)
        end = " (the end)" if column > len(text) else ""
        raise ProblemError(
            f"cannot parse {what} {shown!r}: syntax error at column {column}{end}: {message}; "
            "write an expression such as 'x**2 + 1'"
        ) from None
    except (RecursionError, MemoryError):
        raise ProblemError(f"cannot parse {what} {shown!r}: it is nested or chained too "
                           f"deeply (more than {MAX_DEPTH} levels); simplify it") from None
    try:
        _Checker(names).check(tree)
        expr = _Builder(names, source).build(tree)
    except _RefusalError as exc:
        if exc.node is None:
            raise ProblemError(f"{what} {shown!r} {exc.message}") from None
        piece, column = source.where(exc.node)
        piece = piece if len(piece) <= 60 else piece[:50] + "..."
        head, _, tail = exc.message.partition(";")
        located = _locate(head, piece, column, exc.node)
        raise ProblemError(f"{what} {shown!r} {located}{';' + tail if tail else ''}") from None
    except (RecursionError, MemoryError):  # pragma: no cover - bounded by MAX_DEPTH
        raise ProblemError(f"{what} {shown!r} is too large to build; simplify it") from None
    return expr


def _check_brackets(text: str, shown: str, what: str) -> None:
    """Refuse bracket nesting deeper than :data:`MAX_DEPTH` before Python's parser sees it."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ProblemError(f"{what} {shown!r} nests brackets more than {MAX_DEPTH} "
                                   f"levels deep (column {i + 1}); simplify it")
        elif ch in ")]}":
            depth -= 1


def _locate(head: str, piece: str, column: int, node: ast.AST) -> str:
    """Insert the offending piece and its column into a refusal message."""
    if isinstance(node, ast.Call) and "calls" in head and "which is not allowed" in head:
        return head.replace(", which", f" at column {column}, which", 1)
    if isinstance(node, ast.Call | ast.Name) and head.startswith(("calls the unknown",
                                                                   "uses unknown")):
        return f"{head} at column {column}"
    if isinstance(node, ast.Name):
        return f"{head} at column {column}"
    return f"{head}: {piece!r} at column {column}"
