"""``qdq solve``: one problem, one method, one backend, printed beside the baselines.

``qdq solve`` builds a problem from flags or a TOML file (the format:
:mod:`qdq.cli.common`), runs one method on one backend, prints a summary with the trivial
baselines (uniform sampling, exact grid argmin), and writes the result JSON and a density
PNG (atomically) plus a row in the local store. Left out, the method's numbers are the ones
``qdq compare`` uses (:func:`qdq.defaults.method_defaults`), with ``steps`` capped on
circuit backends; the settings used are printed first.

May import :mod:`qdq.cli.common`, :mod:`qdq.cli.tables` and the library; never
:mod:`qdq.cli` itself.

Example:
    >>> import typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> out = CliRunner().invoke(app, ["--qubits", "4", "--steps", "20",
    ...                                "--backend", "emulator", "--json", "--no-save"])
    >>> out.exit_code, '"p_global_min"' in out.stdout
    (0, True)
"""

from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Annotated

import typer

from qdq.cli.binary import (
    BinaryOpt,
    DeltaOpt,
    LabsOpt,
    LpOpt,
    MaxcutOpt,
    POpt,
    QuboOpt,
    TspOpt,
    binary_table,
    build_binary_problem,
    is_binary_table,
)
from qdq.cli.common import (
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
    method_settings,
    print_json,
)
from qdq.cli.tables import MAX_CELL, console, summary_table
from qdq.errors import ParameterError, QdqError
from qdq.redact import printable

__all__ = ["register", "settings_line", "solve"]


def _run_with_progress(spec, backend: str, shots: int | None, seed: int | None, quiet: bool):
    from qdq.api import run
    from qdq.hardware.clouds import cloud_prefix

    prefix = cloud_prefix(backend)
    if prefix is not None:  # braket:<device>, ionq:<device>, iqm:<device>: submit and wait
        if shots is None:
            raise ParameterError(f"--backend {backend} samples: pass --shots N (e.g. 1000)")
        return run(spec, backend=prefix, device=backend.partition(":")[2], shots=shots,
                   seed=seed)
    if backend not in ("emulator", "local") or quiet or not hasattr(spec, "product_formula"):
        return run(spec, backend=backend, shots=shots, seed=seed)
    from rich.progress import BarColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  "{task.percentage:>3.0f}%", TimeRemainingColumn(), transient=True,
                  console=console(stderr=True)) as bar:
        task = bar.add_task(f"{spec.method} on {backend}", total=1)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(spec, backend=backend, shots=shots, seed=seed, progress=progress)


