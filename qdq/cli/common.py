"""What ``qdq solve``, ``qdq submit`` and ``qdq compare`` share: options, config, errors.

One place defines the defaults, the TOML problem-file format, the flag types, how flags
override a file, and how errors are reported (``error: …`` on stderr, or JSON on stdout
under ``--json``), so every command builds a problem the same way. Method names are
resolved by the one quantum-method module (:mod:`qdq.methods`: aliases, case and
``_``/``-``); the numeric method defaults come from :func:`qdq.defaults.method_defaults`, which
``qdq compare`` uses too, and are filled in once the problem's box is known
(:func:`method_settings`).

A TOML problem file (``--config``; flags override it)::

    [problem]
    objective = "0.3*x**4 - x**2 + 0.2*x"   # or benchmark = "rastrigin", dims = 2
                                             # or bits: labs = 8, qubo/lp/maxcut/tsp = "file",
                                             # binary = "x0*x1 - 2*x2" (qdq.cli.binary)
    bounds = [[-3, 3]]
    qubits = 8

    [method]
    name = "anneal"                          # real-time | imaginary-time | anneal | two-loop
                                             # | qaoa (bits: p = 4, delta = 0.8, gammas, betas)
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

May import qdq's problem, evolution, defaults, errors and redaction modules and
:mod:`qdq.methods`; never :mod:`qdq.cli` itself (the command modules import this one).

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from qdq.errors import ParameterError, QdqError
from qdq.methods import QUANTUM_METHODS, ordered_keys

#: The README's default job: QHD's cubic annealing schedule on an asymmetric double well
#: whose global minimum (x ≈ −1.34) is the deeper of two wells, as a circuit on Aer. The
#: method's numbers (D, time, steps, …) are :func:`qdq.defaults.method_defaults`'.
DEFAULTS: dict[str, dict[str, Any]] = {
    "problem": {"objective": "0.3*x**4 - x**2 + 0.2*x", "bounds": [[-3.0, 3.0]], "qubits": 8},
    "method": {"name": "anneal"},
    "run": {"backend": "aer", "shots": 0, "seed": None},
}

#: Keys each table of a TOML config may hold (anything else is refused, with a suggestion).
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "problem": ("objective", "bounds", "qubits", "benchmark", "dims", "rescale", "name",
                "minimizer", "minimum", "qubo", "lp", "maxcut", "labs", "tsp", "binary"),
    "method": ("name", "D", "D0", "time", "steps", "order", "schedule", "ratio", "levels",
               "dtau", "tol", "chunk_steps", "max_inner_steps", "p", "delta", "gammas",
               "betas"),
    "run": ("backend", "shots", "seed"),
}

#: The ``[method]`` keys each method uses (``D`` is ``D0`` for the two-loop algorithm).
METHOD_KEYS: dict[str, tuple[str, ...]] = {m: ordered_keys(m) for m in QUANTUM_METHODS}


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


def read_config_tables(path: Path, schema: Mapping[str, Sequence[str] | None]
                       ) -> dict[str, dict[str, Any]]:
    """Read a TOML file whose top level is tables named in ``schema``, keys checked.

    Args:
        path: The TOML file (data only: parsed with :mod:`tomllib`, nothing evaluated).
        schema: ``table -> allowed keys`` (``None``: any keys, checked elsewhere).

    Raises:
        ParameterError: The file cannot be read or parsed, or holds a table or key the
            schema does not know (the message names it and suggests the closest one).
    """
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"cannot read config {str(path)!r}: {exc}") from exc
    for table, values in data.items():
        if table not in schema:
            raise ParameterError(
                f"unknown table [{table}] in {str(path)!r}{_did_you_mean(table, schema)}; "
                f"the tables are {', '.join(f'[{t}]' for t in schema)}")
        if not isinstance(values, dict):
            raise ParameterError(f"{table!r} in {str(path)!r} must be a table [{table}], got "
                                 f"{values!r}")
        keys = schema[table]
        for key in values if keys is not None else ():
            if key not in keys:
                raise ParameterError(
                    f"unknown key {key!r} in table [{table}] of {str(path)!r}"
                    f"{_did_you_mean(key, keys)}; [{table}] takes {', '.join(keys)}")
    return data


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
    data = read_config_tables(path, CONFIG_KEYS)
    name = data.get("problem", {}).get("name")
    if name is not None:
        data["problem"]["name"] = check_name(name, f"[problem] name in {str(path)!r}")
    for table, values in data.items():
        binary = table == "problem" and set(values) & {"qubo", "lp", "maxcut", "labs", "tsp",
                                                      "binary"}  # qdq.cli.binary.BINARY_KEYS
        if table == "problem" and ("benchmark" in values or binary):
            cfg["problem"].pop("objective", None)
            cfg["problem"].pop("bounds", None)
            if binary:
                cfg["problem"].pop("qubits", None)
        cfg[table].update(values)
    return cfg


#: The longest problem name accepted: it becomes a title, a table cell and part of file
#: names, and a megabyte of it would only stall the figure layout.
MAX_NAME_LENGTH = 200


def check_name(name: Any, what: str = "name") -> str:
    """A user-supplied name, checked and with credentials redacted, at the config boundary.

    Raises:
        ParameterError: Not a string, or longer than :data:`MAX_NAME_LENGTH` characters.

    Example:
        >>> check_name("double well")
        'double well'
    """
    from qdq.redact import redact

    if not isinstance(name, str):
        raise ParameterError(f"{what} must be a string, got a {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise ParameterError(f"{what} is {len(name)} characters long; names are at most "
                             f"{MAX_NAME_LENGTH} characters: shorten it")
    return redact(name)


def build_problem(cfg: dict[str, Any]):
    """A :class:`~qdq.Problem` from a ``[problem]`` table."""
    from qdq.benchmarks import get as get_benchmark
    from qdq.problem import Problem

    if cfg.get("benchmark"):
        fn = get_benchmark(cfg["benchmark"], cfg.get("dims"))
        if cfg.get("rescale"):
            fn = fn.rescaled()
        return Problem(fn, bounds=cfg.get("bounds"), qubits=cfg["qubits"])
    return Problem(cfg["objective"], bounds=cfg["bounds"], qubits=cfg["qubits"],
                   name=cfg.get("name"), minimizer=cfg.get("minimizer"),
                   minimum=cfg.get("minimum"))


#: Engines that run the product formula on the state vector, not a circuit.
STATE_VECTOR_BACKENDS = ("emulator", "jax", "local")


def is_circuit_backend(backend: str | None) -> bool:
    """True for backends that simulate or run the gates (all but the state-vector engines)."""
    return str(backend or "aer").strip().lower() not in STATE_VECTOR_BACKENDS


def method_settings(problem, cfg: dict[str, Any], backend: str | None = None) -> dict[str, Any]:
    """A ``[method]`` table completed with :func:`qdq.defaults.method_defaults`.

    The name goes through :func:`qdq.methods.resolve` (
    aliases such as ``imaginary`` or ``qhd``, any case) to its canonical spelling; these
    commands run the quantum methods only. Values given in the table win; missing ones are
    the method's defaults on the problem's box (``steps`` capped at
    :data:`qdq.defaults.CIRCUIT_STEPS` for circuit backends: every backend but
    ``"emulator"``; ``None`` means a circuit backend). For the two-loop algorithm ``D`` is
    its starting ``D0``.

    Raises:
        ParameterError: An unknown or non-quantum method, or a key the method does not use.

    Example:
        >>> from qdq.problem import Problem
        >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> m = method_settings(p, {"name": "QHD", "time": 5.0}, "emulator")
        >>> m["name"], m["D"], m["time"], m["steps"], m["schedule"]
        ('anneal', 2.0, 5.0, 10000, 'qhd-cubic')
    """
    from qdq.methods import options, resolve

    name = resolve(cfg.get("name", "anneal"))
    given = {k: v for k, v in cfg.items() if k != "name"}
    return {"name": name, **options(problem, name, given, circuit=is_circuit_backend(backend))}


def build_spec(problem, cfg: dict[str, Any], backend: str | None = None):
    """An evolution spec (or a two-loop runner) from a ``[method]`` table.

    Missing values are filled by :func:`method_settings` (the defaults ``qdq compare`` uses;
    ``backend`` decides the circuit step cap).
    """
    from qdq.methods import spec_from_options

    cfg = method_settings(problem, cfg, backend)
    return spec_from_options(problem, cfg["name"], {k: v for k, v in cfg.items() if k != "name"})


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
    from qdq.redact import redact

    if isinstance(exc, _CLICK_EXCEPTION):
        error_type, message = "UsageError", exc.format_message()
    else:
        error_type, message = type(exc).__name__, str(exc)
    return {"error": {"type": error_type, "message": redact(message)}}


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
        from qdq.redact import printable

        typer.echo(f"error: {printable(payload['error']['message'], newlines=True)}", err=True)
    return typer.Exit(code)


def print_json(obj: Any) -> None:
    """Write ``obj`` to stdout as strict JSON (no NaN/Infinity tokens, secrets scrubbed)."""
    from qdq.jsonable import strict_json_text

    sys.stdout.write(strict_json_text(obj) + "\n")


def warn(text: str) -> None:
    """``warning: …`` on stderr, made printable (no escapes, no secrets)."""
    from qdq.redact import printable

    typer.echo(f"warning: {printable(text, newlines=True, limit=2000)}", err=True)


class _JsonUsageErrors:
    """Click reports usage errors before the command runs; under ``--json`` make them JSON."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse as usual; under ``--json``, turn a usage error into JSON."""
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except _USAGE_ERROR as exc:
            if not wants_json:
                raise
            raise fail(exc, as_json=True) from None


