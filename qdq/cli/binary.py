"""Binary problems for ``qdq solve``: the flags and ``[problem]`` keys that build them.

One source per run (each excludes the others and ``--objective``/``--bounds``/``--qubits``/
``--benchmark``/``--dims``):

* ``--qubo FILE`` — a QUBO matrix file (``n`` rows of ``n`` numbers, ``ζ = xᵀQx``) or an
  OR-Library ``bqp`` file (:func:`qdq.binary.io.read_qubo_file`);
* ``--lp FILE`` — an all-binary ``.lp``/``.mps`` model without constraints (HiGHS);
* ``--maxcut FILE`` — an edge list: one edge ``i j`` or ``i j w`` per line (integers
  ``i, j >= 0``, ``#`` starts a comment); ζ = −cut (:func:`qdq.benchmarks.maxcut`);
* ``--labs N`` — low-autocorrelation binary sequences of length ``N``;
* ``--tsp FILE`` — a TSPLIB ``.tsp``/``.atsp`` file, or any other name: a distance matrix
  file (``n`` rows of ``n`` numbers); ``(n−1)²`` bits with the XY mixer
  (:func:`qdq.binary.tsp.tsp`);
* ``--binary TEXT`` — an objective over bits, e.g. ``"x0*x1 - 2*x2"`` (parsed safely).

In a TOML file the same keys go in ``[problem]`` (``labs = 8``, ``qubo = "q.txt"``, …).
Files are read as data (size-capped, never evaluated).

May import :mod:`qdq.cli.common` and the library; never :mod:`qdq.cli` itself.

Example:
    >>> table = binary_table({}, labs=4)
    >>> b = build_binary_problem(table)
    >>> b.num_bits, b.exact().energy
    (4, 2.0)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qdq.errors import ParameterError, ProblemError

__all__ = ["BINARY_KEYS", "DeltaOpt", "binary_table", "build_binary_problem", "is_binary_table",
           "read_edge_list", "read_matrix"]

#: The ``[problem]`` keys (and ``--`` flags) that each name one binary problem source.
BINARY_KEYS: tuple[str, ...] = ("qubo", "lp", "maxcut", "labs", "tsp", "binary")

#: Keys of a continuous problem, which a binary source excludes.
_GRID_KEYS: tuple[str, ...] = ("objective", "bounds", "qubits", "benchmark", "dims")

#: The largest edge-list or matrix file read (bytes): far more than any problem that fits.
MAX_FILE_BYTES = 16 * 2**20

QuboOpt = Annotated[str | None, typer.Option(
    "--qubo", help="Binary: a QUBO matrix file or an OR-Library bqp file. (default: none)",
    show_default=False)]
LpOpt = Annotated[str | None, typer.Option(
    "--lp", help="Binary: an all-binary .lp/.mps model without constraints. (default: none)",
    show_default=False)]
MaxcutOpt = Annotated[str | None, typer.Option(
    "--maxcut", help="Binary: Max-Cut of an edge-list file, lines 'i j' or 'i j w'. "
    "(default: none)", show_default=False)]
LabsOpt = Annotated[int | None, typer.Option(
    "--labs", help="Binary: LABS of length N. (default: none)", show_default=False)]
TspOpt = Annotated[str | None, typer.Option(
    "--tsp", help="Binary: TSP of a TSPLIB .tsp/.atsp file or a distance-matrix file "
    "((n-1)^2 bits). (default: none)", show_default=False)]
BinaryOpt = Annotated[str | None, typer.Option(
    "--binary", help="Binary: an objective over bits, e.g. 'x0*x1 - 2*x2'. (default: none)",
    show_default=False)]
POpt = Annotated[int | None, typer.Option(
    "--p", help="QAOA layers (angles start on the linear ramp). (default: 4)",
    show_default=False)]
DeltaOpt = Annotated[float | None, typer.Option(
    "--delta", help="QAOA: total angle of the linear-ramp start. (default: 0.8)",
    show_default=False)]


def is_binary_table(p: dict[str, Any]) -> bool:
    """True when a ``[problem]`` table names a binary source."""
    return any(p.get(k) is not None for k in BINARY_KEYS)


def binary_table(p: dict[str, Any], *, grid_flags: tuple[str, ...] = (),
                 **flags: Any) -> dict[str, Any]:
    """The ``[problem]`` table after the binary flags, with one problem source checked.

    Args:
        p: The table from the config and the continuous flags.
        grid_flags: The names of continuous flags given (``--objective`` …), for the error.
        flags: ``qubo=…, lp=…, …`` as given on the command line (``None``: not given).

    Returns:
        ``{key: value}`` of the one binary source (a flag wins over the file), or ``p``
        unchanged when no binary source is named.

    Raises:
        ParameterError: Two sources, or a binary source beside a continuous one.
    """
    unknown = set(flags) - set(BINARY_KEYS)
    if unknown:
        raise ParameterError(f"unknown binary source {sorted(unknown)!r}; use {BINARY_KEYS}")
    given = {k: v for k, v in flags.items() if v is not None}
    if given:
        if grid_flags:
            raise ParameterError(
                f"--{next(iter(given))} gives a binary problem; it cannot be combined with "
                f"{', '.join(grid_flags)} (got both): give one problem source")
        table = given
    else:
        table = {k: p[k] for k in BINARY_KEYS if p.get(k) is not None}
        if not table:
            return p
        clash = [k for k in _GRID_KEYS if p.get(k) is not None]
        if clash:
            raise ParameterError(
                f"[problem] {next(iter(table))} gives a binary problem; it cannot be combined "
                f"with {', '.join(clash)} (got both): give one problem source")
    if len(table) > 1:
        raise ParameterError(f"give one binary problem source, got {', '.join(table)}")
    if p.get("name") is not None and not given:
        table["name"] = p["name"]
    return table


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProblemError(f"{str(path)!r} is {size} bytes, more than the "
                               f"{MAX_FILE_BYTES} this reader takes")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProblemError(f"{str(path)!r} is not a UTF-8 text file") from exc


def _lines(path: Path):
    for k, line in enumerate(_read_text(path).splitlines(), start=1):
        body = line.split("#", 1)[0].replace(",", " ").split()
        if body:
            yield k, body


def read_edge_list(path: str | Path) -> list[tuple[int, int, float]]:
    """Edges ``(i, j, w)`` from lines ``i j`` or ``i j w`` (``w`` defaults to 1; ``#`` comments).

    Raises:
        ProblemError: Unreadable file, a malformed line (its number is named), a self-loop
            or no edges.

    Example:
        >>> import pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.txt"
        >>> _ = f.write_text("# triangle" + chr(10) + "0 1" + chr(10) + "1 2 2.5" + chr(10))
        >>> read_edge_list(f)
        [(0, 1, 1.0), (1, 2, 2.5)]
    """
    path = Path(path)
    edges = []
    for k, body in _lines(path):
        try:
            if len(body) not in (2, 3):
                raise ValueError
            i, j = int(body[0]), int(body[1])
            w = float(body[2]) if len(body) == 3 else 1.0
        except ValueError:
            raise ProblemError(f"{path}:{k}: an edge is 'i j' or 'i j w' (node numbers >= 0, "
                               f"a weight), got {' '.join(body)[:60]!r}") from None
        if i < 0 or j < 0 or i == j or not abs(w) < float("inf"):
            raise ProblemError(f"{path}:{k}: nodes must be distinct integers >= 0 and the "
                               f"weight finite, got {' '.join(body)[:60]!r}")
        edges.append((i, j, w))
    if not edges:
        raise ProblemError(f"{path}: no edges found; write one 'i j [w]' per line")
    return edges


def read_matrix(path: str | Path) -> list[list[float]]:
    """A square matrix of finite numbers from a text file (rows on lines; ``#`` comments).

    Raises:
        ProblemError: Unreadable, non-numeric, ragged or non-square.
    """
    path = Path(path)
    rows = []
    for k, body in _lines(path):
        try:
            row = [float(v) for v in body]
        except ValueError:
            raise ProblemError(f"{path}:{k}: expected numbers, got "
                               f"{' '.join(body)[:60]!r}") from None
        if not all(abs(v) < float("inf") for v in row):
            raise ProblemError(f"{path}:{k}: numbers must be finite")
        rows.append(row)
    if not rows or any(len(r) != len(rows) for r in rows):
        raise ProblemError(f"{path}: expected a square matrix ({len(rows)} rows of "
                           f"{len(rows)} numbers), got row lengths "
                           f"{sorted({len(r) for r in rows})}")
    return rows


def _existing(value: Any, key: str) -> Path:
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ParameterError(f"--{key} takes a file name, got {value!r}")
    path = Path(value)
    if not path.is_file():
        raise ProblemError(f"--{key}: no such file {str(path)!r}; give the path of a "
                           "readable file")
    return path


def build_binary_problem(p: dict[str, Any]):
    """The :class:`~qdq.BinaryProblem` a binary ``[problem]`` table names (see the module)."""
    from qdq.binary.problem import BinaryProblem

    key = next(k for k in BINARY_KEYS if p.get(k) is not None)
    value = p[key]
    if key == "labs":
        from qdq.benchmarks import labs

        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ParameterError(f"--labs takes a sequence length N >= 2, got {value!r}")
        problem = labs(value)
    elif key == "binary":
        if not isinstance(value, str):
            raise ParameterError(f"--binary takes an objective string over bits, got {value!r}")
        problem = BinaryProblem(value)
    else:
        path = _existing(value, key)
        suffix = path.suffix.lower()
        if key == "lp":
            if suffix not in (".lp", ".mps"):
                raise ParameterError(f"--lp takes a .lp or .mps file, got {str(path)!r}; use "
                                     "--qubo for a QUBO matrix or bqp file")
            problem = BinaryProblem(path)
        elif key == "qubo":
            if suffix in (".lp", ".mps"):
                raise ParameterError(f"--qubo takes a QUBO matrix or bqp file, got "
                                     f"{str(path)!r}; use --lp for LP/MPS models")
            problem = BinaryProblem(path)
        elif key == "maxcut":
            from qdq.benchmarks import maxcut

            problem = maxcut(read_edge_list(path))
        else:
            from qdq.binary.tsp import tsp

            problem = tsp(path if suffix in (".tsp", ".atsp") else read_matrix(path))
    if p.get("name") is not None:
        problem.name = p["name"]
    elif getattr(problem, "name", None) is None:
        problem.name = "binary" if key == "binary" else f"{key}-{Path(str(value)).stem}"
    return problem
