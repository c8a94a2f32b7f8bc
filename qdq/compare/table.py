r"""The table of a comparison report: one row of statistics per (function, method).

Each row (:func:`summary_row`) holds the success rate over the repeats with its Wilson 95 %
interval (:func:`~qdq.compare.metrics.wilson_interval`), the median and best outcome values,
mean evaluations, wall time and, for quantum methods, the per-shot numbers of the method's
distribution cell (``P_gm``, ``P_success``, yield, per-shot success, expected shots, CX per
shot); the ``random`` row's per-shot success is the box fraction inside the radius; and the
time to solution (``tts99`` with its bootstrap interval and cost units,
:func:`~qdq.compare.tts.tts_columns`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qdq.compare.metrics import expected_shots, wilson_interval
from qdq.compare.tts import TTS_COLUMNS, tts_columns

__all__ = ["COLUMNS", "TIMING_COLUMNS", "summary_row"]

#: Columns of :attr:`Report.table` (CSV order). ``eps_*`` columns are filled only when an
#: epsilon criterion is in use; quantum columns only for quantum methods.
COLUMNS: tuple[str, ...] = (
    "function", "method", "category", "budget", "n", "successes", "success_rate", "ci_low",
    "ci_high", "eps_successes", "eps_rate", "eps_ci_low", "eps_ci_high", "median_value",
    "best_value", "median_gap", "mean_evals", "wall_time", "errors", "p_gm", "p_success",
    "yield", "shot_success", "expected_shots", "cx_per_shot", "radius", "published_qhd",
    *TTS_COLUMNS,
)

#: Columns that depend on the machine (left out of :meth:`Report.rows` with timing=False).
TIMING_COLUMNS = ("wall_time", "tts99_cpu_s")


def summary_row(function: str, method: str, category: str, results: Sequence[dict],
                function_meta: dict, distribution: dict | None = None,
                budget: int | None = None, *, deterministic: bool = False) -> dict:
    """One row of the table: the statistics of a method's repeats on one function.

    Args:
        function: Function label.
        method: Method label.
        category: ``"quantum"``, ``"classical"`` or ``"baseline"``.
        results: The payloads of the repeats (grid-argmin: its one cell).
        function_meta: The function's stored metadata (criterion, area fraction, …).
        distribution: A quantum method's seed-less distribution cell.
        budget: The budget of the suite's metadata (a cell's own budget wins).
        deterministic: A seed-less method (``grid-argmin``): its TTS is exact.

    Returns:
        A dict with the :data:`COLUMNS` keys.

    Example:
        >>> fm = {"criterion": {"radius": 0.1, "minimum": 0.0}}
        >>> row = summary_row("f", "m", "classical",
        ...                   [{"success_radius": True, "value": 0.0, "evals": 5}] * 4, fm)
        >>> row["successes"], row["n"], round(row["ci_low"], 3), row["mean_evals"]
        (4, 4, 0.51, 5.0)
    """
    fm = function_meta
    crit = fm["criterion"]
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update({"function": function, "method": method, "category": category,
                "n": len(results), "radius": crit.get("radius"),
                "published_qhd": fm.get("published_qhd") if method == "anneal" else None})
    if results:
        budget = results[0].get("budget", budget)
    row["budget"] = budget
    n = len(results)
    primary = "success_radius" if crit.get("radius") is not None else "success_epsilon"
    k = sum(bool(r.get(primary)) for r in results)
    lo, hi = wilson_interval(k, n)
    row.update({"successes": k, "success_rate": k / n if n else None, "ci_low": lo,
                "ci_high": hi})
    if crit.get("epsilon") is not None and crit.get("radius") is not None:
        ke = sum(bool(r.get("success_epsilon")) for r in results)
        elo, ehi = wilson_interval(ke, n)
        row.update({"eps_successes": ke, "eps_rate": ke / n if n else None,
                    "eps_ci_low": elo, "eps_ci_high": ehi})
    values = [r["value"] for r in results if r.get("value") is not None
              and math.isfinite(r["value"])]
    if values:
        row["median_value"] = float(np.median(values))
        row["best_value"] = float(np.min(values))
        if crit.get("minimum") is not None:
            row["median_gap"] = row["median_value"] - float(crit["minimum"])
    evals = [r.get("evals", 0) or 0 for r in results]
    row["mean_evals"] = float(np.mean(evals)) if evals else None
    row["errors"] = sum(1 for r in results if r.get("error"))
    walls = [float(r.get("wall_time") or 0.0) for r in results]
    wall = float(np.mean(walls)) if walls else 0.0
    if category == "quantum":
        d = distribution or {}
        wall += float(d.get("wall_time") or 0.0)
        if d.get("error"):
            row["errors"] = max(row["errors"], 1)
        row.update({"p_gm": d.get("p_global_min"), "p_success": d.get("success_probability"),
                    "yield": d.get("unconditional_yield"),
                    "shot_success": d.get("shot_success"),
                    "expected_shots": d.get("expected_shots"),
                    "cx_per_shot": d.get("cx_per_shot")})
    elif method == "random" and fm.get("area_fraction") is not None:
        row["shot_success"] = fm["area_fraction"]
        row["expected_shots"] = expected_shots(fm["area_fraction"])
    row["wall_time"] = wall
    row.update(tts_columns(category, results, distribution, deterministic=deterministic))
    return row