class JsonErrorsCommand(_JsonUsageErrors, TyperCommand):
    """A command whose usage errors (bad flag types, unknown flags) are JSON under ``--json``.

    With ``--json`` among the arguments they become :func:`error_payload` on stdout with
    exit status 2, like every other error.
    """


class JsonErrorsGroup(_JsonUsageErrors, TyperGroup):
    """A group (``qdq runs``) whose own usage errors are JSON under ``--json``."""

# Report options shared by compare, suite and scaling.
HtmlOpt = Annotated[bool, typer.Option("--html", help="Write report.html. (default: off)")]
FiguresOpt = Annotated[bool, typer.Option(help="Draw PNG figures.")]
QuietOpt = Annotated[bool, typer.Option(help="No progress bar or table.")]

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", help="TOML problem file (format: `qdq/cli/common.py`); flags override it. "
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
    "--method", "-m", help=f"{' | '.join(QUANTUM_METHODS)} (or an alias, e.g. "
    "imaginary). (default: anneal)", show_default=False)]
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

    The method table holds only what the file and the flags gave; :func:`method_settings`
    fills in the defaults once the problem (its box) is built.
    """
    p, m, r = cfg["problem"], cfg["method"], cfg["run"]
    if benchmark:
        p = {"benchmark": benchmark, "dims": dims,
             "qubits": p.get("qubits", DEFAULTS["problem"]["qubits"])}
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
