"""``qdq estimate``: fault-tolerant resources of a problem's evolution circuit.

Takes the same problem and method options as ``qdq solve`` (``--config``, ``--objective``,
``--benchmark``, ``--qubits``, ``--method``, ``--steps`` …; ``steps`` defaults to the
method's full preset, as on the emulator) plus ``--target`` and ``--error-budget``, and
prints the logical counts and the physical estimate of :func:`qdq.estimate.estimate`. The
grid may be far larger than memory (``--benchmark rastrigin --dims 10 --qubits 8``): only
each additive term group of the objective is evaluated. Needs ``pip install 'qdq[estimate]'``.

May import :mod:`qdq.cli.common`, :mod:`qdq.cli.tables` and :mod:`qdq.estimate`'s
modules; never :mod:`qdq.cli` itself.

Example:
    >>> import typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> out = CliRunner().invoke(app, ["--qubits", "3", "--steps", "2", "--json"])
    >>> out.exit_code, '"physical_qubits"' in out.stdout
    (0, True)
"""

from __future__ import annotations

from typing import Annotated

import typer

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
    fail,
    load_config,
    merge_options,
    method_settings,
    print_json,
)
from qdq.cli.tables import console
from qdq.errors import ParameterError, QdqError

__all__ = ["estimate_cmd", "register"]

_ROWS = (("logical qubits", "logical_qubits"), ("T count", "t_count"),
         ("rotations", "rotation_count"), ("rotation depth", "rotation_depth"),
         ("measurements", "measurement_count"), ("CX (Clifford)", "cx_count"),
         ("code distance", "code_distance"),
         ("logical qubits after layout", "algorithmic_logical_qubits"),
         ("T states", "t_states"), ("T factories", "t_factories"),
         ("physical qubits", "physical_qubits"), ("runtime per shot (s)", "runtime_seconds"))


def estimate_cmd(
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
    target: Annotated[str, typer.Option(
        help="surface-e3 | surface-e4 | surface-us-e3 | surface-us-e4 | floquet-maj-e4 | "
        "floquet-maj-e6 (qubit model and QEC code).", show_default=True)] = "surface-e3",
    error_budget: Annotated[float, typer.Option(
        help="Total failure probability allowed, in (0, 1).", show_default=True)] = 1e-3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimate (or the error) "
                                          "as JSON. (default: off)")] = False,
) -> None:
    """Estimate the fault-tolerant resources of one evolution circuit (no circuit is built)."""
    from qdq.estimate.physical import estimate

    try:
        p, m, _ = merge_options(load_config(config), objective=objective, bounds=bounds,
                                qubits=qubits, benchmark=benchmark, dims=dims, method=method,
                                D=D, time=time, steps=steps, order=order, schedule=schedule)
        problem = build_problem(p)
        m = method_settings(problem, m, "emulator")  # full step counts: nothing is simulated
        if m["name"] == "two-loop":
            raise ParameterError("--method two-loop runs many circuits; estimate one of "
                                 "anneal, real-time or imaginary-time instead")
        spec = build_spec(problem, m, "emulator")
        est = estimate(spec, target=target, error_budget=error_budget)
    except QdqError as exc:
        raise fail(exc, as_json) from None
    data = {**est.to_dict(), "problem": problem.to_dict(), "settings": m}
    if as_json:
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    from qdq.redact import printable

    title = (f"{problem.name} — {m['name']}, {m['steps']} steps, on {target} "
             f"(error budget {est.error_budget:g})")
    table = Table(title=escape(printable(title)))
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for label, key in _ROWS:
        value = data[key]
        table.add_row(label, f"{value:.4g}" if isinstance(value, float) else f"{value:,}")
    console().print(table)


def register(app: typer.Typer) -> None:
    """Add the ``estimate`` command to a typer app (the ``qdq`` CLI)."""
    app.command("estimate", cls=JsonErrorsCommand)(estimate_cmd)
