r"""Exact ground states of a binary objective by brute force, vectorized and chunked.

The ``n`` bits split into ``L ≤ 20`` low bits (evaluated as arrays over all ``2^L`` low
assignments) and ``n − L`` high bits (an outer loop). For each high assignment every monomial
``w Π_{S_H ∪ S_L}`` whose high part is all ones contributes ``w Π_{S_L}`` — so one outer step
is ``Σ_T c_T(h)·m_T`` over the distinct low parts ``T`` (``m_T`` their 0/1 masks, built once):
a matrix–vector product. Memory stays at ``O(2^L · #T)`` bytes; the work is ``2ⁿ · #T``.

Example:
    >>> sol = brute_force({(0, 1): -1.0, (2,): 1.0}, 0.0, 3)
    >>> sol.energy, sol.states.tolist(), sol.count
    (-1.0, [3], 1)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from qdq.errors import ResourceError

#: Most bits brute force takes (2^32 assignments).
MAX_EXACT_BITS = 32
#: Low bits evaluated as arrays.
LOW_BITS = 18


@dataclass(frozen=True)
class ExactSolution:
    """The brute-force optimum.

    Attributes:
        energy: The minimum of ζ.
        states: Flat indices ``Σ xᵢ2^i`` of ground states (sorted; at most ``max_states``).
        count: How many ground states there are (all of them, even beyond ``max_states``).
        evaluated: Assignments evaluated (``2ⁿ``).
    """

    energy: float
    states: np.ndarray
    count: int
    evaluated: int


def brute_force(poly: Mapping[tuple[int, ...], float], offset: float, n: int, *,
                max_states: int = 1024,
                progress: Callable[[int, int], None] | None = None) -> ExactSolution:
    """Minimum and ground states of ``ζ = offset + Σ_S w_S Π_{i∈S} xᵢ`` over all ``2ⁿ`` bits.

    Ties: values within ``1e-9·max(1, |E|)`` of the minimum are ground states.

    Raises:
        ResourceError: ``n > MAX_EXACT_BITS``.
    """
    if n > MAX_EXACT_BITS:
        raise ResourceError(f"brute force over 2^{n} assignments is out of reach; at most "
                            f"{MAX_EXACT_BITS} bits")
    low = min(n, LOW_BITS)
    high = n - low
    idx = np.arange(1 << low, dtype=np.int64)
    # Group monomials by their low part T; each keeps (high mask, weight).
    parts: dict[tuple[int, ...], list[tuple[int, float]]] = {}
    for s, w in poly.items():
        t = tuple(i for i in s if i < low)
        hmask = 0
        for i in s:
            if i >= low:
                hmask |= 1 << (i - low)
        parts.setdefault(t, []).append((hmask, float(w)))
    keys = list(parts)
    masks = np.empty((len(keys), 1 << low), dtype=np.float64)
    for r, t in enumerate(keys):
        m = 0
        for i in t:
            m |= 1 << i
        masks[r] = (idx & m) == m
    best = np.inf
    found: list[np.ndarray] = []
    count = 0
    total = 1 << high
    for h in range(total):
        coef = np.array([sum(w for hm, w in parts[t] if (h & hm) == hm) for t in keys])
        vals = offset + (coef @ masks if len(keys) else np.zeros(1 << low))
        vmin = float(vals.min())
        tol_new = 1e-9 * max(1.0, abs(min(vmin, best)))
        if vmin < best - tol_new:
            best, found, count = vmin, [], 0
        tol = 1e-9 * max(1.0, abs(best))
        hit = np.flatnonzero(vals <= best + tol)
        if hit.size:
            count += int(hit.size)
            if sum(a.size for a in found) < max_states:
                found.append((np.int64(h) << low) + hit[:max_states])
        if progress is not None:
            progress(h + 1, total)
    states = np.sort(np.concatenate(found))[:max_states] if found else np.zeros(0, np.int64)
    return ExactSolution(float(best), states, count, 1 << n)


def ground_state(poly: Mapping[tuple[int, ...], float], offset: float, n: int
                 ) -> ExactSolution | None:
    """:func:`brute_force` up to :data:`MAX_EXACT_BITS` bits, ``None`` beyond.

    Example:
        >>> ground_state({(0,): 1.0}, 0.0, 40) is None
        True
    """
    return brute_force(poly, offset, n) if n <= MAX_EXACT_BITS else None
