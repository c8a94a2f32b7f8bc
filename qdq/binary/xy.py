r"""One-hot groups and the XY mixer: a kinetic term that keeps one-hot constraints exact.

A *one-hot group* is a set of ``k`` bits of which exactly one is 1 (a city per tour
position, a colour per vertex, …). The XY mixer

.. math:: M = Σ_{groups} Σ_{(i,j) ∈ pairs} (X_iX_j + Y_iY_j)/2

moves the 1 from bit ``i`` to bit ``j`` and back (``(XX+YY)/2`` swaps ``|0_i1_j⟩`` and
``|1_i0_j⟩`` and is 0 on ``|00⟩``, ``|11⟩``), so it conserves the Hamming weight of every
group: a state in the feasible (one-hot) subspace stays there, and the penalty terms of
those constraints are not needed (Hadfield et al., *Algorithms* 12, 34 (2019)).

**The factor.** ``e^{−icM}`` is *defined* here as the ordered product of the two-qubit
rotations ``e^{−ic(X_iX_j+Y_iY_j)/2}`` over :attr:`XYMixer.pairs` (groups in the order given,
pairs in the topology's order). Pair terms sharing a qubit do not commute, so this is itself
a first-order product formula for ``e^{−icM}`` — the standard way XY mixers are run — and
every engine and circuit applies exactly this product:

* ``topology="ring"`` — the ``k`` edges ``(g_m, g_{m+1 mod k})``: even edges
  ``(g_0,g_1), (g_2,g_3), …``, then odd edges ``(g_1,g_2), (g_3,g_4), …`` (with the closing
  edge ``(g_{k−1}, g_0)`` when ``k`` is even), then the closing edge alone when ``k`` is odd
  (the parity ring); ``k = 2`` has the single pair ``(g_0, g_1)``;
* ``topology="complete"`` — all ``k(k−1)/2`` pairs ``(g_a, g_b)``, ``a < b``, in
  lexicographic order.

On ``|0_i1_j⟩, |1_i0_j⟩`` one rotation is ``[[cos c, −i sin c], [−i sin c, cos c]]``. In
circuits it is the gate sequence of :class:`~qdq.circuits.ops.XYRotation` (2 CX); Qiskit's
``XXPlusYYGate(2c, 0)`` and PennyLane's ``IsingXY(−2c)`` are the same matrix. There is no
imaginary-time block: the mixer runs in real time, annealing and QAOA (``qdq.QAOA``'s kinetic
factor is ``−β``, so its mixer layer is ``e^{+iβM}``). Bits in no group are not touched.

The feasible start is the uniform superposition over one-hot states, a ``W`` state per group
(:func:`one_hot_uniform`); circuits prepare it as an amplitude vector (``StatePreparation``,
fine for the small ``n`` a statevector holds; a W-state circuit of ``k − 1`` Givens
rotations per group would scale, and is not built here).

Example:
    >>> from qdq.layout import Layout
    >>> M = XYMixer(Layout([1] * 3, flat=True), [[0, 1, 2]])
    >>> M.pairs
    ((0, 1), (1, 2), (2, 0))
    >>> w = one_hot_uniform(3, [[0, 1, 2]])
    >>> [int(i) for i in np.flatnonzero(w)]         # |100>, |010>, |001> (x0 x1 x2)
    [1, 2, 4]
    >>> round(M.energy(w), 12)                      # W is M's top eigenvector on a ring
    2.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qdq.errors import ParameterError, ProblemError
from qdq.kinetic import KineticTerm, register_kinetic

TOPOLOGIES = ("ring", "complete")
#: Amplitudes touched per block of a pair rotation (bounded temporaries).
_BLOCK = 1 << 16


def _layout(layout_or_n):
    from qdq.layout import Layout

    if isinstance(layout_or_n, (int, np.integer)) and not isinstance(layout_or_n, bool):
        return Layout([1] * int(layout_or_n), flat=True)
    lay = getattr(layout_or_n, "layout", layout_or_n)  # a BinaryProblem gives its layout
    if not isinstance(lay, Layout) or not lay.flat:
        raise ParameterError(f"the XY mixer acts on bits: give a number of bits, a flat "
                             f"binary layout or a BinaryProblem, got {type(layout_or_n).__name__}")
    return lay


def check_groups(groups, num_bits: int) -> tuple[tuple[int, ...], ...]:
    """Validate one-hot groups: disjoint, non-empty sequences of bit indices ``< num_bits``.

    Example:
        >>> check_groups([[0, 1], (2, 3)], 4)
        ((0, 1), (2, 3))
    """
    if groups is None or isinstance(groups, (str, bytes)):
        raise ParameterError(f"groups must be a sequence of bit-index sequences, got {groups!r}")
    out, seen = [], set()
    for g in groups:
        try:
            bits = tuple(int(b) for b in g)
            ok = all(float(b) == int(b) for b in g)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"a one-hot group must be a sequence of bit indices, "
                                 f"got {g!r}") from exc
        if not ok or not bits or any(b < 0 or b >= num_bits for b in bits):
            raise ParameterError(f"a one-hot group needs bit indices in 0..{num_bits - 1}, "
                                 f"got {g!r}")
        if len(set(bits)) != len(bits) or seen.intersection(bits):
            raise ParameterError(f"one-hot groups must be disjoint with distinct bits, "
                                 f"got {g!r} (bits {sorted(seen.intersection(bits))} repeat)")
        seen.update(bits)
        out.append(bits)
    if not out:
        raise ParameterError("the XY mixer needs at least one one-hot group, got none")
    return tuple(out)


def group_pairs(group: Sequence[int], topology: str = "ring") -> tuple[tuple[int, int], ...]:
    """The ordered pairs of one group (see the module docstring).

    Example:
        >>> group_pairs((0, 1, 2, 3))
        ((0, 1), (2, 3), (1, 2), (3, 0))
        >>> group_pairs((5, 6, 7), "complete")
        ((5, 6), (5, 7), (6, 7))
    """
    g, k = tuple(group), len(group)
    if topology not in TOPOLOGIES:
        raise ParameterError(f"topology must be one of {TOPOLOGIES}, got {topology!r}")
    if k < 2:
        return ()
    if topology == "complete" or k == 2:
        return tuple((g[a], g[b]) for a in range(k) for b in range(a + 1, k))
    even = [(g[m], g[m + 1]) for m in range(0, k - 1, 2)]
    odd = [(g[m], g[m + 1]) for m in range(1, k - 1, 2)]
    close = [(g[k - 1], g[0])]
    return tuple(even + odd + close)  # k even: the closing edge is odd; k odd: alone, last


def rotate_pair(psi: np.ndarray, i: int, j: int, c: float) -> None:
    """In place: ``ψ ← e^{−ic(X_iX_j+Y_iY_j)/2} ψ`` on a flat C-contiguous complex state.

    Rotates the amplitudes of ``|…1_i…0_j…⟩`` and ``|…0_i…1_j…⟩`` by
    ``[[cos c, −i sin c], [−i sin c, cos c]]``, block by block (temporaries of at most
    2¹⁶ amplitudes).

    Example:
        >>> psi = np.array([0, 1, 0, 0], dtype=complex)      # x0 = 1, x1 = 0
        >>> rotate_pair(psi, 0, 1, np.pi / 2)                  # the 1 hops to bit 1
        >>> np.round(psi, 12).tolist()
        [0j, 0j, -1j, 0j]
    """
    if psi.dtype != np.complex128 or not psi.flags.c_contiguous:
        raise ParameterError("rotate_pair needs a C-contiguous complex128 state")
    lo, hi = (i, j) if i < j else (j, i)
    v = psi.reshape(-1, 2, 1 << (hi - lo - 1), 2, 1 << lo)  # [above, hi, mid, lo bit, below]
    cs, sn = np.cos(c), -1j * np.sin(c)
    H, Mid, L = v.shape[0], v.shape[2], v.shape[4]
    cl = min(L, _BLOCK)
    cm = min(Mid, max(1, _BLOCK // cl))
    ch = max(1, _BLOCK // (cl * cm))
    for h in range(0, H, ch):
        for m in range(0, Mid, cm):
            for s in range(0, L, cl):
                a = v[h:h + ch, 0, m:m + cm, 1, s:s + cl]  # bit lo = 1, bit hi = 0
                b = v[h:h + ch, 1, m:m + cm, 0, s:s + cl]  # bit lo = 0, bit hi = 1
                t = a * cs
                t += b * sn
                b *= cs
                b += a * sn
                a[...] = t


class XYMixer(KineticTerm):
    """The XY mixer on one-hot groups of a binary problem (see the module docstring).

    Args:
        layout: Number of bits, a flat binary :class:`~qdq.layout.Layout`, or a
            :class:`~qdq.BinaryProblem` (its layout; the mixer must be built on the layout of
            the problem it mixes).
        groups: Disjoint sequences of bit indices; each should hold exactly one 1.
        topology: ``"ring"`` (``k`` pairs per group) or ``"complete"`` (``k(k−1)/2``).

    Raises:
        ParameterError: Bad groups or topology.

    Example:
        >>> M = XYMixer(4, [[0, 1], [2, 3]])
        >>> M.pairs, M.max_abs()
        (((0, 1), (2, 3)), 2.0)
    """

    name = "xy-mixer"
    basis = "none"
    default_D = 1.0  # noqa: N815 (the base class's name)

    def __init__(self, layout, groups=None, *, topology: str = "ring"):
        lay = _layout(layout)
        super().__init__(lay)
        self.n = lay.num_qubits
        if groups is None:
            raise ParameterError("the XY mixer needs its one-hot groups: build "
                                 "qdq.binary.xy.XYMixer(problem.layout, groups) and pass it "
                                 "as BinaryProblem(..., mixer=...) or Hamiltonian(kinetic=...)")
        self.groups = check_groups(groups, self.n)
        if topology not in TOPOLOGIES:
            raise ParameterError(f"topology must be one of {TOPOLOGIES}, got {topology!r}")
        self.topology = topology
        self.pairs = tuple(p for g in self.groups for p in group_pairs(g, topology))

    # ---------------------------------------------------------------- the operator
    def max_abs(self) -> float:
        """A bound on ``‖M‖``: the number of pairs (each ``(XX+YY)/2`` has norm 1)."""
        return float(len(self.pairs))

    def register_diagonal(self, d: int) -> np.ndarray:
        """Refused: ``M`` is not diagonal per register (no Fourier/Hadamard block)."""
        raise ParameterError("the XY mixer has no imaginary-time block and no per-register "
                             "diagonal; use real time/anneal/QAOA")

    def diagonal(self) -> np.ndarray:
        """Refused (see :meth:`register_diagonal`)."""
        return self.register_diagonal(0)

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``Mψ`` (matrix-free: each pair swaps the ``01``/``10`` amplitudes into ``out``)."""
        psi = np.asarray(psi, dtype=complex).reshape(-1)
        if psi.size != self.layout.size:
            raise ParameterError(f"the state needs {self.layout.size} amplitudes, "
                                 f"got {psi.size}")
        out = np.zeros_like(psi)
        for i, j in self.pairs:
            lo, hi = min(i, j), max(i, j)
            v = psi.reshape(-1, 2, 1 << (hi - lo - 1), 2, 1 << lo)
            o = out.reshape(v.shape)
            o[:, 0, :, 1, :] += v[:, 1, :, 0, :]
            o[:, 1, :, 0, :] += v[:, 0, :, 1, :]
        return out

    def energy(self, psi: np.ndarray) -> float:
        """``⟨ψ|M|ψ⟩ / ⟨ψ|ψ⟩``."""
        psi = np.asarray(psi, dtype=complex).reshape(-1)
        return float(np.vdot(psi, self.apply(psi)).real / np.vdot(psi, psi).real)

    def exp_inplace(self, psi: np.ndarray, c: float, imaginary: bool) -> None:
        """``ψ ← Π_{pairs} e^{−ic(X_iX_j+Y_iY_j)/2} ψ`` in :attr:`pairs` order (``c`` with ``D``).

        Raises:
            ParameterError: ``imaginary=True`` (the mixer has no imaginary-time block).
        """
        if imaginary:
            raise ParameterError("the XY mixer has no imaginary-time block; use real "
                                 "time/anneal/QAOA")
        flat = psi.reshape(-1)
        for i, j in self.pairs:
            rotate_pair(flat, i, j, float(c))

    def program_ops(self, c: float, *, swap_free: bool = True) -> tuple:
        """Circuit ops of ``e^{−icM}``: one :class:`~qdq.circuits.ops.XYRotation` per pair.

        ``swap_free`` is accepted for the program's interface (there are no QFTs here).
        """
        from qdq.circuits.ops import XYRotation

        return tuple(XYRotation((i, j), float(c)) for i, j in self.pairs)

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {**super().to_dict(), "bits": self.n, "topology": self.topology,
                "groups": [list(g) for g in self.groups]}

    @classmethod
    def from_dict(cls, data) -> XYMixer:
        """Inverse of :meth:`to_dict`.

        Example:
            >>> XYMixer.from_dict(XYMixer(3, [[0, 2]]).to_dict()).pairs
            ((0, 2),)
        """
        try:
            return cls(int(data["bits"]), data["groups"], topology=data.get("topology", "ring"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"not an XY mixer record ({type(exc).__name__}: {exc})"
                                 ) from exc

    def __repr__(self) -> str:
        return f"XYMixer({self.n} bits, {len(self.groups)} groups, {self.topology})"


register_kinetic(XYMixer)


def one_hot_mask(num_bits: int, groups) -> np.ndarray:
    """Boolean mask over the ``2ⁿ`` assignments: every group has exactly one bit set.

    Example:
        >>> one_hot_mask(2, [[0, 1]]).tolist()                # x0 x1 = 00, 10, 01, 11
        [False, True, True, False]
    """
    from qdq.binary.polynomial import MAX_DENSE_BITS
    from qdq.grid import check_memory

    n = int(num_bits)
    groups = check_groups(groups, n)
    if n > MAX_DENSE_BITS:
        raise ProblemError(f"a mask over 2^{n} assignments is not possible; at most "
                           f"{MAX_DENSE_BITS} bits")
    check_memory(24 * (1 << n), f"a one-hot mask over 2^{n} assignments", hint="use fewer bits")
    idx = np.arange(1 << n, dtype=np.int64)
    ok = np.ones(1 << n, dtype=bool)
    for g in groups:
        count = np.zeros(1 << n, dtype=np.int8)
        for b in g:
            count += ((idx >> b) & 1).astype(np.int8)
        ok &= count == 1
    return ok


def one_hot_uniform(layout, groups) -> np.ndarray:
    """The uniform superposition over feasible states: a ``W`` state on every group.

    Bits in no group are left free (``|+⟩``), so the state is uniform over every assignment
    whose groups are one-hot. Flat over the ``2ⁿ`` assignments (index ``Σ xᵢ 2^i``), usable as
    ``initial=`` of any spec. ``initial="one-hot"`` gives the same state, and circuits then
    prepare it group by group (:class:`qdq.states.OneHotUniform`).

    Example:
        >>> w = one_hot_uniform(2, [[0, 1]])
        >>> np.round(w.real ** 2, 12).tolist()
        [0.0, 0.5, 0.5, 0.0]
    """
    n = _layout(layout).num_qubits
    mask = one_hot_mask(n, groups)
    out = mask.astype(complex)
    out /= np.sqrt(float(np.count_nonzero(mask)))
    return out
