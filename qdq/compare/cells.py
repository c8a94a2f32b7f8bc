r"""The cell model of a comparison: tasks, fingerprints and the payload of each cell.

A *cell* is a pure function of ``(function, method, seed, settings)``: the same inputs give
the same numbers whichever process, thread or Dask worker computes them (each cell's random
stream is :func:`~qdq.compare.methods.cell_seed` of its key). Cells are stored keyed
``(suite, function, method, seed)`` with a :func:`fingerprint` of their settings, so a cell
computed under other settings is recomputed rather than reused.

Work units (:class:`Task`): a classical or ``random`` cell is one task; a quantum method is
one task per function (its evolution runs once, stored as the seed-less *distribution*
cell, :func:`quantum_distribution`, and every repeat samples shots from it,
:func:`sample_shots`); a deterministic method (``grid-argmin``) is one seed-less task.

Example:
    >>> d = encode_array(np.array([[0.25, 0.75]]))
    >>> decode_array(d).tolist()
    [[0.25, 0.75]]
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdq.compare.ftcost import evolution_spec, ft_available, ft_runtime_per_shot
from qdq.compare.methods import MethodSetting, cell_seed
from qdq.compare.metrics import (
    SuccessCriterion,
    expected_shots,
    mass_within_epsilon,
    mass_within_radius,
)
from qdq.compare.recipes import FunctionRecipe
from qdq.compare.searches import best_so_far
from qdq.errors import QdqError
from qdq.results import uniform_baseline

__all__ = [
    "CELL_VERSION",
    "Task",
    "decode_array",
    "encode_array",
    "execute_task",
    "fingerprint",
    "quantum_distribution",
    "sample_shots",
    "sampling_distribution",
    "search_cell",
    "shot_hits",
]

#: Bumped when a cell's payload or meaning changes (part of every fingerprint).
CELL_VERSION = 1


# ------------------------------------------------------------------ distributions
def encode_array(a: np.ndarray) -> dict:
    """A grid-shaped float array as compact JSON (float32, zlib, base64).

    Example:
        >>> d = encode_array(np.array([[0.25, 0.75]]))
        >>> decode_array(d).tolist()
        [[0.25, 0.75]]
    """
    a32 = np.ascontiguousarray(a, dtype="<f4")
    return {"shape": list(a32.shape), "dtype": "float32",
            "zlib_b64": base64.b64encode(zlib.compress(a32.tobytes(), 6)).decode("ascii")}


def decode_array(data: dict) -> np.ndarray:
    """Inverse of :func:`encode_array` (as float64)."""
    raw = zlib.decompress(base64.b64decode(data["zlib_b64"]))
    return np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(data["shape"])


def sampling_distribution(probabilities: np.ndarray) -> np.ndarray:
    """The distribution shots are drawn from: float32-rounded then renormalized.

    Sampling always uses this rounded copy (also when it was just computed), so a
    distribution reloaded from the store draws exactly the same shots.
    """
    p = np.clip(decode_array(encode_array(probabilities)).reshape(-1), 0.0, None)
    return p / p.sum()


# ------------------------------------------------------------------ payloads
def quantum_distribution(problem, spec: MethodSetting, criterion: SuccessCriterion) -> dict:
    """The per-method (seed-free) cell of a quantum method: final distribution and metrics.

    Returns:
        A JSON-safe dict: ``probabilities`` (encoded, see :func:`encode_array`),
        ``success_probability``, ``p_global_min``, ``unconditional_yield``,
        ``shot_success`` (mass within the radius, or within ε), ``shot_success_radius``,
        ``shot_success_epsilon``, ``expected_shots``, ``cx_per_shot`` (and the rest of
        the circuit bookkeeping), ``wall_time``; or ``error`` when the method failed.
    """
    t0 = time.perf_counter()
    opts = spec.options_for(problem.grid.bounds)
    try:
        result, circuit = spec.info.run(problem, dict(opts))
    except QdqError as exc:
        return {"type": "distribution", "error": f"{type(exc).__name__}: {exc}",
                "wall_time": time.perf_counter() - t0, "success_probability": 0.0}
    wall = time.perf_counter() - t0
    circuit["options"] = {k: (v if isinstance(v, (int, float, str)) else repr(v))
                          for k, v in opts.items()}
    probs = sampling_distribution(result.probabilities).reshape(problem.grid.shape)
    ps = float(result.success_probability)
    p_gm = float(probs[problem.global_min_mask].sum())
    out: dict[str, Any] = {
        "type": "distribution", "error": None, "probabilities": encode_array(probs),
        "success_probability": ps, "p_global_min": p_gm, "unconditional_yield": ps * p_gm,
        "uniform_p_global_min": uniform_baseline(problem.values),
        "shot_success_radius": None, "shot_success_epsilon": None, "wall_time": wall,
        **circuit,
    }
    if criterion.radius is not None:
        out["shot_success_radius"] = mass_within_radius(probs, problem.grid, criterion.center,
                                                        criterion.radius)
    if criterion.epsilon is not None:
        out["shot_success_epsilon"] = mass_within_epsilon(probs, problem.values,
                                                          criterion.minimum, criterion.epsilon)
    out["shot_success"] = out[f"shot_success_{criterion.primary}"]
    out["expected_shots"] = expected_shots(ps * out["shot_success"])
    if ft_available():  # fault-tolerant seconds per shot, where qdq.estimate is installed
        out["ft_runtime_per_shot"] = ft_runtime_per_shot(
            evolution_spec(problem, spec.name, opts))
    return out


def sample_shots(problem, distribution: dict, shots: int, seed: int,
                 criterion: SuccessCriterion) -> dict:
    """One repeat of a quantum method: ``shots`` shots from the final distribution.

    Each shot survives postselection with probability ``P_s``; survivors are grid points
    drawn from the distribution; ζ is evaluated at each and the best is the outcome.

    Returns:
        The cell payload: ``x``, ``value`` (``None`` if no shot survived), ``evals``
        (surviving shots = objective evaluations), ``shots``, ``history`` (best value
        vs. evaluations), the success flags of :meth:`SuccessCriterion.check`.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    if distribution.get("error"):
        payload = {"x": None, "value": None, "evals": 0, "shots": shots, "history": [],
                   "error": distribution["error"]}
        payload.update(criterion.check(None, None))
        payload["wall_time"] = time.perf_counter() - t0
        return payload
    ps = float(distribution["success_probability"])
    accepted = shots if ps >= 1.0 else int(rng.binomial(shots, ps))
    payload: dict[str, Any] = {"shots": shots, "evals": accepted, "error": None,
                               "shot_hits": 0}
    if accepted == 0:
        payload.update({"x": None, "value": None, "history": []})
        payload.update(criterion.check(None, None))
    else:
        p = sampling_distribution(decode_array(distribution["probabilities"]))
        idx = rng.choice(p.size, size=accepted, p=p)
        vals = problem.values.reshape(-1)[idx]
        best = int(np.argmin(vals))
        grid_idx = np.unravel_index(int(idx[best]), problem.grid.shape)
        x = [float(problem.grid.points[d][i]) for d, i in enumerate(grid_idx)]
        payload.update({"x": x, "value": float(vals[best]), "history": best_so_far(vals)})
        payload.update(criterion.check(x, float(vals[best])))
        payload["shot_hits"] = shot_hits(problem, idx, vals, criterion)
    payload["wall_time"] = time.perf_counter() - t0
    return payload


