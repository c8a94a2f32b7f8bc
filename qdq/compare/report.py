r"""The report of a comparison: tables (Markdown, CSV, HTML) and figures.

A :class:`Report` holds the raw cells (one per function × method × seed, plus the
seed-less distribution cells of quantum methods) and the suite's metadata; everything
else is derived from them:

* :attr:`Report.table` — one row per (function, method): success rate with its Wilson
  95 % interval, median and best value, mean evaluations, wall time, and for quantum
  methods ``P_gm``, ``P_success``, the unconditional yield, the per-shot success within
  the radius, the expected shots to a success and the CX count per shot. The ``random``
  row's per-shot success is the box fraction inside the radius (one uniform sample's
  chance); time to solution ``tts99`` with its bootstrap interval, in each cost unit
  (:mod:`qdq.compare.tts`, :mod:`qdq.compare.ttstable`).
* :meth:`Report.pivot` — functions × methods for one metric (the QHD-table view).
* :meth:`Report.plot` — a bar chart of success with intervals, final-density heatmaps of
  the quantum methods, convergence curves (median best-so-far gap vs. evaluations); drawn
  by :mod:`qdq.compare.figures`. The row statistics are :mod:`qdq.compare.table`'s.
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
    ['function', 'method', 'category', 'budget']
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

from qdq.compare.cells import decode_array
from qdq.compare.table import COLUMNS, TIMING_COLUMNS, summary_row
from qdq.compare.ttstable import tts_section

__all__ = ["COLUMNS", "Report"]


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

    def method_category(self, method: str) -> str:
        """``"quantum"``, ``"classical"`` or ``"baseline"``."""
        return next(m["category"] for m in self.meta["methods"] if m["label"] == method)

    def function_meta(self, function: str) -> dict:
        """The stored metadata of one function (box, grid, criterion, published value)."""
        return next(f for f in self.meta["functions"] if f["label"] == function)

    def seed_cells(self, function: str, method: str) -> list[dict]:
        """Result payloads of the repeats, in seed order (grid-argmin: its one cell)."""
        cells = self._index.get((function, method), [])
        if method in self.methods and self.method_category(method) == "quantum":
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
        return summary_row(function, method, self.method_category(method),
                           self.seed_cells(function, method), self.function_meta(function),
                           self.distribution_cell(function, method),
                           self.meta.get("budgets", {}).get(method),
                           deterministic=self._deterministic(method))

    def _deterministic(self, method: str) -> bool:
        from qdq.compare.registry import resolve_method
        from qdq.errors import ParameterError

        name = next((m["name"] for m in self.meta["methods"] if m["label"] == method), method)
        try:
            return resolve_method(name).deterministic
        except ParameterError:   # a method registered only in the process that ran it
            return False

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
        return [f"{mm['label']} (baseline)" if mm["category"] == "baseline" else mm["label"]
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
        quantum = [m for m in self.methods if self.method_category(m) == "quantum"]
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
            if r["category"] != "quantum":
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
            name = r["method"] + (" (baseline)" if r["category"] == "baseline" else "")
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
        th, tr, tnotes = tts_section(self.table)
        if tr:
            parts += ["## Time to solution (99 %)", "", *[f"- {n}" for n in tnotes], "",
                      self._md_table(th, tr), ""]
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
        th, tr, tnotes = tts_section(self.table)
        if tr:
            parts += ["<h2>Time to solution (99 %)</h2>",
                      "".join(f"<p>{html.escape(n)}</p>" for n in tnotes), table(th, tr)]
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
        from qdq.compare.figures import iter_figures

        return iter_figures(self, densities=densities, convergence=convergence)

    def success_figure(self):
        """Success rates with Wilson intervals (:func:`qdq.compare.figures.success_figure`)."""
        from qdq.compare.figures import success_figure

        return success_figure(self)

    def density_figure(self, function: str):
        """Final quantum densities (:func:`qdq.compare.figures.density_figure`)."""
        from qdq.compare.figures import density_figure

        return density_figure(self, function)

    def convergence_figure(self, function: str):
        """Median best-so-far gap (:func:`qdq.compare.figures.convergence_figure`)."""
        from qdq.compare.figures import convergence_figure

        return convergence_figure(self, function)

    # ------------------------------------------------------------------ saving
    def save(self, folder: str | Path, *, html: bool = False, figures: bool = True,
             dpi: int = 100) -> dict[str, str]:
        """Write the report: ``report.md`` (or ``report.html``), ``table.csv``, PNGs.

        Every file is written atomically (:mod:`qdq.files`).

        Args:
            folder: Output folder (created).
            html: Write ``report.html`` instead of ``report.md``.
            figures: Draw and save the PNG figures (under ``figures/``).
            dpi: PNG resolution.

        Returns:
            ``{"report": path, "csv": path, <figure name>: path, …}``.
        """
        from qdq.files import atomic_write_bytes, atomic_write_text
        from qdq.problem import slug

        folder = Path(folder)
        paths: dict[str, str] = {}
        links: dict[str, str] = {}
        if figures:
            from qdq.compare.figures import pyplot

            plt = pyplot()
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
