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
* :meth:`Report.to_markdown`, :meth:`Report.to_csv`, :meth:`Report.to_html` — the text,
  rendered by :mod:`qdq.compare.render`. Every row carries ``compile_evals``: the objective
  evaluations that compiled a quantum method's oracle (ζ on every grid point, an exhaustive
  grid search; 0 for the other methods), and each table with a quantum row says so.

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

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qdq.compare.cells import decode_array
from qdq.compare.render import COLUMNS, to_csv, to_html, to_markdown
from qdq.compare.table import TIMING_COLUMNS, summary_row

__all__ = ["COLUMNS", "Report"]


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
        category = self.method_category(method)
        fm = self.function_meta(function)
        dist = self.distribution_cell(function, method)
        row = summary_row(function, method, category, self.seed_cells(function, method), fm,
                          dist, self.meta.get("budgets", {}).get(method),
                          deterministic=self._deterministic(method))
        row["compile_evals"] = self._compile_evals(category, fm, dist)
        return row

    @staticmethod
    def _compile_evals(category: str, fm: dict, dist: dict | None) -> int | None:
        """Objective evaluations spent compiling a quantum method's oracle (0 otherwise).

        The classical preprocessing the per-shot figures leave out: the cell's own count
        (:func:`qdq.compare.quantum.compile_evals`), else — a cell stored before it was
        recorded — the grid size ``Π N_d`` of the function's metadata; ``None`` if neither.
        """
        if category != "quantum":
            return 0
        if dist is not None and dist.get("compile_evals") is not None:
            return int(dist["compile_evals"])
        shape = fm.get("grid_shape")
        return int(np.prod(shape)) if shape else None

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
    def to_markdown(self, figures: dict[str, str] | None = None) -> str:
        """The report as Markdown (:func:`qdq.compare.render.to_markdown`).

        Settings, the pivot of success rates, quantum per-shot metrics and the full table,
        each table with a quantum row followed by the compile-cost note; figure links when
        ``figures`` maps names to (relative) paths.
        """
        return to_markdown(self, figures)

    def to_csv(self) -> str:
        """:attr:`table` as CSV with the :data:`COLUMNS` header."""
        return to_csv(self)

    def to_html(self, figures: dict[str, str] | None = None) -> str:
        """A standalone HTML page with the same content as :meth:`to_markdown`."""
        return to_html(self, figures)

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
