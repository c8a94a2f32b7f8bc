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
    D = 0.5                                  # default: 0.5·L̄² (qdq.defaults)
    time = 10.0
    steps = 400                              # default: 10000 (emulator), 400 (circuits)
    order = 1
    schedule = "qhd-cubic"                   # anneal only: see qdq.schedules
    # two-loop only: D is D0; ratio, levels, dtau, tol, chunk_steps, max_inner_steps

    [run]
    backend = "aer"
    shots = 0                                # 0 = exact
    seed = 1

Every key is optional; an unknown table or key is refused (with the closest valid name).
Left out, the method's numbers are :func:`qdq.defaults.method_defaults` — the defaults
``qdq compare`` uses — so both commands run the same anneal on the same problem.

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
    JsonErrorsCommand,
    MethodOpt,
    ObjectiveOpt,
    OrderOpt,
    QubitsOpt,
    ScheduleOpt,
    StepsOpt,
    TimeOpt,
    build_problem,
    build_spec,
    check_run,
    fail,
    is_circuit_backend,
    load_config,
    merge_options,
    resolve_method,
)
from qdq.errors import ParameterError, QdqError

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


def settings_line(m: dict, backend: str, steps_given: bool) -> str:
    """One line naming the method settings used (and why ``steps`` differs from compare's).

    Example:
        >>> line = settings_line({"name": "anneal", "D": 18.0, "time": 10.0, "steps": 400,
        ...                       "order": 1, "schedule": "qhd-cubic"}, "aer", False)
        >>> line[:70]
        'anneal: D=18, time=10, steps=400, order=1, schedule=qhd-cubic (steps c'
    """
    from qdq.defaults import METHOD_DEFAULTS

    text = f"{m['name']}: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                        for k, v in m.items() if k != "name")
    full = METHOD_DEFAULTS.get(m["name"], {}).get("steps")
    if not steps_given and full is not None and m.get("steps") != full \
            and is_circuit_backend(backend):
        text += (f" (steps capped at {m['steps']} for circuit backends; the emulator and qdq "
                 f"compare use {full} — pass --steps or --backend emulator for those)")
    return text


@app.command(cls=JsonErrorsCommand)
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
    backend: Annotated[str | None, typer.Option(
        help="aer | emulator | pennylane. (default: aer, or the config's run table)",
        show_default=False)] = None,
    shots: Annotated[int | None, typer.Option(
        help="Shots; 0 = exact probabilities. (default: 0, or the config's run table)",
        show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        help="Sampling seed >= 0. (default: fresh randomness, or the config's run table)",
        show_default=False)] = None,
    out: Annotated[Path, typer.Option(help="Folder for result JSON and PNG.",
                                      show_default=True)] = Path("qdq-results"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (or the error) "
                                          "as JSON. (default: off)")] = False,
    save: Annotated[bool, typer.Option(help="Write JSON/PNG and a store row.",
                                       show_default=True)] = True,
    store: Annotated[Path | None, typer.Option(
        help="SQLite store path. (default: $QDQ_STORE, or qdq.sqlite3 in the user data dir)",
        show_default=False)] = None,
) -> None:
    """Solve one problem with one method and print the result beside the baselines.

    With no options: the README's double well, annealed on Aer.
    Method numbers left out are the ones `qdq compare` uses
    (qdq.defaults), with steps capped on circuit backends;
    the settings used are printed first.
    """
    try:
        p, m, r = merge_options(load_config(config), objective=objective, bounds=bounds,
                                qubits=qubits, benchmark=benchmark, dims=dims, method=method,
                                D=D, time=time, steps=steps, order=order, schedule=schedule)
        for key, val in (("backend", backend), ("shots", shots), ("seed", seed)):
            if val is not None:
                r[key] = val
        check_run(r)
        steps_given = "steps" in m
        t0 = _time.perf_counter()
        problem = build_problem(p)
        m = resolve_method(problem, m, r["backend"])
        spec = build_spec(problem, m, r["backend"])
        n_shots = int(r["shots"]) or None
        if not as_json:
            _console().print(f"[dim]{settings_line(m, r['backend'], steps_given)}"
                                        "[/dim]", highlight=False)
        result = _run_with_progress(spec, r["backend"], n_shots, r.get("seed"), as_json)
        result = getattr(result, "result", result)  # two-loop wraps a final Result
        elapsed = _time.perf_counter() - t0
    except QdqError as exc:
        raise fail(exc, as_json) from None
    summary = result.summary()
    summary["total_seconds"] = elapsed
    summary["problem"] = problem.to_dict()
    summary["settings"] = m
    files: dict[str, str] = {}
    save_error = None
    if save:
        try:
            _save_solve(result, summary, files, problem, p, m, r, out, store)
        except (QdqError, OSError) as exc:  # the result is still printed, then the failure
            from qdq.io import redact

            save_error = redact(f"could not save the result ({type(exc).__name__}: {exc})")
            summary["save_error"] = save_error
        summary["files"] = files
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        if save_error:
            typer.echo(f"error: {save_error}", err=True)
            raise typer.Exit(2)
        return
    console = _console()
    console.print(summary_table(result, f"{problem.name} — {m['name']} on {r['backend']}"))
    if files and not save_error:
        paths = ", ".join(v for k, v in files.items() if k not in ("store_run", "store"))
        console.print(f"saved run {files['store_run']} to {files['store']}; files: {paths}",
                      highlight=False, soft_wrap=True)
    console.print(f"[dim]done in {elapsed:.2f} s[/dim]")
    if save_error:
        typer.echo(f"error: {save_error}", err=True)
        raise typer.Exit(2)


