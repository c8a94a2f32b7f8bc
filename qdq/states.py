"""Initial states on the grid: uniform, Gaussian wave packets, user arrays.

Every initial state is resolved to a normalized grid-shaped complex array by
:func:`resolve_initial`; the circuit builder prepares the same state with Hadamards
(uniform), per-dimension state preparation (a packet is a product state), or a
full ``StatePreparation`` (user array).

A Gaussian packet with ``|ψ|²`` standard deviation ``σ`` (``width``), centre ``c`` and
mean momentum ``p`` is ``ψ(x) ∝ exp(−δ²/(4σ²) + i p δ)`` with ``δ`` the periodic
displacement ``x − c`` wrapped into ``[−L/2, L/2)``.

Example:
    >>> from qdq.grid import Grid
    >>> g = Grid([(-4, 4)], qubits=6)
    >>> psi = resolve_initial(GaussianPacket(center=0.0, width=0.5), g)
    >>> round(float(np.sum(np.abs(psi)**2 * g.points[0]**2)), 3)    # variance σ² = 0.25
    0.25
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qdq.errors import ParameterError
from qdq.grid import Grid


@dataclass(frozen=True)
class GaussianPacket:
    """A Gaussian wave packet, a product state over dimensions.

    Attributes:
        center: Centre per dimension (a float broadcasts to every dimension).
        width: ``|ψ|²`` standard deviation per dimension, ``> 0``.
        momentum: Mean momentum ``p`` per dimension (phase ``e^{ipx}``).
    """

    center: float | Sequence[float] = 0.0
    width: float | Sequence[float] = 1.0
    momentum: float | Sequence[float] = 0.0

    def per_dimension(self, dims: int) -> list[tuple[float, float, float]]:
        """``(center, width, momentum)`` for each of ``dims`` dimensions."""
        def expand(v, name):
            arr = np.broadcast_to(np.asarray(v, dtype=float), (dims,)) if np.ndim(v) == 0 \
                else np.asarray(v, dtype=float)
            if arr.shape != (dims,):
                raise ParameterError(f"GaussianPacket.{name} needs {dims} entries, got {v!r}")
            return arr
        c, w, p = expand(self.center, "center"), expand(self.width, "width"), \
            expand(self.momentum, "momentum")
        if np.any(~np.isfinite(w)) or np.any(w <= 0):
            raise ParameterError(f"GaussianPacket.width must be > 0, got {self.width!r}")
        return [(float(a), float(b), float(q)) for a, b, q in zip(c, w, p, strict=True)]

    def factor(self, grid: Grid, d: int) -> np.ndarray:
        """The normalized 1-D factor of dimension ``d``."""
        c, w, p = self.per_dimension(grid.dims)[d]
        x = grid.points[d]
        L = grid.lengths[d]
        delta = (x - c + L / 2) % L - L / 2
        f = np.exp(-(delta**2) / (4 * w**2) + 1j * p * delta)
        norm = np.linalg.norm(f)
        if norm == 0 or not np.isfinite(norm):
            raise ParameterError(f"GaussianPacket width {w:g} is too narrow for spacing "
                                 f"{grid.spacing[d]:g}; widen it")
        return f / norm


@dataclass(frozen=True)
class OneHotUniform:
    """Uniform superposition over one-hot assignments: a ``W`` state on every group.

    What ``initial="one-hot"`` becomes on a binary problem with an XY mixer (the spec fills in
    the mixer's groups). Bits in no group start in ``|+⟩``. Circuits prepare it group by
    group (one ``k``-qubit preparation per group, not one on all ``n`` qubits).

    Example:
        >>> from qdq.layout import Layout
        >>> w = resolve_initial(OneHotUniform(((0, 1),)), Layout([1, 1, 1], flat=True))
        >>> np.round(np.abs(w) ** 2, 12).tolist()
        [0.0, 0.25, 0.25, 0.0, 0.0, 0.25, 0.25, 0.0]
    """

    groups: tuple[tuple[int, ...], ...]

    def group_amplitudes(self, k: int) -> np.ndarray:
        """The ``W`` state on ``k`` qubits, little-endian: ``1/√k`` at indices ``2^i``."""
        out = np.zeros(1 << k, dtype=complex)
        out[[1 << i for i in range(k)]] = k ** -0.5
        return out

    def free_bits(self, n: int) -> tuple[int, ...]:
        """Bits in no group (they start in ``|+⟩``)."""
        used = {q for g in self.groups for q in g}
        return tuple(q for q in range(n) if q not in used)

    def state(self, n: int) -> np.ndarray:
        """The flat state over ``2ⁿ`` assignments (:func:`qdq.binary.xy.one_hot_uniform`)."""
        from qdq.binary.xy import one_hot_uniform

        return one_hot_uniform(n, self.groups)


def resolve_initial(initial, grid: Grid) -> np.ndarray:
    """Resolve an initial-state description to a normalized grid-shaped array.

    Args:
        initial: ``"uniform"``, a :class:`GaussianPacket`, or a grid-shaped array
            (normalized here; statevector order is not accepted, to avoid silent
            transposition).
        grid: The grid.

    Raises:
        ParameterError: Unknown name, wrong shape, zero or non-finite array.
    """
    if isinstance(initial, str):
        if initial == "uniform":
            return np.full(grid.shape, 1 / np.sqrt(grid.size), dtype=complex)
        raise ParameterError(
            f"unknown initial state {initial!r}; use 'uniform', qdq.GaussianPacket(...) "
            "or a grid-shaped array"
        )
    if isinstance(initial, OneHotUniform):
        return initial.state(grid.num_qubits)
    if isinstance(initial, GaussianPacket):
        _require_box(grid)
        psi = np.ones((), dtype=complex)
        for d in range(grid.dims):
            psi = np.multiply.outer(psi, initial.factor(grid, d))
        return psi
    arr = np.asarray(initial, dtype=complex)
    if arr.shape != grid.shape:
        raise ParameterError(
            f"initial array has shape {arr.shape}, expected the grid shape {grid.shape}"
        )
    norm = np.linalg.norm(arr)
    if not np.isfinite(norm) or norm == 0:
        raise ParameterError(f"initial array must be finite and non-zero, got norm {norm}")
    return arr / norm


def check_initial(initial, grid: Grid) -> None:
    """Validate an initial-state description without building the full grid-shaped state.

    A uniform state or a packet (a product of 1-D factors) is checked per dimension, so a
    grid far larger than memory can still be given one; an array is resolved.

    Raises:
        ParameterError: As :func:`resolve_initial`.

    Example:
        >>> check_initial("uniform", Grid([(0, 1)] * 10, qubits=8, dense=False))
    """
    if isinstance(initial, str) and initial == "uniform" or isinstance(initial, OneHotUniform):
        return
    if isinstance(initial, GaussianPacket):
        _require_box(grid)
        for d in range(grid.dims):
            initial.factor(grid, d)
        return
    resolve_initial(initial, grid)


def _require_box(layout) -> None:
    if not hasattr(layout, "points"):
        raise ParameterError("a GaussianPacket needs a grid with a box; binary problems start "
                             "from 'uniform' (|+>^n) or a flat array over the 2^n assignments")


def describe_initial(initial) -> object:
    """JSON-safe description of an initial state (arrays summarized)."""
    if isinstance(initial, str):
        return initial
    if isinstance(initial, OneHotUniform):
        return "one-hot"
    if isinstance(initial, GaussianPacket):
        return {"gaussian": {"center": initial.center, "width": initial.width,
                             "momentum": initial.momentum}}
    return {"array": list(np.shape(initial))}
