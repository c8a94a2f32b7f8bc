"""Hardware jobs: ``qdq submit``, ``qdq devices`` and ``qdq jobs list|status|fetch|cancel|recover``.

:func:`register` adds the commands to the main typer app (``qdq.cli.app``). ``qdq submit``
takes the same problem options as ``qdq solve`` (``--config``, ``--objective``,
``--bounds``, ``--qubits``, ``--benchmark``, ``--method``, ``--D``, ``--time``,
``--steps``, ``--order``, …) plus the hardware ones, prints the resource report, records
and submits the job, and — for local fake backends, unless ``--no-wait`` — waits and
prints the result next to the baselines. ``--report-only`` stops after the report (with
the job's price for ``--shots``); ``--max-cost`` refuses a job above it or without a
published price. ``qdq devices`` lists the clouds' devices, prices and credential state.

Every command takes ``--store PATH`` (default ``$QDQ_STORE`` or the user data dir) and
``--json`` for machine-readable output; errors print ``error: …`` on stderr (under
``--json``: ``{"error": {"type": …, "message": …}}`` on stdout) and exit 2.

May import :mod:`qdq.cli.common`, :mod:`qdq.cli.tables` and :mod:`qdq.hardware`'s
modules; never :mod:`qdq.cli` itself.

Example:
    >>> import typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> out = CliRunner().invoke(app, ["jobs", "--help"])
    >>> out.exit_code, "fetch" in out.stdout
    (0, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qdq.cli.common import (
    BenchmarkOpt,
    BoundsOpt,
    ConfigOpt,
    DimsOpt,
    DOpt,
    JsonErrorsCommand,
    JsonErrorsGroup,
    MethodOpt,
    ObjectiveOpt,
    OrderOpt,
    QubitsOpt,
    ScheduleOpt,
    StepsOpt,
    TimeOpt,
    build_problem,
    build_spec,
    fail,
    load_config,
    merge_options,
    print_json,
    warn,
)
from qdq.cli.tables import (
    MAX_CELL,
    console,
    listing_console,
    listing_row,
    listing_table,
    short_id,
    short_time,
    summary_table,
    wants_wide,
)
from qdq.errors import ParameterError, QdqError
from qdq.redact import printable

__all__ = ["jobs_app", "register"]

jobs_app = typer.Typer(name="jobs", help="List, poll, fetch and cancel hardware jobs.",
                       no_args_is_help=True, cls=JsonErrorsGroup)

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="SQLite store path (default: $QDQ_STORE or the user data dir).")]
JobIdArg = Annotated[str, typer.Argument(help="Local job id (qdq-…).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _fail(exc: BaseException, as_json: bool = False) -> typer.Exit:
    # Under --json the error is JSON on stdout ({"error": {"type", "message"}}), redacted.
    return fail(exc, as_json, code=2)


def _print_json(obj: Any) -> None:
    print_json(obj)


def _safe(value: Any) -> str:
    """Stored or user text for a rich markup string: printable, escaped, bounded."""
    from rich.markup import escape

    return escape(printable(value, limit=MAX_CELL))


def _report_table(report, title: str = "resource report"):
    from rich.table import Table

    t = Table(title=_safe(title), show_header=True, header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    for k, v in report.rows():
        t.add_row(_safe(k), _safe(v))
    return t


def _cost_cell(cost: Any) -> str:
    """A job's price for the listing: ``$1.75``, or ``?`` where no price was published."""
    from qdq.hardware.clouds.pricing import usd

    return usd(float(cost)) if isinstance(cost, (int, float)) and not isinstance(cost, bool) \
        else "?"


