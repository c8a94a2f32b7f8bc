r"""What every scaling study shares: sizes from the user, and ``ln TTS`` fitted against them.

:func:`parse_sizes` reads ``"1-4"``/``"2,5"``/lists; :func:`fit_exponent` is the
least-squares line of ``ln TTS`` vs ``x`` (or ``ln x``) and its percentile interval over
bootstrap replicates. The grid studies (:mod:`qdq.compare.study`) and the binary ones
(:mod:`qdq.compare.binary_study`) both use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from qdq.errors import ParameterError

__all__ = ["fit_exponent", "parse_sizes"]


def parse_sizes(value: Any, what: str) -> list[int]:
    """Sizes from an int, a list, ``"1-4"`` or ``"1,2,4"``.

    Example:
        >>> parse_sizes("1-3", "dims"), parse_sizes("2,5", "qubits"), parse_sizes(4, "dims")
        ([1, 2, 3], [2, 5], [4])
    """
    if isinstance(value, str):
        out: list[int] = []
        try:
            for part in value.split(","):
                if "-" in part.strip()[1:]:
                    lo, hi = part.split("-", 1)
                    out += list(range(int(lo), int(hi) + 1))
                elif part.strip():
                    out.append(int(part))
        except ValueError:
            raise ParameterError(f"{what} must look like '1-4' or '1,2,4', got {value!r}") \
                from None
        value = out
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = [int(value)]
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        raise ParameterError(f"{what} must be an int, a list of ints or a range like '1-4', "
                             f"got {value!r}")
    sizes = list(value)
    if not sizes or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
                        for v in sizes):
        raise ParameterError(f"{what} must be integers >= 1, got {value!r}")
    return sorted(set(int(v) for v in sizes))


def fit_exponent(x: Sequence[float], values: Sequence[float],
                 replicates: Sequence[np.ndarray] | None = None, *, log_x: bool = False,
                 confidence: float = 0.95) -> dict:
    r"""Least-squares fit of ``ln TTS = α + β·x`` (``x`` or ``ln x``), with a bootstrap interval.

    Args:
        x: Sizes (``d``, or ``N`` with ``log_x``).
        values: TTS at each size (finite ones are used).
        replicates: Bootstrap TTS replicates per size (equal lengths); the fit is repeated on
            replicate ``j`` of every size; a replicate with ``∞`` gives ``β = ∞``.
        log_x: Fit against ``ln x`` (a power law ``TTS ∝ x^β``).
        confidence: Interval level.

    Returns:
        ``{"slope", "intercept", "slope_low", "slope_high", "used", "excluded"}``
        (``slope`` is ``None`` with fewer than two finite points).

    Example:
        >>> f = fit_exponent([1, 2, 3], [10.0, 100.0, 1000.0])
        >>> round(float(np.exp(f["slope"])), 6), f["used"]
        (10.0, [1, 2, 3])
    """
    x = np.asarray(x, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    out = {"slope": None, "intercept": None, "slope_low": None, "slope_high": None,
           "used": [int(s) if float(s).is_integer() else float(s) for s in x[ok]],
           "excluded": [int(s) if float(s).is_integer() else float(s) for s in x[~ok]]}
    if ok.sum() < 2:
        return out
    xs = np.log(x[ok]) if log_x else x[ok]
    slope, intercept = np.polyfit(xs, np.log(v[ok]), 1)
    out.update({"slope": float(slope), "intercept": float(intercept)})
    if replicates is not None:
        reps = [np.asarray(r, dtype=float) for r, keep in zip(replicates, ok, strict=True)
                if keep]
        m = min((len(r) for r in reps), default=0)
        if m >= 100:
            r = np.stack([a[:m] for a in reps])            # sizes × replicates
            finite = np.all(np.isfinite(r) & (r > 0), axis=0)
            xc = xs - xs.mean()
            logs = np.log(np.where(finite, r, 1.0))
            slopes = np.where(finite, (xc[:, None] * logs).sum(0) / (xc**2).sum(), np.inf)
            alpha = (1 - confidence) / 2
            # widened to hold the point fit (quantum points use the exact p, replicates
            # the sampled shots)
            out["slope_low"] = min(float(slope), float(np.quantile(
                slopes, alpha, method="inverted_cdf")))
            out["slope_high"] = max(float(slope), float(np.quantile(
                slopes, 1 - alpha, method="inverted_cdf")))
    return out
