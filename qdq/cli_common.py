"""Problem and method options shared by ``qdq solve``, ``qdq submit`` and ``qdq compare``.

One place defines the defaults, the TOML file format (see :mod:`qdq.cli`), the flag types,
how flags override a file, and how errors are reported (``error: …`` on stderr, or JSON on
stdout under ``--json``), so every command builds a problem the same way. The numeric
method defaults come from :func:`qdq.defaults.method_defaults`, which ``qdq compare`` uses
too; they are filled in once the problem's box is known (:func:`resolve_method`).

Example:
    >>> p, m, r = merge_options(load_config(None), qubits="5", method="real-time")
    >>> p["qubits"], m["name"], r["backend"]
    (5, 'real-time', 'aer')
"""

from __future__ import annotations

import difflib
import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from qdq.errors import ParameterError, QdqError

#: The README's default job: QHD's cubic annealing schedule on an asymmetric double well
#: whose global minimum (x ≈ −1.34) is the deeper of two wells, as a circuit on Aer. The
#: method's numbers (D, time, steps, …) are :func:`qdq.defaults.method_defaults`'.
DEFAULTS: dict[str, dict[str, Any]] = {
    "problem": {"objective": "0.3*x**4 - x**2 + 0.2*x", "bounds": [[-3.0, 3.0]], "qubits": 8},
    "method": {"name": "anneal"},
    "run": {"backend": "aer", "shots": 0, "seed": None},
}
METHODS = ("real-time", "imaginary-time", "anneal", "two-loop")

#: Keys each table of a TOML config may hold (anything else is refused, with a suggestion).
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "problem": ("objective", "bounds", "qubits", "benchmark", "dims", "rescale", "name",
                "minimizer", "minimum"),
    "method": ("name", "D", "D0", "time", "steps", "order", "schedule", "ratio", "levels",
               "dtau", "tol", "chunk_steps", "max_inner_steps"),
    "run": ("backend", "shots", "seed"),
}

#: The ``[method]`` keys each method uses (``D`` is ``D0`` for the two-loop algorithm).
METHOD_KEYS: dict[str, tuple[str, ...]] = {
    "anneal": ("D", "time", "steps", "order", "schedule"),
    "real-time": ("D", "time", "steps", "order"),
    "imaginary-time": ("D", "time", "steps", "order"),
    "two-loop": ("D", "D0", "ratio", "levels", "dtau", "tol", "order", "chunk_steps",
                 "max_inner_steps"),
}


# Typer may vendor its own copy of click: take its exception classes from typer itself.
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_CLICK_EXCEPTION = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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
    if any(v < 1 for v in vals):
        raise ParameterError(f"--qubits takes counts >= 1 per dimension, got {text!r}")
    return vals[0] if len(vals) == 1 else vals


def load_config(path: Path | None) -> dict[str, dict[str, Any]]:
    """Defaults overlaid with a TOML file's ``[problem]``, ``[method]``, ``[run]`` tables.

    Raises:
        ParameterError: The file cannot be read or parsed, or holds a table or key this
            format does not know (the message names it and suggests the closest one).

    Example:
        >>> import pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.toml"
        >>> _ = f.write_text('[problem]' + chr(10) + 'qubit = 5' + chr(10))
        >>> try:
        ...     load_config(f)
        ... except ParameterError as exc:
        ...     print(str(exc).split(" of ")[0], str(exc).split("toml'")[1][:25])
        unknown key 'qubit' in table [problem]  (did you mean 'qubits'?)
    """
    cfg = {k: dict(v) for k, v in DEFAULTS.items()}
    if path is None:
        return cfg
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"cannot read config {str(path)!r}: {exc}") from exc
    for table, values in data.items():
        if table not in CONFIG_KEYS:
            raise ParameterError(
                f"unknown table [{table}] in {str(path)!r}{_did_you_mean(table, CONFIG_KEYS)}; "
                f"the tables are {', '.join(f'[{t}]' for t in CONFIG_KEYS)}")
        if not isinstance(values, dict):
            raise ParameterError(f"{table!r} in {str(path)!r} must be a table [{table}], got "
                                 f"{values!r}")
        for key in values:
            if key not in CONFIG_KEYS[table]:
                raise ParameterError(
                    f"unknown key {key!r} in table [{table}] of {str(path)!r}"
                    f"{_did_you_mean(key, CONFIG_KEYS[table])}; [{table}] takes "
                    f"{', '.join(CONFIG_KEYS[table])}")
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


