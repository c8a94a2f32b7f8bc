"""Objective strings over bits, in the project's safe grammar, to a polynomial.

The text is checked and turned into sympy by :func:`qdq.expression.parse_expression` (an AST
whitelist; nothing is evaluated), then expanded; every power ``x**k`` (``k ≥ 1``) of a bit is
folded to ``x`` (``x² = x`` on ``{0, 1}``). Anything that is not a polynomial in the bits —
``sin(x0)``, ``x0/x1``, ``sqrt(x0)``, ``x0**-1`` — is refused, naming the piece.

Variables: ``x0, x1, …`` are bit ``i`` (gaps are kept as unused bits, named ``x<i>``); any
other identifiers (``a*b - 2*c``) are numbered in order of first appearance, unless ``names``
gives the order. ``x0``-style names and other names cannot be mixed.

Example:
    >>> poly, offset, names = parse_binary("x0*x1 - 2*x2 + 3*x0*x1*x3 + 1")
    >>> sorted(poly.items()), offset, names
    ([((0, 1), 1.0), ((0, 1, 3), 3.0), ((2,), -2.0)], 1.0, ('x0', 'x1', 'x2', 'x3'))
    >>> poly, offset, names = parse_binary("a*b - a**2")
    >>> sorted(poly.items()), names
    ([((0,), -1.0), ((0, 1), 1.0)], ('a', 'b'))
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from qdq.errors import ProblemError
from qdq.expression_table import CONSTANTS, FUNCTIONS

#: Most bits an objective string may name.
MAX_STRING_BITS = 4096
_INDEXED = re.compile(r"^x(0|[1-9][0-9]*)$")


def _identifiers(text: str) -> list[str]:
    """Variable names in order of first appearance (syntax only; nothing is evaluated)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return []  # parse_expression reports the syntax error with its column
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in calls and node.id not in CONSTANTS \
                and node.id not in FUNCTIONS:
            pos = (node.lineno, node.col_offset)
            if node.id not in found or pos < found[node.id]:
                found[node.id] = pos
    return sorted(found, key=found.get)


def parse_binary(text: str, names: Sequence[str] | None = None
                 ) -> tuple[dict[tuple[int, ...], float], float, tuple[str, ...]]:
    """``(polynomial, offset, names)`` of an objective string over bits.

    Raises:
        ProblemError: Not a string, no variables, more than :data:`MAX_STRING_BITS` bits,
            ``x0``-style and other names mixed, a name missing from ``names``, or a piece
            that is not a polynomial in the bits.
    """
    import sympy

    from qdq.expression import parse_expression

    if not isinstance(text, str):
        raise ProblemError(f"a binary objective string must be text, got {type(text).__name__}")
    found = _identifiers(text)
    indexed = [v for v in found if _INDEXED.match(v)]
    if names is not None:
        order = tuple(str(v) for v in names)
        missing = [v for v in found if v not in order]
        if missing:
            raise ProblemError(f"variable {missing[0]!r} is not in names={list(order)[:8]!r}")
    elif indexed and len(indexed) == len(found):
        top = max(int(v[1:]) for v in indexed)
        if top + 1 > MAX_STRING_BITS:
            raise ProblemError(f"bit x{top} is beyond the {MAX_STRING_BITS} bits an objective "
                               "string may name")
        order = tuple(f"x{i}" for i in range(top + 1))
    elif indexed:
        raise ProblemError(f"mix of indexed bits ({indexed[0]}) and named variables "
                           f"({[v for v in found if v not in indexed][0]}); use one style or "
                           "pass names=[...] in bit order")
    else:
        order = tuple(found)
    if not order:
        raise ProblemError(f"the binary objective {text[:60]!r} has no variables; "
                           "write it in bits such as x0*x1 - 2*x2")
    if len(order) > MAX_STRING_BITS:
        raise ProblemError(f"{len(order)} variables is more than the {MAX_STRING_BITS} an "
                           "objective string may name")
    symbols = {v: sympy.Symbol(v) for v in order}
    expr = parse_expression(text, symbols, what="binary objective")
    index = {s: i for i, s in enumerate(symbols.values())}
    try:
        poly_expr = sympy.Poly(sympy.expand(expr), *symbols.values()) if symbols else None
    except sympy.PolynomialError as exc:
        raise ProblemError(f"binary objective {text[:60]!r} is not a polynomial in the bits "
                           f"({exc}); use products, sums and non-negative integer powers only"
                           ) from exc
    poly: dict[tuple[int, ...], float] = {}
    offset = 0.0
    gens = poly_expr.gens
    for monom, coeff in poly_expr.terms():
        if not coeff.is_number or not coeff.is_real:
            raise ProblemError(f"coefficient {coeff} in binary objective {text[:60]!r} is not "
                               "a real number")
        value = float(coeff)
        bits = tuple(sorted(index[g] for g, k in zip(gens, monom, strict=True) if k > 0))
        if bits:
            poly[bits] = poly.get(bits, 0.0) + value
        else:
            offset += value
    return {s: w for s, w in poly.items() if w != 0.0}, offset, order
