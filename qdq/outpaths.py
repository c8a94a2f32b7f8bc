"""Output paths built from user or stored data: safe names, checked folders, confinement.

:func:`safe_filename` turns any text (a problem name, a job id read from a store that may
have been tampered with) into one harmless path component; :func:`output_dir` checks an
``--out`` folder and says what is wrong with it (a file, a dangling link, not writable);
:func:`confined_path` joins the two and checks the result stays inside the folder.

May import :mod:`qdq.errors` and :mod:`qdq.redact`, nothing else from qdq.

Example:
    >>> import tempfile
    >>> confined_path(output_dir(tempfile.mkdtemp()), "../x").name
    'x'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from qdq.errors import ParameterError
from qdq.redact import redact

__all__ = ["confined_path", "output_dir", "safe_filename"]


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: Any, limit: int = 120) -> str:
    """One path component made from stored or user data: no separators, no ``..``.

    Secrets are redacted first; every run of characters outside ``[A-Za-z0-9._-]`` becomes
    ``_``; leading dots are dropped (no hidden files, no ``..``); at most ``limit`` chars.

    Example:
        >>> safe_filename("../../etc/passwd"), safe_filename("x**2 + y"), safe_filename("..")
        ('etc_passwd', 'x_2_y', 'unnamed')
    """
    text = _UNSAFE_NAME.sub("_", redact(str(name))[: 4 * limit]).lstrip("._")
    return text[:limit].rstrip("_") or "unnamed"


def output_dir(folder: str | os.PathLike[str]) -> Path:
    """Create (if needed) and check an output folder; say exactly what is wrong with it.

    Raises:
        ParameterError: The path is a dangling symbolic link, exists and is not a
            directory, or cannot be created or written.

    Example:
        >>> import os, tempfile
        >>> output_dir(os.path.join(tempfile.mkdtemp(), "a", "b")).is_dir()
        True
    """
    path = Path(folder).expanduser()
    shown = redact(repr(str(path)))
    if path.is_symlink() and not path.exists():
        raise ParameterError(f"output folder {shown} is a dangling symbolic link (to "
                             f"{redact(repr(os.readlink(path)))}); remove it or pass another "
                             "--out")
    if path.exists() and not path.is_dir():
        raise ParameterError(f"output folder {shown} exists and is not a directory; pass a "
                             "folder to --out (it is created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"cannot create output folder {shown} ({exc.strerror or exc}); "
                             "pass a writable --out") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ParameterError(f"output folder {shown} is not writable; pass a writable --out")
    return path


def confined_path(folder: str | os.PathLike[str], name: Any) -> Path:
    """``folder / safe_filename(name)``, checked to stay inside ``folder``.

    A name from a tampered store (``../../x``) cannot leave the folder, and an existing
    symbolic link at the target (which could point anywhere) is refused.

    Raises:
        ParameterError: The target is a symbolic link or resolves outside ``folder``.

    Example:
        >>> import tempfile
        >>> d = tempfile.mkdtemp()
        >>> confined_path(d, "../../x.json").parent.samefile(d)
        True
    """
    base = Path(folder).expanduser().resolve()
    target = base / safe_filename(name)
    if target.is_symlink() or target.resolve().parent != base:
        raise ParameterError(f"refusing to write {redact(repr(str(target)))}: it is a symbolic "
                             "link or leaves the output folder; remove it or pass another --out")
    return target
