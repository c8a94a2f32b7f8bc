"""Register layout: how a search space's state sits on qubits (no geometry).

A layout is a list of registers, ``qubits[d]`` qubits each; register ``d`` occupies qubits
``offset_d … offset_d + qubits[d] − 1`` (``offset_d = qubits[0] + … + qubits[d−1]``),
its first qubit the least significant bit of the register's value (Qiskit little-endian).
Statevector index ``i = Σ_d j_d · 2**offset_d``.

What circuits, readout, decoding and the store need is here; what problems, plots,
metrics and classical methods need — bounds, spacing, points, momenta — is the box
geometry of :class:`qdq.grid.Grid`, a layout with a box. A binary problem has a layout
only: ``n`` one-qubit registers (bit ``i`` is qubit ``i``) whose state is stored *flat*,
shape ``(2**n,)``, indexed by ``Σ_i x_i 2^i`` (no numpy dimension cap).

Example:
    >>> lay = Layout([1, 1, 1], flat=True)         # three bits
    >>> lay.shape, lay.size, lay.register(2)
    ((8,), 8, [2])
    >>> Layout([2, 3]).shape                        # grid-shaped: one axis per register
    (4, 8)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qdq.errors import ProblemError


def normalize_qubits(qubits, registers: int | None = None) -> tuple[int, ...]:
    """Qubits per register as a tuple of ints ``>= 1`` (one int: every register).

    Raises:
        ProblemError: Non-integers, counts below 1, or a length other than ``registers``.

    Example:
        >>> normalize_qubits(3, 2)
        (3, 3)
    """
    if isinstance(qubits, (int, np.integer)) and not isinstance(qubits, bool):
        if registers is None:
            raise ProblemError(f"give one qubit count per register, got the single int {qubits}")
        qubits = [int(qubits)] * registers
    try:
        qs = [int(q) for q in qubits]
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"qubits must be an int or a list of ints, got {qubits!r}") from exc
    if any(isinstance(q, bool) or q != qq for q, qq in zip(qubits, qs, strict=True)):
        raise ProblemError(f"qubits must be integers, got {list(qubits)!r}")
    if registers is not None and len(qs) != registers:
        raise ProblemError(
            f"qubits lists {len(qs)} entries but bounds has {registers} dimensions; "
            "give one qubit count per dimension or a single int"
        )
    if not qs:
        raise ProblemError("a layout needs at least one register, got none")
    for d, q in enumerate(qs):
        if q < 1:
            raise ProblemError(f"qubits[{d}] must be >= 1, got {q}")
    return tuple(qs)


@dataclass(frozen=True, eq=True)
class Layout:
    """Registers on qubits; user-facing arrays are layout-shaped (see the module docstring).

    Args:
        qubits: Qubits per register.
        flat: Store states as one axis of ``2**num_qubits`` entries (binary problems)
            instead of one axis per register (grids).
    """

    qubits: tuple[int, ...]
    flat: bool = False

    def __init__(self, qubits: Sequence[int], *, flat: bool = False):
        object.__setattr__(self, "qubits", normalize_qubits(qubits))
        object.__setattr__(self, "flat", bool(flat))

    @property
    def dims(self) -> int:
        """Number of registers (dimensions of a grid, bits of a binary problem)."""
        return len(self.qubits)

    @property
    def num_qubits(self) -> int:
        """Total number of register qubits."""
        return sum(self.qubits)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of layout-shaped arrays: ``(N_0, N_1, …)``, or ``(2**num_qubits,)`` if flat."""
        if self.flat:
            return (1 << self.num_qubits,)
        return tuple(1 << q for q in self.qubits)

    @property
    def size(self) -> int:
        """Number of basis states ``2**num_qubits``."""
        return 1 << self.num_qubits

    @property
    def offsets(self) -> tuple[int, ...]:
        """First qubit of each register."""
        return tuple(int(v) for v in np.concatenate([[0], np.cumsum(self.qubits)[:-1]]))

    def register(self, d: int) -> list[int]:
        """Qubit indices of register ``d``, least significant first."""
        return list(range(self.offsets[d], self.offsets[d] + self.qubits[d]))

    def to_grid(self, flat: np.ndarray) -> np.ndarray:
        """Map a statevector-ordered array (length ``size``) to layout shape."""
        flat = np.asarray(flat)
        if flat.shape != (self.size,):
            raise ProblemError(f"expected a flat array of {self.size} entries, got {flat.shape}")
        if self.flat:
            return flat
        # Register 0 is least significant, so C-order reshape gives reversed axes.
        return flat.reshape(self.shape[::-1]).transpose()

    def to_flat(self, grid_array: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_grid`: layout-shaped array → statevector order (a copy)."""
        arr = np.asarray(grid_array)
        if arr.shape != self.shape:
            raise ProblemError(f"expected an array of shape {self.shape}, got {arr.shape}")
        if self.flat:
            return arr.copy()
        return np.ascontiguousarray(arr.transpose()).reshape(-1)

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"qubits": list(self.qubits), "flat": self.flat}

    @classmethod
    def from_dict(cls, data: dict) -> Layout:
        """Inverse of :meth:`to_dict` (a grid's dict: :func:`qdq.grid.layout_from_dict`)."""
        return cls(data["qubits"], flat=bool(data.get("flat", False)))
