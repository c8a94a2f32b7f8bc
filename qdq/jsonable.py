"""Conversion of qdq values (numpy, complex, dataclasses, paths...) into plain JSON.

:func:`to_jsonable` is the one conversion every JSON writer in qdq uses
(:func:`qdq.files.atomic_write_json`, the store's JSON columns, result files), so a
complex amplitude or a numpy array is encoded the same way everywhere. It may import
:mod:`qdq.errors` and :mod:`qdq.redact` (error messages echo values, so they are
redacted), nothing else from qdq.

Example:
    >>> import json
    >>> import numpy as np
    >>> from qdq.jsonable import to_jsonable
    >>> json.dumps(to_jsonable({"n": np.int64(3), "z": 1 + 2j}))
    '{"n": 3, "z": {"re": 1.0, "im": 2.0}}'

"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

from qdq.errors import ParameterError
from qdq.redact import redact

__all__ = ["finite_json", "strict_json_text", "to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` recursively into values :func:`json.dumps` accepts.

    Conversions:

    * ``None``, ``bool``, ``int``, ``float``, ``str``: unchanged (non-finite floats
      stay floats; Python's :mod:`json` writes and reads them as ``NaN``/``Infinity``).
    * numpy scalars: the matching Python scalar; numpy arrays: nested lists.
    * complex scalars (Python or numpy): ``{"re": float, "im": float}``.
    * complex numpy arrays: ``{"re": nested list, "im": nested list}``, i.e. the real
      and imaginary parts as two arrays of the original shape (not per-element
      dicts, which would be much larger).
    * :class:`pathlib.PurePath`: ``str(path)``.
    * dataclass instances: a dict of their fields (recursively converted).
    * mappings: dicts with ``str`` keys (other keys go through ``str()`` after
      conversion); lists, tuples, sets, frozensets: lists (sets sorted when possible).
    * :class:`enum.Enum`: its converted ``value``; ``datetime``/``date``/``time``:
      ISO-8601 strings; ``bytes``: decoded as UTF-8 if possible, else hex.
    * objects with a ``to_dict()`` method: the converted result of that method.

    Args:
        obj: The value to convert.

    Returns:
        A structure of dicts, lists, strings, numbers, booleans and ``None``.

    Raises:
        ParameterError: For values of any other type (the message names the type).

    Example:
        >>> import numpy as np
        >>> to_jsonable({"a": np.float32(0.5), "b": np.array([[1, 2]]), "c": 1j})
        {'a': 0.5, 'b': [[1, 2]], 'c': {'re': 0.0, 'im': 1.0}}
        >>> to_jsonable(np.array([1 + 2j, 3j]))
        {'re': [1.0, 0.0], 'im': [2.0, 3.0]}

    """
    return _to_jsonable(obj, path="obj")


def _to_jsonable(obj: Any, path: str) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, complex):
        return {"re": float(obj.real), "im": float(obj.imag)}
    if isinstance(obj, np.ndarray):
        if np.iscomplexobj(obj):
            return {"re": obj.real.tolist(), "im": obj.imag.tolist()}
        if obj.dtype.kind in "biuf":
            return obj.tolist()
        return [_to_jsonable(v, f"{path}[{i}]") for i, v in enumerate(obj.tolist())]
    if isinstance(obj, np.generic):
        if isinstance(obj, np.complexfloating):
            return {"re": float(obj.real), "im": float(obj.imag)}
        return _to_jsonable(obj.item(), path)
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return _to_jsonable(obj.value, path)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: _to_jsonable(getattr(obj, f.name), f"{path}.{f.name}")
            for f in dataclasses.fields(obj)
        }
    if isinstance(obj, Mapping):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(key, str):
                skey = key
            else:
                ckey = _to_jsonable(key, f"{path}.<key>")
                skey = ckey if isinstance(ckey, str) else json.dumps(ckey)
            out[skey] = _to_jsonable(value, f"{path}[{key!r}]")
        return out
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, (set, frozenset)):
        items = [_to_jsonable(v, f"{path}{{...}}") for v in obj]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, (bytes, bytearray, memoryview)):
        raw = bytes(obj)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.hex()
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return _to_jsonable(to_dict(), path)
    raise ParameterError(
        redact(
            f"cannot convert {path} of type {type(obj).__module__}.{type(obj).__qualname__} "
            f"to JSON, got {_short_repr(obj)}; convert it to a dict, list, str or number "
            "first (or give it a to_dict() method)"
        )
    )


def finite_json(obj: Any) -> Any:
    """A copy of a JSON-shaped value with every NaN/±inf float replaced by ``None``.

    Strict JSON has no ``NaN`` or ``Infinity`` tokens (Python writes them, most parsers
    reject them), so machine-readable output maps them to ``null``.

    Example:
        >>> finite_json({"p": float("nan"), "q": [1.5, float("-inf")]})
        {'p': None, 'q': [1.5, None]}
    """
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite_json(v) for v in obj]
    return obj


def strict_json_text(obj: Any, indent: int | None = 2) -> str:
    """``obj`` as strict JSON text: converted, secrets scrubbed, NaN/inf as ``null``.

    Example:
        >>> strict_json_text({"x": float("inf"), "n": 1}, indent=None)
        '{"x": null, "n": 1}'
    """
    from qdq.redact import scrub

    value = scrub(finite_json(to_jsonable(obj)))
    return json.dumps(value, indent=indent, allow_nan=False, ensure_ascii=False)


def _short_repr(obj: Any, limit: int = 80) -> str:
    try:
        text = redact(repr(obj))
    except Exception:  # noqa: BLE001 - repr of arbitrary objects may fail
        return "<unrepresentable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