def is_circuit_backend(backend: str | None) -> bool:
    """True for backends that simulate or run the gates (everything but the emulator)."""
    return str(backend or "aer").strip().lower() != "emulator"


def resolve_method(problem, cfg: dict[str, Any], backend: str | None = None) -> dict[str, Any]:
    """A ``[method]`` table completed with :func:`qdq.defaults.method_defaults`.

    Values given in the table win; missing ones are the method's defaults on the problem's
    box (``steps`` capped at :data:`qdq.defaults.CIRCUIT_STEPS` for circuit backends:
    every backend but ``"emulator"``; ``None`` means a circuit backend). For the two-loop
    algorithm ``D`` is its starting ``D0``.

    Raises:
        ParameterError: An unknown method, or a key that the method does not use.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> m = resolve_method(p, {"name": "anneal", "time": 5.0}, "emulator")
        >>> m["D"], m["time"], m["steps"], m["schedule"]
        (2.0, 5.0, 10000, 'qhd-cubic')
    """
    from qdq.defaults import method_defaults

    name = cfg.get("name", "anneal")
    if name not in METHOD_KEYS:
        raise ParameterError(f"unknown method {name!r}{_did_you_mean(str(name), METHODS)}; "
                             f"use one of {', '.join(METHODS)}")
    given = {k: v for k, v in cfg.items() if k != "name" and v is not None}
    for key in given:
        if key not in METHOD_KEYS[name]:
            raise ParameterError(f"option {key!r} does not apply to method {name!r}; it takes "
                                 f"{', '.join(METHOD_KEYS[name])} (remove {key!r} or choose "
                                 f"another method)")
    if name == "two-loop" and "D" in given:
        if "D0" in given:
            raise ParameterError(f"give D or D0 for the two-loop method, not both (got "
                                 f"D={given['D']!r}, D0={given['D0']!r})")
        given["D0"] = given.pop("D")
    out = {"name": name, **method_defaults(name, problem.grid.bounds,
                                           circuit=is_circuit_backend(backend))}
    out.update(given)
    return out


def build_spec(problem, cfg: dict[str, Any], backend: str | None = None):
    """An evolution spec (or a two-loop runner) from a ``[method]`` table.

    Missing values are filled by :func:`resolve_method` (the defaults ``qdq compare`` uses;
    ``backend`` decides the circuit step cap).
    """
    from qdq.evolution import Anneal, ImaginaryTime, RealTime
    from qdq.hamiltonian import Hamiltonian

    cfg = resolve_method(problem, cfg, backend)
    name = cfg["name"]
    if name == "two-loop":
        from qdq.twoloop import TwoLoop

        return TwoLoop(problem, **{k: v for k, v in cfg.items() if k != "name"})
    common = {"time": cfg["time"], "steps": cfg["steps"], "order": cfg["order"]}
    if name == "real-time":
        return RealTime(Hamiltonian(problem, D=cfg["D"]), **common)
    if name == "imaginary-time":
        return ImaginaryTime(Hamiltonian(problem, D=cfg["D"]), **common)
    return Anneal(problem, D=cfg["D"], schedule=cfg["schedule"], **common)