def _save_solve(result, summary, files, problem, p, m, r, out, store) -> None:
    """Write the result JSON and PNG under names no other run can take, then the store row.

    Concurrent runs used to share a one-second timestamp and overwrite each other's files;
    the names now carry a random suffix and the JSON is created exclusively (never
    replacing a file), which reserves the name for the PNG beside it too.
    """
    from qdq.io import atomic_create_json, unique_stem
    from qdq.plotting import plot_density
    from qdq.problem import slug
    from qdq.store import Store

    db = Store(store)
    data = result.to_dict()
    for _attempt in range(5):
        base = unique_stem(f"{slug(problem.name)}-{m['name']}-{r['backend']}")
        try:
            atomic_create_json(out / f"{base}.json", data)
            break
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
    else:  # pragma: no cover
        raise FileExistsError(f"no free result file name in {str(out)!r}")
    files["json"] = str(out / f"{base}.json")
    files["png"] = plot_density(result, out / f"{base}.png")
    run_id = db.add_run("solve", {"problem": p, "method": m, "run": r},
                        {**summary, "files": dict(files)}, label=problem.name)
    files["store_run"] = str(run_id)
    files["store"] = str(db.path)


runs_app = typer.Typer(name="runs", help="List the runs in the local store; `qdq runs show "
                       "ID` prints one.", invoke_without_command=True, add_completion=False,
                       pretty_exceptions_enable=False)
app.add_typer(runs_app, name="runs")

RunsStoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="SQLite store path. (default: $QDQ_STORE, or qdq.sqlite3 in the user data "
    "dir)", show_default=False)]
RunsJsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (errors too). "
                                           "(default: off)")]


def _run_fields(row: dict) -> dict:
    """The columns of one stored run: method and backend from its parameters or result."""
    params, res = row.get("params") or {}, row.get("result") or {}
    method = (params.get("method") or {}) if isinstance(params.get("method"), dict) else {}
    run = params.get("run") if isinstance(params.get("run"), dict) else {}
    p_gm = res.get("p_global_min")
    return {"id": row["id"], "created": row["created"], "kind": row["kind"],
            "label": row.get("label"), "method": method.get("name") or res.get("method"),
            "backend": run.get("backend") or res.get("backend"),
            "p_global_min": p_gm if isinstance(p_gm, (int, float)) else None}


def runs_table(rows: list[dict], wide: bool = False, title: str = "qdq runs"):
    """The ``qdq runs`` table: one line per run, cells cut with "…" to fit unless ``wide``.

    Example:
        >>> import os
        >>> from rich.console import Console
        >>> row = {"id": 7, "created": "2024-05-01T12:34:56+00:00", "kind": "solve",
        ...        "label": "x**2", "params": {"method": {"name": "anneal"},
        ...        "run": {"backend": "aer"}}, "result": {"p_global_min": 0.5}}
        >>> c = Console(width=80, record=True, file=open(os.devnull, "w"))
        >>> c.print(runs_table([row]))
        >>> text = c.export_text()
        >>> "anneal" in text and "05-01 12:34" in text
        True
    """
    from qdq.cli_common import listing_row, listing_table, short_time

    t = listing_table(title, [("id", "right"), ("created", "left"), ("kind", "left"),
                              ("method", "left"), ("backend", "left"), ("P_gm", "right"),
                              ("label", "left")], wide,
                      flexible=("method", "backend", "label"))
    for row in rows:
        f = _run_fields(row)
        p_gm = "—" if f["p_global_min"] is None else f"{f['p_global_min']:.4g}"
        t.add_row(*listing_row([f["id"], short_time(f["created"], wide), f["kind"],
                                f["method"] or "—", f["backend"] or "—", p_gm,
                                f["label"] or "—"], wide))
    return t


