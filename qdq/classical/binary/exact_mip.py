r"""Exact binary solvers: a proven optimum by mixed-integer programming, and brute force.

:func:`exact_mip` linearizes ``ζ(x) = c + Σ_S w_S Π_{i∈S} x_i`` (Fortet, 1960; Glover &
Woolsey, Oper. Res. 22, 180, 1974): each monomial of degree ≥ 2 gets a variable
``y_S ∈ [0, 1]`` standing for ``Π_{i∈S} x_i``, and only the side of the product that the
objective can push against is constrained:

* ``w_S > 0`` (minimizing wants ``y_S`` small): ``y_S ≥ Σ_{i∈S} x_i − |S| + 1`` (with
  ``y_S ≥ 0``), which forces ``y_S = 1`` exactly when every ``x_i = 1``;
* ``w_S < 0`` (minimizing wants ``y_S`` large): ``y_S ≤ x_i`` for every ``i ∈ S`` (with
  ``y_S ≤ 1``), which forces ``y_S = 0`` as soon as one ``x_i = 0``.

At any optimum ``y_S`` then equals the product, so ``y`` may stay continuous and only the
``n`` bits ``x`` are integer. HiGHS (Huangfu & Hall, Math. Prog. Comp. 10, 119, 2018;
``pip install 'qdq[qp]'``) solves it with relative gap 0; ``proven`` is true only when it
reports *optimal* within ``time_limit`` — otherwise the result is its best incumbent.

:func:`brute_force_runs` is :meth:`~qdq.binary.BinaryProblem.exact` (``2ⁿ`` evaluations,
``n ≤ 32``) as a :class:`BinaryRuns`.

Both are deterministic: they run once and return **one read**, whatever ``reads`` asks
(more reads would repeat the same answer at the same cost).

Example:
    >>> from qdq.binary.problem import BinaryProblem
    >>> b = BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x3 - x1*x3")
    >>> r = exact_mip(b)
    >>> r.best_energy == b.exact().energy, r.extra["proven"]
    (True, True)
    >>> brute_force_runs(b).evals_per_read
    16
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np

from qdq.classical.binary.local_fields import check_count, flat_states
from qdq.classical.binary.outcome import BinaryRuns
from qdq.errors import ParameterError, ResourceError
from qdq.validate import check_positive, check_seed

__all__ = ["brute_force_runs", "exact_mip", "MAX_TIME_LIMIT"]

#: Longest time limit accepted (seconds): one day.
MAX_TIME_LIMIT = 86_400.0
#: Absolute optimality gap asked of HiGHS (its default, 1e-6, would call a solution within
#: 1e-6 of the bound optimal; the relative gap is set to 0).
ABS_GAP = 1e-9


def linearize(poly, n: int):
    """Columns, costs and rows of the linearized model (see the module docstring).

    Returns:
        ``(cost, upper, rows)``: cost per column (``n`` bits, then one ``y_S`` per monomial
        of degree ≥ 2), column upper bounds (all 1), and rows as
        ``(lower, upper, [(column, coefficient), …])``.
    """
    cost = [0.0] * n
    rows: list[tuple[float, float, list[tuple[int, float]]]] = []
    for s, w in poly.items():
        if len(s) == 1:
            cost[s[0]] += w
            continue
        y = len(cost)
        cost.append(w)
        if w > 0:           # y − Σx ≥ 1 − |S|
            rows.append((1.0 - len(s), math.inf, [(y, 1.0)] + [(i, -1.0) for i in s]))
        else:               # y − x_i ≤ 0
            rows.extend((-math.inf, 0.0, [(y, 1.0), (i, -1.0)]) for i in s)
    return np.array(cost), np.ones(len(cost)), rows


def exact_mip(problem, *, reads: int = 1, seed: int | None = None,
              time_limit: float = 60.0) -> BinaryRuns:
    """The proven optimum of a binary polynomial of any degree by HiGHS branch and bound.

    Args:
        problem: A :class:`~qdq.binary.BinaryProblem`.
        reads: Checked (≥ 1) but the solver runs once: one read comes back.
        seed: HiGHS's ``random_seed`` (its default when ``None``).
        time_limit: Seconds HiGHS may run (``0 < time_limit ≤ 86 400``).

    Returns:
        One read; ``extra`` holds ``proven`` (HiGHS reported optimal), ``mip_gap``,
        ``wall_s``, ``status`` and the model size. The energy is ζ of the returned bits.

    Raises:
        ParameterError: A bad ``time_limit``/``reads``/``seed``.
        ResourceError: HiGHS found no solution within the time limit.
    """
    check_count("reads", reads)
    seed = check_seed(seed)
    if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real):
        raise ParameterError(f"time_limit must be a number of seconds, got {time_limit!r}")
    limit = check_positive("time_limit", time_limit)
    if limit > MAX_TIME_LIMIT:
        raise ParameterError(f"time_limit must be at most {MAX_TIME_LIMIT:g} s, got "
                             f"{time_limit!r}")
    n = problem.num_bits
    cost, upper, rows = linearize(problem.polynomial, n)
    from qdq.minimize.qp import new_highs  # the one silent HiGHS constructor

    highspy, h = new_highs()
    inf = highspy.kHighsInf
    ncol = cost.size
    h.addVars(ncol, np.zeros(ncol), upper)
    h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), cost)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kInteger.value, dtype=np.uint8))
    if rows:
        lower = np.array([r[0] for r in rows]).clip(-inf, inf)
        up = np.array([r[1] for r in rows]).clip(-inf, inf)
        starts = np.cumsum([0] + [len(r[2]) for r in rows[:-1]]).astype(np.int32)
        index = np.array([c for r in rows for c, _ in r[2]], dtype=np.int32)
        value = np.array([v for r in rows for _, v in r[2]])
        h.addRows(len(rows), lower, up, index.size, starts, index, value)
    h.changeObjectiveOffset(float(problem.offset))
    h.setOptionValue("time_limit", float(limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", ABS_GAP)
    if seed is not None:
        h.setOptionValue("random_seed", int(seed % (2**31 - 1)))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    h.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    status = h.getModelStatus()
    values = np.asarray(h.getSolution().col_value, dtype=float)
    if values.size < n or not np.all(np.isfinite(values[:n])):
        raise ResourceError(f"HiGHS found no solution of {problem!r} within time_limit="
                            f"{limit:g} s (status: {h.modelStatusToString(status)}); "
                            "raise time_limit")
    x = (values[:n] > 0.5).astype(np.int8)
    info = h.getInfo()
    gap = float(info.mip_gap)
    extra = {"proven": status == highspy.HighsModelStatus.kOptimal,
             "mip_gap": gap if math.isfinite(gap) else None, "wall_s": wall,
             "status": h.modelStatusToString(status), "columns": int(ncol),
             "rows": len(rows), "nodes": int(info.mip_node_count)}
    return BinaryRuns("mip", np.array([problem.energy(x)]), flat_states(x[None, :]), None,
                      cpu, {"time_limit": float(limit)}, extra)


def brute_force_runs(problem, *, reads: int = 1, seed: int | None = None) -> BinaryRuns:
    """The brute-force optimum (:meth:`~qdq.binary.BinaryProblem.exact`) as one read.

    Cost: ``evals_per_read = 2ⁿ`` (every assignment). ``extra`` holds the number of ground
    states. ``seed`` is checked and unused (nothing is random).

    Raises:
        ResourceError: More than 32 bits.
    """
    check_count("reads", reads)
    check_seed(seed)
    t0 = time.process_time()
    sol = problem.exact()
    cpu = time.process_time() - t0
    state = int(sol.states[0]) if problem.num_bits <= 62 else -1
    return BinaryRuns("exact", np.array([sol.energy]), np.array([state]), int(sol.evaluated),
                      cpu, {}, {"ground_states": int(sol.count)})