def check_run(cfg: dict[str, Any]) -> dict[str, Any]:
    """Validate a ``[run]`` table (after flags): ``shots`` ``>= 0`` (0 = exact), ``seed``.

    Raises:
        ParameterError: Naming the flag and the bad value, in the command line's terms.

    Example:
        >>> check_run({"backend": "aer", "shots": -1, "seed": None})
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: --shots must be 0 (exact probabilities) or ... >= 1, got -1
    """
    shots, seed = cfg.get("shots", 0), cfg.get("seed")
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 0:
        raise ParameterError(f"--shots must be 0 (exact probabilities) or a whole number of "
                             f"shots >= 1, got {shots!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ParameterError(f"--seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(cfg.get("backend"), str):
        raise ParameterError(f"--backend must be a name such as aer or emulator, got "
                             f"{cfg.get('backend')!r}")
    return cfg


def error_payload(exc: BaseException) -> dict[str, Any]:
    """``{"error": {"type": ..., "message": ...}}`` for ``--json`` output (credentials redacted).

    Example:
        >>> error_payload(ParameterError("steps must be >= 1, got 0"))
        {'error': {'type': 'ParameterError', 'message': 'steps must be >= 1, got 0'}}
    """
    from qdq.io import redact

    if isinstance(exc, _CLICK_EXCEPTION):
        kind, message = "UsageError", exc.format_message()
    else:
        kind, message = type(exc).__name__, str(exc)
    return {"error": {"type": kind, "message": redact(message)}}


def fail(exc: BaseException, as_json: bool = False, code: int | None = None) -> typer.Exit:
    """Report an error and return the :class:`typer.Exit` to raise.

    Under ``--json`` the error is JSON on stdout (:func:`error_payload`), otherwise
    ``error: …`` on stderr. The exit status is 2 for bad input (a :class:`QdqError` or a
    usage error) and 1 for anything else (e.g. an unwritable output folder).
    """
    if code is None:
        code = 2 if isinstance(exc, (QdqError, _USAGE_ERROR)) else 1
    payload = error_payload(exc)
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        typer.echo(f"error: {payload['error']['message']}", err=True)
    return typer.Exit(code)


def short_id(value: Any, wide: bool = False) -> str:
    """An id as listings show it: git-style, the first 8 characters after any ``qdq-`` prefix.

    Example:
        >>> short_id("qdq-0123456789ab"), short_id("qdq-0123456789ab", wide=True), short_id(42)
        ('qdq-01234567', 'qdq-0123456789ab', '42')
    """
    text = str(value)
    if wide:
        return text
    prefix = "qdq-" if text.startswith("qdq-") else ""
    return prefix + text[len(prefix):len(prefix) + 8]


def short_time(value: Any, wide: bool = False) -> str:
    """An ISO-8601 time as ``MM-DD HH:MM`` (UTC, as stored; the full text with ``wide``).

    Example:
        >>> short_time("2024-05-01T12:34:56.789+00:00")
        '05-01 12:34'
    """
    text = "—" if value is None else str(value)
    if wide or len(text) < 16:
        return text
    return text[5:16].replace("T", " ")


def listing_table(title: str, columns: list[tuple[str, str]], wide: bool,
                  flexible: tuple[str, ...] = ()):
    """A rich table for listings: one line per row, cells cut with "…" unless ``wide``.

    Args:
        title: Table title.
        columns: ``(header, justify)`` pairs.
        wide: Keep every cell whole (print on :func:`listing_console` ``(True)``).
        flexible: Headers of the columns that give up width first when the table is too
            wide for the terminal (free text such as labels); fill rows with
            :func:`listing_row` so those cells are cut, not wrapped.

    Example:
        >>> import os
        >>> from rich.console import Console
        >>> t = listing_table("t", [("id", "left"), ("label", "left")], False, ("label",))
        >>> t.add_row(*listing_row(["42", "a long label " * 10], False))
        >>> c = Console(width=40, record=True, file=open(os.devnull, "w"))
        >>> c.print(t)
        >>> [len(line) <= 40 for line in c.export_text().splitlines()].count(False)
        0
    """
    from rich import box
    from rich.table import Table

    # Right padding only: two spaces between columns leave the free-text columns room at 80.
    t = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
              padding=(0, 1, 0, 0))
    for header, justify in columns:
        # A column rich may squeeze first must be "wrappable"; its cells (Text with
        # no_wrap, from listing_row) are still cut to one line.
        t.add_column(header, justify=justify, no_wrap=not wide and header not in flexible,
                     overflow="fold" if wide else "ellipsis")
    return t


def listing_row(cells: list[str], wide: bool) -> list:
    """Cells for :func:`listing_table`: plain text that is cut with "…", never wrapped."""
    from rich.text import Text

    if wide:
        return [Text(str(c)) for c in cells]
    return [Text(str(c), no_wrap=True, overflow="ellipsis") for c in cells]


