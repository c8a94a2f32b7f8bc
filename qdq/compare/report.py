r"""The report of a comparison: tables (Markdown, CSV, HTML) and figures.

A :class:`Report` holds the raw cells (one per function × method × seed, plus the
seed-less distribution cells of quantum methods) and the suite's metadata; everything
else is derived from them:

* :attr:`Report.table` — one row per (function, method): success rate with its Wilson
  95 % interval, median and best value, mean evaluations, wall time, and for quantum
  methods ``P_gm``, ``P_success``, the unconditional yield, the per-shot success within
  the radius, the expected shots to a success and the CX count per shot. The ``random``
  row's per-shot success is the box fraction inside the radius (one uniform sample's
  chance).
* :meth:`Report.pivot` — functions × methods for one metric (the QHD-table view).
* :meth:`Report.plot` — a bar chart of success with intervals, final-density heatmaps of
  the quantum methods, convergence curves (median best-so-far gap vs. evaluations).
* :meth:`Report.save` — ``report.md`` (or ``report.html``), ``table.csv`` and PNG figures,
  written atomically.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.5)**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.5],
    ...                 minimum=0.0)
    >>> rep = qdq.compare(p, methods=["random"], repeats=4, budget=30, radius=0.2,
    ...                   progress=False)
    >>> print(rep.to_markdown().splitlines()[0])
    # qdq comparison — compare:(x - 0.5)**2
    >>> rep.to_csv().splitlines()[0].split(",")[:4]
    ['function', 'method', 'kind', 'budget']
"""

from __future__ import annotations

import csv
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qdq.compare.methods import decode_array
from qdq.compare.metrics import expected_shots, wilson_interval

__all__ = ["COLUMNS", "Report"]

#: Columns of :attr:`Report.table` (CSV order). ``eps_*`` columns are filled only when an
#: epsilon criterion is in use; quantum columns only for quantum methods.
COLUMNS: tuple[str, ...] = (
    "function", "method", "kind", "budget", "n", "successes", "success_rate", "ci_low",
    "ci_high", "eps_successes", "eps_rate", "eps_ci_low", "eps_ci_high", "median_value",
    "best_value", "median_gap", "mean_evals", "wall_time", "errors", "p_gm", "p_success",
    "yield", "shot_success", "expected_shots", "cx_per_shot", "radius", "published_qhd",
)

#: Columns that depend on the machine (left out of :meth:`Report.rows` with timing=False).
TIMING_COLUMNS = ("wall_time",)


def _fmt(v: Any, spec: str = ".4g") -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if math.isinf(v):
            return "∞"
        return format(v, spec)
    return str(v)


def _rate(rate, lo, hi) -> str:
    if rate is None:
        return "–"
    return f"{rate:.2f} [{lo:.2f}, {hi:.2f}]"


