r"""Pseudo-Boolean polynomials: the canonical data of a binary objective.

A binary objective on ``n`` bits ``x_i ∈ {0, 1}`` is

.. math:: ζ(x) = c_∅ + Σ_S w_S Π_{i∈S} x_i ,

held as ``{S: w_S}`` with every ``S`` a sorted tuple of distinct indices (``x_i² = x_i`` is
folded on the way in; zero weights are dropped) and the constant ``c_∅`` apart. The same
function in spins ``z_i = 1 − 2x_i = ⟨Z_i⟩`` (the Z-form, what circuits apply as phases) is
``ζ = a_∅ + Σ_S a_S Π_{i∈S} Z_i`` (:func:`z_form`).

Flat arrays over all ``2ⁿ`` assignments use index ``Σ_i x_i 2^i`` (bit ``i`` is qubit ``i``,
little-endian as in Qiskit).

Example:
    >>> poly = canonicalize({(1, 0): 1.0, (2, 2): -2.0, (0, 1, 3): 3.0}, 4)
    >>> poly
    {(0, 1): 1.0, (2,): -2.0, (0, 1, 3): 3.0}
    >>> evaluate_all(poly, 0.5, 2 ** 0 + 2 ** 1, 4)    # x0 = x1 = 1: 1 + 0.5
    array([1.5])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from qdq.errors import ProblemError

#: Most monomials a binary objective may hold (a dense QUBO on 2 000 bits has ~2·10⁶).
MAX_TERMS = 5_000_000
#: Most bits whose ζ table (8 B per assignment) may be built (``BinaryProblem.values``).
MAX_DENSE_BITS = 34
#: Assignments evaluated per chunk by :func:`evaluate_all` (bounded memory).
CHUNK = 1 << 20


def canonicalize(poly: Mapping | Iterable, n: int) -> dict[tuple[int, ...], float]:
    """``{S: w}`` with sorted distinct indices in ``[0, n)``, repeats folded, zeros dropped.

    Args:
        poly: A mapping (or iterable of pairs) from index tuples to finite weights. An empty
            tuple is not allowed here: pass constants as the problem's ``offset``.
        n: Number of bits.

    Raises:
        ProblemError: An index out of range or not an integer, a non-finite weight, an empty
            tuple, or more than :data:`MAX_TERMS` monomials.

    Example:
        >>> canonicalize([((0, 0), 2.0), ((1,), 0.0)], 2)
        {(0,): 2.0}
    """
    items = poly.items() if isinstance(poly, Mapping) else poly
    out: dict[tuple[int, ...], float] = {}
    for count, item in enumerate(items):
        if count >= MAX_TERMS:
            raise ProblemError(f"the objective has more than {MAX_TERMS} monomials; "
                               "split the problem or use a sparser model")
        try:
            key, weight = item
        except (TypeError, ValueError) as exc:
            raise ProblemError(f"a polynomial term must be (indices, weight), got {item!r}"
                               ) from exc
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            key = (key,)
        try:
            idx = tuple(key)
        except TypeError as exc:
            raise ProblemError(f"a monomial must be a tuple of bit indices, got {key!r}") from exc
        if not idx:
            raise ProblemError("a monomial () is a constant: pass it as offset= instead")
        clean = set()
        for i in idx:
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
                raise ProblemError(f"bit index {i!r} in monomial {key!r} must be an integer "
                                   f"in [0, {n}); the problem has {n} bits")
            clean.add(int(i))
        try:
            w = float(weight)
        except (TypeError, ValueError) as exc:
            raise ProblemError(f"weight of {key!r} must be a real number, got {weight!r}"
                               ) from exc
        if not math.isfinite(w):
            raise ProblemError(f"weight of {key!r} must be finite, got {weight!r}")
        s = tuple(sorted(clean))
        out[s] = out.get(s, 0.0) + w
    return {s: w for s, w in out.items() if w != 0.0}


def degree(poly: Mapping[tuple[int, ...], float]) -> int:
    """Largest monomial size (0 for a constant objective).

    Example:
        >>> degree({(0,): 1.0, (0, 1, 2): 2.0})
        3
    """
    return max((len(s) for s in poly), default=0)


def evaluate_bits(poly: Mapping[tuple[int, ...], float], offset: float,
                  bits: np.ndarray) -> np.ndarray:
    """ζ of each row of a ``(m, n)`` 0/1 array (or one length-``n`` assignment).

    Example:
        >>> evaluate_bits({(0, 1): 2.0, (2,): -1.0}, 0.0, np.array([[1, 1, 1], [1, 0, 1]]))
        array([ 1., -1.])
    """
    b = np.asarray(bits)
    single = b.ndim == 1
    b = np.atleast_2d(b).astype(bool)
    out = np.full(b.shape[0], float(offset))
    for s, w in poly.items():
        out += w * np.all(b[:, list(s)], axis=1)
    return out[0:1] if single else out


def evaluate_all(poly: Mapping[tuple[int, ...], float], offset: float, index, n: int
                 ) -> np.ndarray:
    """ζ at flat indices ``index`` (an int array or slice-free range), ``x_i = (index >> i) & 1``.

    Example:
        >>> evaluate_all({(1,): 1.0}, 0.0, np.arange(4), 2)
        array([0., 0., 1., 1.])
    """
    idx = np.atleast_1d(np.asarray(index, dtype=np.int64))
    out = np.full(idx.shape, float(offset))
    for s, w in poly.items():
        mask = 0
        for i in s:
            mask |= 1 << i
        out += w * ((idx & mask) == mask)
    return out


def z_form(poly: Mapping[tuple[int, ...], float], offset: float = 0.0
           ) -> dict[tuple[int, ...], float]:
    """The same function in ``Z`` eigenvalues: ``{S: a_S}`` with ``()`` the constant.

    Each ``Π_{i∈S} x_i = Π_{i∈S} (1 − Z_i)/2`` expands into ``2^{|S|}`` Z-strings.

    Example:
        >>> z_form({(0,): 2.0})          # 2 x0 = 1 − Z0
        {(): 1.0, (0,): -1.0}
    """
    out: dict[tuple[int, ...], float] = {(): float(offset)}
    for s, w in poly.items():
        k = len(s)
        scale = w / (1 << k)
        for mask in range(1 << k):
            sub = tuple(s[j] for j in range(k) if (mask >> j) & 1)
            sign = -1.0 if bin(mask).count("1") % 2 else 1.0
            out[sub] = out.get(sub, 0.0) + sign * scale
    return {s: a for s, a in out.items() if a != 0.0 or s == ()}