@runs_app.callback()
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many to list, newest first.",
                                       show_default=True)] = 20,
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind (e.g. solve). "
                                             "(default: every kind)", show_default=False)] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Whole cells, full times; no cutting "
                                       "to the terminal width. (default: off)")] = False,
    as_json: RunsJsonOpt = False,
    store: RunsStoreOpt = None,
) -> None:
    """List recent runs recorded in the local store (`qdq runs show ID` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from qdq.cli_common import listing_console, wants_wide
    from qdq.store import Store

    try:
        if isinstance(limit, bool) or limit < 1:
            raise ParameterError(f"--limit must be a whole number >= 1, got {limit!r}")
        rows = Store(store).list_runs(kind=kind, limit=limit, strict=False)
    except QdqError as exc:
        raise fail(exc, as_json) from None
    # A damaged row is reported and skipped, so one bad write never hides the rest.
    for bad in (r for r in rows if r.get("error")):
        typer.echo(f"warning: skipped {bad['error']}", err=True)
    rows = [r for r in rows if not r.get("error")]
    if as_json:
        sys.stdout.write(json.dumps([_run_fields(r) for r in rows], indent=2, default=str)
                         + "\n")
        return
    wide = wants_wide(wide)
    listing_console(wide).print(runs_table(rows, wide))


@runs_app.command("show", cls=JsonErrorsCommand)
def runs_show(
    run_id: Annotated[int, typer.Argument(help="Run id (the first column of `qdq runs`).",
                                          show_default=False)],
    as_json: RunsJsonOpt = False,
    store: RunsStoreOpt = None,
) -> None:
    """Print one stored run: its spec (problem, method, run), metrics and file paths."""
    from qdq.errors import StoreError
    from qdq.store import Store

    try:
        db = Store(store)
        try:
            row = db.get_run(run_id)
        except StoreError as exc:
            if not str(exc).startswith("no run with id"):
                raise
            raise StoreError(f"no run with id {run_id} in the store {str(db.path)!r}; "
                             "`qdq runs` lists the stored runs (pass --store for another "
                             "file)") from None
    except QdqError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        sys.stdout.write(json.dumps({**row, "store": str(db.path)}, indent=2, default=str)
                         + "\n")
        return
    _print_run(row, db.path)


def _print_run(row: dict, store_path) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    f = _run_fields(row)
    console.print(f"[bold]run {f['id']}[/bold] ({escape(str(f['kind']))}, {f['created']}) — "
                  f"{escape(str(f['label'] or ''))}", highlight=False, soft_wrap=True)
    params = row.get("params") or {}
    spec = Table(title="spec", show_header=True, header_style="bold")
    spec.add_column("table")
    spec.add_column("key")
    spec.add_column("value", overflow="fold")
    for table, values in params.items():
        items = values.items() if isinstance(values, dict) else [("", values)]
        for key, val in items:
            spec.add_row(escape(f"[{table}]"), escape(str(key)),
                         escape(json.dumps(val, default=str)))
    console.print(spec)
    res = dict(row.get("result") or {})
    files = res.pop("files", None) or {}
    metrics = Table(title="metrics", show_header=True, header_style="bold")
    metrics.add_column("quantity")
    metrics.add_column("value", justify="right", overflow="fold")
    for key, val in res.items():
        if key in ("problem", "settings"):  # already in the spec
            continue
        if isinstance(val, float):
            text = f"{val:.6g}"
        elif isinstance(val, dict):
            text = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                             for k, v in val.items())
        else:
            text = json.dumps(val, default=str)
        metrics.add_row(escape(str(key)), escape(text))
    console.print(metrics)
    for key, val in files.items():
        if key not in ("store_run", "store"):
            console.print(f"[dim]{escape(str(key))}:[/dim] {escape(str(val))}",
                          highlight=False, soft_wrap=True)
    console.print(f"[dim]store:[/dim] {escape(str(store_path))}", highlight=False,
                  soft_wrap=True)


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
