"""What a result on a binary problem reports: bitstrings, ground-state probability, ratios.

:class:`~qdq.Result` delegates here when its layout is flat (a binary problem), so its
``best_point`` is the best assignment ``(x0, x1, …)`` and its summary carries the bitstring,
the probability of sampling a ground state, the approximation ratio and an energy histogram.

Example:
    >>> values = np.array([0.0, -1.0, -1.0, 2.0])
    >>> probs = np.array([0.1, 0.4, 0.3, 0.2])
    >>> round(approximation_ratio(probs, values), 6)      # (2 − (−0.3)) / (2 − (−1))
    0.766667
    >>> energy_histogram(probs, values)
    [(-1.0, 0.7), (0.0, 0.1), (2.0, 0.2)]
"""

from __future__ import annotations

import numpy as np


def bits_of(index: int, n: int) -> tuple[int, ...]:
    """``(x0, …, x_{n−1})`` of flat index ``index`` (bit ``i`` is qubit ``i``)."""
    return tuple((int(index) >> i) & 1 for i in range(n))


def bitstring(index: int, n: int) -> str:
    """The assignment written ``x0`` first: ``'0110'`` for ``x1 = x2 = 1`` (``n = 4``).

    Example:
        >>> bitstring(6, 4)
        '0110'
    """
    return "".join(str(b) for b in bits_of(index, n))


def approximation_ratio(probabilities: np.ndarray, values: np.ndarray) -> float:
    """``(ζ_max − ⟨ζ⟩) / (ζ_max − ζ_min)``: 1 on the ground states, 0 on the worst.

    For Max-Cut (ζ = −cut, ζ_max = 0) this is the usual ``⟨cut⟩ / max cut``. A constant ζ
    gives 1.
    """
    hi, lo = float(values.max()), float(values.min())
    if hi == lo:
        return 1.0
    return float((hi - np.sum(probabilities * values)) / (hi - lo))


def energy_histogram(probabilities: np.ndarray, values: np.ndarray, *, top: int = 20,
                     decimals: int = 9) -> list[tuple[float, float]]:
    """``[(energy, probability), …]`` of the ``top`` lowest distinct energies (rounded)."""
    levels, inverse = np.unique(np.round(values, decimals), return_inverse=True)
    mass = np.bincount(inverse.reshape(-1), weights=probabilities.reshape(-1))
    return [(float(e), float(round(p, 12))) for e, p in zip(levels[:top], mass[:top],
                                                          strict=True)]


def summary_extra(probabilities: np.ndarray, values: np.ndarray, best: int,
                  p_ground: float) -> dict:
    """The binary-only fields of :meth:`qdq.Result.summary`."""
    n = int(values.size).bit_length() - 1
    ground = int(np.argmin(values))
    levels, inverse = np.unique(np.round(values, 9), return_inverse=True)
    mass = np.bincount(inverse.reshape(-1), weights=probabilities.reshape(-1))
    top = int(np.argmax(mass))
    return {"bitstring": bitstring(best, n), "bit_order": "x0 x1 … left to right",
            "best_energy": float(values[best]), "exact_optimum": float(values[ground]),
            "optimal_bitstring": bitstring(ground, n),
            "p_ground_state": p_ground,
            "most_probable_energy": float(levels[top]),
            "most_probable_energy_probability": float(mass[top]),
            "approximation_ratio": approximation_ratio(probabilities, values),
            "energy_histogram": energy_histogram(probabilities, values, top=8)}
