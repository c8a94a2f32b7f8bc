"""One :class:`Result` type for every engine, with the metrics people compare.

Metrics (``p`` the grid-shaped output distribution, postselected where the method
postselects; ``N`` grid points; ``G`` the set of grid-argmin cells):

* ``p_global_min = Σ_{j∈G} p_j`` and ``p_global_min_ratio = p_global_min / (|G|/N)``
  (its gain over uniform random sampling of the grid),
* ``unconditional_yield = success_probability · p_global_min`` — the chance that *one
  shot* both survives postselection and lands on the minimum (compare with ``|G|/N``),
* ``expected_potential = Σ p_j ζ_j``, ``expected_energy = ⟨ψ|−D∇² + ζ|ψ⟩`` (exact modes),
* ``success_within(r, center)`` — mass within Euclidean radius ``r`` of a point.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.5)**2", bounds=[(-2, 2)], qubits=4)
    >>> r = qdq.run(qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.001), time=20.0, steps=200),
    ...             backend="emulator")
    >>> r.best_point, round(r.p_global_min, 2), r.uniform_baseline
    ((0.5,), 0.73, 0.0625)
    >>> r.unconditional_yield < r.uniform_baseline     # postselection eats the gain
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.grid import Grid
from qdq.problem import global_min_mask


def _complex_to_json(a: np.ndarray) -> dict:
    return {"real": a.real.tolist(), "imag": a.imag.tolist()}


@dataclass
class Result:
    """The outcome of one run.

    Attributes:
        method: ``"real-time"``, ``"imaginary-time"``, ``"anneal"``, …
        backend: Engine name (``"emulator"``, ``"aer"``, …).
        grid: The problem grid.
        values: Grid-shaped ζ.
        D: Kinetic constant used for ``expected_energy``.
        probabilities: Grid-shaped output distribution (sums to 1).
        statevector: Grid-shaped amplitudes (exact modes only, else ``None``).
        success_probability: Postselection probability (1.0 for unitary methods); with
            shots, the accepted fraction.
        shots: Shots taken (``None`` for exact).
        problem: JSON description of the problem.
        spec: JSON description of the evolution spec.
        timing: Seconds spent per phase (``build``, ``run``, …).
        trace: Optional per-step observables (e.g. ``{"energy": [...]}``).
        extra: Engine-specific details (counts, circuit sizes, …).
    """

    method: str
    backend: str
    grid: Grid
    values: np.ndarray
    D: float
    probabilities: np.ndarray
    statevector: np.ndarray | None = None
    success_probability: float = 1.0
    shots: int | None = None
    problem: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)
    trace: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    # --------------------------------------------------------------- landmarks
    @property
    def global_min_mask(self) -> np.ndarray:
        """Grid-shaped mask of the grid-argmin cell(s)."""
        return global_min_mask(self.values)

    @property
    def grid_argmin(self) -> tuple[float, ...]:
        """Coordinates of (the first) grid-argmin cell: the exact-grid baseline."""
        idx = np.unravel_index(int(np.argmin(self.values)), self.grid.shape)
        return tuple(float(self.grid.points[d][i]) for d, i in enumerate(idx))

    @property
    def best_index(self) -> tuple[int, ...]:
        """Grid index of the most probable cell."""
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(self.probabilities)),
                                                       self.grid.shape))

    @property
    def best_point(self) -> tuple[float, ...]:
        """Coordinates of the most probable cell."""
        return tuple(float(self.grid.points[d][i]) for d, i in enumerate(self.best_index))

    @property
    def best_value(self) -> float:
        """ζ at the most probable cell."""
        return float(self.values[self.best_index])

    @property
    def p_global_min(self) -> float:
        """Probability of the grid-argmin cell(s)."""
        return float(self.probabilities[self.global_min_mask].sum())

    @property
    def uniform_baseline(self) -> float:
        """What uniform random sampling of the grid gives per shot: ``|G| / N``."""
        return float(self.global_min_mask.sum() / self.values.size)

    @property
    def p_global_min_ratio(self) -> float:
        """``p_global_min`` divided by the uniform baseline ``|G|/N``."""
        return self.p_global_min / self.uniform_baseline

    @property
    def unconditional_yield(self) -> float:
        """``success_probability · p_global_min``: one shot's chance to hit the minimum."""
        return self.success_probability * self.p_global_min

    @property
    def expected_shots_to_minimum(self) -> float:
        """Expected shots (including rejected ones) until one lands on the minimum."""
        y = self.unconditional_yield
        return float("inf") if y <= 0 else 1.0 / y

    @property
    def expected_potential(self) -> float:
        """``⟨ζ⟩`` under the output distribution."""
        return float(np.sum(self.probabilities * self.values))

    @property
    def expected_energy(self) -> float | None:
        """``⟨ψ|−D∇² + ζ|ψ⟩`` of the final state (``None`` without a statevector)."""
        if self.statevector is None:
            return None
        phi = np.fft.fftn(self.statevector)
        w = np.abs(phi) ** 2
        kinetic = float(np.sum(self.D * self.grid.k_squared * w) / np.sum(w))
        return kinetic + self.expected_potential

    def success_within(self, radius: float, center=None) -> float:
        """Probability mass within Euclidean ``radius`` of ``center``.

        Args:
            radius: Radius in the problem's coordinates.
            center: Point (defaults to the problem's known minimizer, else the grid argmin).
        """
        if center is None:
            center = self.problem.get("minimizer") or self.grid_argmin
        sq = np.zeros(self.grid.shape)
        axes = np.ix_(*self.grid.points) if self.grid.dims > 1 else self.grid.points
        for ax, c in zip(axes, center, strict=True):
            sq = sq + (ax - float(c)) ** 2
        return float(self.probabilities[sq <= radius**2 + 1e-12].sum())

    def summary(self) -> dict[str, Any]:
        """The headline numbers, baselines included, as a flat dict."""
        return {
            "method": self.method, "backend": self.backend,
            "best_point": list(self.best_point), "best_value": self.best_value,
            "p_global_min": self.p_global_min,
            "uniform_baseline": self.uniform_baseline,
            "p_global_min_ratio": self.p_global_min_ratio,
            "success_probability": self.success_probability,
            "unconditional_yield": self.unconditional_yield,
            "expected_potential": self.expected_potential,
            "expected_energy": self.expected_energy,
            "grid_argmin": list(self.grid_argmin), "grid_minimum": float(self.values.min()),
            "shots": self.shots, "timing": dict(self.timing),
        }

    def __repr__(self) -> str:
        e = self.expected_energy
        e_txt = "n/a" if e is None else f"{e:.6g}"
        return (f"Result({self.method} on {self.backend}: best_point={self.best_point}, "
                f"P_gm={self.p_global_min:.4g} ({self.p_global_min_ratio:.3g}x uniform), "
                f"<H>={e_txt}, success_probability={self.success_probability:.4g})")

    # --------------------------------------------------------------- serialization
    def to_dict(self) -> dict:
        """JSON-safe dict (arrays as nested lists, complex as real/imag parts)."""
        return {
            "method": self.method, "backend": self.backend, "grid": self.grid.to_dict(),
            "values": self.values.tolist(), "D": self.D,
            "probabilities": self.probabilities.tolist(),
            "statevector": None if self.statevector is None
            else _complex_to_json(self.statevector),
            "success_probability": self.success_probability, "shots": self.shots,
            "problem": self.problem, "spec": self.spec, "timing": self.timing,
            "trace": {k: np.asarray(v).tolist() for k, v in self.trace.items()},
            "extra": self.extra, "summary": self.summary(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        """Inverse of :meth:`to_dict`."""
        sv = data.get("statevector")
        return cls(
            method=data["method"], backend=data["backend"], grid=Grid.from_dict(data["grid"]),
            values=np.asarray(data["values"], dtype=float), D=float(data["D"]),
            probabilities=np.asarray(data["probabilities"], dtype=float),
            statevector=None if sv is None
            else np.asarray(sv["real"]) + 1j * np.asarray(sv["imag"]),
            success_probability=float(data["success_probability"]), shots=data.get("shots"),
            problem=data.get("problem", {}), spec=data.get("spec", {}),
            timing=data.get("timing", {}),
            trace={k: np.asarray(v) for k, v in data.get("trace", {}).items()},
            extra=data.get("extra", {}),
        )