def shot_hits(problem, idx: np.ndarray, values: np.ndarray,
              criterion: SuccessCriterion) -> int:
    """How many shots (flat grid indices ``idx``, values ``values``) land in the success region.

    The per-shot analogue of :func:`~qdq.compare.metrics.mass_within_radius` (primary
    criterion): within the radius of the center, or within ε of the minimum. Time-to-solution
    intervals of quantum methods resample these counts (:mod:`qdq.compare.tts`).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> crit = SuccessCriterion((0.0,), 0.3, 0.0, None)
        >>> shot_hits(p, np.array([3, 4, 4, 0]), np.zeros(4), crit)   # x = -0.25, 0, 0, -1
        3
    """
    if criterion.primary == "epsilon":
        return int(np.count_nonzero(values <= criterion.minimum + criterion.epsilon))
    coords = np.unravel_index(np.asarray(idx), problem.grid.shape)
    dist2 = np.zeros(len(idx))
    for axis, (j, c) in enumerate(zip(coords, criterion.center, strict=True)):
        dist2 += (np.asarray(problem.grid.points[axis])[j] - c) ** 2
    # the same test as mass_within_radius, so hits / shots estimates P_s · per-shot success
    return int(np.count_nonzero(dist2 <= criterion.radius**2 + 1e-12))


