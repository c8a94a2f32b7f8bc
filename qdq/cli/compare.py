r"""``qdq compare`` and ``qdq suite`` (added to the main app by :func:`register`).

``qdq compare`` runs :func:`qdq.compare.compare` on one problem (a benchmark or an
objective string) and writes a Markdown (or HTML) report with a CSV table and figures::

    qdq compare --benchmark rastrigin --dims 2 --qubits 6 --methods anneal,dmc,shgo \
        --repeats 20 --budget 1000 --out results/rastrigin

``qdq suite`` runs :func:`qdq.compare.run_suite`; the full QHD 2-D protocol (14 functions,
256² grid, 10⁴ anneal steps, 10⁴ evaluations per classical repeat, 20 repeats)::

    qdq suite --protocol qhd --qubits 8 --steps 10000 --budget 10000 --repeats 20 \
        --out results/qhd --store results/qhd.sqlite3

Interrupt it at any time; the same command resumes from the stored cells. Method names
(``--methods``) go through the one method registry (:mod:`qdq.compare.registry`).

May import :mod:`qdq.cli.common` and :mod:`qdq.compare`; never :mod:`qdq.cli` itself.

Example:
    >>> import typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> sorted(c.name for c in app.registered_commands)
    ['compare', 'suite']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdq.cli.common import (
    FiguresOpt,
    HtmlOpt,
    JsonErrorsCommand,
    QuietOpt,
    build_problem,
    fail,
    parse_bounds,
    parse_qubits,
    print_json,
)
from qdq.errors import ParameterError, QdqError

__all__ = ["register"]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the per-method summary and the "
                                       "file paths (or the error) as JSON. (default: off)")]


def _methods(text: str | None, steps: int | None):
    from qdq.compare.methods import MethodSetting, resolve_methods

    specs = resolve_methods(text, baselines=False)
    if steps is not None:
        if isinstance(steps, bool) or steps < 1:
            raise ParameterError(f"--steps must be a whole number >= 1, got {steps!r}")
        specs = [MethodSetting(s.name, {**s.options, "steps": steps}, label=s.name)
                 if s.name == "anneal" and not s.options else s for s in specs]
    return specs


def _print_json(report, files: dict[str, str]) -> None:
    out = {"suite": report.meta.get("suite"), "methods": list(report.methods),
           "functions": list(report.functions), "success_rate": report.pivot(),
           "files": files, "run_info": report.run_info}
    print_json(out)


def _print_summary(report, files: dict[str, str], quiet: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from qdq.redact import printable

    def cell(text) -> str:  # user/stored text: no terminal escapes, no rich markup, no secrets
        return escape(printable(text))

    console = Console()
    if not console.is_terminal:  # files and pipes get the whole table, not a squeezed one
        first = max([len("function"), *map(len, report.functions)])
        console = Console(width=max(80, first + 4 + sum(max(len(m), 4) + 3
                                                        for m in report.methods)))
    if not quiet:
        t = Table(title=cell(f"success rate per repeat — {report.meta.get('suite')}"))
        t.add_column("function")
        for m in report.methods:
            t.add_column(cell(m), justify="right")
        for row in report.pivot():
            t.add_row(cell(row["function"]), *[("–" if row.get(m) is None else f"{row[m]:.2f}")
                                         for m in report.methods])
        console.print(t)
    for k in ("report", "csv"):
        if k in files:
            console.print(f"[dim]{k}:[/dim] {cell(files[k])}")
    info = report.run_info
    if "elapsed" in info:
        console.print(f"[dim]computed {info.get('computed_cells')} cells, reused "
                      f"{info.get('reused_cells')}, in {info['elapsed']:.1f} s[/dim]")


def register(app: typer.Typer) -> None:
    """Add the ``compare`` and ``suite`` commands to a typer app (the ``qdq`` CLI)."""

    @app.command("compare", cls=JsonErrorsCommand)
    def compare_cmd(
        benchmark: Annotated[str | None, typer.Option(
            help="A qdq.benchmarks name (this or --objective). (default: none)",
            show_default=False)] = None,
        dims: Annotated[int | None, typer.Option(
            help="Dimensions of --benchmark. (default: the benchmark's own)",
            show_default=False)] = None,
        objective: Annotated[str | None, typer.Option(
            "--objective", "-f", help="Objective string (this or --benchmark). (default: none)",
            show_default=False)] = None,
        bounds: Annotated[list[str] | None, typer.Option(
            "--bounds", "-b", help="'low,high' per dimension (needed with --objective). "
            "(default: none)",
            show_default=False)] = None,
        qubits: Annotated[str, typer.Option("--qubits", "-q",
                                            help="Qubits per dimension.")] = "6",
        rescale: Annotated[bool, typer.Option(help="QHD-rescale the benchmark to the unit "
                                                   "box.")] = False,
        methods: Annotated[str | None, typer.Option(
            help="Comma-separated methods (default: anneal + every classical method); "
                 "random and grid-argmin are always added.", show_default=False)] = None,
        repeats: Annotated[int, typer.Option(help="Seeds per method.")] = 20,
        seed: Annotated[int, typer.Option(help="First seed.")] = 1,
        budget: Annotated[int, typer.Option(help="Evaluations (classical) / shots "
                                                 "(quantum) per repeat.")] = 1000,
        radius: Annotated[float | None, typer.Option(
            help="Success radius around the known minimizer. (default: the benchmark's "
                 "radius, else one grid-cell diagonal)", show_default=False)] = None,
        epsilon: Annotated[float | None, typer.Option(
            help="Success tolerance on the value. (default: none; the radius decides)",
            show_default=False)] = None,
        steps: Annotated[int | None, typer.Option(
            help="Anneal steps. (default: 10000, the preset qdq solve shares; see "
                 "qdq.defaults)", show_default=False)] = None,
        executor: Annotated[str, typer.Option(help="serial | thread | process | "
                                                   "dask.")] = "serial",
        workers: Annotated[int, typer.Option(help="Workers of the executor.")] = 2,
        store: Annotated[Path | None, typer.Option(
            help="SQLite store for the cells (resumable). (default: none; nothing stored)",
            show_default=False)] = None,
        out: Annotated[Path, typer.Option(help="Report folder.")] = Path("qdq-compare"),
        html: HtmlOpt = False,
        figures: FiguresOpt = True,
        quiet: QuietOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Compare methods on one problem (budgets stated, seeds repeated, baselines added)."""
        from qdq.compare.runner import compare

        try:
            if benchmark and objective:
                raise ParameterError("give --benchmark or --objective, not both")
            q = parse_qubits(qubits)
            if benchmark:
                cfg = {"benchmark": benchmark, "dims": dims, "qubits": q, "rescale": rescale}
            elif objective:
                if not bounds:
                    raise ParameterError("--objective needs --bounds 'low,high' per dimension")
                cfg = {"objective": objective, "bounds": parse_bounds(bounds), "qubits": q}
            else:
                raise ParameterError("give --benchmark NAME or --objective TEXT --bounds L,H")
            problem = build_problem(cfg)
            report = compare(problem, methods=_methods(methods, steps), repeats=repeats,
                             seed=seed, budget=budget, radius=radius, epsilon=epsilon,
                             store=store, executor=executor, progress=not quiet,
                             workers=workers)
            files = report.save(out, html=html, figures=figures)
        except (QdqError, OSError) as exc:
            raise fail(exc, as_json) from None
        if as_json:
            _print_json(report, files)
            return
        _print_summary(report, files, quiet)

    @app.command("suite", cls=JsonErrorsCommand)
    def suite_cmd(
        protocol: Annotated[str, typer.Option(help="'qhd' (rescaled to the unit square) or "
                                                   "'none' (original boxes).")] = "qhd",
        functions: Annotated[str | None, typer.Option(
            help="Comma-separated benchmark names (default: the 14 QHD table rows).")] = None,
        methods: Annotated[str | None, typer.Option(
            help="Comma-separated methods (default: anneal + every classical method).")] = None,
        repeats: Annotated[int, typer.Option(help="Seeds per cell.")] = 20,
        seed: Annotated[int, typer.Option(help="First seed.")] = 1,
        qubits: Annotated[int, typer.Option("--qubits", "-q",
                                            help="Qubits per dimension.")] = 8,
        steps: Annotated[int, typer.Option(help="Anneal steps (dt = 10/steps).")] = 10_000,
        budget: Annotated[int, typer.Option(help="Evaluations (classical) / shots "
                                                 "(quantum) per repeat.")] = 10_000,
        epsilon: Annotated[float | None, typer.Option(
            help="Extra success criterion on the value. (default: none)",
            show_default=False)] = None,
        suite_name: Annotated[str | None, typer.Option(
            help="Store key. (default: from the settings, e.g. qhd-8q-10000steps-10000budget)",
            show_default=False)] = None,
        executor: Annotated[str, typer.Option(help="process | thread | serial | "
                                                   "dask.")] = "process",
        workers: Annotated[int, typer.Option(help="Parallel workers.")] = 2,
        store: Annotated[Path | None, typer.Option(
            help="SQLite store. (default: $QDQ_STORE, or qdq.sqlite3 in the user data dir)",
            show_default=False)] = None,
        out: Annotated[Path, typer.Option(help="Report folder.")] = Path("qdq-suite"),
        html: HtmlOpt = False,
        figures: FiguresOpt = True,
        quiet: QuietOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Run a benchmark suite in parallel, resumably (default: the QHD 2-D protocol)."""
        from qdq.compare.runner import run_suite
        from qdq.store import Store

        try:
            proto = None if protocol.lower() in ("none", "") else protocol.lower()
            name = suite_name or f"{protocol}-{qubits}q-{steps}steps-{budget}budget"
            report = run_suite(functions, _methods(methods, None), repeats, suite_name=name,
                               executor=executor, workers=workers,
                               store=Store(store) if store is not None else True,
                               progress=not quiet, grid_qubits=qubits, steps=steps,
                               budget=budget, seed=seed, protocol=proto, epsilon=epsilon)
            files = report.save(out, html=html, figures=figures)
        except (QdqError, OSError) as exc:
            raise fail(exc, as_json) from None
        if as_json:
            _print_json(report, files)
            return
        _print_summary(report, files, quiet)
