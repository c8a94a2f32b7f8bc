r"""Function recipes of a comparison: :class:`FunctionRecipe`, cheap to send to workers.

A recipe names an objective — a :mod:`qdq.benchmarks` name (optionally rescaled to the unit
box, the QHD protocol), an expression string with its box, or an in-process
:class:`~qdq.problem.Problem` — together with its grid and success criterion. Worker
processes rebuild the problem from the recipe (:meth:`FunctionRecipe.build`, cached per
process), so only a few numbers and strings cross process boundaries.

Example:
    >>> f = FunctionRecipe("rastrigin", benchmark="rastrigin", rescale=True, qubits=5)
    >>> f.box(), f.build().grid.shape
    (((0.0, 1.0), (0.0, 1.0)), (32, 32))
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.compare.metrics import SuccessCriterion, area_fraction, check_center_in_box
from qdq.errors import ParameterError, ProblemError

__all__ = ["FunctionRecipe", "function_spec_from_problem"]


@dataclass(frozen=True)
class FunctionRecipe:
    """A recipe for one objective, cheap to pickle (the worker rebuilds the problem).

    Either ``benchmark`` (a :mod:`qdq.benchmarks` name, optionally QHD-``rescale``-d to the
    unit box), or ``objective`` (a string) with ``bounds``, or an in-process ``problem``
    (any :class:`~qdq.Problem`; only serial/thread executors unless it pickles).

    Attributes:
        label: Name used in tables and the store.
        qubits: Qubits per dimension of the grid (quantum methods, grid-argmin).
        radius: Success radius (default: the benchmark's radius; 0.1 of the unit box when
            rescaled, the QHD protocol's ``QHD_RADIUS``).
        epsilon: Value tolerance (optional).
        center: Override of the known minimizer (must lie in the box).
    """

    label: str
    benchmark: str | None = None
    dims: int | None = None
    rescale: bool = False
    qubits: int | tuple[int, ...] = 8
    objective: str | None = None
    bounds: tuple[tuple[float, float], ...] | None = None
    minimizer: tuple[float, ...] | None = None
    minimum: float | None = None
    radius: float | None = None
    epsilon: float | None = None
    center: tuple[float, ...] | None = None
    problem: Any = field(default=None, compare=False, hash=False, repr=False)

    def __getstate__(self) -> dict:
        """Pickle without the in-process problem when the recipe can rebuild it."""
        state = dict(self.__dict__)
        if state.get("objective") is not None or state.get("benchmark") is not None:
            state["problem"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        """Restore a pickled recipe (frozen dataclass)."""
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def key(self) -> str:
        """JSON of the recipe (without an in-process problem object)."""
        d = self.describe()
        return json.dumps(d, sort_keys=True, default=str)

    def describe(self) -> dict:
        """JSON-safe description of the recipe."""
        in_process = self.problem is not None and self.objective is None
        out = {"label": self.label, "benchmark": self.benchmark, "dims": self.dims,
               "rescale": self.rescale, "qubits": self.qubits, "objective": self.objective,
               "bounds": self.bounds, "minimizer": self.minimizer, "minimum": self.minimum,
               "radius": self.radius, "epsilon": self.epsilon, "center": self.center,
               "in_process": in_process}
        if in_process:  # a callable has no text: identify it by its values on the grid
            values = np.ascontiguousarray(self.problem.values, dtype=float)
            out["values_sha256"] = hashlib.sha256(values.tobytes()).hexdigest()[:16]
        return out

    def benchmark_function(self):
        """The (rescaled) :class:`~qdq.benchmarks.BenchmarkFunction`, or ``None``."""
        if self.benchmark is None:
            return None
        return _benchmark(self.benchmark, self.dims, self.rescale)

    def build(self):
        """The :class:`~qdq.Problem` (cached per process)."""
        if self.problem is not None:
            return self.problem
        key = self.key()
        hit = _PROBLEMS.get(key)
        if hit is None:
            from qdq.problem import Problem

            fn = self.benchmark_function()
            if fn is not None:
                hit = Problem(fn, qubits=self.qubits)
            else:
                hit = Problem(self.objective, bounds=self.bounds, qubits=self.qubits,
                              name=self.label, minimizer=self.minimizer, minimum=self.minimum)
            if len(_PROBLEMS) >= 16:
                _PROBLEMS.pop(next(iter(_PROBLEMS)))
            _PROBLEMS[key] = hit
        return hit

    def box(self) -> tuple[tuple[float, float], ...]:
        """The box, without building the grid when the recipe says it."""
        fn = self.benchmark_function()
        if fn is not None:
            return tuple(tuple(b) for b in fn.bounds)
        if self.bounds is not None:
            return tuple(tuple(float(v) for v in b) for b in self.bounds)
        return self.build().grid.bounds

    def criterion(self) -> SuccessCriterion:
        """The success criterion (radius around the known minimizer and/or epsilon).

        Defaults: the benchmark's radius and success center (rescaled: the QHD protocol's
        ``r = 0.1`` around the authors' rounded minimizer ``u*``), also when an
        ``epsilon`` is given (then both are reported, the radius first); for other
        problems without ``epsilon``, a radius of one grid-cell diagonal around the known
        minimizer (or the grid argmin when no minimizer is known).

        Raises:
            ProblemError: A known minimizer or ``center`` outside the box.
            ParameterError: A radius ``<= 0``, a negative epsilon.
        """
        fn = self.benchmark_function()
        box = self.box()
        source = "known"
        if self.center is not None:
            center, source = check_center_in_box(self.center, box, "center"), "given"
        elif fn is not None:
            center = check_center_in_box(fn.success_center, box)
        elif self.problem is not None and self.problem.minimizer is not None:
            center = check_center_in_box(self.problem.minimizer, box)
        elif self.minimizer is not None:
            center = check_center_in_box(self.minimizer, box)
        else:
            center, source = self.build().grid_argmin, "grid-argmin"
        if fn is not None:
            minimum = float(fn.minimum)
        else:
            p = self.problem
            known = p.minimum if p is not None else self.minimum
            minimum = float(known) if known is not None else self.build().grid_minimum
        radius = self.radius
        if radius is None and fn is not None and fn.radius is not None:
            radius = float(fn.radius)
        if radius is None and self.epsilon is None:
            spacing = self.build().grid.spacing
            radius = float(np.sqrt(np.sum(np.square(spacing))))
        return SuccessCriterion(center=center, radius=radius, minimum=minimum,
                                epsilon=self.epsilon, center_source=source)

    def meta(self) -> dict:
        """What a report needs about the function (box, grid, criterion, published)."""
        fn = self.benchmark_function()
        crit = self.criterion()
        box = self.box()
        q = self.qubits if isinstance(self.qubits, int) else list(self.qubits)
        shape = [2**q] * len(box) if isinstance(q, int) else [2**n for n in q]
        out = {"label": self.label, "bounds": [list(b) for b in box], "grid_shape": shape,
               "criterion": crit.to_dict(), "recipe": self.describe(),
               "published_qhd": getattr(fn, "qhd_success", None) if fn is not None else None,
               "area_fraction": None}
        if crit.radius is not None:
            out["area_fraction"] = area_fraction(box, crit.center, crit.radius)
        return out


_PROBLEMS: dict[str, Any] = {}


@functools.lru_cache(maxsize=128)
def _benchmark(name: str, dims: int | None, rescale: bool):
    import qdq.benchmarks as benchmarks

    fn = benchmarks.get(name, dims)
    return fn.rescaled() if rescale else fn


def function_spec_from_problem(problem, *, radius=None, epsilon=None, center=None,
                               label: str | None = None) -> FunctionRecipe:
    """Make a :class:`FunctionRecipe` for a :class:`~qdq.Problem`.

    String objectives are rebuilt from their text in worker processes; callables stay in
    process (serial or thread executors).

    Raises:
        ProblemError: If the problem's known minimizer or ``center`` lies outside the box.
    """
    from qdq.problem import Problem

    if getattr(problem, "is_binary", False):
        raise ParameterError("a grid recipe takes grid problems; compare a binary problem "
                             "with qdq.compare.binary_study.compare_binary (qdq.compare "
                             "sends it there)")
    if not isinstance(problem, Problem):
        raise ParameterError(f"compare needs a qdq.Problem, got {type(problem).__name__}; "
                             "build one with qdq.Problem(objective, bounds=..., qubits=...)")
    if problem.minimizer is not None:
        check_center_in_box(problem.minimizer, problem.grid.bounds)
    q = problem.grid.qubits
    common = {"label": label or str(problem.name), "radius": radius, "epsilon": epsilon,
              "center": None if center is None else tuple(float(v) for v in center),
              "qubits": q[0] if len(set(q)) == 1 else tuple(q)}
    if radius is None:
        common["radius"] = _benchmark_radius(problem)
    if problem.objective_text is not None:
        return FunctionRecipe(objective=problem.objective_text, bounds=problem.grid.bounds,
                            minimizer=problem.minimizer, minimum=problem.minimum,
                            problem=problem, **common)
    return FunctionRecipe(problem=problem, bounds=problem.grid.bounds, **common)


def _benchmark_radius(problem) -> float | None:
    """The registry radius when ``problem`` is a benchmark on its box or rescaled box."""
    import qdq.benchmarks as benchmarks

    name = str(problem.name)
    if name not in benchmarks.names():
        return None
    try:
        fn = benchmarks.get(name, problem.dims)
    except ProblemError:
        return None
    if fn.radius is None:
        return None
    if tuple(map(tuple, fn.bounds)) == tuple(map(tuple, problem.grid.bounds)):
        return float(fn.radius)
    if all(b == (0.0, 1.0) for b in problem.grid.bounds) and len(set(fn.bounds)) == 1:
        return float(fn.rescaled().radius)
    return None
