"""Command line: ``qdq solve`` and friends (typer + rich).

``qdq solve`` builds a problem from flags or a TOML file, runs one method on one backend,
prints a summary with the trivial baselines (uniform sampling, exact grid argmin), and
writes the result JSON and a density PNG (atomically) plus a row in the local store.

A TOML problem file (flags override it)::

    [problem]
    objective = "0.3*x**4 - x**2 + 0.2*x"   # or benchmark = "rastrigin", dims = 2
    bounds = [[-3, 3]]
    qubits = 8

    [method]
    name = "anneal"                          # real-time | imaginary-time | anneal | two-loop
    D = 0.5
    time = 10.0
    steps = 100
    order = 1
    schedule = "qhd-cubic"                   # anneal only: see qdq.schedules

    [run]
    backend = "aer"
    shots = 0                                # 0 = exact

Example:
    >>> from typer.testing import CliRunner
    >>> out = CliRunner().invoke(app, ["solve", "--qubits", "4", "--steps", "20",
    ...                                "--backend", "emulator", "--json", "--no-save"])
    >>> out.exit_code, '"p_global_min"' in out.stdout
    (0, True)
"""

from __future__ import annotations

import json
import sys
import time as _time
from pathlib import Path
from typing import Annotated

import typer

from qdq.cli_common import (
    BenchmarkOpt,
    BoundsOpt,
    ConfigOpt,
    DimsOpt,
    DOpt,
    MethodOpt,
    ObjectiveOpt,
    OrderOpt,
    QubitsOpt,
    ScheduleOpt,
    StepsOpt,
    TimeOpt,
    build_problem,
    build_spec,
    load_config,
    merge_options,
)
from qdq.errors import QdqError

app = typer.Typer(
    name="qdq",
    help="Quantum dynamics for optimization: objectives as Schrödinger potentials, "
    "evolved as circuits (Aer, IBM, PennyLane) and on a fast FFT emulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def summary_table(result, title: str):
    """A rich table of a result's summary with the baselines beside it."""
    from rich.table import Table

    s = result.summary()
    t = Table(title=title, show_header=True, header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.6g}"
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(f"{x:.4g}" for x in v) + ")"
        return str(v)

    rows = [
        ("best point (most probable cell)", s["best_point"]),
        ("ζ at best point", s["best_value"]),
        ("exact grid argmin (baseline)", s["grid_argmin"]),
        ("grid minimum ζ (baseline)", s["grid_minimum"]),
        ("P(global-min cell)", s["p_global_min"]),
        ("uniform sampling 1/N per shot (baseline)", s["uniform_baseline"]),
        ("gain over uniform", s["p_global_min_ratio"]),
        ("success probability (postselection)", s["success_probability"]),
        ("unconditional yield per shot", s["unconditional_yield"]),
        ("⟨ζ⟩", s["expected_potential"]),
        ("⟨H⟩", s["expected_energy"] if s["expected_energy"] is not None else "n/a"),
        ("wall time (s)", sum(s["timing"].values())),
    ]
    for k, v in rows:
        t.add_row(k, fmt(v))
    return t


def _run_with_progress(spec, backend: str, shots: int | None, seed: int | None, quiet: bool):
    from qdq.api import run

    if backend != "emulator" or quiet or not hasattr(spec, "product_formula"):
        return run(spec, backend=backend, shots=shots, seed=seed)
    from rich.progress import BarColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  "{task.percentage:>3.0f}%", TimeRemainingColumn(), transient=True,
                  console=_console(stderr=True)) as bar:
        task = bar.add_task(f"{spec.method} on emulator", total=1)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(spec, backend=backend, shots=shots, seed=seed, progress=progress)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr)


