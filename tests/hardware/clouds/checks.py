"""Shared helpers for the cloud provider tests: small specs and a shot-noise check."""

from __future__ import annotations

import math

import numpy as np

import qdq


def real_spec(qubits: int = 3, steps: int = 2):
    """A real-time spec whose distribution is far from uniform and not bit-symmetric."""
    p = qdq.Problem("(x-0.5)**2", bounds=[(-2, 2)], qubits=qubits)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.8, steps=steps)


def imaginary_spec(qubits: int = 3):
    """An imaginary-time spec (ancillas, postselection)."""
    p = qdq.Problem("(x-0.5)**2", bounds=[(-2, 2)], qubits=qubits)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=2)


def tvd(p, q) -> float:
    """Total variation distance of two distributions."""
    return float(0.5 * np.abs(np.ravel(p) - np.ravel(q)).sum())


def shot_noise_bound(cells: int, shots: int) -> float:
    """A generous TVD bound for multinomial sampling noise: ``√(cells / shots)``.

    E[TVD] ≈ ½ Σ √(p(1−p)/N) ≤ ½ √(cells/N); twice that is far out in the tail.
    """
    return math.sqrt(cells / shots)


def assert_matches_emulator(result, spec, shots: int) -> None:
    """The sampled distribution agrees with the exact emulator within shot noise, and a
    wrong answer (the bit-reversed distribution) does not."""
    exact = qdq.run(spec, backend="emulator")
    cells = exact.probabilities.size
    bound = shot_noise_bound(cells, result.accepted_shots)
    assert tvd(result.probabilities, exact.probabilities) < bound
    n = int(round(math.log2(cells)))
    reversed_bits = [int(format(i, f"0{n}b")[::-1], 2) for i in range(cells)]
    wrong = exact.probabilities.ravel()[reversed_bits]
    assert tvd(wrong, exact.probabilities) > 2 * bound, "the check could not fail"
    uniform = np.full(cells, 1.0 / cells)
    assert tvd(exact.probabilities, uniform) > 2 * bound, "the state did not move"
    if spec.method == "imaginary-time":
        p = exact.success_probability
        sigma = math.sqrt(p * (1 - p) / result.shots)
        assert abs(result.success_probability - p) < 5 * sigma
