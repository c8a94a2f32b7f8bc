r"""Exact energies and single-bit-flip changes of a binary polynomial, over many bitstrings.

For ``ζ(x) = c + Σ_S w_S Π_{i∈S} x_i`` every bit enters affinely, so flipping bit ``i``
changes ζ by exactly

.. math:: ΔE_i(x) = (1 − 2x_i)·f_i(x), \qquad f_i(x) = Σ_{S∋i} w_S Π_{j∈S∖\{i\}} x_j ,

the *local field* of bit ``i`` — for any degree, no reduction to quadratic form needed.
:class:`Incidence` holds the monomials as padded index arrays (a pad column of ones stands
for "no bit"), so a field, all fields, or the energies of ``R`` bitstrings at once are a
gather, an ``all`` over the monomial and a dot product.

Example:
    >>> import numpy as np
    >>> inc = Incidence({(0, 1): 2.0, (2,): -1.0, (0, 1, 2): 3.0}, 0.5, 3)
    >>> X = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)
    >>> inc.energies(X).tolist()                  # 0.5 + 2 ; 0.5 − 1
    [2.5, -0.5]
    >>> inc.deltas(X).tolist()                    # flip each bit: exact changes
    [[-2.0, -2.0, 2.0], [5.0, 0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Boolean elements gathered per chunk (rows × monomials × degree) by the batched methods.
CHUNK_ELEMENTS = 1 << 22


def flat_states(X: np.ndarray) -> np.ndarray:
    """Flat index ``Σ xᵢ2^i`` of each row (``-1`` for every row when ``n > 62``).

    Example:
        >>> flat_states(np.array([[1, 0, 1], [0, 1, 0]])).tolist()
        [5, 2]
    """
    X = np.atleast_2d(np.asarray(X)).astype(np.int64)
    n = X.shape[1]
    if n > 62:
        return np.full(X.shape[0], -1, dtype=np.int64)
    return X @ (np.int64(1) << np.arange(n, dtype=np.int64))


class Incidence:
    """Monomials of ``ζ`` as index arrays, with each bit's incidence list.

    Args:
        poly: ``{S: w_S}`` (canonical: sorted distinct indices, as
            :attr:`qdq.binary.BinaryProblem.polynomial`).
        offset: The constant ``c``.
        n: Number of bits.

    Attributes:
        weights: ``w_S`` per monomial, shape ``(T,)``.
        members: Bits of each monomial padded with ``n`` (the always-one column),
            shape ``(T, k)`` with ``k`` the degree (at least 1).
        others: Per bit ``i``, the other bits of each monomial holding ``i``, padded,
            shape ``(m_i, max(k − 1, 1))``; ``field_weights[i]`` their weights.
    """

    def __init__(self, poly: Mapping[tuple[int, ...], float], offset: float, n: int):
        self.n = int(n)
        self.offset = float(offset)
        items = list(poly.items())
        self.degree = max((len(s) for s, _ in items), default=1)
        k = self.degree
        self.weights = np.array([w for _, w in items], dtype=float)
        self.members = np.full((len(items), k), self.n, dtype=np.intp)
        per_bit: list[list[tuple[tuple[int, ...], float]]] = [[] for _ in range(self.n)]
        for t, (s, w) in enumerate(items):
            self.members[t, :len(s)] = s
            for i in s:
                per_bit[i].append((tuple(j for j in s if j != i), float(w)))
        width = max(k - 1, 1)
        self.others: list[np.ndarray] = []
        self.field_weights: list[np.ndarray] = []
        for entries in per_bit:
            idx = np.full((len(entries), width), self.n, dtype=np.intp)
            for r, (rest, _) in enumerate(entries):
                idx[r, :len(rest)] = rest
            w = np.array([w for _, w in entries], dtype=float)
            self.others.append(idx)
            self.field_weights.append(w)

    @classmethod
    def of(cls, problem) -> Incidence:
        """The incidence of a :class:`~qdq.binary.BinaryProblem`."""
        return cls(problem.polynomial, problem.offset, problem.num_bits)

    def extend(self, X: np.ndarray) -> np.ndarray:
        """``(R, n + 1)`` boolean copy of ``X`` with the always-one pad column appended."""
        X = np.atleast_2d(np.asarray(X, dtype=bool))
        return np.concatenate([X, np.ones((X.shape[0], 1), dtype=bool)], axis=1)

    def field(self, Xe: np.ndarray, i: int) -> np.ndarray:
        """Local field ``f_i`` of every row of an extended array ``Xe`` (see :meth:`extend`)."""
        w = self.field_weights[i]
        if w.size == 0:
            return np.zeros(Xe.shape[0])
        return np.all(Xe[:, self.others[i]], axis=2) @ w

    def _rows_per_chunk(self) -> int:
        return max(1, CHUNK_ELEMENTS // max(1, self.members.size))

    def energies(self, X: np.ndarray) -> np.ndarray:
        """ζ of each row of ``X`` (``(R, n)`` 0/1), chunked so memory stays bounded."""
        Xe = self.extend(X)
        out = np.full(Xe.shape[0], self.offset)
        if self.weights.size == 0:
            return out
        step = self._rows_per_chunk()
        for a in range(0, Xe.shape[0], step):
            out[a:a + step] += np.all(Xe[a:a + step][:, self.members], axis=2) @ self.weights
        return out

    def fields(self, X: np.ndarray) -> np.ndarray:
        """All local fields ``f_i`` of each row, shape ``(R, n)``.

        Per monomial, the others of position ``p`` are all one exactly when the monomial's
        count of zeros, less position ``p``'s own zero, is 0; each such monomial adds
        ``w_S`` to the field of its bit at ``p`` (a scatter-add by bit).
        """
        Xe = self.extend(X)
        R = Xe.shape[0]
        out = np.zeros((R, self.n + 1))
        if self.weights.size == 0:
            return out[:, :self.n]
        step = self._rows_per_chunk()
        T, k = self.members.shape
        for a in range(0, R, step):
            G = Xe[a:a + step][:, self.members]                 # (r, T, k)
            zeros = k - G.sum(axis=2)                            # zeros per monomial
            r = G.shape[0]
            flat = (np.arange(r)[:, None] * (self.n + 1))
            for p in range(k):
                on = (zeros - (~G[:, :, p])) == 0                # others of p all one
                contrib = on * self.weights                      # (r, T)
                target = flat + self.members[:, p][None, :]
                out[a:a + r] += np.bincount(target.reshape(-1), contrib.reshape(-1),
                                            minlength=r * (self.n + 1)).reshape(r, -1)
        return out[:, :self.n]

    def deltas(self, X: np.ndarray) -> np.ndarray:
        """``ΔE_i = (1 − 2x_i)·f_i`` for every bit of every row, shape ``(R, n)``."""
        X = np.atleast_2d(np.asarray(X, dtype=bool))
        return np.where(X, -1.0, 1.0) * self.fields(X)


# ---------------------------------------------------------------- shared checks
#: Most reads one call takes (every read keeps one bitstring in memory at once).
MAX_READS = 1_000_000
#: Most bits × reads held at once by the numpy solvers (one byte each).
MAX_READ_BITS = 1 << 28


def check_count(name: str, value, low: int = 1) -> int:
    """An integer ``>= low`` (numpy integers accepted), or a ParameterError naming it.

    Example:
        >>> check_count("sweeps", 10)
        10
    """
    from qdq.errors import ParameterError

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_reads(reads, n: int) -> int:
    """``reads`` as an int in ``[1, MAX_READS]`` whose bitstrings fit :data:`MAX_READ_BITS`.

    Example:
        >>> check_reads(100, 20)
        100
    """
    from qdq.errors import ParameterError, ResourceError

    reads = check_count("reads", reads)
    if reads > MAX_READS:
        raise ParameterError(f"reads must be at most {MAX_READS}, got {reads}; "
                             "split the work into several calls")
    if reads * n > MAX_READ_BITS:
        raise ResourceError(f"{reads} reads of {n} bits is more than {MAX_READ_BITS} bits "
                            "held at once; use fewer reads per call")
    return reads