def _job_table(jobs: list, title: str = "qdq hardware jobs", wide: bool = True):
    """Jobs as a table (``wide=False``: fits the terminal, see below).

    Narrow: one line per job, git-style short ids, no provider id, cells cut with "…";
    ``qdq jobs list --wide`` (and pipes) show everything.
    """
    cols = [("id", "left"), ("backend", "left"), ("status", "left"), ("provider id", "left"),
            ("shots", "right"), ("method", "left"), ("2q", "right"), ("fidelity", "right"),
            ("cost", "right"), ("created", "left")]
    if not wide:
        cols.remove(("provider id", "left"))
        cols[cols.index(("fidelity", "right"))] = ("fid.", "right")
    t = listing_table(_safe(title), cols, wide, flexible=("backend", "method", "provider id"))
    for job in jobs:
        d = job.to_dict()
        fid = d.get("estimated_fidelity")
        two_q = d.get("two_qubit_gates")
        cells = [short_id(d["id"], wide), str(d["backend"]), str(d["status"]),
                 str(d["provider_id"] or "—"), str(d["shots"]), str(d.get("method") or "—"),
                 "—" if two_q is None else str(two_q),
                 f"{fid:.3g}" if isinstance(fid, (int, float)) else "—",
                 _cost_cell(d.get("cost_usd")), short_time(d["created"], wide)]
        if not wide:
            del cells[3]
        t.add_row(*listing_row(cells, wide))
    return t


def _spec_from_options(config, objective, bounds, qubits, benchmark, dims, method, D, time,
                       steps, order, schedule):
    """The evolution spec, built exactly as ``qdq solve`` builds it."""
    p, m, _ = merge_options(load_config(config), objective=objective, bounds=bounds,
                            qubits=qubits, benchmark=benchmark, dims=dims, method=method, D=D,
                            time=time, steps=steps, order=order, schedule=schedule)
    problem = build_problem(p)
    return build_spec(problem, m), problem


def _dd_value(text: str | None) -> Any:
    if text is None:
        return None
    low = text.strip().lower()
    if low in ("off", "false", "no", "0", "none"):
        return False
    if low in ("on", "true", "yes", "1"):
        return True
    return text.strip()


