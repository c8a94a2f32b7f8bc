r"""A fair TSP study: TSPLIB optima, equal budgets, gap to optimum, TTS to 1 % with CIs.

The sibling of Seok & Cho's own protocol (``bench/seed_tsp.py``; arXiv:2211.03972), which
compares mean tour lengths on random instances without an optimum. Here, for each TSPLIB
instance with a published optimal length ``L*`` (:func:`qdq.binary.benchsets.instance`;
Reinelt, ORSA J. Comput. 3 (1991) 376), every method runs ``repeats`` independent seeds at
each budget ``B`` of 2-opt proposals / tours scored, and the study reports, per method and
budget:

* the gap ``g = 100·(L − L*)/L*`` %: mean ± 95 % Student-t half-width over seeds, and best;
* ``p`` = fraction of runs with ``g <= 1 %`` (``tol``);
* ``TTS₉₉ = c·max(1, ln 0.01 / ln(1 − p))`` to within 1 %, ``c`` the mean cost of one run
  in proposals (``evals``) or CPU seconds, with percentile-bootstrap 95 % intervals over the
  seeds (:func:`qdq.compare.tts.bootstrap_tts`). ``p = 0`` gives ``TTS = ∞`` and only a
  lower bound (from the Wilson upper bound on ``p``).

Methods (:func:`methods`): QbO 2-opt and Seok & Cho's SA (``T₀ = 1000``, ``α = 0.9995``,
their stop at ``T < 0.1/B``, so it uses fewer than ``B`` proposals — its cost is what it
used) from :mod:`~qdq.classical.binary.permutation`; SA with a *fair* schedule
(:func:`~qdq.classical.binary.permutation.fair_sa_schedule`); Seok & Cho's GA and 2-opt
descent with restarts from
:mod:`qdq.classical.seed_cho`; OR-Tools' routing solver with guided local search
(:func:`~qdq.classical.binary.ortools_tsp.ortools_tsp`) at a CPU time comparable to the
slowest method's; Held–Karp (exact) for ``n <= 16``. OR-Tools does not count evaluations:
its rows have CPU seconds only. Its budgets come from one run per seed at the wall-clock
``limit``: the full run, and the best tour of its trace within ``τ = 0.01·limit`` and
``0.1·limit`` CPU seconds (GLS is deterministic, so a run cut at ``τ`` is that run's prefix;
on a loaded machine the full run gets less CPU than ``limit`` — its CPU s are reported).

Example:
    >>> rows = run_study(["burma14"], budgets=[300], repeats=2, ortools=False,
    ...                  method_names=["QbO 2-opt"])
    >>> [(r["method"], r["budget"], r["repeats"]) for r in rows]
    [('Held–Karp (exact)', None, 1), ('QbO 2-opt', 300, 2)]
    >>> rows[0]["mean_gap_pct"], rows[0]["p"]
    (0.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from qdq.binary.benchsets import instance
from qdq.classical.binary.ortools_tsp import ortools_tsp
from qdq.classical.binary.permutation import (
    HELD_KARP_MAX_CITIES,
    TourResult,
    fair_sa_two_opt,
    held_karp,
    qbo_two_opt,
    sa_two_opt,
)
from qdq.classical.seed_cho import genetic_tsp, two_opt_restarts
from qdq.compare.metrics import mean_interval
from qdq.compare.tts import bootstrap_tts
from qdq.errors import ParameterError

__all__ = ["DEFAULT_INSTANCES", "DEFAULT_BUDGETS", "METHOD_NAMES", "methods", "run_study",
           "summarize", "best_rows"]

#: Shipped TSPLIB instances of the default study (14–100 cities).
DEFAULT_INSTANCES = ("burma14", "ulysses16", "gr24", "att48", "berlin52", "kroa100")
#: Default budgets in 2-opt proposals / tours scored per run.
DEFAULT_BUDGETS = (10_000, 100_000, 1_000_000)
#: The GA scores a tour in ~50 µs (PMX and a full length, in Python): capped at 10⁵ by default.
GA_MAX_BUDGET = 100_000

Runner = Callable[[np.ndarray, int, int], TourResult]


def methods() -> dict[str, tuple[Runner, int | None]]:
    """Name → ``(run(D, seed, budget), largest budget or None)`` of the budgeted methods."""
    return {
        "QbO 2-opt": (lambda d, s, b: qbo_two_opt(d, seed=s, iterations=b), None),
        "SA, their schedule (T₀ 1000, α 0.9995)": (
            lambda d, s, b: sa_two_opt(d, seed=s, iterations=b, T_min=0.1 / b), None),
        "SA, fair schedule": (lambda d, s, b: fair_sa_two_opt(d, seed=s, iterations=b), None),
        "GA (PMX, swap, 10 chromosomes)": (
            lambda d, s, b: genetic_tsp(d, seed=s, generations=max(1, (b - 10) // 2)),
            GA_MAX_BUDGET),
        "2-opt descent, restarts": (
            lambda d, s, b: two_opt_restarts(d, seed=s, iterations=b), None),
    }


METHOD_NAMES = tuple(methods())


def summarize(gaps: Sequence[float], evals: Sequence[float] | None, cpu: Sequence[float], *,
              tol: float = 1.0, boot_seed: int = 0) -> dict:
    """Gap statistics and TTS₉₉ (proposals, CPU s) of one method's runs (gaps in %).

    Example:
        >>> s = summarize([0.0, 2.0, 0.5, 3.0], [100] * 4, [0.1] * 4)
        >>> s["p"], s["best_gap_pct"], round(s["tts_evals"], 1)
        (0.5, 0.0, 664.4)
    """
    g = np.asarray(gaps, dtype=float)
    mean, half = mean_interval(g)
    hits = (g <= tol + 1e-9).astype(float)
    out = {"repeats": g.size, "mean_gap_pct": mean, "ci_gap_pct": half,
           "best_gap_pct": float(g.min()), "p": float(hits.mean()),
           "mean_evals": None if evals is None else float(np.mean(evals)),
           "mean_cpu_s": float(np.mean(cpu))}
    for unit, cost in (("evals", evals), ("cpu", cpu)):
        if cost is None:
            out.update({f"tts_{unit}": None, f"tts_{unit}_low": None,
                        f"tts_{unit}_high": None})
            continue
        est = bootstrap_tts(hits, cost, seed=boot_seed)
        out.update({f"tts_{unit}": est.value, f"tts_{unit}_low": est.low,
                    f"tts_{unit}_high": est.high})
    return out


def _gap(length: float, opt: float) -> float:
    return 100.0 * (length - opt) / opt


def _ortools_rows(d, opt, label, n, limit, repeats, tol) -> list[dict]:
    runs = []
    for s in range(repeats):
        trace: list = []
        r = ortools_tsp(d, time_limit=limit, seed=s, trace=trace)
        runs.append((r, trace))
    rows = []
    for frac in (0.01, 0.1, 1.0):
        tau = frac * limit
        gaps, cpu = [], []
        for r, trace in runs:
            if frac == 1.0:
                gaps.append(_gap(r.length, opt))
                cpu.append(r.cpu_s)
                continue
            seen = [c for t, c in trace if t <= tau] or [trace[0][1]]
            gaps.append(_gap(min(seen), opt))
            cpu.append(max(tau, trace[0][0]))
        rows.append({"instance": label, "n": n, "optimum": opt,
                     "method": "OR-Tools routing, GLS", "budget": None, "time_limit_s": tau,
                     **summarize(gaps, None, cpu, tol=tol)})
    return rows


def run_study(instances: Sequence[str] = DEFAULT_INSTANCES,
              budgets: Sequence[int] = DEFAULT_BUDGETS, repeats: int = 10, *,
              ortools: bool = True, ortools_limit: float | None = None,
              ortools_cap: float = 5.0, method_names: Sequence[str] | None = None,
              tol: float = 1.0, progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Run the fair study; one dict per (instance, method, budget) — see the module doc.

    Args:
        instances: Shipped TSPLIB labels (``qdq.binary.benchsets``).
        budgets: Proposals / tours scored per run (each ``>= 10``).
        repeats: Independent seeds ``0 … repeats−1`` per method and budget (``>= 2``).
        ortools: Add OR-Tools rows (needs ``pip install 'qdq[classical]'``).
        ortools_limit: Its time limit; ``None``: the largest mean CPU s per run of any
            method and budget on that instance, at most ``ortools_cap``.
        ortools_cap: The largest automatic OR-Tools time limit (seconds).
        method_names: A subset of :data:`METHOD_NAMES` (default all).
        tol: Success = gap ``<= tol`` % (default 1 %).
        progress: Called with each row as it is finished (e.g. ``print``).

    Returns:
        Rows with ``instance, n, optimum, method, budget`` (``None`` for Held–Karp and
        OR-Tools; OR-Tools has ``time_limit_s``), ``repeats, mean_gap_pct, ci_gap_pct,
        best_gap_pct, p, mean_evals, mean_cpu_s, tts_evals(_low, _high), tts_cpu(_low,
        _high)`` (TTS ``inf`` when ``p = 0``; ``_low`` is then the lower bound).
    """
    table = methods()
    names = list(table) if method_names is None else list(method_names)
    bad = [m for m in names if m not in table]
    if bad:
        raise ParameterError(f"unknown method(s) {bad!r}; choose from {list(table)!r}")
    bs = sorted({int(b) for b in budgets})
    if not bs or bs[0] < 10:
        raise ParameterError(f"budgets must be integers >= 10, got {list(budgets)!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 2:
        raise ParameterError(f"repeats must be an integer >= 2 (for intervals), got {repeats!r}")
    rows: list[dict] = []

    def emit(row: dict) -> None:
        rows.append(row)
        if progress is not None:
            progress(row)

    for label in instances:
        inst, meta = instance(f"tsplib:{label}")
        d, opt, n = inst.distances, float(meta["optimum"]), inst.dimension
        if n <= HELD_KARP_MAX_CITIES:
            hk = held_karp(d)
            emit({"instance": label, "n": n, "optimum": opt, "method": "Held–Karp (exact)",
                  "budget": None, **summarize([_gap(hk.length, opt)], [hk.evals], [hk.cpu_s],
                                              tol=tol)})
        slowest = 0.0
        for name in names:
            run, cap = table[name]
            for b in [b for b in bs if cap is None or b <= cap]:
                res = [run(d, s, b) for s in range(repeats)]
                row = {"instance": label, "n": n, "optimum": opt, "method": name, "budget": b,
                       **summarize([_gap(r.length, opt) for r in res], [r.evals for r in res],
                                   [r.cpu_s for r in res], tol=tol)}
                emit(row)
                slowest = max(slowest, row["mean_cpu_s"])
        if ortools:
            limit = min(ortools_cap, max(slowest, 0.05)) if ortools_limit is None \
                else float(ortools_limit)
            for row in _ortools_rows(d, opt, label, n, limit, repeats, tol):
                emit(row)
    return rows


def best_rows(rows: Sequence[dict]) -> list[dict]:
    """Each (instance, method)'s row at its best budget: the least TTS₉₉.

    TTS in proposals (CPU s where proposals are not counted); ties, and ``p = 0`` at every
    budget, are broken by the least mean gap.

    Example:
        >>> best_rows([{"instance": "a", "method": "m", "tts_evals": 5.0, "mean_gap_pct": 1},
        ...            {"instance": "a", "method": "m", "tts_evals": 3.0, "mean_gap_pct": 2}])
        [{'instance': 'a', 'method': 'm', 'tts_evals': 3.0, 'mean_gap_pct': 2}]
    """
    best: dict[tuple, dict] = {}
    for r in rows:
        key = (r["instance"], r["method"])
        tts = r.get("tts_evals")
        tts = r.get("tts_cpu") if tts is None else tts
        score = (math.inf if tts is None else tts, r["mean_gap_pct"])
        if key not in best or score < best[key][0]:
            best[key] = (score, r)
    return [r for _, r in best.values()]
