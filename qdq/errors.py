"""Exception hierarchy of qdq.

Every error qdq raises on purpose is a :class:`QdqError`; subclasses also derive
from the matching builtin (``ValueError``, ``MemoryError``, ...) so that generic
``except ValueError`` code keeps working. Messages name the bad value (``got ...``)
and say what to do instead.

Example:
    >>> from qdq.errors import QdqError, ParameterError
    >>> try:
    ...     raise ParameterError("D must be > 0, got -1; pass a positive diffusion constant")
    ... except QdqError as exc:
    ...     print(type(exc).__name__)
    ParameterError
"""

from __future__ import annotations


class QdqError(Exception):
    """Base class of every error raised by qdq on purpose.

    Messages often echo user input (a backend name, an option value, a provider's
    reply), which may contain a credential; ``str()`` and ``repr()`` therefore pass the
    message through :func:`qdq.redact.redact`, so no traceback or log line shows one.

    Example:
        >>> import os
        >>> saved = os.environ.get("QISKIT_IBM_TOKEN")
        >>> os.environ["QISKIT_IBM_TOKEN"] = "tok-1234567890"
        >>> str(QdqError("bad backend 'tok-1234567890'"))
        "bad backend '***'"
        >>> _ = os.environ.pop("QISKIT_IBM_TOKEN")
        >>> if saved is not None:
        ...     os.environ["QISKIT_IBM_TOKEN"] = saved
    """

    def __str__(self) -> str:
        text = super().__str__()
        try:
            from qdq.redact import redact
        except ImportError:  # pragma: no cover - only during interpreter shutdown
            return text
        return redact(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ProblemError(QdqError, ValueError):
    """The objective, bounds or qubit counts of a :class:`qdq.Problem` are invalid."""


class ParameterError(QdqError, ValueError):
    """A numeric or categorical option is out of its valid range."""


class ResourceError(QdqError, MemoryError):
    """The requested work would not fit in memory (raised before allocating)."""


class BackendError(QdqError, RuntimeError):
    """An execution backend is unknown, unavailable, or failed."""


class PostselectionError(QdqError, ArithmeticError):
    """A postselection probability underflowed or no shot survived postselection."""


class DependencyError(QdqError, ImportError):
    """An optional dependency is missing; the message says which extra to install."""


class StoreError(QdqError, RuntimeError):
    """The local experiment / job store could not be read or written."""


class ResultError(QdqError, ValueError):
    """A serialised result (JSON file, cached job result) is missing, unreadable or invalid."""


def require(module: str, extra: str):
    """Import an optional module lazily, or raise :class:`DependencyError` with a hint.

    Args:
        module: Dotted module name, e.g. ``"pennylane"``.
        extra: The qdq extra that installs it, e.g. ``"pennylane"``.

    Returns:
        The imported module.

    Raises:
        DependencyError: If the import fails.

    Example:
        >>> require("math", "none").sqrt(4.0)
        2.0
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DependencyError(
            f"{module!r} is not installed ({exc}); install it with "
            f"`pip install 'qdq[{extra}]'`"
        ) from exc