def submit_command(
    backend: Annotated[str, typer.Option("--backend", help="ibm_torino (needs an account), "
                                         "a fake backend (fake_torino, …), or another cloud: "
                                         "braket:<device>, ionq:<device>, iqm:<device> "
                                         "(`qdq devices` lists them).")],
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
    shots: Annotated[int, typer.Option(help="Shots.")] = 4000,
    mode: Annotated[str, typer.Option(help="job | batch | session.")] = "job",
    dd: Annotated[str | None, typer.Option(
        "--dd", help="Dynamical decoupling: on | off | XX | XpXm | XY4.")] = None,
    twirling: Annotated[bool | None, typer.Option(
        "--twirling/--no-twirling", help="Pauli twirling of gates and measurements.")] = None,
    optimization_level: Annotated[int, typer.Option(
        "--optimization-level", "-O", help="Transpiler optimization level 0-3.")] = 2,
    seed: Annotated[int | None, typer.Option(help="Transpiler (and fake-backend simulator) "
                                             "seed.")] = None,
    primitive: Annotated[str, typer.Option(help="auto | executor | v2.")] = "auto",
    wait: Annotated[bool | None, typer.Option(
        "--wait/--no-wait", help="Wait for the result (default: only for fake backends).")] = None,
    report_only: Annotated[bool, typer.Option(
        "--report-only", help="Print the resource report and the price; submit nothing.")
    ] = False,
    max_cost: Annotated[float | None, typer.Option(
        "--max-cost", help="Refuse if the job would cost more than this many USD, or if the "
                           "device has no published price.")] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Submit a problem's circuit to IBM, Amazon Braket, IonQ or IQM (or a local simulator)."""
    from qdq.hardware.submit import preview, submit

    try:
        spec, problem = _spec_from_options(config, objective, bounds, qubits, benchmark, dims,
                                           method, D, time, steps, order, schedule)
        if report_only and "," in backend:
            _print_device_comparison(spec, backend, shots, optimization_level, seed, as_json)
            return
        if "," in backend:
            raise ParameterError(f"--backend {backend!r} names several devices: compare them "
                                 "with --report-only, submit to one")
        if report_only:
            report = preview(spec, backend, optimization_level=optimization_level, seed=seed,
                             shots=shots)
            if as_json:
                _print_json({"resource_report": report.to_dict()})
            else:
                console().print(_report_table(report, f"resource report — {report.backend}"))
            return
        job = submit(spec, backend, shots, mode=mode, dynamical_decoupling=_dd_value(dd),
                     twirling=twirling, optimization_level=optimization_level, store=store,
                     seed=seed, primitive=primitive, max_cost=max_cost)
        do_wait = job.is_local if wait is None else wait
        result = job.result() if do_wait else None
        status = job.status()
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    out: dict[str, Any] = {"job": job.to_dict(), "resource_report":
                           job.resource_report.to_dict()}
    if result is not None:
        out["summary"] = result.summary()
    if as_json:
        _print_json(out)
        return
    con = console()
    con.print(_report_table(job.resource_report, f"resource report — {job.backend}"))
    con.print(f"job [bold]{_safe(job.id)}[/bold] ({_safe(status)}) on {_safe(job.backend)}, "
              f"provider id {_safe(job.provider_id)}", highlight=False)
    if result is not None:
        con.print(summary_table(result, f"{problem.name} — {spec.method} on {job.backend}"))
    elif not job.is_local:
        con.print(f"poll with `qdq jobs status {_safe(job.id)}`, fetch with "
                  f"`qdq jobs fetch {_safe(job.id)}`", highlight=False)


@jobs_app.command("list", cls=JsonErrorsCommand)
def jobs_list(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    backend: Annotated[str | None, typer.Option(help="Only this backend.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    refresh: Annotated[bool, typer.Option(help="Poll unfinished jobs first.")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="Full ids, provider ids, whole cells "
                                       "(default: fit the terminal; pipes get everything).")
                    ] = False,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """List recorded hardware jobs, newest first."""
    from qdq.hardware.job import FINAL_STATUSES, jobs

    try:
        found = jobs(status=None if refresh else status, backend=backend, limit=limit,
                     store=store, on_skip=lambda text: warn(f"skipped {text}"))
        if refresh:
            for job in found:  # one unreachable job is marked, the others still listed
                if job.stored_status not in FINAL_STATUSES and job.provider_id:
                    job.poll()
            found = [j for j in found if status is None or j.stored_status == status]
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json([j.to_dict() for j in found])
        return
    wide = wants_wide(wide)
    listing_console(wide).print(_job_table(found, wide=wide))


@jobs_app.command("status", cls=JsonErrorsCommand)
def jobs_status(
    job_id: JobIdArg,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Poll one job's status at the provider (recorded in the store)."""
    from qdq.hardware.job import Job

    try:
        job = Job(job_id, store=store)
        job.status()
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json({**job.to_dict(), "resource_report": job.resource_report.to_dict()})
        return
    con = console()
    con.print(_job_table([job], f"job {job.id}"))
    if job.error:
        con.print(f"[red]error:[/red] {_safe(job.error)}", highlight=False)
    con.print(_report_table(job.resource_report))


@jobs_app.command("fetch", cls=JsonErrorsCommand)
def jobs_fetch(
    job_id: JobIdArg,
    out: Annotated[Path | None, typer.Option(help="Write <id>.json (and .png) here.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds to wait.")] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Fetch a job's result (decoded to the grid, cached in the store)."""
    from qdq.hardware.job import Job

    files: dict[str, str] = {}
    try:
        job = Job(job_id, store=store)
        result = job.result(timeout=timeout)
        if out is not None:
            from qdq.files import atomic_write_json
            from qdq.outpaths import confined_path, output_dir, safe_filename

            # The id comes from the store, which may have been edited ('../../x'): one
            # safe name, checked to stay inside --out.
            folder, stem = output_dir(out), safe_filename(job.id)
            files["json"] = str(confined_path(folder, f"{stem}.json"))
            atomic_write_json(files["json"], result.to_dict())
            try:
                from qdq.plotting import plot_density

                files["png"] = plot_density(result, confined_path(folder, f"{stem}.png"),
                                            title=f"{job.id} on {job.backend}")
            except ImportError:  # pragma: no cover - plotting ships with qdq
                pass
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json({"job": job.to_dict(), "summary": result.summary(), "files": files})
        return
    con = console()
    con.print(summary_table(result, f"{job.id} — {result.method} on {job.backend}"))
    for k, v in files.items():
        con.print(f"[dim]{_safe(k)}:[/dim] {_safe(v)}", highlight=False)


@jobs_app.command("cancel", cls=JsonErrorsCommand)
def jobs_cancel(
    job_id: JobIdArg,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Cancel a job at the provider."""
    from qdq.hardware.job import Job

    try:
        job = Job(job_id, store=store)
        status = job.cancel()
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json(job.to_dict())
        return
    console().print(f"job {_safe(job.id)}: {_safe(status)}", highlight=False)


@jobs_app.command("recover", cls=JsonErrorsCommand)
def jobs_recover(
    job_id: Annotated[str | None, typer.Argument(help="One job (default: every job left "
                                                 "'created' by a crash).")] = None,
    older_than: Annotated[float, typer.Option(help="Without an id: only jobs older than "
                                              "this many seconds.")] = 300.0,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Reconcile jobs whose submission was interrupted (find them by tag, or re-run fakes)."""
    from qdq.hardware.job import Job, recover_jobs

    try:
        found = [Job(job_id, store=store).recover()] if job_id else recover_jobs(
            store=store, older_than_s=older_than)
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json([j.to_dict() for j in found])
        return
    console().print(_job_table(found, "recovered jobs"))


def _print_device_comparison(spec: Any, backends: str, shots: int, optimization_level: int,
                             seed: int | None, as_json: bool) -> None:
    """``--report-only`` with several backends: one row per device (see compare_devices)."""
    from qdq.hardware.compare_devices import preview_devices, split_backends

    rows = preview_devices(spec, split_backends(backends), shots=shots,
                           optimization_level=optimization_level, seed=seed)
    if as_json:
        _print_json([{"backend": r["backend"], "error": r["error"],
                      "resource_report": r["report"].to_dict() if r["report"] else None}
                     for r in rows])
        return
    wide = wants_wide(False)
    table = listing_table(f"the same circuit on {len(rows)} devices ({shots} shots)",
                          [("backend", "left"), ("2q gates", "right"), ("2q depth", "right"),
                           ("depth", "right"), ("est. fidelity", "right"), ("cost", "left")],
                          wide, ("cost",))
    for r in rows:
        rep = r["report"]
        if rep is None:
            table.add_row(*listing_row([r["backend"], "—", "—", "—", "—",
                                        f"not available: {r['error']}"], wide))
            continue
        fid = f"{rep.estimated_fidelity:.3g}" + ("*" if rep.gates_without_error_rate else "")
        table.add_row(*listing_row([rep.backend, rep.two_qubit_gates, rep.two_qubit_depth,
                                    rep.depth, fid, rep.cost_note], wide))
    con = listing_console(wide)
    con.print(table)
    if any(r["report"] and r["report"].gates_without_error_rate for r in rows):
        con.print("* the device reports no error rate for some instructions (counted "
                  "perfect): an upper bound", highlight=False)


def devices_command(
    cloud: Annotated[str | None, typer.Option(
        help="Only this cloud: braket | ionq | iqm.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the cloud devices qdq can submit to, their prices and whether credentials are set."""
    from qdq.hardware.clouds.listing import list_devices

    try:
        rows = list_devices(cloud)
    except QdqError as exc:
        raise _fail(exc, as_json) from None
    if as_json:
        _print_json(rows)
        return

    from qdq.hardware.clouds.pricing import usd

    def money(value: Any) -> str:
        return "—" if value is None else usd(value)

    wide = wants_wide(False)
    table = listing_table("cloud devices (IBM: fake_* run locally, ibm_* need an account)",
                          [("backend", "left"), ("runs", "left"), ("per task", "right"),
                           ("per shot", "right"), ("credentials", "left"), ("note", "left")],
                          wide, ("note",))
    for r in rows:
        runs = "?" if r["local"] is None else ("locally" if r["local"] else "in the cloud")
        table.add_row(*listing_row([r["backend"], runs, money(r["per_task_usd"]),
                                    money(r["per_shot_usd"]), r["credentials"] or "—",
                                    r["note"]], wide))
    listing_console(wide).print(table)


def register(app: typer.Typer) -> None:
    """Add ``submit`` and the ``jobs`` group to a typer app.

    Args:
        app: The main ``qdq`` typer app.
    """
    app.command("submit", cls=JsonErrorsCommand)(submit_command)
    app.command("devices", cls=JsonErrorsCommand)(devices_command)
    app.add_typer(jobs_app, name="jobs")
