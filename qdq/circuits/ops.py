r"""The typed ops of a circuit program (plain data) and their gate-level synthesis.

Every op names the qubits it acts on (circuit indices: grid qubits ``0 … n−1`` in qdq order,
ancillas after them) and knows its gates (:mod:`qdq.circuits.synthesis` tuples):

* :class:`Prepare` — the initial state: ``H`` on every qubit (``amplitudes=None``) or an
  amplitude vector on ``qubits`` (little-endian);
* :class:`ZPhase` — ``diag(e^{−iθ Σ_{S≠∅} c_S Z_S})`` from Walsh coefficients ``c_S`` (the
  ``S = ∅`` term is a :class:`GlobalPhase`), synthesized per target qubit as a Gray walk or
  sparse strings;
* :class:`QFT` — Qiskit's ``QFTGate`` (``inverse``: position → momentum) on a register;
  ``swaps=False`` is the swap-free network on the reversed wires (``QFT = Q̃R``; the program
  puts whatever sits between two such QFTs on reversed wires too);
* :class:`UCRY` — uniformly controlled ``RY(θ(x))`` onto an ancilla (Gray walk, ``2^m`` CX);
* :class:`Measure` — measure a qubit into ``register[index]``, optionally postselecting a
  value and resetting the qubit (imaginary-time ancillas); :class:`GlobalPhase` — ``e^{iφ}``;
* :class:`XYRotation` — ``e^{−iθ(X_iX_j+Y_iY_j)/2}`` on two qubits (the XY mixer's pair
  rotation, :mod:`qdq.binary.xy`), 2 CX.

Example:
    >>> op = ZPhase((0, 1), np.array([0.0, 0.0, 0.0, 1.0]), theta=0.25)
    >>> op.gates(), op.qubits
    ([('rzz', (0, 1), 0.5)], (0, 1))
    >>> [g[0] for g in QFT((3, 4), inverse=True, swaps=False).gates()]
    ['h', 'cp', 'h']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdq.circuits.synthesis import (
    ZERO_TOL,
    Gate,
    qft_gates,
    ucry_gates,
    walsh_coefficients,
    walsh_values,
    zstring_gates,
)


@dataclass(frozen=True, eq=False)
class Prepare:
    """Initial state on ``qubits``: uniform (``amplitudes=None``: ``H`` each) or a vector."""

    qubits: tuple[int, ...]
    amplitudes: np.ndarray | None = None
    label: str = "init"

    def gates(self) -> list[Gate]:
        """``H`` on every qubit (a vector preparation has no shared gate form)."""
        return [("h", (q,), 0.0) for q in self.qubits] if self.amplitudes is None else []

    def shape(self) -> tuple:
        """Angle-free structural key (equal shapes have equal resources)."""
        return ("prepare", self.qubits, self.amplitudes is None)


@dataclass(frozen=True, eq=False)
class ZPhase:
    """``diag(e^{−iθ Σ_{S≠∅} c_S Z_S})`` on ``qubits`` (``qubits[i]`` = bit ``i`` of ``S``)."""

    qubits: tuple[int, ...]
    coeffs: np.ndarray
    theta: float
    tol: float = ZERO_TOL
    budget: float = 0.0  # operator-norm error allowed by dropping the smallest strings

    def gates(self) -> list[Gate]:
        """Gray walk or sparse strings per target qubit (``synthesis.zstring_gates``)."""
        return zstring_gates(self.qubits, self.coeffs, self.theta, tol=self.tol,
                             budget=self.budget)

    def phases(self) -> np.ndarray:
        """``θ(φ(x) − c_∅)`` for every ``x`` (the diagonal is ``e^{−i·phases}``)."""
        c = np.array(self.coeffs, dtype=float)
        c[0] = 0.0
        return self.theta * walsh_values(c)

    def shape(self) -> tuple:
        """Structural key: the gates depend on ``coeffs``' support, not on ``θ`` (if exact)."""
        return ("zphase", self.qubits, id(self.coeffs), self.tol, self.budget,
                self.theta if self.budget else None)


@dataclass(frozen=True, eq=False)
class QFT:
    """``QFTGate(n)`` on ``qubits`` (little-endian), or its swap-free form ``Q̃`` (reversed)."""

    qubits: tuple[int, ...]
    inverse: bool = False
    swaps: bool = False

    def gates(self) -> list[Gate]:
        """``h`` + ``cp`` (+ ``swap``), the network of Qiskit's ``synth_qft_full``."""
        wires = self.qubits if self.swaps else self.qubits[::-1]
        return qft_gates(wires, inverse=self.inverse, swaps=self.swaps)

    def shape(self) -> tuple:
        """Structural key."""
        return ("qft", self.qubits, self.inverse, self.swaps)


