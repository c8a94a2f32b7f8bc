"""Diagonal phase factors of the emulator, applied block by block to bound memory.

A diagonal factor ``e^{−icX}`` (real time) or ``e^{−cX}`` (imaginary time) is either a
full table (:class:`ArrayDiag`) or, for separable kinetic terms, a sum of per-axis parts
(:class:`SumDiag`); both fill small buffers of :data:`~qdq.engines.emulator_memory.BLOCK`
points at a time instead of allocating full-grid temporaries.
"""

from __future__ import annotations

import math

import numpy as np

from qdq.engines.emulator_memory import BLOCK
from qdq.errors import ParameterError

#: :meth:`AxisSumDiag.detect` accepts per-axis parts that rebuild ζ within this × max|ζ|.
SEPARABLE_RTOL = 1e-15


def phase_blocks(shape: tuple[int, ...]) -> list[tuple]:
    """Index tuples of contiguous C-order blocks of at most ``BLOCK`` elements."""
    s, inner = len(shape) - 1, 1
    while s > 0 and inner * shape[s] <= BLOCK:
        inner *= shape[s]
        s -= 1
    step = max(1, BLOCK // inner)
    return [prefix + (slice(a, min(a + step, shape[s])),)
            for prefix in np.ndindex(*shape[:s]) for a in range(0, shape[s], step)]


def axis_sum_block(idx: tuple, lengths: list[int], part) -> np.ndarray:
    """``Σ_d part(d, sel_d)`` broadcast over the block ``idx`` of :func:`phase_blocks`.

    ``part(d, sel)`` is axis ``d``'s 1-D values at ``sel``: the block's index on the axes
    before its split axis ``s``, its slice on ``s``, all of each later axis. Summed in axis
    order, so a kinetic table stays bit for bit ``D * Grid.k_squared``.
    """
    s, ndim = len(idx) - 1, len(lengths)
    z = np.zeros((idx[s].stop - idx[s].start, *lengths[s + 1:]))
    for d in range(ndim):
        sel = idx[d] if d <= s else slice(None)
        z = z + np.reshape(part(d, sel), (-1,) + (1,) * (ndim - max(d, s) - 1))
    return z


class ArrayDiag:
    """A grid-shaped diagonal given as an array, optionally shifted (``arr − shift``)."""

    def __init__(self, arr: np.ndarray, shift: float | None = None):
        self.arr, self.shift = arr, shift
        hi = float(np.max(arr))
        # max|arr| without an |arr| temporary the size of the grid.
        self.max_abs = max(hi, -float(np.min(arr))) if shift is None else hi - shift

    def block(self, idx: tuple) -> np.ndarray:
        """The (shifted) table on the block ``idx``."""
        b = self.arr[idx]
        return b if self.shift is None else b - self.shift


class SumDiag:
    """``D·Σ_d k_d²`` evaluated per block, bit for bit as ``D * Grid.k_squared``."""

    def __init__(self, D: float, momenta: tuple[np.ndarray, ...]):
        self.D = D
        self.momenta = momenta
        # Long axes are squared per block: a 1-D grid would otherwise hold 8 B/amplitude.
        self.k2 = tuple(k**2 if len(k) <= BLOCK else None for k in momenta)
        self.ndim = len(momenta)
        self.max_abs = D * float(sum(np.max(np.abs(k)) ** 2 for k in momenta))

    def _sq(self, d: int, sel) -> np.ndarray:
        k2 = self.k2[d]
        return k2[sel] if k2 is not None else self.momenta[d][sel] ** 2

    def block(self, idx: tuple) -> np.ndarray:
        """``D Σ_d k_d²`` on the block ``idx``, summed from the per-axis parts."""
        return self.D * axis_sum_block(idx, [len(k) for k in self.momenta], self._sq)


class AxisSumDiag:
    """A grid-shaped ζ that is a sum of one-dimensional parts, ``ζ = Σ_d g_d(x_d)``.

    Time-dependent real-time potential factors are then ``Π_d e^{−icg_d}``: ``Σ N_d``
    phases and one broadcast multiply per axis instead of a phase per grid point
    (most of the benchmark objectives are separable). The parts are read off ζ itself
    on the lines through ζ's minimum ``m`` (``g_0 = ζ[:, m_1, …]``,
    ``g_d = ζ[m_0, …, x_d, …] − ζ[m]``) and :meth:`detect` accepts
    them only if they rebuild every point within :data:`SEPARABLE_RTOL`·max|ζ|, so the
    phases differ from the full table's by rounding only.
    """

    def __init__(self, parts: tuple[np.ndarray, ...]):
        self.parts = parts
        self.ndim = len(parts)

    def block(self, idx: tuple) -> np.ndarray:
        """``Σ_d g_d`` on the block ``idx``."""
        return axis_sum_block(idx, [len(g) for g in self.parts],
                              lambda d, sel: self.parts[d][sel])

    @classmethod
    def detect(cls, arr: np.ndarray, blocks: list[tuple]) -> AxisSumDiag | None:
        """The parts of ``arr`` if it is separable (within rounding), else ``None``."""
        arr = np.asarray(arr)
        if arr.ndim < 2 or arr.dtype.kind != "f" or arr.size == 0:
            return None
        # Lines through the minimum: the parts are exact there and small near it, where
        # the state concentrates, so the rebuilt ζ errs least where the amplitudes are.
        at = np.unravel_index(int(np.argmin(arr)), arr.shape)
        parts = tuple(arr[at[:d] + (slice(None),) + at[d + 1:]] - (arr[at] if d else 0.0)
                      for d in range(arr.ndim))
        diag = cls(tuple(np.ascontiguousarray(g, dtype=np.float64) for g in parts))
        tol = SEPARABLE_RTOL * max(float(np.max(arr)), -float(np.min(arr)))
        if not math.isfinite(tol):
            return None
        for idx in blocks:  # block by block: no grid-sized temporaries
            if not float(np.max(np.abs(arr[idx] - diag.block(idx)), initial=0.0)) <= tol:
                return None
        return diag

    def apply(self, psi: np.ndarray, c: float) -> None:
        """``psi ← e^{−icζ} psi`` as ``Π_d e^{−icg_d}``, broadcast in place."""
        for d, g in enumerate(self.parts):
            f = np.empty(g.shape, dtype=np.complex128)
            fill_phase(f, g, c, False)
            psi *= f.reshape([-1 if a == d else 1 for a in range(self.ndim)])


def fill_phase(out: np.ndarray, base: np.ndarray, c: float, imaginary: bool) -> None:
    r"""Write ``e^{−c·base}`` (imaginary) or ``e^{−ic·base}`` (real) into ``out``.

    Real time uses the half-angle form: with ``t = tan(θ/2)``, ``θ = −c·base``,

    .. math:: e^{iθ} = \frac{(1 − t^2) + 2it}{1 + t^2},

    one ``tan`` and six multiply/add passes instead of a ``cos`` and a ``sin``. numpy
    vectorizes float64 ``tan`` (AVX-512) but not ``cos``/``sin``, so this is 1.7–8× faster
    on a grid, more for larger angles (measured by ``bench/phase_kernel.py``); where
    ``tan`` is scalar it still saves one transcendental call per point. Both parts are
    within a few ulp of ``cos θ``/``sin θ`` (the same bench prints the largest difference):
    the argument's own rounding, ``ε·|θ|``, is the larger error either way. ``θ/2`` never
    reaches an odd multiple of π/2 in floating point, so ``t`` stays finite (below ~10¹⁶).

    Example:
        >>> base = np.linspace(-30.0, 30.0, 7)
        >>> out = np.empty(7, dtype=np.complex128)
        >>> fill_phase(out, base, 0.7, False)
        >>> bool(np.max(np.abs(out - np.exp(-0.7j * base))) < 1e-15)
        True
    """
    if imaginary:
        np.multiply(base, -c, out=out)
        np.exp(out, out=out)
        return
    t = np.multiply(base, -0.5 * c)  # θ/2 (×½ is exact)
    np.tan(t, out=t)
    v = np.multiply(t, t)
    v += 1.0
    np.divide(2.0, v, out=v)  # v = 2/(1 + t²) = 1 + cos θ
    np.multiply(t, v, out=out.imag)  # sin θ = 2t/(1 + t²)
    np.subtract(v, 1.0, out=out.real)  # cos θ = (1 − t²)/(1 + t²)


def check_angle(term: str, c: float, diag, imaginary: bool, where: str) -> None:
    """Refuse a factor whose phase or decay would overflow, naming what to change."""
    # NaN phases come from overflow: c·max|X| = inf makes cos/sin/exp NaN (or 0·inf).
    if not math.isfinite(c):
        raise ParameterError(
            f"{term} factor coefficient c = {c!r} at {where} is not finite; time/steps "
            "or a schedule weight overflowed — use finite, moderate values"
        )
    extreme = abs(c) * diag.max_abs
    if not math.isfinite(diag.max_abs) or not math.isfinite(extreme) or (
            imaginary and c < 0 and extreme > 700):
        what = (f"D·max|k|² (D = {diag.D:g})" if isinstance(diag, SumDiag)
                else "max|X|" if term == "kinetic" else "max|ζ − shift|")
        raise ParameterError(
            f"the {term} phase c·{what} = {c:g}·{diag.max_abs:g} overflows at {where}; "
            "reduce D, time/steps, the objective's scale, or widen the box (max|k| = π/h)"
        )
