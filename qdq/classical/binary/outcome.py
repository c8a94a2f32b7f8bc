r"""The one result type of every binary solver: independent *reads* at one setting.

A binary solver is run as ``solver(problem, *, reads, seed, **setting) -> BinaryRuns``:
``reads`` independent attempts (restarts) at one setting (sweeps, iterations, timeout, …),
each ending in one bitstring. Time to solution is then per read: with ``p`` the fraction of
reads that reached the optimum and ``c`` the cost of one read,
``TTS99 = c·max(1, ln 0.01 / ln(1 − p))`` (:mod:`qdq.compare.tts`).

Cost units (both are recorded, so tables can show either):

* ``evals`` — candidate states whose energy (or energy change) was computed: one single-bit
  flip proposal, one uniform sample, one neighbour scored by tabu search each count 1. For a
  library solver that does not expose a count it is the solver's documented work
  (simulated annealing: ``sweeps × n`` proposals per read) or ``None`` when unknown.
* ``cpu_s`` — process CPU seconds of the whole call (all reads), measured around it.

Example:
    >>> import numpy as np
    >>> r = BinaryRuns("uniform", energies=np.array([3.0, 1.0, 1.0]),
    ...                states=np.array([5, 2, 2]), evals_per_read=10, cpu_s=0.01)
    >>> r.reads, r.best_energy, r.best_state, r.hits(1.0).tolist()
    (3, 1.0, 2, [False, True, True])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.errors import ParameterError

__all__ = ["BinaryRuns", "TIE_TOLERANCE"]

#: Energies within ``TIE_TOLERANCE·max(1, |E*|)`` of the optimum count as optimal
#: (the same tie rule as :func:`qdq.binary.exact.brute_force`).
TIE_TOLERANCE = 1e-9


@dataclass(eq=False)
class BinaryRuns:
    """``reads`` independent attempts of one binary solver at one setting.

    Attributes:
        method: Solver name (``"sa"``, ``"tabu"``, …).
        energies: Final (best-seen) energy ζ of each read, shape ``(reads,)``.
        states: Flat index ``Σ xᵢ2^i`` of each read's bitstring, shape ``(reads,)``
            (``int64``; ``-1`` when ``n > 62`` and only ``energies`` are kept).
        evals_per_read: Candidate states evaluated per read (see the module docstring),
            or ``None`` when the solver does not say.
        cpu_s: Process CPU seconds of the call (all reads together).
        setting: The options that define this setting (sweeps, …), JSON-safe.
        extra: Solver-specific data (JSON-safe).
    """

    method: str
    energies: np.ndarray
    states: np.ndarray
    evals_per_read: float | None
    cpu_s: float
    setting: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.energies = np.asarray(self.energies, dtype=float).reshape(-1)
        self.states = np.asarray(self.states, dtype=np.int64).reshape(-1)
        if self.energies.size == 0 or self.energies.shape != self.states.shape:
            raise ParameterError(f"energies and states must be equal-length and non-empty, "
                                 f"got {self.energies.shape} and {self.states.shape}")

    @property
    def reads(self) -> int:
        """Number of independent reads."""
        return int(self.energies.size)

    @property
    def best_energy(self) -> float:
        """Lowest energy over the reads."""
        return float(self.energies.min())

    @property
    def best_state(self) -> int:
        """Flat index of the first read at the lowest energy."""
        return int(self.states[int(np.argmin(self.energies))])

    def hits(self, optimum: float) -> np.ndarray:
        """Which reads reached ``optimum`` (within :data:`TIE_TOLERANCE`)."""
        tol = TIE_TOLERANCE * max(1.0, abs(float(optimum)))
        return self.energies <= float(optimum) + tol

    def cpu_s_per_read(self) -> float:
        """CPU seconds of one read (the call's time over its reads)."""
        return float(self.cpu_s) / self.reads

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (for the store)."""
        return {"method": self.method, "energies": self.energies.tolist(),
                "states": self.states.tolist(), "evals_per_read": self.evals_per_read,
                "cpu_s": float(self.cpu_s), "setting": dict(self.setting),
                "extra": dict(self.extra)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BinaryRuns:
        """Inverse of :meth:`to_dict`."""
        return cls(str(data["method"]), np.asarray(data["energies"], dtype=float),
                   np.asarray(data["states"], dtype=np.int64), data.get("evals_per_read"),
                   float(data["cpu_s"]), dict(data.get("setting") or {}),
                   dict(data.get("extra") or {}))
