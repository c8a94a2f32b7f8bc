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

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np

from qdq.errors import ResultError
from qdq.grid import Grid, layout_from_dict
from qdq.problem import global_min_mask
from qdq.redact import redact


def uniform_baseline(values: np.ndarray) -> float:
    """Uniform random sampling's chance per shot to hit a grid-argmin cell: ``|G| / N``.

    Example:
        >>> uniform_baseline(np.array([1.0, 0.0, 0.0, 2.0]))
        0.5
    """
    return float(global_min_mask(values).sum() / np.asarray(values).size)


def mass_within_radius(probabilities: np.ndarray, grid: Grid, center, radius: float) -> float:
    """Probability mass of the grid cells within Euclidean ``radius`` of ``center``.

    ``Σ_{‖x_j − c‖ ≤ r} p_j`` (boundary included, to ``1e-12``): the QHD paper's success
    probability, :meth:`Result.success_within` and the comparison's per-shot success.

    Args:
        probabilities: Grid-shaped distribution.
        grid: The :class:`~qdq.grid.Grid` it lives on.
        center: The point (e.g. the known minimizer).
        radius: Radius in the problem's coordinates.

    Example:
        >>> g = Grid([(0, 1)], qubits=2)                # points 0, .25, .5, .75
        >>> mass_within_radius(np.full(4, 0.25), g, (0.5,), 0.3)
        0.75
    """
    sq = np.zeros(grid.shape)
    axes = np.ix_(*grid.points) if grid.dims > 1 else grid.points
    for ax, c in zip(axes, center, strict=True):
        sq = sq + (ax - float(c)) ** 2
    return float(np.asarray(probabilities)[sq <= radius**2 + 1e-12].sum())


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
        final_D: ``D`` of the Hamiltonian the evolution ends under (``EvolutionSpec.final_D``),
            used for ``expected_energy``. Stored JSON from before the rename has ``"D"``.
        probabilities: Grid-shaped output distribution (sums to 1).
        statevector: Grid-shaped amplitudes (exact modes only, else ``None``).
        success_probability: Postselection probability (1.0 for unitary methods); with
            shots, the accepted fraction.
        shots: Shots taken (``None`` for exact).
        accepted_shots: Shots that survived postselection (shots modes; ``None`` when exact).
        factors: Product-formula factors applied per term, e.g.
            ``{"potential": 41, "kinetic": 40}`` (empty when the engine does not count them).
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
    final_D: float  # noqa: N815 - the physics name, as EvolutionSpec.final_D
    probabilities: np.ndarray
    statevector: np.ndarray | None = None
    success_probability: float = 1.0
    shots: int | None = None
    accepted_shots: int | None = None
    factors: dict[str, int] = field(default_factory=dict)
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
    def is_binary(self) -> bool:
        """Whether the result lives on a binary problem's flat layout (no box)."""
        return not isinstance(self.grid, Grid)

    @property
    def grid_argmin(self) -> tuple[float, ...]:
        """Coordinates of (the first) grid-argmin cell (binary: its bits): the exact baseline."""
        if self.is_binary:
            from qdq.binary.metrics import bits_of

            return bits_of(int(np.argmin(self.values)), self.grid.num_qubits)
        idx = np.unravel_index(int(np.argmin(self.values)), self.grid.shape)
        return tuple(float(self.grid.points[d][i]) for d, i in enumerate(idx))

    @property
    def best_index(self) -> tuple[int, ...]:
        """Grid index of the most probable cell."""
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(self.probabilities)),
                                                       self.grid.shape))

    @property
    def best_point(self) -> tuple[float, ...]:
        """Coordinates of the most probable cell (binary: its bits ``(x0, x1, …)``)."""
        if self.is_binary:
            from qdq.binary.metrics import bits_of

            return bits_of(self.best_index[0], self.grid.num_qubits)
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
        return uniform_baseline(self.values)

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
        if self.is_binary:
            from qdq.binary.problem import mixer_from_dict
            from qdq.kinetic import HypercubeLaplacian

            term = mixer_from_dict(self.problem.get("mixer")) or HypercubeLaplacian(self.grid)
            kin = term.energy(self.statevector) if self.final_D else 0.0
            return self.final_D * kin + self.expected_potential
        phi = np.fft.fftn(self.statevector)
        w = np.abs(phi) ** 2
        kinetic = float(np.sum(self.final_D * self.grid.k_squared * w) / np.sum(w))
        return kinetic + self.expected_potential

    def success_within(self, radius: float, center=None) -> float:
        """Probability mass within Euclidean ``radius`` of ``center``.

        Args:
            radius: Radius in the problem's coordinates.
            center: Point (defaults to the problem's known minimizer, else the grid argmin).
        """
        if self.is_binary:
            raise ResultError("success_within needs a box; on a binary problem use "
                              "p_global_min (the probability of a ground state)")
        if center is None:
            center = self.problem.get("minimizer") or self.grid_argmin
        return mass_within_radius(self.probabilities, self.grid, center, radius)

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
        } | (self._binary_summary() if self.is_binary else {})

    def _binary_summary(self) -> dict[str, Any]:
        from qdq.binary.metrics import summary_extra

        return summary_extra(self.probabilities, self.values, self.best_index[0],
                             self.p_global_min)

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
            "values": self.values.tolist(), "final_D": self.final_D,
            "probabilities": self.probabilities.tolist(),
            "statevector": None if self.statevector is None
            else _complex_to_json(self.statevector),
            "success_probability": self.success_probability, "shots": self.shots,
            "accepted_shots": self.accepted_shots, "factors": dict(self.factors),
            "problem": self.problem, "spec": self.spec, "timing": self.timing,
            "trace": {k: np.asarray(v).tolist() for k, v in self.trace.items()},
            "extra": self.extra, "summary": self.summary(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        """Inverse of :meth:`to_dict`, validating everything it reads.

        Checked: the required keys are present; ``values``, ``probabilities`` (and a
        ``statevector``) have the grid's shape and finite entries; probabilities are
        ``≥ 0`` and ``|Σp − 1| ≤ 1e-6``; ``final_D`` is finite and ``≥ 0`` (an anneal whose
        kinetic weight ends at 0 reports ``final_D = 0``); ``success_probability ∈ [0, 1]``;
        ``shots`` and ``accepted_shots`` are ``None`` or non-negative ints (``accepted_shots
        ≤ shots``); ``factors`` maps term names to non-negative ints.

        Files written before ``final_D``, ``accepted_shots`` and ``factors`` were fields are
        read too: their ``"D"`` key is the final ``D``, and ``extra["accepted_shots"]`` /
        ``extra["factors"]`` move to the typed fields.

        Args:
            data: A dict as written by :meth:`to_dict` (e.g. read back from JSON).

        Returns:
            The :class:`Result`.

        Raises:
            ResultError: Naming the first bad field and what was found.

        Example:
            >>> import qdq
            >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
            >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2))
            >>> Result.from_dict(r.to_dict()).best_point == r.best_point
            True
            >>> bad = r.to_dict() | {"success_probability": 1.5}
            >>> Result.from_dict(bad)
            Traceback (most recent call last):
            ...
            qdq.errors.ResultError: result field 'success_probability' must be in [0, 1], got 1.5; the result file or cache is damaged: recompute it
        """  # noqa: E501
        if not isinstance(data, Mapping):
            raise ResultError(f"a serialised result must be a JSON object, got "
                              f"{type(data).__name__}; the file or cache is damaged: recompute it")
        # "D": files written before the field was named final_D (it always held the final D).
        d_key = "final_D" if "final_D" in data or "D" not in data else "D"
        missing = [k for k in _REQUIRED if k not in data and (k, d_key) != ("final_D", "D")]
        if missing:
            raise ResultError(f"result is missing the field(s) {', '.join(map(repr, missing))}; "
                              "the result file or cache is damaged or not a qdq result: "
                              "recompute it")
        for key in ("method", "backend"):
            if not isinstance(data[key], str):
                _bad(key, f"must be a string, got {_short(data[key])}")
        try:
            grid = layout_from_dict(data["grid"])
        except Exception as exc:  # noqa: BLE001 - any malformed grid is the same problem
            _bad("grid", f"is not a valid grid ({type(exc).__name__}: {_short(exc)})")
        values = _array("values", data["values"], grid.shape)
        probabilities = _array("probabilities", data["probabilities"], grid.shape)
        if (probabilities < 0).any():
            _bad("probabilities", f"must be >= 0, got {probabilities.min():.6g}")
        total = float(probabilities.sum())
        if abs(total - 1.0) > _SUM_TOL:
            _bad("probabilities", f"must sum to 1 (within {_SUM_TOL:g}), got {total:.12g}")
        final_D = _number(d_key, data[d_key])
        if final_D < 0:
            _bad(d_key, f"must be >= 0, got {final_D!r}")
        success = _number("success_probability", data["success_probability"])
        if not 0.0 <= success <= 1.0:
            _bad("success_probability", f"must be in [0, 1], got {success!r}")
        shots = data.get("shots")
        if shots is not None and (isinstance(shots, bool) or not isinstance(shots, int)
                                  or shots < 0):
            _bad("shots", f"must be null or a non-negative integer, got {_short(shots)}")
        sv = data.get("statevector")
        if sv is not None:
            if not isinstance(sv, Mapping) or not {"real", "imag"} <= set(sv):
                _bad("statevector", "must be null or {'real': [...], 'imag': [...]}, got "
                     f"{_short(sv)}")
            sv = (_array("statevector.real", sv["real"], grid.shape)
                  + 1j * _array("statevector.imag", sv["imag"], grid.shape))
        dicts = {}
        for key in ("problem", "spec", "timing", "trace", "extra"):
            value = data.get(key) or {}
            if not isinstance(value, Mapping):
                _bad(key, f"must be an object, got {type(value).__name__}")
            dicts[key] = dict(value)
        try:
            trace = {k: np.asarray(v, dtype=float) for k, v in dicts["trace"].items()}
        except (TypeError, ValueError) as exc:
            _bad("trace", f"must map names to numeric lists ({_short(exc)})")
        extra = dicts["extra"]
        # Older files kept these two in ``extra``; they are typed fields now.
        accepted = data["accepted_shots"] if "accepted_shots" in data \
            else extra.pop("accepted_shots", None)
        factors = data["factors"] if "factors" in data else extra.pop("factors", None)
        return cls(
            method=data["method"], backend=data["backend"], grid=grid, values=values,
            final_D=final_D, probabilities=probabilities, statevector=sv,
            success_probability=success, shots=shots,
            accepted_shots=_accepted(accepted, shots), factors=_factors(factors),
            problem=dicts["problem"], spec=dicts["spec"], timing=dicts["timing"], trace=trace,
            extra=extra,
        )


_REQUIRED = ("method", "backend", "grid", "values", "final_D", "probabilities",
             "success_probability")
_SUM_TOL = 1e-6


def _short(value: Any, limit: int = 60) -> str:
    text = redact(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bad(key: str, problem: str) -> NoReturn:
    raise ResultError(f"result field {key!r} {problem}; the result file or cache is damaged: "
                      "recompute it")


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _bad(key, f"must be a non-negative integer, got {_short(value)}")
    return value


def _accepted(value: Any, shots: int | None) -> int | None:
    if value is None:
        return None
    accepted = _count("accepted_shots", value)
    if shots is not None and accepted > shots:
        _bad("accepted_shots", f"must be <= shots ({shots}), got {accepted}")
    return accepted


def _factors(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        _bad("factors", f"must be an object of counts, got {type(value).__name__}")
    return {str(k): _count(f"factors.{k}", v) for k, v in value.items()}


def _array(key: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        _bad(key, f"must be a numeric array ({type(exc).__name__}: {_short(str(exc))})")
    if arr.shape != tuple(shape):
        _bad(key, f"must have the grid's shape {tuple(shape)}, got {arr.shape}")
    if not np.isfinite(arr).all():
        _bad(key, f"must be finite, got {int((~np.isfinite(arr)).sum())} NaN/inf entries")
    return arr


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _bad(key, f"must be a number, got {_short(value)}")
    number = float(value)
    if not math.isfinite(number):
        _bad(key, f"must be finite, got {number!r}")
    return number


def load_result(path: str | os.PathLike[str]) -> Result:
    """Read a result JSON file written by ``qdq solve`` / ``qdq jobs fetch``.

    Args:
        path: The ``.json`` file.

    Returns:
        The validated :class:`Result` (see :meth:`Result.from_dict`).

    Raises:
        ResultError: The file is missing or unreadable, is not JSON, or does not hold a
            valid result; the message names the path and the problem.

    Example:
        >>> import os, tempfile, qdq
        >>> from qdq.files import atomic_write_json
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2))
        >>> path = os.path.join(tempfile.mkdtemp(), "r.json")
        >>> atomic_write_json(path, r.to_dict())
        >>> load_result(path).best_point == r.best_point
        True
        >>> load_result(path + ".missing")
        Traceback (most recent call last):
        ...
        qdq.errors.ResultError: cannot read result file '...r.json.missing' (FileNotFoundError: No such file or directory); it was moved or deleted: recompute the run
    """  # noqa: E501
    import json

    where = os.fspath(path)
    try:
        with open(where, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        hint = ("it was moved or deleted: recompute the run" if isinstance(exc, FileNotFoundError)
                else "check its permissions")
        raise ResultError(f"cannot read result file {where!r} ({type(exc).__name__}: "
                          f"{exc.strerror or exc}); {hint}") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise ResultError(f"result file {where!r} is not valid JSON ({_short(str(exc))}); "
                          "it is damaged: recompute the run") from None
    try:
        return Result.from_dict(data)
    except ResultError as exc:
        raise ResultError(f"result file {where!r}: {exc}") from None
