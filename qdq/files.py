"""Safe file output: atomic writes, never-overwrite creation, collision-free names.

* :func:`atomic_write_text`, :func:`atomic_write_bytes` and :func:`atomic_write_json`
  write to a temporary file in the destination directory, ``fsync`` it and
  ``os.replace`` it over the target, so readers see either the old or the new
  content, never a torn file. :func:`atomic_create_bytes` / :func:`atomic_create_json`
  do the same but refuse to replace an existing file (``FileExistsError``), and
  :func:`unique_stem` builds collision-free file names, so concurrent runs never
  overwrite each other's results.
* Temporary files carry the writer's pid (``.<name>.qdq-<pid>-<random>.tmp``); the
  next write into a folder removes strays left there by an interrupted writer
  (see :func:`clean_stale_temp_files`).
* JSON writers convert values with :func:`qdq.jsonable.to_jsonable` and, by default,
  hide credentials with :func:`qdq.redact.scrub` before anything reaches the disk.

It may import :mod:`qdq.errors`, :mod:`qdq.jsonable` and :mod:`qdq.redact`, nothing
else from qdq.

Example:
    >>> import json, os, tempfile
    >>> from qdq.files import atomic_write_json
    >>> path = os.path.join(tempfile.mkdtemp(), "out", "result.json")
    >>> atomic_write_json(path, {"energy": 1.5, "z": 1 + 2j})
    >>> json.load(open(path))
    {'energy': 1.5, 'z': {'re': 1.0, 'im': 2.0}}

"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from qdq.errors import ParameterError
from qdq.jsonable import to_jsonable
from qdq.redact import scrub

__all__ = [
    "ABANDONED_TMP_SECONDS",
    "STALE_TMP_SECONDS",
    "atomic_create_bytes",
    "atomic_create_json",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "clean_stale_temp_files",
    "unique_stem",
]

_DEFAULT_FILE_MODE = 0o644

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


#: Temporary files are named ``.<target>.qdq-<pid>-<random>.tmp``.
_TMP_RE = re.compile(r"^\..+\.qdq-(\d+)-[A-Za-z0-9_]+\.tmp$")

#: A stray temporary file of a dead writer is removed once it is this old (seconds);
#: the grace period covers writers on other hosts sharing the folder (their pids mean
#: nothing here).
STALE_TMP_SECONDS = 60.0

#: Any stray temporary file this old is removed, whatever its pid says (pid reuse).
ABANDONED_TMP_SECONDS = 3600.0


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:  # pragma: no cover - e.g. platforms without signals
        return True
    return True


def clean_stale_temp_files(directory: str | os.PathLike[str], *, now: float | None = None) -> int:
    """Remove temporary files that interrupted qdq writes left in ``directory``.

    Only names of qdq's own pattern (``.<name>.qdq-<pid>-<random>.tmp``) are
    considered, and one is removed only when it is older than
    :data:`STALE_TMP_SECONDS` and its writer's pid is dead, or when it is older than
    :data:`ABANDONED_TMP_SECONDS` whatever the pid. A concurrent writer's in-flight
    file is therefore never touched. Errors (a file vanishing, no permission) are
    ignored: cleaning is best effort.

    Args:
        directory: The folder to clean.
        now: Current time (``time.time()`` if ``None``), for tests.

    Returns:
        How many files were removed.

    Example:
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> stray = os.path.join(d, ".r.json.qdq-999999999-abc.tmp")
        >>> open(stray, "w").close()
        >>> clean_stale_temp_files(d, now=os.path.getmtime(stray) + 120)
        1
        >>> os.listdir(d)
        []

    """
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        match = _TMP_RE.match(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = int(match.group(1))
        if age > ABANDONED_TMP_SECONDS or (age > STALE_TMP_SECONDS and not _pid_alive(pid)):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _check_bytes(data: Any) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParameterError(
            f"data must be bytes, got {type(data).__name__}; "
            "use atomic_write_text for str or atomic_write_json for objects"
        )


def _write_temp(target: Path, data: bytes, mode: int) -> str:
    """Write ``data`` to a fsync-ed temporary file beside ``target``; return its name."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_files(parent)
    fd, tmp_name = tempfile.mkstemp(
        dir=parent, prefix=f".{target.name}.qdq-{os.getpid()}-", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
    except BaseException:
        _unlink_quietly(tmp_name)
        raise
    return tmp_name


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _target(path: str | os.PathLike[str]) -> Path:
    target = Path(path).expanduser()
    if target.is_dir():
        raise ParameterError(
            f"cannot write to {str(target)!r}: it is a directory; pass a file path"
        )
    return target


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``.

    The bytes go to a temporary file in the same directory (created with its
    parents if needed), which is flushed, ``fsync``-ed and then moved over the
    target with :func:`os.replace`. If anything fails the temporary file is removed
    and the previous content of ``path`` (if any) is left untouched. An existing
    file keeps its permission bits; a new one gets ``0o644``. Stray temporary files
    of interrupted writers are cleaned first (:func:`clean_stale_temp_files`).

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
    _check_bytes(data)
    target = _target(path)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _DEFAULT_FILE_MODE
    tmp_name = _write_temp(target, bytes(data), mode)
    try:
        os.replace(tmp_name, target)
    except BaseException:
        _unlink_quietly(tmp_name)
        raise
    _fsync_dir(target.parent)


def atomic_create_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically create ``path`` with ``data``; never replace an existing file.

    Like :func:`atomic_write_bytes`, but the complete temporary file is published
    with :func:`os.link`, which fails if the target exists, so two writers racing
    for one name cannot overwrite each other: exactly one wins, the other gets
    ``FileExistsError``. (Where hard links are unsupported the file is created with
    ``O_CREAT | O_EXCL`` and written in place: still never overwritten.)

    Args:
        path: Destination file (must not exist); parent directories are created.
        data: Bytes to write.

    Raises:
        FileExistsError: If ``path`` already exists (its content is left untouched).
        ParameterError: If ``data`` is not bytes-like or ``path`` is a directory.
        OSError: If the directory cannot be created or written.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "once.bin")
        >>> atomic_create_bytes(p, b"first")
        >>> try:
        ...     atomic_create_bytes(p, b"second")
        ... except FileExistsError:
        ...     print(open(p, "rb").read())
        b'first'

    """
    _check_bytes(data)
    target = _target(path)
    tmp_name = _write_temp(target, bytes(data), _DEFAULT_FILE_MODE)
    try:
        try:
            os.link(tmp_name, target)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (e.g. some FUSE / SMB mounts)
            _create_exclusive(target, bytes(data))
    finally:
        _unlink_quietly(tmp_name)
    _fsync_dir(target.parent)


def _create_exclusive(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _DEFAULT_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink_quietly(str(target))
        raise


def atomic_create_json(
    path: str | os.PathLike[str],
    obj: Any,
    *,
    indent: int | None = 2,
    sort_keys: bool = False,
    redact_secrets: bool = True,
) -> None:
    """Atomically create ``path`` holding ``obj`` as JSON; never replace a file.

    Serialised as :func:`atomic_write_json` does, published as
    :func:`atomic_create_bytes` does.

    Args:
        path: Destination file (must not exist); parent directories are created.
        obj: Anything :func:`~qdq.jsonable.to_jsonable` understands.
        indent: JSON indentation (``None`` for one compact line).
        sort_keys: Sort object keys.
        redact_secrets: Replace secrets with ``"***"`` (default ``True``).

    Raises:
        FileExistsError: If ``path`` already exists.
        ParameterError: If ``obj`` contains a value that cannot be made JSON-safe.

    Example:
        >>> import json, os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), unique_stem("run") + ".json")
        >>> atomic_create_json(p, {"n": 1}, indent=None)
        >>> json.load(open(p))
        {'n': 1}

    """
    atomic_create_bytes(path, _json_bytes(obj, indent, sort_keys, redact_secrets))


def unique_stem(stem: str) -> str:
    r"""Return ``"<stem>-<UTC yyyymmdd-HHMMSS>-<8 random hex digits>"``.

    The timestamp keeps names sortable; the 32 random bits make a collision between
    runs started in the same second negligible (and :func:`atomic_create_bytes`
    refuses to overwrite in the remaining case).

    Args:
        stem: Leading part of the name (no directory, no suffix).

    Returns:
        The unique stem.

    Example:
        >>> import re
        >>> bool(re.fullmatch(r"run-\d{8}-\d{6}-[0-9a-f]{8}", unique_stem("run")))
        True
        >>> unique_stem("run") != unique_stem("run")
        True

    """
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stem}-{stamp}-{uuid.uuid4().hex[:8]}"


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

    ``obj`` is first passed through :func:`~qdq.jsonable.to_jsonable` and, unless
    ``redact_secrets=False``, through :func:`~qdq.redact.scrub`, so credentials from the
    environment never reach the file. The file ends with a newline.

    Args:
        path: Destination file; parent directories are created.
        obj: Anything :func:`~qdq.jsonable.to_jsonable` understands.
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
    atomic_write_bytes(path, _json_bytes(obj, indent, sort_keys, redact_secrets))


def _json_bytes(obj: Any, indent: int | None, sort_keys: bool, redact_secrets: bool) -> bytes:
    value = to_jsonable(obj)
    if redact_secrets:
        value = scrub(value)
    text = json.dumps(value, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
