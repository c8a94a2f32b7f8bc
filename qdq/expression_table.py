"""The function and constant tables of :mod:`qdq.expression`, and names of refused syntax."""

from __future__ import annotations

import ast

__all__ = ["CONSTANTS", "FUNCTIONS", "describe_refused"]

_ONE_ARGUMENT = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                 "asinh", "acosh", "atanh", "exp", "sqrt", "Abs", "sign", "floor", "ceiling")
_ALIASES = {"abs": "Abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
            "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}

#: Callable names: name -> (sympy function name, fewest arguments, most arguments).
FUNCTIONS: dict[str, tuple[str, int, int]] = {
    **{name: (name, 1, 1) for name in _ONE_ARGUMENT},
    **{alias: (target, 1, 1) for alias, target in _ALIASES.items()},
    "log": ("log", 1, 2),
    "atan2": ("atan2", 2, 2),
    "arctan2": ("atan2", 2, 2),
    "min": ("Min", 1, 32),
    "Min": ("Min", 1, 32),
    "max": ("Max", 1, 32),
    "Max": ("Max", 1, 32),
}

#: Constant names: name -> sympy constant name.
CONSTANTS: dict[str, str] = {"pi": "pi", "e": "E", "E": "E"}

_REFUSED_KIND: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Slice: "a slice",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Starred: "a starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

_BINOP_SYMBOL: dict[type, str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}


def describe_refused(node: ast.AST) -> str:
    """A short noun phrase for a refused node, such as "a lambda" or "a comparison"."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            return "a string"
        if isinstance(value, bytes):
            return "a bytes literal"
        if isinstance(value, bool) or value is None or value is Ellipsis:
            return f"the constant {value!r}"
        if isinstance(value, complex):
            return "a complex number"
        return f"the literal {value!r}"
    if isinstance(node, ast.BinOp):
        return f"the operator {_BINOP_SYMBOL.get(type(node.op), type(node.op).__name__)!r}"
    if isinstance(node, ast.UnaryOp):
        return "the operator 'not'" if isinstance(node.op, ast.Not) else "the operator '~'"
    return _REFUSED_KIND.get(type(node), f"a {type(node).__name__} node")