def wants_wide(wide: bool) -> bool:
    """Whether a listing shows everything: ``--wide``, or output to a pipe or file.

    A terminal gets the table cut to its width; what a script or a file reads is never cut.
    """
    from rich.console import Console

    return bool(wide) or not Console().is_terminal


def listing_console(wide: bool):
    """The console listings print on: the terminal's width, or unbounded when ``wide``."""
    from rich.console import Console

    return Console(width=100_000) if wide else Console()


class JsonErrorsCommand(TyperCommand):
    """A command whose usage errors (bad flag types, unknown flags) are JSON under ``--json``.

    Click reports them before the command runs; with ``--json`` among the arguments they
    become :func:`error_payload` on stdout with exit status 2, like every other error.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse as usual; under ``--json``, turn a usage error into JSON."""
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERROR as exc:
            if not wants_json:
                raise
            raise fail(exc, as_json=True) from None


ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="TOML problem file (format: `qdq/cli.py`); flags override it. "
    "(default: none)", show_default=False)]
ObjectiveOpt = Annotated[str | None, typer.Option(
    "--objective", "-f", help="Objective in x, y, z or x0, x1, …, e.g. 'x**2 + y**2'. "
    "(default: 0.3*x**4 - x**2 + 0.2*x, the README's double well)", show_default=False)]
BoundsOpt = Annotated[list[str] | None, typer.Option(
    "--bounds", "-b", help="'low,high' per dimension (repeat, or 'l,h;l,h'). "
    "(default: -3,3 for the default objective; a benchmark's own box)", show_default=False)]
QubitsOpt = Annotated[str | None, typer.Option(
    "--qubits", "-q", help="Qubits per dimension: 8 or 6,5. (default: 8)", show_default=False)]
BenchmarkOpt = Annotated[str | None, typer.Option(
    help="A qdq.benchmarks function name instead of --objective. (default: none)",
    show_default=False)]
DimsOpt = Annotated[int | None, typer.Option(
    help="Dimensions of --benchmark. (default: the benchmark's own)", show_default=False)]
MethodOpt = Annotated[str | None, typer.Option(
    "--method", "-m", help="real-time | imaginary-time | anneal | two-loop. (default: anneal)",
    show_default=False)]
DOpt = Annotated[float | None, typer.Option(
    "--D", "-D", help="Kinetic constant D (D0 for two-loop). (default: the method's preset "
    "times the mean squared box side L̄²: anneal 0.5·L̄², see qdq.defaults)",
    show_default=False)]
TimeOpt = Annotated[float | None, typer.Option(
    "--time", "-t", help="Total time. (default: the method's preset: anneal 10)",
    show_default=False)]
StepsOpt = Annotated[int | None, typer.Option(
    "--steps", "-n", help="Trotter steps. (default: the method's preset: anneal 10000 on the "
    "emulator, 400 on circuit backends)", show_default=False)]
OrderOpt = Annotated[int | None, typer.Option(
    help="Product-formula order 1, 2, 4. (default: the method's preset: anneal 1)",
    show_default=False)]
ScheduleOpt = Annotated[str | None, typer.Option(
    help="Anneal schedule preset of qdq.schedules. (default: qhd-cubic)", show_default=False)]


def merge_options(cfg: dict[str, dict[str, Any]], *, objective: str | None = None,
                  bounds: list[str] | None = None, qubits: str | None = None,
                  benchmark: str | None = None, dims: int | None = None,
                  method: str | None = None, D: float | None = None, time: float | None = None,
                  steps: int | None = None, order: int | None = None,
                  schedule: str | None = None):
    """Overlay command-line flags on a loaded config; returns its ``(problem, method, run)``.

    The method table holds only what the file and the flags gave; :func:`resolve_method`
    fills in the defaults once the problem (its box) is built.
    """
    p, m, r = cfg["problem"], cfg["method"], cfg["run"]
    if benchmark:
        p = {"benchmark": benchmark, "dims": dims, "qubits": p["qubits"]}
    elif dims is not None:
        if not p.get("benchmark"):
            raise ParameterError(f"--dims applies to --benchmark only, got --dims {dims} "
                                 "without a benchmark; the dimension of --objective is the "
                                 "number of --bounds")
        p["dims"] = dims
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