def search_cell(problem, spec: MethodSetting, budget: int | None, seed: int | None,
                criterion: SuccessCriterion) -> dict:
    """One repeat of a classical or baseline method: its registry ``run``, judged.

    Returns:
        The cell payload: ``x``, ``value``, ``evals``, ``history``, ``wall_time``, the
        success flags of :meth:`SuccessCriterion.check`, ``error`` (a method's
        :class:`~qdq.errors.QdqError` is recorded, not raised), and ``nit`` when the
        method reports it.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
        >>> cell = search_cell(p, MethodSetting("random"), 10, 7,
        ...                    SuccessCriterion((0.0,), 0.5, 0.0, None))
        >>> cell["evals"], cell["success"]
        (10, True)
    """
    t0 = time.perf_counter()
    try:
        out = spec.info.run(problem, budget, seed, spec.options_for(problem.grid.bounds))
    except QdqError as exc:
        payload = {"x": None, "value": None, "evals": 0, "history": [],
                   "error": f"{type(exc).__name__}: {exc}"}
        payload.update(criterion.check(None, None))
        payload["wall_time"] = time.perf_counter() - t0
        return payload
    x, value = out.get("x"), out.get("value")
    payload: dict[str, Any] = {"x": x, "value": value, "evals": int(out["evals"]),
                               "history": list(out.get("history") or []), "error": None}
    if "nit" in out:
        payload["nit"] = int(out["nit"])
    payload.update(criterion.check(x if value is not None else None, value))
    payload["wall_time"] = float(out.get("wall_time", time.perf_counter() - t0))
    return payload


# ------------------------------------------------------------------ tasks
@dataclass(frozen=True)
class Task:
    """One unit of work: the cells of ``(function, method)`` for ``seeds``.

    ``seeds`` holds ``None`` for the seed-less cell (a quantum method's distribution, or
    ``grid-argmin``). ``distribution`` carries a stored distribution to sample from.
    """

    function: FunctionRecipe
    method: MethodSetting
    seeds: tuple[int | None, ...]
    budget: int
    criterion: SuccessCriterion
    fingerprint: str
    seedless_fingerprint: str = ""
    distribution: dict | None = None


def fingerprint(function: FunctionRecipe, method: MethodSetting, budget: int | None,
                criterion: SuccessCriterion) -> str:
    """Hash of everything a cell's numbers depend on (besides its seed).

    Seed-less cells (a quantum method's distribution, grid-argmin) do not depend on the
    budget and are fingerprinted with ``budget=None``, so changing the budget reuses them.

    Example:
        >>> f = FunctionRecipe("rastrigin", benchmark="rastrigin", qubits=5)
        >>> len(fingerprint(f, MethodSetting("dmc"), 100, f.criterion()))
        16
    """
    data = {"v": CELL_VERSION, "function": function.describe(), "method": method.to_dict(),
            "budget": budget, "criterion": criterion.to_dict()}
    text = json.dumps(data, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def execute_task(task: Task) -> list[tuple[int | None, dict]]:
    """Compute the cells of a task (runs in a worker; a pure function of the task).

    Returns:
        ``[(seed, payload), …]``; payloads carry ``fingerprint``, ``category`` and ``budget``.
    """
    problem = task.function.build()
    m, crit, budget = task.method, task.criterion, task.budget
    fname = task.function.label
    out: list[tuple[int | None, dict]] = []

    def timed(seed: int | None, fn: Callable[..., dict], *args) -> None:
        c0 = time.process_time()
        payload = fn(*args)
        payload["cpu_time"] = time.process_time() - c0
        out.append((seed, payload))

    if m.category == "quantum":
        dist = task.distribution
        if dist is None:
            timed(None, quantum_distribution, problem, m, crit)
            dist = out[-1][1]
        for s in task.seeds:
            if s is not None:
                timed(s, sample_shots, problem, dist, budget, cell_seed(s, fname, m.label),
                      crit)
    elif m.deterministic:
        timed(None, search_cell, problem, m, None, None, crit)
    else:
        for s in task.seeds:
            timed(s, search_cell, problem, m, budget, cell_seed(s, fname, m.label), crit)
    for sd, payload in out:
        payload["fingerprint"] = task.fingerprint if sd is not None \
            else task.seedless_fingerprint
        payload["category"] = m.category
        payload["budget"] = budget if sd is not None else (
            int(problem.grid.size) if m.deterministic else None)
    return out