def settings_line(m: dict, backend: str, steps_given: bool, binary: bool = False) -> str:
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
    if not binary and not steps_given and full is not None and m.get("steps") != full \
            and is_circuit_backend(backend):
        text += (f" (steps capped at {m['steps']} for circuit backends; the emulator and qdq "
                 f"compare use {full} — pass --steps or --backend emulator for those)")
    return text


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
    qubo: QuboOpt = None,
    lp: LpOpt = None,
    maxcut: MaxcutOpt = None,
    labs: LabsOpt = None,
    tsp: TspOpt = None,
    binary: BinaryOpt = None,
    p_layers: POpt = None,
    delta: DeltaOpt = None,
    backend: Annotated[str | None, typer.Option(
        help="aer | local (the fastest state-vector engine) | emulator | jax | pennylane | "
             "a cloud device: braket:local, braket:<device>, ionq:<device>, iqm:<device> "
             "(needs --shots; recorded as a job). (default: aer, or the config's run table)",
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

    With no options: the README's double well, annealed on Aer. Binary problems:
    --qubo, --lp, --maxcut, --labs, --tsp or --binary (one of them; anneal by default,
    or --method qaoa with --p layers).
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
        grid_flags = tuple(f"--{k}" for k, v in (("objective", objective), ("bounds", bounds),
                           ("qubits", qubits), ("benchmark", benchmark), ("dims", dims))
                           if v is not None)
        p = binary_table(p, grid_flags=grid_flags, qubo=qubo, lp=lp, maxcut=maxcut,
                         labs=labs, tsp=tsp, binary=binary)
        for key, val in (("p", p_layers), ("delta", delta)):
            if val is not None:
                m[key] = val
        steps_given = "steps" in m
        t0 = _time.perf_counter()
        is_binary = is_binary_table(p)
        problem = build_binary_problem(p) if is_binary else build_problem(p)
        m = method_settings(problem, m, r["backend"])
        spec = build_spec(problem, m, r["backend"])
        n_shots = int(r["shots"]) or None
        if not as_json:
            from rich.markup import escape

            line = printable(settings_line(m, r["backend"], steps_given, is_binary), limit=MAX_CELL)
            console().print(f"[dim]{escape(line)}[/dim]", highlight=False)
        result = _run_with_progress(spec, r["backend"], n_shots, r.get("seed"), as_json)
        result = getattr(result, "result", result)  # two-loop wraps a final Result
        elapsed = _time.perf_counter() - t0
    except QdqError as exc:
        raise fail(exc, as_json) from None
    except KeyboardInterrupt:
        # Ctrl-C: the engines stop at the next factor; say so instead of a traceback.
        raise fail(QdqError("interrupted before the run finished; nothing was saved"),
                   as_json, code=130) from None
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
            from qdq.redact import redact

            save_error = redact(f"could not save the result ({type(exc).__name__}: {exc})")
            summary["save_error"] = save_error
        summary["files"] = files
    if as_json:
        print_json(summary)
        if save_error:
            typer.echo(f"error: {printable(save_error, newlines=True)}", err=True)
            raise typer.Exit(2)
        return
    out_console = console()
    ran = getattr(result, "backend", r["backend"])  # "local" names the engine it picked
    where = r["backend"] if ran == r["backend"] else f"{r['backend']} ({ran})"
    out_console.print(summary_table(result, f"{problem.name} — {m['name']} on {where}"))
    if files and not save_error:
        from rich.markup import escape

        paths = ", ".join(v for k, v in files.items() if k not in ("store_run", "store"))
        out_console.print(escape(printable(f"saved run {files['store_run']} to "
                                           f"{files['store']}; files: {paths}")),
                          highlight=False, soft_wrap=True)
    out_console.print(f"[dim]done in {elapsed:.2f} s[/dim]")
    if save_error:
        typer.echo(f"error: {printable(save_error, newlines=True)}", err=True)
        raise typer.Exit(2)


def _save_solve(result, summary, files, problem, p, m, r, out, store) -> None:
    """Write the result JSON and PNG under names no other run can take, then the store row.

    Concurrent runs used to share a one-second timestamp and overwrite each other's files;
    the names now carry a random suffix and the JSON is created exclusively (never
    replacing a file), which reserves the name for the PNG beside it too. The folder is
    checked first (a file, a dangling link, not writable: said so), and the name, built
    from user text (problem name, method, backend), is one safe component inside it.
    """
    from qdq.files import atomic_create_json, unique_stem
    from qdq.outpaths import confined_path, output_dir, safe_filename
    from qdq.plotting import plot_density
    from qdq.store import Store

    db = Store(store)
    data = result.to_dict()
    folder = output_dir(out)
    stem = safe_filename(f"{problem.name}-{m['name']}-{r['backend']}", limit=100)
    for _attempt in range(5):
        base = unique_stem(stem)
        try:
            atomic_create_json(confined_path(folder, f"{base}.json"), data)
            break
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
    else:  # pragma: no cover
        raise FileExistsError(f"no free result file name in {str(out)!r}")
    files["json"] = str(folder / f"{base}.json")
    files["png"] = plot_density(result, confined_path(folder, f"{base}.png"))
    run_id = db.add_run("solve", {"problem": p, "method": m, "run": r},
                        {**summary, "files": dict(files)}, label=problem.name)
    files["store_run"] = str(run_id)
    files["store"] = str(db.path)


def register(app: typer.Typer) -> None:
    """Add the ``solve`` command to a typer app (the ``qdq`` CLI)."""
    app.command("solve", cls=JsonErrorsCommand)(solve)