@app.command()
def solve(
    config: ConfigOpt = None,
    objective: ObjectiveOpt = None,
    bounds: BoundsOpt = None,
    qubits: QubitsOpt = None,
    benchmark: BenchmarkOpt = None,
    dims: DimsOpt = None,
    method: MethodOpt = None,
    D: DOpt = None,
    time: TimeOpt = None,
    steps: StepsOpt = None,
    order: OrderOpt = None,
    schedule: ScheduleOpt = None,
    backend: Annotated[str | None, typer.Option(help="aer | emulator | pennylane.")] = None,
    shots: Annotated[int | None, typer.Option(help="Shots (0 = exact).")] = None,
    seed: Annotated[int | None, typer.Option(help="Sampling seed.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for result JSON and PNG.")] = Path(
        "qdq-results"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    save: Annotated[bool, typer.Option(help="Write JSON/PNG and a store row.")] = True,
    store: Annotated[Path | None, typer.Option(help="SQLite store path (default: user data "
                                                    "dir, or $QDQ_STORE).")] = None,
) -> None:
    """Solve one problem with one method and print the result beside the baselines."""
    try:
        p, m, r = merge_options(load_config(config), objective=objective, bounds=bounds,
                                qubits=qubits, benchmark=benchmark, dims=dims, method=method,
                                D=D, time=time, steps=steps, order=order, schedule=schedule)
        for key, val in (("backend", backend), ("shots", shots), ("seed", seed)):
            if val is not None:
                r[key] = val
        t0 = _time.perf_counter()
        problem = build_problem(p)
        spec = build_spec(problem, m)
        n_shots = int(r["shots"]) or None
        result = _run_with_progress(spec, r["backend"], n_shots, r.get("seed"), as_json)
        result = getattr(result, "result", result)  # two-loop wraps a final Result
        elapsed = _time.perf_counter() - t0
    except QdqError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    summary = result.summary()
    summary["total_seconds"] = elapsed
    summary["problem"] = problem.to_dict()
    files: dict[str, str] = {}
    if save:
        from qdq.io import atomic_write_json
        from qdq.plotting import plot_density
        from qdq.problem import slug
        from qdq.store import Store

        stamp = _time.strftime("%Y%m%d-%H%M%S")
        base = f"{slug(problem.name)}-{m['name']}-{r['backend']}-{stamp}"
        files["json"] = str(out / f"{base}.json")
        atomic_write_json(files["json"], result.to_dict())
        files["png"] = plot_density(result, out / f"{base}.png")
        run_id = Store(store).add_run("solve", {"problem": p, "method": m, "run": r},
                                      {**summary, "files": files}, label=problem.name)
        files["store_run"] = str(run_id)
        summary["files"] = files
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        return
    console = _console()
    console.print(summary_table(result, f"{problem.name} — {m['name']} on {r['backend']}"))
    for k, v in files.items():
        console.print(f"[dim]{k}:[/dim] {v}")
    console.print(f"[dim]done in {elapsed:.2f} s[/dim]")


@app.command()
def runs(
    limit: Annotated[int, typer.Option(help="How many to list.")] = 20,
    store: Annotated[Path | None, typer.Option(help="SQLite store path.")] = None,
) -> None:
    """List recent runs recorded in the local store."""
    from rich.table import Table

    from qdq.store import Store

    t = Table(title="qdq runs")
    for col in ("id", "created", "kind", "label", "P_gm", "backend"):
        t.add_column(col)
    for row in Store(store).list_runs(limit=limit):
        res = row.get("result") or {}
        t.add_row(str(row["id"]), row["created"], row["kind"], str(row.get("label")),
                  f"{res.get('p_global_min', float('nan')):.4g}", str(res.get("backend")))
    _console().print(t)


@app.command()
def version() -> None:
    """Print the qdq version."""
    from qdq import __version__

    typer.echo(__version__)


def _register_subcommands() -> None:
    # Command groups live beside the code they drive; each module adds its own commands.
    from qdq.compare.cli import register as register_compare
    from qdq.hardware.cli import register as register_hardware

    register_compare(app)
    register_hardware(app)


_register_subcommands()


def main() -> None:  # pragma: no cover - console entry
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
