r"""One quantum stage: a method run on a box's grid, its samples, its cost.

A stage discretizes the merit function (the objective, or the augmented Lagrangian under
constraints) on ``2ⁿ`` points per free variable of a box (the other variables fixed at the
incumbent), rescales it to ``[0, 1]`` on that grid — so the method defaults of
:mod:`qdq.defaults`, which already scale ``D`` with the box, apply at every zoom level —
and runs a quantum method on it through :func:`qdq.api.run`.

Shots: unitary methods (``anneal``, ``real-time``) run with ``shots`` on the backend.
Postselected ones (``imaginary-time``, ``two-loop``) draw ``shots`` *accepted* samples
from the exact conditional distribution when the backend computes it, and report the
expected raw shots ``shots / P_success`` as their cost (no silent free postselection).

The stage's candidates are the ``top_k`` most probable cells (and, with shots, the
``top_k`` sampled cells of lowest merit); the best of them, by merit, is the stage's
answer. Every grid point counts as one objective evaluation.

May import :mod:`qdq.api`, :mod:`qdq.evolution`, :mod:`qdq.twoloop`, :mod:`qdq.problem`,
:mod:`qdq.grid`, :mod:`qdq.defaults`, :mod:`qdq.engines.registry`,
:mod:`qdq.compare.registry` (method names) and :mod:`qdq.compare.quantum` (CX counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qdq.errors import ParameterError, ProblemError
from qdq.methods import GRID_METHODS, ordered_keys

__all__ = ["METHOD_OPTION_KEYS", "quantum_method", "run_stage"]

#: Options each quantum method takes (the rest of ``options`` belongs to minimize); the
#: one table is :data:`qdq.methods.OPTION_KEYS` (minimize's two-loop takes ``D0`` only: a
#: ``D`` there is the other methods' and is not passed on).
METHOD_OPTION_KEYS: dict[str, tuple[str, ...]] = {
    m: tuple(k for k in ordered_keys(m) if (m, k) != ("two-loop", "D")) for m in GRID_METHODS}
_POSTSELECTED = ("imaginary-time", "two-loop")


def quantum_method(name: object) -> str:
    """The canonical name of a quantum method (aliases such as ``imaginary`` accepted).

    Raises:
        ParameterError: Unknown, or not a quantum method.

    Example:
        >>> quantum_method("imaginary"), quantum_method("QHD")
        ('imaginary-time', 'anneal')
    """
    from qdq.compare.registry import resolve_method

    info = resolve_method(name)
    if info.category != "quantum" or info.name not in METHOD_OPTION_KEYS:
        raise ParameterError(f"minimize runs a quantum method ({', '.join(METHOD_OPTION_KEYS)}),"
                             f" got {name!r} (a {info.category} method); compare classical ones "
                             "with qdq.compare")
    return info.name


class _Table:
    """A grid table as a callable: the value of the nearest grid point (for Problem)."""

    def __init__(self, values: np.ndarray, grid):
        self.values, self.grid = values, grid

    def __call__(self, *coords):
        idx = []
        for d, x in enumerate(coords):
            lo, h, n = self.grid.bounds[d][0], self.grid.spacing[d], self.grid.shape[d]
            idx.append(np.clip(np.rint((np.asarray(x) - lo) / h).astype(int), 0, n - 1))
        return self.values[tuple(idx)]


def _spec(problem, method: str, options: dict[str, Any], circuit: bool):
    from qdq.methods import defaults, spec_from_options

    opts = defaults(problem, method, circuit=circuit)
    opts.update({k: v for k, v in options.items() if k in METHOD_OPTION_KEYS[method]})
    return spec_from_options(problem, method, opts)


def _execute(spec, method: str, backend: str, shots: int | None, rng: np.random.Generator):
    """Run a spec; returns ``(Result, accepted_shots, raw_shots, factors)``."""
    from qdq.api import run
    from qdq.engines.registry import get_engine

    seed = int(rng.integers(2**31))
    postselected = method in _POSTSELECTED
    exact_first = shots is None or (postselected and get_engine(backend).supports_exact)
    out = run(spec, backend=backend, shots=None if exact_first else shots, seed=seed)
    result = out.result if method == "two-loop" else out
    factors = dict(result.factors)
    if method == "two-loop":
        kinetic = sum(int(r["inner_steps"]) for r in out.trace)
        chunks = sum(-(-int(r["inner_steps"]) // spec.chunk_steps) for r in out.trace)
        factors = {"potential": kinetic + (chunks if spec.order == 2 else 0), "kinetic": kinetic}
    if shots is None:
        return result, result.probabilities, None, None, factors
    if exact_first:  # postselected: `shots` accepted draws; the cost is shots / P_success
        p = result.probabilities.ravel()
        counts = rng.multinomial(shots, p / p.sum()).reshape(result.probabilities.shape)
        ps = float(result.success_probability)
        raw = float(shots / ps) if ps > 0 else float("inf")
        return result, counts / shots, shots, raw, factors
    accepted = int(result.accepted_shots or shots)
    return result, result.probabilities, accepted, float(shots), factors


def run_stage(merit: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
              box: Sequence[Sequence[float]], free: Sequence[int], incumbent: np.ndarray,
              qubits: int, method: str, options: dict[str, Any], backend: str,
              shots: int | None, rng: np.random.Generator, top_k: int = 8) -> dict[str, Any]:
    """Run one quantum stage on ``box`` over the variables ``free``.

    Args:
        merit: ``X (d, M) -> (f, merit, violation)``, each ``(M,)``; counts evaluations.
        box: ``(low, high)`` of each free variable.
        free: Indices of the free variables (the grid's dimensions).
        incumbent: The full point whose other coordinates stay fixed.
        qubits: Qubits per free variable.
        method: Canonical quantum method name.
        options: Method options (``D``, ``time``, ``steps``, …) over the defaults.
        backend: Engine name.
        shots: Accepted samples, or ``None`` for the exact distribution.
        rng: Sampling generator.
        top_k: Candidates kept.

    Returns:
        A record: ``result`` (:class:`~qdq.Result`), ``candidates`` (``(d, k)`` points,
        best first) with their ``f``, ``merit``, ``violation``; ``x``/``fun``/``merit`` of
        the best; ``grid_argmin`` (point, merit) of the table; ``grid_points``,
        ``grid_f_range`` (least and largest finite objective value on the grid), ``shots``,
        ``raw_shots``, ``cx_per_shot``, ``success_probability``, ``spacing``.
    """
    from qdq.compare.quantum import circuit_cx
    from qdq.grid import Grid
    from qdq.problem import Problem

    grid = Grid([tuple(b) for b in box], qubits)
    mesh = np.meshgrid(*grid.points, indexing="ij")
    X = np.repeat(np.asarray(incumbent, dtype=float)[:, None], grid.size, axis=1)
    for j, d in enumerate(free):
        X[d] = mesh[j].ravel()
    f, m, v = merit(X)
    finite = np.isfinite(m)
    if not finite.any():
        raise ProblemError(f"the objective is not finite anywhere on the box {list(box)}; "
                           "shrink the box or regularize the objective")
    m_hi, m_lo = float(m[finite].max()), float(m[finite].min())
    m = np.where(finite, m, m_hi)  # non-finite points become walls at the top of the range
    table = ((m - m_lo) / (m_hi - m_lo) if m_hi > m_lo else np.zeros_like(m)).reshape(grid.shape)
    problem = Problem(_Table(table, grid), bounds=grid.bounds, qubits=qubits, name="stage")
    spec = _spec(problem, method, options, circuit=backend != "emulator")
    result, observed, accepted, raw, factors = _execute(spec, method, backend, shots, rng)
    cx = circuit_cx(problem, factors, postselected=method in _POSTSELECTED)["cx_per_shot"]
    flat_p = np.asarray(observed).ravel()
    k = min(top_k, flat_p.size)
    cand = np.argsort(-flat_p, kind="stable")[:k]
    if shots is not None:  # the sampled cells of lowest merit: what a user would keep
        sampled = np.flatnonzero(flat_p > 0)
        cand = np.union1d(cand, sampled[np.argsort(m[sampled], kind="stable")[:k]])
    cand = cand[np.argsort(m[cand], kind="stable")]
    ga = int(np.argmin(m))
    fin = f[np.isfinite(f)]
    f_range = [float(fin.min()), float(fin.max())] if fin.size else [np.inf, -np.inf]
    return {
        "result": result, "candidates": X[:, cand], "cand_f": f[cand], "cand_merit": m[cand],
        "cand_violation": v[cand], "cand_probability": flat_p[cand],
        "x": X[:, cand[0]].copy(), "fun": float(f[cand[0]]), "merit": float(m[cand[0]]),
        "violation": float(v[cand[0]]),
        "grid_argmin": {"x": X[:, ga].tolist(), "fun": float(f[ga]), "merit": float(m[ga]),
                        "violation": float(v[ga])},
        "grid_points": int(grid.size), "grid_f_range": f_range, "shots": accepted, "raw_shots": raw,
        "cx_per_shot": int(cx), "success_probability": float(result.success_probability),
        "spacing": [float(s) for s in grid.spacing], "p_global_min": float(result.p_global_min),
    }
