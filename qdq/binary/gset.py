r"""G-set Max-Cut graphs: a safe reader and writer of the ``.rud`` edge-list format.

The G-set (Helmberg & Rendl 1997, generated with Rinaldi's ``rudy``; distributed at
https://web.stanford.edu/~yyye/yyye/Gset/) is the standard Max-Cut benchmark. A file is

.. code-block:: text

    n m
    i j w        (m lines; 1-based node numbers 1 ≤ i, j ≤ n, weight w, usually ±1)

The graph becomes :func:`qdq.binary.instances.maxcut`'s ``ζ = −cut`` on ``n`` bits (node
``k`` is bit ``k − 1``; isolated nodes keep their bit). Every line is data: numbers are
parsed, nothing is evaluated; a malformed line is refused with its line number.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tri.rud"
    >>> write_gset(p, 3, [(1, 2, 1), (2, 3, 1), (1, 3, 1)])
    >>> problem, meta = read_gset(p)
    >>> problem.num_bits, meta["num_edges"], float(problem.exact().energy)   # max cut 2
    (3, 3, -2.0)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from qdq.errors import ProblemError

#: Largest G-set file read (bytes); the largest G-set graph (G81) is under 1 MB.
MAX_GSET_BYTES = 32 * 2**20
#: Most nodes a graph may declare (the largest G-set graph has 20 000).
MAX_GSET_NODES = 1_000_000


class GsetFormatError(ProblemError):
    """A G-set ``.rud`` file is malformed; the message names the file and line."""


def _int(tok: str, where: str, what: str) -> int:
    try:
        value = int(tok)
    except ValueError:
        raise GsetFormatError(f"{where}: {what} must be an integer, got {tok[:40]!r}") from None
    return value


def read_gset_edges(path: str | os.PathLike[str], *, max_bytes: int = MAX_GSET_BYTES
                    ) -> tuple[int, np.ndarray]:
    """``(n, edges)`` of a G-set file, nodes 0-based.

    ``edges`` is an ``(m, 3)`` float array of rows ``i, j, w`` in file order.

    Refused (:class:`GsetFormatError`, naming ``path:line``): a header that is not two
    integers ``n ≥ 1``, ``m ≥ 0``; an edge line that is not ``i j w``; nodes outside
    ``1 … n``; loops; an edge given twice; non-finite weights; fewer or more than ``m``
    edge lines. Files over ``max_bytes`` are refused before reading.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise GsetFormatError(f"{p}: {size} bytes is more than the {max_bytes} a G-set "
                                  "file may have; pass max_bytes= to read a larger one")
        with open(p, "rb") as fh:
            text = fh.read(max_bytes + 1).decode("utf-8")
    except OSError as exc:
        raise GsetFormatError(f"cannot read G-set file {p}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise GsetFormatError(f"{p} is not a text file ({exc})") from exc
    lines = [(k, ln.split()) for k, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines:
        raise GsetFormatError(f"{p}: the file is empty; expected a header 'n m'")
    lineno, head = lines[0]
    if len(head) != 2:
        raise GsetFormatError(f"{p}:{lineno}: the header must be 'n m', got "
                              f"{' '.join(head)[:60]!r}")
    n = _int(head[0], f"{p}:{lineno}", "n")
    m = _int(head[1], f"{p}:{lineno}", "m")
    if not 1 <= n <= MAX_GSET_NODES or m < 0:
        raise GsetFormatError(f"{p}:{lineno}: need 1 <= n <= {MAX_GSET_NODES} and m >= 0, "
                              f"got n={n}, m={m}")
    if m > n * (n - 1) // 2:
        raise GsetFormatError(f"{p}:{lineno}: a simple graph on {n} nodes has at most "
                              f"{n * (n - 1) // 2} edges, got m={m}")
    body = lines[1:]
    if len(body) != m:
        where = f"{p}:{body[m][0]}" if len(body) > m else str(p)
        raise GsetFormatError(f"{where}: the header declares m={m} edges, the file has "
                              f"{len(body)} edge lines")
    edges = np.empty((m, 3))
    seen: set[tuple[int, int]] = set()
    for row, (lineno, toks) in enumerate(body):
        where = f"{p}:{lineno}"
        if len(toks) != 3:
            raise GsetFormatError(f"{where}: an edge line is 'i j w', got {' '.join(toks)[:60]!r}")
        i, j = _int(toks[0], where, "i"), _int(toks[1], where, "j")
        try:
            w = float(toks[2])
        except ValueError:
            raise GsetFormatError(f"{where}: the weight must be a number, got "
                                  f"{toks[2][:40]!r}") from None
        if not math.isfinite(w):
            raise GsetFormatError(f"{where}: the weight must be finite, got {toks[2][:40]!r}")
        if not (1 <= i <= n and 1 <= j <= n):
            raise GsetFormatError(f"{where}: nodes must be in 1..{n}, got ({i}, {j})")
        if i == j:
            raise GsetFormatError(f"{where}: a loop ({i}, {j}) is not a G-set edge")
        key = (min(i, j), max(i, j))
        if key in seen:
            raise GsetFormatError(f"{where}: edge {key} appears twice")
        seen.add(key)
        edges[row] = (i - 1, j - 1, w)
    return n, edges


def gset_problem(n: int, edges: np.ndarray, *, name: str = "gset"):
    """The Max-Cut problem ``ζ = −cut`` of a graph with ``n`` nodes and 0-based ``edges``.

    Nodes without an edge keep their bit (they are entered as zero-weight loops, which
    :func:`~qdq.binary.instances.maxcut` skips), so bit ``k`` is always node ``k``.
    """
    from qdq.binary.instances import maxcut

    edges = np.asarray(edges, dtype=float).reshape(-1, 3)
    if n < 1:
        raise ProblemError(f"a graph needs at least one node, got n={n}")
    listed = [(int(i), int(j), float(w)) for i, j, w in edges]
    present = {i for i, _, _ in listed} | {j for _, j, _ in listed}
    listed += [(k, k, 0.0) for k in range(n) if k not in present]
    problem = maxcut(listed)
    problem.name = name
    return problem


def read_gset(path: str | os.PathLike[str], *, max_bytes: int = MAX_GSET_BYTES):
    """Read a G-set graph as a Max-Cut :class:`~qdq.BinaryProblem` (``ζ = −cut``).

    Returns:
        ``(problem, metadata)``: ``metadata`` has ``name`` (the file's stem), ``path``,
        ``num_nodes``, ``num_edges``, ``total_weight`` (``Σ w``) and ``weights`` (the
        sorted distinct weights).

    Raises:
        GsetFormatError: The file is unreadable, too large or malformed (with its line).
    """
    n, edges = read_gset_edges(path, max_bytes=max_bytes)
    name = Path(path).stem
    meta = {"name": name, "path": str(path), "num_nodes": n, "num_edges": int(edges.shape[0]),
            "total_weight": float(edges[:, 2].sum()),
            "weights": sorted({float(w) for w in edges[:, 2]})}
    return gset_problem(n, edges, name=f"gset-{name}"), meta


def write_gset(path: str | os.PathLike[str], n: int, edges: Iterable) -> None:
    """Write a graph in the G-set format; ``edges`` are **1-based** ``(i, j, w)``.

    Integer-valued weights are written without a decimal point (as the G-set files are);
    others with ``repr`` precision, so :func:`read_gset_edges` reads back the same floats.
    An existing file is not overwritten.

    Raises:
        ProblemError: Bad ``n``, a node outside ``1 … n``, a loop, a repeated edge or a
            non-finite weight; ``path`` exists.
    """
    rows = [tuple(e) for e in edges]
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ProblemError(f"n must be an integer >= 1, got {n!r}")
    seen: set[tuple[int, int]] = set()
    out = [f"{int(n)} {len(rows)}"]
    for row in rows:
        if len(row) != 3:
            raise ProblemError(f"an edge is (i, j, w), got {row!r}")
        i, j, w = int(row[0]), int(row[1]), float(row[2])
        key = (min(i, j), max(i, j))
        if not (1 <= i <= n and 1 <= j <= n) or i == j or key in seen or not math.isfinite(w):
            raise ProblemError(f"edge {row!r}: need distinct nodes in 1..{n}, each pair once, "
                               "and a finite weight")
        seen.add(key)
        out.append(f"{i} {j} {int(w) if w == int(w) else repr(w)}")
    p = Path(path)
    try:
        with open(p, "x", encoding="utf-8") as fh:
            fh.write("\n".join(out) + "\n")
    except FileExistsError:
        raise ProblemError(f"{p} exists; choose a new file name") from None
    except OSError as exc:
        raise ProblemError(f"cannot write {p}: {exc}") from exc
