"""Row checks shared by the store's tables: a decoded row is trusted only once checked.

SQLite does not enforce column types and a store may be edited by hand (or by an
attacker who can write the file), so each table checks every column of a row before
any reader uses it; listings skip and report a bad row instead of failing on it.

May import :mod:`qdq.errors`; nothing else from qdq.

Example:
    >>> try:
    ...     check_types("run 1", {"id": "1"}, {"id": (int,)})
    ... except StoreError as exc:
    ...     print(str(exc)[:45])
    run 1: column 'id' holds a str, expected int;
"""

from __future__ import annotations

from typing import Any

from qdq.errors import StoreError

__all__ = ["MAX_DEPTH", "check_depth", "check_types"]

#: Deepest nesting of lists/dicts a JSON column may hold. What qdq writes is a few levels
#: deep; a bound keeps every recursive reader (printing, dumping) far from the
#: interpreter's recursion limit.
MAX_DEPTH = 200

NONE = type(None)


def check_types(what: str, row: dict[str, Any], types: dict[str, tuple[type, ...]]) -> None:
    """Raise StoreError naming the first column of ``row`` whose type is not in ``types``."""
    for column, allowed in types.items():
        value = row.get(column)
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
            raise StoreError(f"{what}: column {column!r} holds a {type(value).__name__}, "
                             f"expected {names}; the store was edited or is damaged")


def check_depth(value: Any, what: str, error: type[Exception] = StoreError) -> Any:
    """Return ``value`` if its lists/dicts nest at most :data:`MAX_DEPTH` deep, else raise.

    Iterative, so the check itself cannot hit the recursion limit.

    Example:
        >>> check_depth({"a": [1, {"b": 2}]}, "x")
        {'a': [1, {'b': 2}]}
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise error(f"{what} nests lists/dicts more than {MAX_DEPTH} levels deep; "
                            "store flatter data (the store may have been edited or damaged)")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, (dict, list)))
    return value
