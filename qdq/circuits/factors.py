r"""What each product-formula factor acts on, as numbers: term values, momenta, RY angles.

Toolkit-free helpers of :mod:`qdq.circuits.program` (no Qiskit, no PennyLane):

* a term group's values on its own registers, little-endian (:func:`term_flat`,
  :func:`term_qubits`) and the bits they actually depend on (:func:`dependent_bits`);
* the two's-complement momentum index of a register (:func:`momentum_index`) and the Walsh
  spectrum of ``m²`` (:func:`momentum_walsh`): ``n`` weight-1 and ``n(n−1)/2`` weight-2 strings;
* the angles of the probabilistic (imaginary-time) blocks: ``θ = 2 arccos f``
  (:func:`ry_angles`, :func:`kinetic_angles`).

Example:
    >>> momentum_index(2)
    array([ 0,  1, -2, -1])
    >>> np.round(kinetic_angles(2, 2 * np.pi, 1.0, 0.1), 4)   # m = 0, 1, −2, −1
    array([0.    , 0.8796, 1.6723, 0.8796])
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdq.circuits.synthesis import walsh_coefficients
from qdq.errors import ParameterError
from qdq.kinetic import momentum_index  # noqa: F401 - re-exported (one definition)
from qdq.problem import Problem, Term

#: A group's values are taken not to depend on a qubit when flipping it changes them by at
#: most this fraction of their spread (numerical zeros from floating-point evaluation).
DEPENDENCE_RTOL = 1e-12


def term_flat(term: Term, problem: Problem) -> np.ndarray:
    """A term's sub-grid values in little-endian order of its concatenated registers."""
    if not term.dims:
        return np.asarray(term.values, dtype=float).reshape(1)
    return np.ascontiguousarray(np.asarray(term.values).transpose()).reshape(-1)


def term_qubits(term: Term, problem: Problem) -> list[int]:
    """Register qubits of a term's dimensions, in order (least significant first)."""
    return [q for d in term.dims for q in problem.grid.register(d)]


def phase_groups(problem: Problem) -> list[tuple[Term, tuple[int, ...], np.ndarray]]:
    """``(term, qubits, Walsh coefficients)`` of every additive group (constants: the value)."""
    out = []
    for term in problem.terms:
        flat = term_flat(term, problem)
        coeffs = walsh_coefficients(flat) if term.dims else flat
        out.append((term, tuple(term_qubits(term, problem)), coeffs))
    return out


@lru_cache(maxsize=64)
def momentum_walsh(n: int) -> np.ndarray:
    """Walsh coefficients of ``m²`` on ``n`` qubits (read-only, cached)."""
    coeffs = walsh_coefficients(momentum_index(n) ** 2.0)
    coeffs.setflags(write=False)
    return coeffs


def dependent_bits(flat: np.ndarray, *, rtol: float = DEPENDENCE_RTOL) -> list[int]:
    """Bits ``i`` of the (little-endian) index that ``flat`` actually depends on.

    Example:
        >>> dependent_bits(np.array([0.0, 1.0, 0.0, 1.0]))     # depends on bit 0 only
        [0]
    """
    flat = np.asarray(flat, dtype=float).reshape(-1)
    m = int(np.log2(flat.size))
    spread = float(np.ptp(flat)) if flat.size else 0.0
    if spread == 0.0:
        return []
    arr = flat.reshape((2,) * m)  # C order: axis 0 is the most significant bit
    out = []
    for i in range(m):
        diff = float(np.max(np.abs(np.diff(arr, axis=m - 1 - i))))
        if diff > rtol * spread:
            out.append(i)
    return out


def restrict(flat: np.ndarray, bits: list[int]) -> np.ndarray:
    """``flat`` as a function of ``bits`` only (other bits set to 0), little-endian."""
    m = int(np.log2(flat.size))
    arr = flat.reshape((2,) * m)
    index = tuple(slice(None) if (m - 1 - axis) in bits else 0 for axis in range(m))
    return np.ascontiguousarray(arr[index]).reshape(-1)


def group_bits(term: Term, problem: Problem) -> tuple[list[int], np.ndarray]:
    """``(qubits the group depends on, its values as a function of those qubits)``."""
    flat = term_flat(term, problem)
    qubits = term_qubits(term, problem)
    bits = dependent_bits(flat)
    return [qubits[b] for b in bits], restrict(flat, bits)


def ry_angles(f: np.ndarray) -> np.ndarray:
    """Angles ``θ = 2 arccos f`` so that ``RY(θ)|0⟩`` has ``|0⟩``-amplitude ``f``.

    Args:
        f: Amplitude factors in ``[0, 1]`` (tiny excursions from rounding are clipped).

    Raises:
        ParameterError: If some ``f`` is not finite or lies outside ``[0, 1]`` by more than
            rounding.

    Example:
        >>> ry_angles(np.array([1.0, 0.0]))
        array([0.        , 3.14159265])
    """
    f = np.asarray(f, dtype=float)
    if not np.all(np.isfinite(f)) or np.any(f < -1e-12) or np.any(f > 1 + 1e-12):
        bad = f[~(np.isfinite(f) & (f >= -1e-12) & (f <= 1 + 1e-12))]
        raise ParameterError(
            f"probabilistic-block amplitudes must lie in [0, 1], got {bad[:3]!r}; "
            "shift the factor so that its largest entry is 1"
        )
    return 2.0 * np.arccos(np.clip(f, 0.0, 1.0))


def kinetic_angles(n: int, length: float, D: float, c: float) -> np.ndarray:
    """Angles of the momentum-space UCRY: ``θ(j) = 2 arccos e^{−cD(2π m(j)/L)²}``."""
    k = 2 * np.pi * momentum_index(n) / length
    return ry_angles(np.exp(-c * D * k**2))