@dataclass(frozen=True, eq=False)
class UCRY:
    """Uniformly controlled ``RY(angles[x])`` on ``target``, ``x`` read from ``controls``."""

    controls: tuple[int, ...]
    target: int
    angles: np.ndarray
    support: int | None = None  # hash of the non-zero Walsh angles, if known (see shape)

    @property
    def qubits(self) -> tuple[int, ...]:
        """Controls, then the target."""
        return (*self.controls, self.target)

    def gates(self) -> list[Gate]:
        """Gray walk (:func:`~qdq.circuits.synthesis.ucry_gates`)."""
        return ucry_gates(self.controls, self.target, self.angles)

    def shape(self) -> tuple:
        """Structural key: which Walsh angles are non-zero (those RY are emitted)."""
        support = ucry_support(self.angles, len(self.controls)) if self.support is None \
            else self.support
        return ("ucry", self.controls, self.target, support)


def ucry_support(angles: np.ndarray, num_controls: int) -> int:
    """Hash of which Walsh angles of a UCRY are non-zero (its gate structure)."""
    w = walsh_coefficients(angles) if num_controls else np.asarray(angles)
    return hash((w != 0.0).tobytes())


@dataclass(frozen=True, eq=False)
class Measure:
    """Measure ``qubit`` into ``register[index]``; optionally postselect and reset it."""

    qubit: int
    register: str
    index: int
    postselect: int | None = None
    reset: bool = False

    @property
    def qubits(self) -> tuple[int, ...]:
        """The measured qubit."""
        return (self.qubit,)

    def gates(self) -> list[Gate]:
        """No unitary gates."""
        return []

    def shape(self) -> tuple:
        """Structural key."""
        return ("measure", self.qubit, self.reset)


@dataclass(frozen=True, eq=False)
class GlobalPhase:
    """Multiply the state by ``e^{i·phase}`` (Qiskit's ``global_phase`` convention)."""

    phase: float
    qubits: tuple[int, ...] = ()

    def gates(self) -> list[Gate]:
        """No gates."""
        return []

    def shape(self) -> tuple:
        """Structural key."""
        return ("global_phase",)


@dataclass(frozen=True, eq=False)
class XYRotation:
    r"""``e^{−iθ(X_iX_j+Y_iY_j)/2}`` on ``qubits = (i, j)``: the XY mixer's pair rotation.

    On ``|1_i0_j⟩, |0_i1_j⟩`` it is ``[[cos θ, −i sin θ], [−i sin θ, cos θ]]``, identity on
    ``|00⟩, |11⟩`` (Hamming weight kept). Equal to Qiskit's ``XXPlusYYGate(2θ, 0)`` and
    PennyLane's ``IsingXY(−2θ)`` (the tests check both).

    Example:
        >>> [g[0] for g in XYRotation((0, 1), 0.3).gates()].count("cx")
        2
    """

    qubits: tuple[int, int]
    theta: float

    def gates(self) -> list[Gate]:
        """``W† (RX_i(θ) RZ_j(θ)) W`` with ``W = CX_{ij}·(RX(π/2) ⊗ RX(π/2))``.

        ``RX(π/2)`` maps ``Y → Z`` (``X`` kept), then ``CX`` maps ``XX → X_i``, ``ZZ → Z_j``:
        the two commuting terms become one-qubit rotations (``RX = H·RZ·H`` exactly).
        """
        i, j = self.qubits

        def rx(q, a):
            return [("h", (q,), 0.0), ("rz", (q,), a), ("h", (q,), 0.0)]

        t = float(self.theta)
        return [*rx(i, np.pi / 2), *rx(j, np.pi / 2), ("cx", (i, j), 0.0), *rx(i, t),
                ("rz", (j,), t), ("cx", (i, j), 0.0), *rx(i, -np.pi / 2), *rx(j, -np.pi / 2)]

    def shape(self) -> tuple:
        """Structural key (the gates do not depend on ``θ``)."""
        return ("xy", self.qubits)


Op = Prepare | ZPhase | QFT | UCRY | Measure | GlobalPhase | XYRotation