class Report:
    """Results of a comparison or suite.

    Args:
        cells: ``[{"function", "method", "seed", "result"}, …]`` as stored.
        meta: Suite metadata (functions with their criteria, methods, budgets, seeds).
        run_info: How the run went (cells computed / reused, elapsed seconds).

    Attributes:
        cells: The raw cells.
        meta: The metadata.
        run_info: The run information.
    """

    def __init__(self, cells: Sequence[dict], meta: dict, run_info: dict | None = None):
        self.cells = list(cells)
        self.meta = meta
        self.run_info = dict(run_info or {})
        self._table: list[dict] | None = None
        self._index: dict[tuple[str, str], list[dict]] = {}
        for c in self.cells:
            self._index.setdefault((c["function"], c["method"]), []).append(c)

    # ------------------------------------------------------------------ structure
    @property
    def functions(self) -> list[str]:
        """Function labels in suite order."""
        return [f["label"] for f in self.meta["functions"]]

    @property
    def methods(self) -> list[str]:
        """Method labels in suite order."""
        return [m["label"] for m in self.meta["methods"]]

    def method_kind(self, method: str) -> str:
        """``"quantum"``, ``"classical"`` or ``"baseline"``."""
        return next(m["kind"] for m in self.meta["methods"] if m["label"] == method)

    def function_meta(self, function: str) -> dict:
        """The stored metadata of one function (box, grid, criterion, published value)."""
        return next(f for f in self.meta["functions"] if f["label"] == function)

    def seed_cells(self, function: str, method: str) -> list[dict]:
        """Result payloads of the repeats, in seed order (grid-argmin: its one cell)."""
        cells = self._index.get((function, method), [])
        if method in self.methods and self.method_kind(method) == "quantum":
            cells = [c for c in cells if c["seed"] is not None]
        seeds = set(self.meta.get("seeds", []))
        cells = [c for c in cells if c["seed"] is None or not seeds or c["seed"] in seeds]
        return [c["result"] for c in sorted(cells, key=lambda c: (c["seed"] is not None,
                                                                   c["seed"] or 0))]

    def distribution_cell(self, function: str, method: str) -> dict | None:
        """The seed-less cell of a quantum method (metrics and encoded distribution)."""
        for c in self._index.get((function, method), []):
            if c["seed"] is None and c["result"].get("type") == "distribution":
                return c["result"]
        return None

    def distribution(self, function: str, method: str) -> np.ndarray | None:
        """Final grid-shaped distribution of a quantum method (``None`` if unavailable)."""
        d = self.distribution_cell(function, method)
        if d is None or d.get("error") or "probabilities" not in d:
            return None
        return decode_array(d["probabilities"])

    # ------------------------------------------------------------------ the table
    @property
    def table(self) -> list[dict]:
        """One dict per (function, method) with the :data:`COLUMNS` keys."""
        if self._table is None:
            self._table = [self._row(f, m) for f in self.functions for m in self.methods
                           if (f, m) in self._index]
        return self._table

    def rows(self, *, timing: bool = True) -> list[dict]:
        """:attr:`table`, optionally without machine-dependent columns (wall time)."""
        if timing:
            return [dict(r) for r in self.table]
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in self.table]

    def row(self, method: str, function: str | None = None) -> dict:
        """The table row of ``method`` (on ``function``; default: the only/first function).

        Raises:
            KeyError: If there is no such row.
        """
        function = function if function is not None else self.functions[0]
        for r in self.table:
            if r["method"] == method and r["function"] == function:
                return r
        raise KeyError(f"no row for method {method!r} on {function!r}; methods: "
                       f"{', '.join(self.methods)}")

    def _row(self, function: str, method: str) -> dict:
        fm = self.function_meta(function)
        crit = fm["criterion"]
        kind = self.method_kind(method)
        results = self.seed_cells(function, method)
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update({"function": function, "method": method, "kind": kind,
                    "n": len(results), "radius": crit.get("radius"),
                    "published_qhd": fm.get("published_qhd") if method == "anneal" else None})
        budget = self.meta.get("budgets", {}).get(method)
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
        if kind == "quantum":
            d = self.distribution_cell(function, method) or {}
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
        return row

    def timing(self) -> list[dict]:
        """Compute time per method, summed over functions and cells (all repeats).

        Returns:
            ``[{"method", "cells", "wall_s", "cpu_s"}, …]``: worker wall-clock and process
            CPU seconds (CPU time is steadier on a shared machine; ``None`` when the cells
            were stored without it).
        """
        out = []
        for m in self.methods:
            cells = [c["result"] for c in self.cells if c["method"] == m]
            out.append({"method": m, "cells": len(cells),
                        "wall_s": float(sum(c.get("wall_time") or 0.0 for c in cells)),
                        "cpu_s": float(sum(c.get("cpu_time") or 0.0 for c in cells))
                        if any("cpu_time" in c for c in cells) else None})
        return out

    def pivot(self, metric: str = "success_rate") -> list[dict]:
        """Functions × methods for one column of :attr:`table`.

        Returns:
            One dict per function: ``{"function": …, <method>: value, …}``.

        Example:
            >>> import qdq
            >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
            >>> rep = qdq.compare(p, ["random"], repeats=2, budget=5, progress=False)
            >>> sorted(rep.pivot()[0])
            ['function', 'grid-argmin', 'random']
        """
        out = []
        for f in self.functions:
            d: dict[str, Any] = {"function": f}
            for r in self.table:
                if r["function"] == f:
                    d[r["method"]] = r.get(metric)
            out.append(d)
        return out

    # ------------------------------------------------------------------ text output
    def _header_lines(self) -> list[str]:
        m = self.meta
        seeds = m.get("seeds", [])
        budgets = m.get("budgets", {})
        btxt = ", ".join(f"{k}: {_fmt(v)}" for k, v in budgets.items() if k != "grid-argmin")
        lines = [
            f"- functions: {', '.join(self.functions)}",
            f"- methods: {', '.join(self._method_tags())}",
            f"- repeats: {m.get('repeats')} (seeds {seeds[0]}–{seeds[-1]})" if seeds else
            f"- repeats: {m.get('repeats')}",
            f"- budget per repeat: {btxt}; grid-argmin: N grid evaluations",
            f"- budget semantics: {m.get('settings', {}).get('budget_semantics', '')}",
            ("- success: the repeat's outcome (best point found) lies within the radius r of "
             "the known minimizer" + (" (and, separately, its value within ε of the known "
                                      "minimum)" if self._has_epsilon() else "")
             if self._criterion_text().startswith("outcome") else
             "- success: the repeat's best value lies within ε of the known minimum")
            + "; intervals are 95 % Wilson score intervals",
            "- per-shot success (quantum): final probability mass within r (the QHD paper's "
            "success probability); for `random`: the box fraction within r (one uniform "
            "sample); expected shots = 1 / (P_success · per-shot success)",
            "- CX per shot: closed-form CX count of the circuit one shot runs (qdq.circuits: "
            "potential oracles + kinetic blocks per step; imaginary time: probabilistic "
            "ancilla blocks)",
        ]
        s = m.get("settings", {})
        if s.get("protocol") == "qhd":
            lines.append(
                f"- protocol: QHD 2-D — each function rescaled to the unit square, "
                f"{2 ** int(s.get('grid_qubits') or 8)}² grid, anneal with the QHD cubic "
                f"schedule (D = ½, T = 10, {s.get('steps') or 10_000} first-order steps), "
                "classical methods on the same rescaled function")
        for mm in m["methods"]:
            if mm["options"]:
                lines.append(f"- options of {mm['label']}: {mm['options']}")
        return lines

    def _criterion_text(self) -> str:
        radius = any(f["criterion"].get("radius") is not None for f in self.meta["functions"])
        return "outcome within r" if radius else "value within ε of the minimum"

    def _method_tags(self) -> list[str]:
        return [f"{mm['label']} (baseline)" if mm["kind"] == "baseline" else mm["label"]
                for mm in self.meta["methods"]]

    def _has_epsilon(self) -> bool:
        return any(f["criterion"].get("epsilon") is not None for f in self.meta["functions"])

    def _md_table(self, header: list[str], rows: list[list[str]]) -> str:
        out = ["| " + " | ".join(header) + " |",
               "|" + "|".join("---" for _ in header) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)

    def _pivot_rows(self) -> tuple[list[str], list[list[str]]]:
        header = ["function", "r", *self.methods]
        quantum = [m for m in self.methods if self.method_kind(m) == "quantum"]
        header += [f"{m} per-shot" for m in quantum] + ["uniform per-sample"]
        published = any(f.get("published_qhd") is not None for f in self.meta["functions"])
        if published:
            header.append("QHD256 published")
        rows = []
        for f in self.functions:
            fm = self.function_meta(f)
            by = {r["method"]: r for r in self.table if r["function"] == f}
            line = [f, _fmt(fm["criterion"].get("radius"))]
            line += [_fmt(by[m]["success_rate"], ".2f") if m in by else "–"
                     for m in self.methods]
            line += [_fmt(by[m]["shot_success"], ".3f") if m in by else "–" for m in quantum]
            line.append(_fmt(fm.get("area_fraction"), ".3f"))
            if published:
                line.append(_fmt(fm.get("published_qhd"), ".3f"))
            rows.append(line)
        return header, rows

    def _quantum_rows(self) -> tuple[list[str], list[list[str]]]:
        header = ["function", "method", "P_gm", "P_success", "yield P_s·P_gm",
                  "per-shot success", "expected shots", "CX per shot", "uniform P_gm"]
        rows = []
        for r in self.table:
            if r["kind"] != "quantum":
                continue
            d = self.distribution_cell(r["function"], r["method"]) or {}
            if d.get("error"):
                rows.append([r["function"], r["method"], "error: " + d["error"][:80],
                             *(["–"] * 6)])
                continue
            rows.append([r["function"], r["method"], _fmt(r["p_gm"]), _fmt(r["p_success"]),
                         _fmt(r["yield"]), _fmt(r["shot_success"]), _fmt(r["expected_shots"]),
                         _fmt(r["cx_per_shot"]), _fmt(d.get("uniform_p_global_min"))])
        return header, rows

    def _long_rows(self) -> tuple[list[str], list[list[str]]]:
        eps = any(f["criterion"].get("epsilon") is not None
                  and f["criterion"].get("radius") is not None for f in self.meta["functions"])
        header = ["function", "method", "budget", "n", "success [95% CI]"]
        if eps:
            header.append("success ε [95% CI]")
        header += ["median value", "best value", "median gap", "mean evals", "wall s",
                   "errors"]
        rows = []
        for r in self.table:
            name = r["method"] + (" (baseline)" if r["kind"] == "baseline" else "")
            line = [r["function"], name, _fmt(r["budget"]), _fmt(r["n"]),
                    _rate(r["success_rate"], r["ci_low"], r["ci_high"])]
            if eps:
                line.append(_rate(r["eps_rate"], r["eps_ci_low"], r["eps_ci_high"]))
            line += [_fmt(r["median_value"]), _fmt(r["best_value"]), _fmt(r["median_gap"]),
                     _fmt(r["mean_evals"], ".0f"), _fmt(r["wall_time"], ".3g"),
                     _fmt(r["errors"])]
            rows.append(line)
        return header, rows

    def to_markdown(self, figures: dict[str, str] | None = None) -> str:
        """The report as Markdown.

        Settings, the pivot of success rates, quantum per-shot metrics and the full table;
        figure links when ``figures`` maps names to (relative) paths.
        """
        parts = [f"# qdq comparison — {self.meta.get('suite', '')}", "",
                 *self._header_lines(), ""]
        parts += [f"## Success rate per repeat ({self._criterion_text()})", "",
                  self._md_table(*self._pivot_rows()), ""]
        qh, qr = self._quantum_rows()
        if qr:
            parts += ["## Quantum-dynamics methods, per shot", "", self._md_table(qh, qr), ""]
        parts += ["## All methods", "", self._md_table(*self._long_rows()), ""]
        if self.run_info.get("elapsed") is not None:
            parts += [f"Computed {self.run_info.get('computed_cells', 0)} cells, reused "
                      f"{self.run_info.get('reused_cells', 0)} from the store, in "
                      f"{self.run_info['elapsed']:.1f} s.", ""]
        tim = self.timing()
        if any(t["cells"] for t in tim):
            parts += ["## Compute time (all cells)", "",
                      self._md_table(["method", "cells", "worker wall s", "CPU s"],
                                     [[t["method"], _fmt(t["cells"]), _fmt(t["wall_s"], ".1f"),
                                       _fmt(t["cpu_s"], ".1f")] for t in tim]), ""]
        if figures:
            parts += ["## Figures", ""]
            parts += [f"![{name}]({path})" for name, path in figures.items()]
            parts.append("")
        return "\n".join(parts)

    def to_csv(self) -> str:
        """:attr:`table` as CSV with the :data:`COLUMNS` header."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        for r in self.table:
            w.writerow({k: ("" if r.get(k) is None else r[k]) for k in COLUMNS})
        return buf.getvalue()

    def to_html(self, figures: dict[str, str] | None = None) -> str:
        """A standalone HTML page with the same content as :meth:`to_markdown`."""
        def table(header, rows):
            h = "".join(f"<th>{html.escape(c)}</th>" for c in header)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                           for r in rows)
            return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"

        title = html.escape(f"qdq comparison — {self.meta.get('suite', '')}")
        items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in self._header_lines())
        parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>",
                 "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
                 "margin-bottom:2em}td,th{border:1px solid #ccc;padding:3px 8px;"
                 "text-align:right}th{background:#eee}img{max-width:100%}</style></head><body>",
                 f"<h1>{title}</h1><ul>{items}</ul>",
                 f"<h2>Success rate per repeat ({html.escape(self._criterion_text())})</h2>",
                 table(*self._pivot_rows())]
        qh, qr = self._quantum_rows()
        if qr:
            parts += ["<h2>Quantum-dynamics methods, per shot</h2>", table(qh, qr)]
        parts += ["<h2>All methods</h2>", table(*self._long_rows())]
        if figures:
            parts.append("<h2>Figures</h2>")
            parts += [f"<figure><img src='{html.escape(p)}' alt='{html.escape(n)}'>"
                      f"<figcaption>{html.escape(n)}</figcaption></figure>"
                      for n, p in figures.items()]
        parts.append("</body></html>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return (f"Report({self.meta.get('suite')!r}: {len(self.functions)} function(s) × "
                f"{len(self.methods)} method(s), {len(self.cells)} cells)")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    # ------------------------------------------------------------------ figures
    def plot(self, *, densities: bool = True, convergence: bool = True) -> dict[str, Any]:
        """Draw the figures as matplotlib ``Figure`` objects.

        ``"success"`` (bars with Wilson intervals), one ``"density-<function>"`` per
        function with quantum methods, one ``"convergence-<function>"`` per function.

        Returns:
            ``{name: Figure}`` (close them with ``matplotlib.pyplot.close``).
        """
        return dict(self._iter_figures(densities=densities, convergence=convergence))

    def _iter_figures(self, *, densities: bool = True, convergence: bool = True):
        """Yield ``(name, Figure)`` one at a time (the caller closes each)."""
        yield "success", self.success_figure()
        for f in self.functions:
            if densities:
                fig = self.density_figure(f)
                if fig is not None:
                    yield f"density-{f}", fig
            if convergence:
                fig = self.convergence_figure(f)
                if fig is not None:
                    yield f"convergence-{f}", fig

    def success_figure(self):
        """Grouped bars: success rate per function and method with Wilson 95 % intervals.

        Functions are spread over rows (about 60 bars per row) so large suites stay legible.
        Every method has its own colour and marker (:func:`qdq.plotting.method_styles`; the
        marker sits on the bar's top), baselines are hatched, quantum methods outlined. The
        legend is outside the axes on the right and the layout is constrained, so the title,
        the tick labels and every legend entry lie inside the figure.
        """
        import textwrap

        from matplotlib.legend_handler import HandlerTuple

        from qdq.plotting import method_styles

        plt = _pyplot()
        fns, ms = self.functions, self.methods
        styles = method_styles(ms)
        per_row = max(1, min(len(fns), 60 // max(1, len(ms))))
        nrows = -(-len(fns) // per_row)
        width = 0.8 / max(1, len(ms))
        ncol = 1 if len(ms) <= 18 else 2
        legend_w = ncol * (0.6 + 0.075 * max((len(m) for m in ms), default=8))
        axes_w = min(14.0, max(5.5, 1.0 + 0.13 * per_row * len(ms) + 0.4 * per_row))
        fig_w = axes_w + legend_w
        height = 2.9 * nrows + 0.9
        fig, axes = plt.subplots(nrows, 1, figsize=(fig_w, height), squeeze=False,
                                 layout="constrained")
        by = {(r["function"], r["method"]): r for r in self.table}
        handles: dict[str, tuple] = {}
        for i, ax in enumerate(axes[:, 0]):
            chunk = fns[i * per_row:(i + 1) * per_row]
            x = np.arange(len(chunk))
            for j, m in enumerate(ms):
                rates, lo, hi = [], [], []
                for f in chunk:
                    r = by.get((f, m))
                    ok = r is not None and r["success_rate"] is not None
                    rate = r["success_rate"] if ok else np.nan
                    rates.append(rate)
                    lo.append(rate - r["ci_low"] if ok else 0.0)
                    hi.append(r["ci_high"] - rate if ok else 0.0)
                kind = self.method_kind(m)
                xs = x + (j - (len(ms) - 1) / 2) * width
                bars = ax.bar(xs, rates, width, yerr=[np.nan_to_num(lo), np.nan_to_num(hi)],
                              capsize=1.5, color=styles[m]["color"],
                              hatch="//" if kind == "baseline" else None,
                              edgecolor="k" if kind == "quantum" else "0.3", linewidth=0.6,
                              error_kw={"elinewidth": 0.6}, label=m)
                (mark,) = ax.plot(xs, rates, ls="none", marker=styles[m]["marker"], ms=4.5,
                                  mfc=styles[m]["color"], mec="k", mew=0.6, gid=m)
                handles.setdefault(m, (bars.patches[0], mark))
            ax.set_xticks(x)
            ax.set_xticklabels(chunk, rotation=30 if len(chunk) > 5 else 0,
                               ha="right" if len(chunk) > 5 else "center")
            ax.set_xlim(-0.6, max(len(chunk), per_row) - 0.4)
            ax.set_ylim(0, 1.08)
            ax.set_ylabel("success rate")
        title = (f"{self.meta.get('suite', '')}: outcome within r of the minimizer "
                 "(95 % Wilson intervals; hatched: baselines; outlined: quantum)")
        # An axes title (not a suptitle) so the outside legend cannot overlap it; wrapped to
        # about 12 characters per inch of axes width at 10 pt.
        axes[0, 0].set_title(textwrap.fill(title, width=max(30, int((axes_w - 0.8) * 12))),
                             fontsize=10)
        fig.legend([handles[m] for m in ms if m in handles], [m for m in ms if m in handles],
                   handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
                   loc="outside right upper", ncol=ncol, fontsize=8, title="method",
                   title_fontsize=8)
        return fig

    def density_figure(self, function: str):
        """Final densities of the quantum methods on ``function`` (``None`` if none).

        2-D (or marginalized to the first two axes): a log-scaled heatmap whose pixel
        ``(j₀, j₁)`` is centred on the grid point (:func:`qdq.plotting.cell_extent`), the
        known minimizer marked ``+`` and the success radius drawn as a circle, with axis
        labels and a colour bar. 1-D: the density on a log axis with the success interval.
        """
        quantum = [m for m in self.methods if self.method_kind(m) == "quantum"
                   and self.distribution(function, m) is not None]
        if not quantum:
            return None
        from matplotlib import colormaps
        from matplotlib.colors import LogNorm

        from qdq.plotting import ZERO_FLOOR, cell_extent

        plt = _pyplot()
        fm = self.function_meta(function)
        box = fm["bounds"]
        crit = fm["criterion"]
        fig, axes = plt.subplots(1, len(quantum), figsize=(4.6 * len(quantum), 4.0),
                                 squeeze=False, layout="constrained")
        for ax, m in zip(axes[0], quantum, strict=True):
            p = self.distribution(function, m)
            d = self.distribution_cell(function, m)
            has_region = crit.get("center") is not None and crit.get("radius") is not None
            if p.ndim == 1:
                xs = box[0][0] + (box[0][1] - box[0][0]) * np.arange(p.size) / p.size
                ax.plot(xs, np.maximum(p, ZERO_FLOOR), label="probability")
                ax.set_yscale("log")
                if has_region:
                    c, r = crit["center"][0], crit["radius"]
                    ax.axvspan(c - r, c + r, color="C3", alpha=0.15, label="success region")
                ax.set_xlabel("x")
                ax.set_ylabel(f"probability (0 drawn at {ZERO_FLOOR:g})")
                ax.legend(fontsize=7)
            else:
                img = p if p.ndim == 2 else p.sum(axis=tuple(range(2, p.ndim)))
                vmax = float(img.max())
                cmap = colormaps["magma"].with_extremes(under="black", bad="black")
                im = ax.imshow(img.T, origin="lower", extent=cell_extent(box, img.shape),
                               aspect="auto", cmap=cmap, interpolation="nearest",
                               norm=LogNorm(vmin=max(vmax * 1e-6, 1e-300), vmax=vmax))
                fig.colorbar(im, ax=ax, extend="min",
                             label="probability (log; below 1e-6·max: black)")
                if has_region:
                    c = crit["center"]
                    ax.add_patch(plt.Circle((c[0], c[1]), crit["radius"], fill=False,
                                            color="c", lw=1.2, label="success radius"))
                    ax.plot(c[0], c[1], "c+", ms=9, mew=1.5, label="minimizer")
                    ax.legend(fontsize=7, loc="upper right")
                ax.set_xlabel("x")
                ax.set_ylabel("y")
            ax.set_title(f"{m}: per-shot {d.get('shot_success', 0):.3g}, "
                         f"P_s {d.get('success_probability', 0):.2g}", fontsize=9)
        fig.suptitle(f"{function}: final densities", fontsize=10)
        return fig

    def convergence_figure(self, function: str):
        """Median best-so-far gap ``f − f*`` vs. evaluations (shots for quantum methods).

        Log-log axes; an exact gap of 0 cannot be drawn on them, so medians ``≤ 0`` are
        drawn at :data:`qdq.plotting.ZERO_FLOOR`, which the y label and a legend entry (a
        grey line at the floor) then state. Colours and markers match
        :meth:`success_figure`.
        """
        from qdq.plotting import ZERO_FLOOR, method_styles

        plt = _pyplot()
        fm = self.function_meta(function)
        fstar = fm["criterion"].get("minimum") or 0.0
        styles = method_styles(self.methods)
        fig, ax = plt.subplots(figsize=(7.6, 4.2), layout="constrained")
        drawn = 0
        floored = False
        for m in self.methods:
            results = self.seed_cells(function, m)
            hists = [np.asarray(r.get("history") or [], dtype=float).reshape(-1, 2)
                     for r in results]
            hists = [h for h in hists if len(h)]
            if not hists:
                continue
            top = max(float(h[-1, 0]) for h in hists)
            grid = np.unique(np.geomspace(1, max(top, 1), 80).round())
            curves = []
            for h in hists:
                idx = np.searchsorted(h[:, 0], grid, side="right") - 1
                vals = np.where(idx >= 0, h[np.clip(idx, 0, None), 1], np.nan)
                curves.append(vals - fstar)
            med = np.nanmedian(np.vstack(curves), axis=0) if len(curves) > 1 else curves[0]
            floored |= bool(np.any(med <= ZERO_FLOOR))
            shown = np.maximum(med, ZERO_FLOOR)
            kind = self.method_kind(m)
            style = {"quantum": "--", "baseline": ":"}.get(kind, "-")
            st = styles[m]
            if m == "grid-argmin":
                ax.plot(grid[-1:], shown[-1:], ls="none", marker="*", ms=10, color="k",
                        label=m)
            else:
                ax.step(grid, shown, where="post", ls=style, color=st["color"],
                        marker=st["marker"], markevery=[len(grid) - 1], ms=5, mec="k",
                        mew=0.5, label=m + (" (shots)" if kind == "quantum" else ""))
            drawn += 1
        if not drawn:
            plt.close(fig)
            return None
        ylabel = "median best-so-far  f − f*"
        if floored:
            ax.axhline(ZERO_FLOOR, color="0.6", lw=0.8, ls="-.",
                       label=f"exact 0 plotted at floor {ZERO_FLOOR:g}")
            ylabel += f"  (0 plotted at floor {ZERO_FLOOR:g})"
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("objective evaluations (quantum: surviving shots)")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{function}: convergence")
        fig.legend(fontsize=7, loc="outside right upper")
        return fig

    # ------------------------------------------------------------------ saving
    def save(self, folder: str | Path, *, html: bool = False, figures: bool = True,
             dpi: int = 100) -> dict[str, str]:
        """Write the report: ``report.md`` (or ``report.html``), ``table.csv``, PNGs.

        Every file is written atomically (:mod:`qdq.io`).

        Args:
            folder: Output folder (created).
            html: Write ``report.html`` instead of ``report.md``.
            figures: Draw and save the PNG figures (under ``figures/``).
            dpi: PNG resolution.

        Returns:
            ``{"report": path, "csv": path, <figure name>: path, …}``.
        """
        from qdq.io import atomic_write_bytes, atomic_write_text
        from qdq.problem import slug

        folder = Path(folder)
        paths: dict[str, str] = {}
        links: dict[str, str] = {}
        if figures:
            plt = _pyplot()
            for name, fig in self._iter_figures():
                rel = f"figures/{slug(name)}.png"
                buf = io.BytesIO()
                fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
                plt.close(fig)
                atomic_write_bytes(folder / rel, buf.getvalue())
                paths[name] = str(folder / rel)
                links[name] = rel
        csv_path = folder / "table.csv"
        atomic_write_text(csv_path, self.to_csv())
        if html:
            rpath = folder / "report.html"
            atomic_write_text(rpath, self.to_html(links))
        else:
            rpath = folder / "report.md"
            atomic_write_text(rpath, self.to_markdown(links))
        return {"report": str(rpath), "csv": str(csv_path), **paths}


def _pyplot():
    import sys

    if "matplotlib.pyplot" not in sys.modules:  # keep a backend the user already chose
        import matplotlib

        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt
