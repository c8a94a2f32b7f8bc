"""Problem and method options shared by ``qdq solve``, ``qdq submit`` and ``qdq compare``.

One place defines the defaults, the TOML file format (see :mod:`qdq.cli`), the flag types,
and how flags override a file, so every command builds a problem the same way.

Example:
    >>> p, m, r = merge_options(load_config(None), qubits="5", method="real-time")
    >>> p["qubits"], m["name"], r["backend"]
    (5, 'real-time', 'aer')
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from qdq.errors import ParameterError

#: The README's default job: QHD's cubic annealing schedule on an asymmetric double well
#: whose global minimum (x ≈ −1.34) is the deeper of two wells, as a circuit on Aer.
DEFAULTS: dict[str, dict[str, Any]] = {
    "problem": {"objective": "0.3*x**4 - x**2 + 0.2*x", "bounds": [[-3.0, 3.0]], "qubits": 8},
    "method": {"name": "anneal", "D": 0.5, "time": 10.0, "steps": 100, "order": 1,
               "schedule": "qhd-cubic"},
    "run": {"backend": "aer", "shots": 0, "seed": None},
}
METHODS = ("real-time", "imaginary-time", "anneal", "two-loop")


def parse_bounds(texts: list[str]) -> list[list[float]]:
    """Parse ``--bounds`` values (``'lo,hi'`` each, or ``'lo,hi;lo,hi'``)."""
    pairs: list[list[float]] = []
    for text in texts:
        for chunk in text.split(";"):
            parts = [p for p in chunk.replace(":", ",").split(",") if p.strip()]
            if len(parts) != 2:
                raise ParameterError(f"--bounds takes 'low,high' per dimension, got {chunk!r}")
            try:
                pairs.append([float(parts[0]), float(parts[1])])
            except ValueError as exc:
                raise ParameterError(f"--bounds values must be numbers, got {chunk!r}") from exc
    return pairs


def parse_qubits(text: str) -> int | list[int]:
    """Parse ``--qubits`` (``'8'`` or ``'6,5'``)."""
    try:
        vals = [int(v) for v in text.split(",")]
    except ValueError as exc:
        raise ParameterError(f"--qubits takes an int or a comma list, got {text!r}") from exc
    return vals[0] if len(vals) == 1 else vals


def load_config(path: Path | None) -> dict[str, dict[str, Any]]:
    """Defaults overlaid with a TOML file's ``[problem]``, ``[method]``, ``[run]`` tables."""
    cfg = {k: dict(v) for k, v in DEFAULTS.items()}
    if path is None:
        return cfg
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"cannot read config {str(path)!r}: {exc}") from exc
    unknown = set(data) - set(cfg)
    if unknown:
        raise ParameterError(f"unknown table(s) {sorted(unknown)} in {path}; "
                             f"use {sorted(cfg)}")
    for table, values in data.items():
        if "benchmark" in values and table == "problem":
            cfg["problem"].pop("objective", None)
            cfg["problem"].pop("bounds", None)
        cfg[table].update(values)
    return cfg


def build_problem(cfg: dict[str, Any]):
    """A :class:`~qdq.Problem` from a ``[problem]`` table."""
    from qdq import benchmarks
    from qdq.problem import Problem

    if cfg.get("benchmark"):
        fn = benchmarks.get(cfg["benchmark"], cfg.get("dims"))
        if cfg.get("rescale"):
            fn = fn.rescaled()
        return Problem(fn, bounds=cfg.get("bounds"), qubits=cfg["qubits"])
    return Problem(cfg["objective"], bounds=cfg["bounds"], qubits=cfg["qubits"],
                   name=cfg.get("name"), minimizer=cfg.get("minimizer"),
                   minimum=cfg.get("minimum"))


def build_spec(problem, cfg: dict[str, Any]):
    """An evolution spec (or a two-loop runner) from a ``[method]`` table."""
    from qdq.evolution import Anneal, ImaginaryTime, RealTime
    from qdq.hamiltonian import Hamiltonian

    name = cfg["name"]
    common = {"time": cfg["time"], "steps": cfg["steps"], "order": cfg["order"]}
    if name == "real-time":
        return RealTime(Hamiltonian(problem, D=cfg["D"]), **common)
    if name == "imaginary-time":
        return ImaginaryTime(Hamiltonian(problem, D=cfg["D"]), **common)
    if name == "anneal":
        return Anneal(problem, D=cfg["D"], schedule=cfg.get("schedule", "qhd-cubic"), **common)
    if name == "two-loop":
        from qdq.twoloop import TwoLoop

        return TwoLoop(problem, D0=cfg["D"], **{k: v for k, v in cfg.items()
                                                  if k in ("ratio", "levels", "dtau", "tol")})
    raise ParameterError(f"unknown method {name!r}; use one of {', '.join(METHODS)}")


ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML problem file.")]
ObjectiveOpt = Annotated[str | None, typer.Option("--objective", "-f",
                                                  help="Objective, e.g. 'x**2 + y**2'.")]
BoundsOpt = Annotated[list[str] | None, typer.Option(
    "--bounds", "-b", help="'low,high' per dimension (repeat, or 'l,h;l,h').")]
QubitsOpt = Annotated[str | None, typer.Option("--qubits", "-q",
                                               help="Qubits per dimension: 8 or 6,5.")]
BenchmarkOpt = Annotated[str | None, typer.Option(help="A qdq.benchmarks function name.")]
DimsOpt = Annotated[int | None, typer.Option(help="Dimensions of --benchmark.")]
MethodOpt = Annotated[str | None, typer.Option(
    "--method", "-m", help="real-time | imaginary-time | anneal | two-loop.")]
DOpt = Annotated[float | None, typer.Option("--D", "-D", help="Kinetic constant D.")]
TimeOpt = Annotated[float | None, typer.Option("--time", "-t", help="Total time.")]
StepsOpt = Annotated[int | None, typer.Option("--steps", "-n", help="Trotter steps.")]
OrderOpt = Annotated[int | None, typer.Option(help="Product-formula order 1, 2, 4.")]
ScheduleOpt = Annotated[str | None, typer.Option(help="Anneal schedule preset (qdq.schedules).")]


def merge_options(cfg: dict[str, dict[str, Any]], *, objective: str | None = None,
                  bounds: list[str] | None = None, qubits: str | None = None,
                  benchmark: str | None = None, dims: int | None = None,
                  method: str | None = None, D: float | None = None, time: float | None = None,
                  steps: int | None = None, order: int | None = None,
                  schedule: str | None = None):
    """Overlay command-line flags on a loaded config; returns its ``(problem, method, run)``."""
    p, m, r = cfg["problem"], cfg["method"], cfg["run"]
    if benchmark:
        p = {"benchmark": benchmark, "dims": dims, "qubits": p["qubits"]}
    if objective:
        p = {k: v for k, v in p.items() if k not in ("benchmark", "name", "minimizer")}
        p["objective"] = objective
    if bounds:
        p["bounds"] = parse_bounds(bounds)
    if qubits:
        p["qubits"] = parse_qubits(qubits)
    for key, val in (("name", method), ("D", D), ("time", time), ("steps", steps),
                     ("order", order), ("schedule", schedule)):
        if val is not None:
            m[key] = val
    return p, m, r
