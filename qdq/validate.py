"""Shared validators for values that cross the public boundary (seeds, distributions).

One rule per kind of value, used everywhere it is accepted, so ``qdq.run``, the store and
hardware submission agree on what a valid seed is.

Example:
    >>> check_seed(7), check_seed(None)
    (7, None)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: seed must be a non-negative integer or None, got -1; ...

Limits: seeds ``0 <= seed < 2**63`` (:data:`SEED_LIMIT`), shots ``1 <= shots < 2**63``
(:data:`SHOTS_LIMIT`) — both must fit a signed 64-bit integer.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from qdq.errors import BackendError, ParameterError


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Validate a finite number ``> 0`` (``>= 0`` with ``allow_zero``), naming it in the error.

    Example:
        >>> check_positive("D", 0.5), check_positive("floor", 0, allow_zero=True)
        (0.5, 0.0)
    """
    need = ">= 0" if allow_zero else "> 0"
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {_short(value)}; pass a float "
                             f"{need}") from None
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ParameterError(f"{name} must be finite and {need}, got {_short(value)}; pass a "
                             f"float {need}")
    return v


def _short(value: Any) -> str:
    # A repr can be huge or carry secrets pasted by mistake: show only its start.
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: Seeds are integers ``0 <= seed < 2**63``: numpy's generators accept any non-negative
#: integer, but a seed must also fit a signed 64-bit integer, because it is stored (SQLite
#: INTEGER), passed to Aer's ``seed_simulator`` and to hardware jobs, which take int64.
SEED_LIMIT = 1 << 63
#: Shot counts are integers ``1 <= shots < 2**63``: numpy's ``binomial``/``multinomial``
#: samplers take an int64 count, and so do Aer and the store.
SHOTS_LIMIT = 1 << 63


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """Validate a random seed: ``None`` or an integer ``0 <= seed < 2**63``.

    The upper limit is :data:`SEED_LIMIT` (``2**63``): numpy's generators accept larger
    seeds, but every seed qdq takes may be stored (SQLite INTEGER) or handed to Aer and
    hardware runtimes, which all take a signed 64-bit integer.

    Args:
        seed: The seed to check (numpy integers are accepted).
        name: How the value is named in the message.

    Returns:
        ``None`` or the seed as a Python ``int``.

    Raises:
        ParameterError: For booleans, non-integers, negative integers and ``>= 2**63``.

    Example:
        >>> check_seed(2**63 - 1) == 2**63 - 1
        True
        >>> check_seed(2**63)
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: seed must be an integer 0 <= seed < 2**63 or None, got 9223372036854775808; ...
    """  # noqa: E501
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(
            f"{name} must be a non-negative integer or None, got {_short(seed)}; "
            "pass e.g. seed=0, or None for fresh entropy"
        )
    if seed >= SEED_LIMIT:
        raise ParameterError(
            f"{name} must be an integer 0 <= seed < 2**63 or None, got {_short(seed)}; "
            "seeds must fit a signed 64-bit integer (store, Aer, hardware) — pass a smaller one"
        )
    return int(seed)


def check_shots(shots: Any) -> int | None:
    """Validate a shot count: ``None`` (exact) or an integer ``1 <= shots < 2**63``.

    The upper limit is :data:`SHOTS_LIMIT` (``2**63``): numpy's binomial and multinomial
    samplers, Aer and the store all take a signed 64-bit count. Whether that many shots
    can *run* is the engine's business (it estimates the work before starting).

    Example:
        >>> check_shots(100), check_shots(None)
        (100, None)
        >>> check_shots(2**63)
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: shots must be < 2**63 (a signed 64-bit count), got 9223372036854775808; ...
    """  # noqa: E501
    if shots is None:
        return None
    if isinstance(shots, bool) or not isinstance(shots, numbers.Integral) or shots < 1:
        raise ParameterError(
            f"shots must be None (exact) or an integer >= 1, got {_short(shots)}"
        )
    if shots >= SHOTS_LIMIT:
        raise ParameterError(
            f"shots must be < 2**63 (a signed 64-bit count), got {_short(shots)}; numpy's "
            "samplers, Aer and the store take int64 — pass fewer shots"
        )
    return int(shots)


def check_finite_distribution(probabilities: np.ndarray, what: str,
                              hint: str | Callable[[], str] = "") -> None:
    """Refuse a distribution with non-finite entries (a result that must not be reported).

    Args:
        probabilities: The output distribution.
        what: Who produced it (named in the message).
        hint: What to change, appended to the message (a callable is called only when the
            check fails, for hints that cost work to compute).

    Raises:
        BackendError: If any entry is NaN or infinite.

    Example:
        >>> check_finite_distribution(np.array([0.5, 0.5]), "test")
    """
    p = np.asarray(probabilities)
    if not np.all(np.isfinite(p)):
        bad = int(np.count_nonzero(~np.isfinite(p)))
        hint = hint() if callable(hint) else hint
        raise BackendError(
            f"{what} produced {bad} non-finite probabilities (NaN/inf) out of {p.size}; "
            "the result is not reported" + (f" — {hint}" if hint else "")
        )
