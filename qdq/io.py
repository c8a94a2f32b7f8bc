"""Safe file output and secret hygiene for everything qdq writes to disk.

* :func:`atomic_write_text`, :func:`atomic_write_bytes` and :func:`atomic_write_json`
  write to a temporary file in the destination directory, ``fsync`` it and
  ``os.replace`` it over the target, so readers see either the old or the new
  content, never a torn file.
* :func:`redact` and :func:`scrub` replace credentials (IBM Quantum tokens and
  instance names taken from the environment, plus any extra secrets you pass) with
  ``"***"`` so they never land in result files, the store, or error messages.
* :func:`to_jsonable` turns numpy arrays/scalars, complex numbers, paths, dataclasses
  and friends into plain JSON values.

Example:
    >>> import json, os, tempfile
    >>> from qdq.io import atomic_write_json
    >>> path = os.path.join(tempfile.mkdtemp(), "out", "result.json")
    >>> atomic_write_json(path, {"energy": 1.5, "z": 1 + 2j})
    >>> json.load(open(path))
    {'energy': 1.5, 'z': {'re': 1.0, 'im': 2.0}}

"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from qdq.errors import ParameterError

__all__ = [
    "REDACTED",
    "SECRET_ENV_VARS",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "redact",
    "scrub",
    "secret_values",
    "to_jsonable",
]

#: Replacement written in place of every secret.
REDACTED = "***"

#: Environment variables whose values are treated as secrets by default.
SECRET_ENV_VARS: tuple[str, ...] = (
    "QISKIT_IBM_TOKEN",
    "IBM_QUANTUM_TOKEN",
    "QISKIT_IBM_INSTANCE",
)

_DEFAULT_FILE_MODE = 0o644


# --------------------------------------------------------------------------- atomic


def _fsync_dir(directory: Path) -> None:
    """Best-effort fsync of a directory so a rename survives a power loss."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse directory fsync
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``.

    The bytes go to a temporary file in the same directory (created with its
    parents if needed), which is flushed, ``fsync``-ed and then moved over the
    target with :func:`os.replace`. If anything fails the temporary file is removed
    and the previous content of ``path`` (if any) is left untouched. An existing
    file keeps its permission bits; a new one gets ``0o644``.

    Args:
        path: Destination file.
        data: Bytes to write.

    Raises:
        ParameterError: If ``data`` is not bytes-like or ``path`` is a directory.
        OSError: If the directory cannot be created or written.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "blob.bin")
        >>> atomic_write_bytes(p, bytes([0, 255]))
        >>> list(open(p, "rb").read())
        [0, 255]

    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParameterError(
            f"data must be bytes, got {type(data).__name__}; "
            "use atomic_write_text for str or atomic_write_json for objects"
        )
    target = Path(path).expanduser()
    if target.is_dir():
        raise ParameterError(
            f"cannot write to {str(target)!r}: it is a directory; pass a file path"
        )
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _DEFAULT_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(parent)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Atomically replace ``path`` with ``text`` (see :func:`atomic_write_bytes`).

    Args:
        path: Destination file; parent directories are created.
        text: The text to write (newlines are written as given, not translated).
        encoding: Text encoding, UTF-8 by default.

    Raises:
        ParameterError: If ``text`` is not a ``str``.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "a", "b", "note.txt")
        >>> atomic_write_text(p, "hello")
        >>> open(p).read()
        'hello'

    """
    if not isinstance(text, str):
        raise ParameterError(
            f"text must be str, got {type(text).__name__}; "
            "use atomic_write_bytes for bytes or atomic_write_json for objects"
        )
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(
    path: str | os.PathLike[str],
    obj: Any,
    *,
    indent: int | None = 2,
    sort_keys: bool = False,
    redact_secrets: bool = True,
) -> None:
    """Atomically write ``obj`` as JSON (see :func:`atomic_write_bytes`).

    ``obj`` is first passed through :func:`to_jsonable` and, unless
    ``redact_secrets=False``, through :func:`scrub`, so credentials from the
    environment never reach the file. The file ends with a newline.

    Args:
        path: Destination file; parent directories are created.
        obj: Anything :func:`to_jsonable` understands.
        indent: JSON indentation (``None`` for one compact line).
        sort_keys: Sort object keys.
        redact_secrets: Replace secrets with ``"***"`` (default ``True``).

    Raises:
        ParameterError: If ``obj`` contains a value that cannot be made JSON-safe.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> p = os.path.join(tempfile.mkdtemp(), "r.json")
        >>> atomic_write_json(p, {"x": np.arange(3)}, indent=None)
        >>> open(p).read().strip()
        '{"x": [0, 1, 2]}'

    """
    value = to_jsonable(obj)
    if redact_secrets:
        value = scrub(value)
    text = json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    atomic_write_text(path, text + "\n")


# --------------------------------------------------------------------------- secrets


def secret_values(secrets: Iterable[str] | None = None) -> list[str]:
    """Return the secrets :func:`redact` will hide, longest first.

    These are the non-empty values of :data:`SECRET_ENV_VARS` currently set in the
    environment (read at call time) plus every non-empty string in ``secrets``.

    Args:
        secrets: Extra secret strings (a single ``str`` counts as one secret).

    Returns:
        Distinct secrets, longest first (so overlapping secrets are fully hidden).

    Example:
        >>> secret_values(["abc", "", "abcdef"])[:2]
        ['abcdef', 'abc']

    """
    found: set[str] = set()
    for name in SECRET_ENV_VARS:
        value = os.environ.get(name)
        if value and value.strip():
            found.add(value)
            found.add(value.strip())
    if secrets is not None:
        if isinstance(secrets, str):
            secrets = [secrets]
        for value in secrets:
            if isinstance(value, str) and value.strip():
                found.add(value)
    return sorted(found, key=lambda s: (-len(s), s))


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace every secret occurring in ``text`` with ``"***"``.

    Secrets are the values of ``QISKIT_IBM_TOKEN``, ``IBM_QUANTUM_TOKEN`` and
    ``QISKIT_IBM_INSTANCE`` (read from the environment at call time) plus anything
    in ``secrets``. Empty or whitespace-only values are ignored.

    Args:
        text: Text that may contain a secret; non-``str`` values are converted with
            ``str()`` first.
        secrets: Extra secrets to hide.

    Returns:
        The text with each secret replaced by ``"***"``.

    Example:
        >>> redact("token=abc123 ok", secrets=["abc123"])
        'token=*** ok'

    """
    if not isinstance(text, str):
        text = str(text)
    for secret in secret_values(secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub(obj: Any, secrets: Iterable[str] | None = None) -> Any:
    """Return a copy of ``obj`` with secrets redacted from every string inside it.

    Walks dicts (keys and values), lists, tuples, sets and frozensets recursively
    and applies :func:`redact` to each ``str``. Other values are returned as they
    are; containers are rebuilt with the same type (``dict`` for any mapping).

    Args:
        obj: A (nested) structure of containers and scalars.
        secrets: Extra secrets to hide, in addition to the environment ones.

    Returns:
        The scrubbed copy (the input is not modified).

    Example:
        >>> scrub({"token": "s3cr3t", "runs": [1, "s3cr3t-x"]}, secrets=["s3cr3t"])
        {'token': '***', 'runs': [1, '***-x']}

    """
    return _scrub(obj, secret_values(secrets))


def _redact_with(text: str, values: list[str]) -> str:
    for secret in values:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _scrub(obj: Any, values: list[str]) -> Any:
    if isinstance(obj, str):
        return _redact_with(obj, values)
    if isinstance(obj, Mapping):
        return {
            (_redact_with(k, values) if isinstance(k, str) else k): _scrub(v, values)
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_scrub(v, values) for v in obj]
    if isinstance(obj, tuple):
        items = [_scrub(v, values) for v in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, (set, frozenset)):
        return type(obj)(_scrub(v, values) for v in obj)
    return obj


# --------------------------------------------------------------------------- JSON


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


def _short_repr(obj: Any, limit: int = 80) -> str:
    try:
        text = redact(repr(obj))
    except Exception:  # noqa: BLE001 - repr of arbitrary objects may fail
        return "<unrepresentable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
