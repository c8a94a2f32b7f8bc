"""``qdq minimize``: :func:`qdq.minimize.minimize` from the shell, or from a TOML file.

Flags mirror the Python call; ``--config`` reads a TOML file (flags override it)::

    [problem]
    objective = "(x - 1)**2 + (y - 2)**2"   # or qp = "model.lp" (bounds/constraints from it)
    bounds = [[-2, 2], [-2, 3]]
    constraints = ["x + y <= 1"]           # <=, >=, == between two expressions

    [method]
    name = "anneal"                         # imaginary-time | two-loop | real-time
    steps = 300                             # D, time, order, schedule, D0, ... (qdq.defaults)

    [run]
    backend = "emulator"
    shots = 1000                            # 0 = exact distributions
    seed = 1
    qubits = 6
    refine = true

    [options]                               # qdq.minimize.core.DEFAULT_OPTIONS
    max_stages = 4

An unknown table or key is refused. ``--json`` prints strict JSON: a non-finite number
(an infinite ``fun`` of an infeasible start, a NaN baseline) is written ``null``, never
``NaN``/``Infinity``. Exit status 0 when the result is a success, 1 when
it is not (e.g. infeasible: the message says why), 2 on bad input.

May import :mod:`qdq.cli.common`, :mod:`qdq.cli.tables` and the library; never
:mod:`qdq.cli` itself.

Example:
    >>> import json, typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> out = CliRunner().invoke(app, ["-f", "(x - 0.5)**2", "-b", "-1,1", "--seed", "1",
    ...                                "--steps", "200", "--max-stages", "2", "--json"])
    >>> data = json.loads(out.stdout)
    >>> out.exit_code, data["success"], round(data["x"][0], 8)
    (0, True, 0.5)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qdq.cli.common import (
    JsonErrorsCommand,
    fail,
    parse_bounds,
    print_json,
    read_config_tables,
)
from qdq.errors import ParameterError, QdqError

__all__ = ["CONFIG_KEYS", "load_minimize_config", "minimize_command", "register"]

#: Tables and keys of the ``qdq minimize`` TOML file (``[options]``: minimize's options).
CONFIG_KEYS: dict[str, tuple[str, ...] | None] = {
    "problem": ("objective", "qp", "bounds", "constraints"),
    "method": ("name", "D", "D0", "time", "steps", "order", "schedule", "ratio", "levels",
               "dtau", "tol", "chunk_steps", "max_inner_steps"),
    "run": ("backend", "shots", "seed", "qubits", "refine"),
    "options": None,  # checked by qdq.minimize itself
}


def load_minimize_config(path: Path | None) -> dict[str, dict[str, Any]]:
    """The TOML file's tables (empty ones when ``path`` is ``None``).

    Raises:
        ParameterError: Unreadable file, unknown table or key (named).
    """
    cfg: dict[str, dict[str, Any]] = {k: {} for k in CONFIG_KEYS}
    if path is None:
        return cfg
    for table, values in read_config_tables(path, CONFIG_KEYS).items():
        cfg[table].update(values)
    return cfg


def _summary(res) -> dict[str, Any]:
    from qdq.jsonable import to_jsonable

    keep = ("x", "fun", "nfev", "ncev", "nit", "success", "status", "message", "maxcv",
            "method", "backend", "shots", "raw_shots", "cx_per_shot", "cx_total", "stages",
            "baselines", "heuristic", "reference")
    return to_jsonable({k: res[k] for k in keep if k in res})


def minimize_command(
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="TOML file (format: `qdq/cli/minimize.py`); flags override it.",
        show_default=False)] = None,
    objective: Annotated[str | None, typer.Option(
        "--objective", "-f", help="Objective in x, y, z or x0, x1, …", show_default=False)] = None,
    qp: Annotated[Path | None, typer.Option(
        help="A quadratic program (.lp / .mps) instead of --objective.",
        show_default=False)] = None,
    bounds: Annotated[list[str] | None, typer.Option(
        "--bounds", "-b", help="'low,high' per variable (repeat, or 'l,h;l,h').",
        show_default=False)] = None,
    constraint: Annotated[list[str] | None, typer.Option(
        "--constraint", "-s", help="'lhs <= rhs', '>=' or '==' (repeat).",
        show_default=False)] = None,
    method: Annotated[str | None, typer.Option(
        "--method", "-m", help="anneal | imaginary-time | two-loop | real-time. "
        "(default: anneal)", show_default=False)] = None,
    steps: Annotated[int | None, typer.Option(
        "--steps", "-n", help="Steps per stage. (default: qdq.defaults)",
        show_default=False)] = None,
    qubits: Annotated[int | None, typer.Option(
        "--qubits", "-q", help="Qubits per variable. (default: 8, 6, 5 for 1, 2, 3)",
        show_default=False)] = None,
    backend: Annotated[str | None, typer.Option(
        help="Engine. (default: emulator)", show_default=False)] = None,
    shots: Annotated[int | None, typer.Option(
        help="Shots per stage; 0 = exact. (default: 1000)", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(help="Seed >= 0.", show_default=False)] = None,
    max_stages: Annotated[int | None, typer.Option(
        help="Quantum stages at most. (default: 6)", show_default=False)] = None,
    refine: Annotated[bool | None, typer.Option(
        "--refine/--no-refine", help="Box refinement and polish. (default: on)",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Minimize an objective or a quadratic program: quantum stages, refinement, polish.

    Prints the answer beside the baselines (uniform sampling with the same shots, the
    first grid's argmin) and, for a quadratic program, the classical reference.
    """
    from qdq.minimize.constraints import from_text
    from qdq.minimize.core import minimize
    from qdq.minimize.qp import read_qp

    try:
        cfg = load_minimize_config(config)
        p, m, r, o = cfg["problem"], cfg["method"], cfg["run"], dict(cfg["options"])
        if objective:
            p["objective"], p["qp"] = objective, None
        if qp is not None:
            p["qp"], p["objective"] = str(qp), None
        if bounds:
            p["bounds"] = parse_bounds(bounds)
        if constraint:
            p["constraints"] = list(constraint)
        for key, val in (("backend", backend), ("shots", shots), ("seed", seed),
                         ("qubits", qubits), ("refine", refine)):
            if val is not None:
                r[key] = val
        if steps is not None:
            m["steps"] = steps
        if method is not None:
            m["name"] = method
        if max_stages is not None:
            o["max_stages"] = max_stages
        if p.get("qp"):
            fun = read_qp(p["qp"])
        elif p.get("objective"):
            fun = p["objective"]
        else:
            raise ParameterError("give --objective (with --bounds) or --qp FILE")
        dims = fun.dims if hasattr(fun, "dims") else len(p.get("bounds") or [])
        cons = [from_text(t, dims) for t in p.get("constraints", [])]
        shots_v = r.get("shots", 1000)
        res = minimize(fun, p.get("bounds"), method=m.pop("name", "anneal"), constraints=cons,
                       qubits=r.get("qubits"), backend=r.get("backend", "emulator"),
                       shots=None if shots_v == 0 else shots_v, refine=r.get("refine", True),
                       seed=r.get("seed"), options={**o, **m})
    except QdqError as exc:
        raise fail(exc, as_json) from None
    summary = _summary(res)
    if as_json:
        print_json(summary)  # strict: NaN/inf -> null
    else:
        _print(summary)
    if not res.success:
        raise typer.Exit(1)


def _print(s: dict) -> None:
    from qdq.cli.tables import console

    out = console()
    out.print(f"x = {s['x']}\nfun = {s['fun']:.12g}   success = {s['success']}   "
              f"status = {s['status']}\n{s['message']}", highlight=False)
    out.print(f"nfev = {s['nfev']} (grid points of every stage + polish), nit = {s['nit']}, "
              f"shots = {s['shots']}, CX per shot = {s['cx_per_shot']}", highlight=False)
    for st in s["stages"]:
        out.print(f"  stage {st['stage']} [{st['operation']}]: fun = {st.get('fun')!s:.14} "
                  f"box = {st.get('box', '')}", highlight=False)
    for name, b in s["baselines"].items():
        if b:
            out.print(f"  baseline {name}: fun = {b['fun']:.12g} (nfev {b['nfev']})",
                      highlight=False)
    if s.get("reference"):
        ref = s["reference"]
        out.print(f"  reference ({ref['solver']}): fun = {ref['fun']:.12g}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``minimize`` command to a typer app (the ``qdq`` CLI)."""
    app.command("minimize", cls=JsonErrorsCommand)(minimize_command)
