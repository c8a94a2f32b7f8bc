r"""The travelling salesman problem on ``(n−1)²`` bits, and a small safe TSPLIB reader.

**Encoding.** City 0 is fixed at position 0 (a tour is a cycle: fixing one city removes the
``n`` rotations). Bit ``x_{c,t} = 1`` means "city ``c`` is visited at position ``t``" for
``c, t ∈ 1 … n−1``; its index is :func:`tsp_bit` ``= (t−1)(n−1) + (c−1)`` (position-major:
the bits of one position are contiguous). The tour is ``0 → city@1 → … → city@(n−1) → 0`` and

.. math:: ζ(x) = Σ_c d_{0c} x_{c,1} + Σ_{t=1}^{n−2} Σ_{c≠c'} d_{cc'} x_{c,t} x_{c',t+1}
          + Σ_c d_{c0} x_{c,n−1} + P·(\text{one-hot violations})

(``d`` may be asymmetric: ATSP). The one-hot constraints are "each position holds one city"
and "each city is at one position", each as ``P(Σ x − 1)²``:

* ``encoding="xy"`` — the position constraints are kept exactly by an
  :class:`~qdq.binary.xy.XYMixer` with one group per position (start in
  :func:`~qdq.binary.xy.one_hot_uniform`); the city constraints are penalized. The position
  penalties are kept in ζ too by default: they are exactly 0 on the mixer's feasible
  subspace (so they change no dynamics, only add ``ZZ`` gates), and with them ζ's minimum
  over all ``2^{(n−1)²}`` assignments is the best tour, so results' ``p_global_min`` means
  "found the best tour". ``penalize_positions=False`` drops them (fewer gates; ζ's global
  minimum is then infeasible — read tours with :func:`decode_tour`);
* ``encoding="penalty"`` — both are penalized; the mixer is the hypercube Laplacian.

Default ``P = n·max d`` (1 if every distance is 0): any assignment that breaks a constraint
breaks at least two (rows and columns count the same ones), costs at least ``2P``, and
distances are ``>= 0``, so it is worse than every tour (each ``<= n·max d``).

Example:
    >>> d = [[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]]   # a unit square
    >>> b = tsp(d)
    >>> b.num_bits, b.kinetic_term.groups
    (9, ((0, 1, 2), (3, 4, 5), (6, 7, 8)))
    >>> best = np.flatnonzero(b.global_min_mask)             # the two directions
    >>> [decode_tour(b, i) for i in best], float(b.values[best[0]])
    ([[0, 3, 2, 1], [0, 1, 2, 3]], 4.0)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from qdq.binary.problem import BinaryProblem
from qdq.errors import ProblemError

ENCODINGS = ("xy", "penalty")
#: Largest TSPLIB file read (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Edge-weight types the reader computes (TSPLIB's own rounding, see :func:`tsplib_distance`).
COORD_TYPES = ("EUC_2D", "CEIL_2D", "ATT", "GEO")
#: Explicit matrix layouts the reader accepts.
EXPLICIT_FORMATS = ("FULL_MATRIX", "UPPER_ROW", "LOWER_DIAG_ROW", "UPPER_DIAG_ROW")


def tsp_bit(city: int, position: int, n: int) -> int:
    """Bit index of "city ``city`` at position ``position``" (both in ``1 … n−1``).

    Example:
        >>> tsp_bit(1, 1, 4), tsp_bit(3, 1, 4), tsp_bit(1, 2, 4)
        (0, 2, 3)
    """
    if not (1 <= city < n and 1 <= position < n):
        raise ProblemError(f"city and position must be in 1..{n - 1}, got {city}, {position}")
    return (position - 1) * (n - 1) + (city - 1)


def _matrix(distances) -> np.ndarray:
    try:
        d = np.array(distances, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"distances must be a square matrix of numbers, got "
                           f"{type(distances).__name__}") from exc
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ProblemError(f"distances must be a square matrix, got shape {d.shape}")
    if d.shape[0] < 3:
        raise ProblemError(f"a tour needs at least 3 cities, got {d.shape[0]}")
    off = ~np.eye(d.shape[0], dtype=bool)
    if not np.all(np.isfinite(d[off])) or np.any(d[off] < 0):
        raise ProblemError("distances must be finite and >= 0 off the diagonal "
                           "(shift them by a constant per tour if needed)")
    return np.where(off, d, 0.0)


def _add(poly: dict, key: tuple[int, ...], w: float) -> None:
    key = tuple(sorted(key))
    poly[key] = poly.get(key, 0.0) + w


def _one_hot_penalty(poly: dict, bits: list[int], P: float) -> float:
    """Add ``P(Σ x − 1)² = P(1 − Σ x + 2Σ_{a<b} x_a x_b)``; return the constant ``P``."""
    for a, i in enumerate(bits):
        _add(poly, (i,), -P)
        for j in bits[a + 1:]:
            _add(poly, (i, j), 2.0 * P)
    return P


def tsp(distances_or_path, *, penalty: float | None = None, encoding: str = "xy",
        topology: str = "ring", penalize_positions: bool = True) -> BinaryProblem:
    """The TSP of a distance matrix or a TSPLIB file as a :class:`~qdq.BinaryProblem`.

    Args:
        distances_or_path: An ``n × n`` matrix (``n >= 3``; off-diagonal ``>= 0``; may be
            asymmetric) or a path to a TSPLIB ``.tsp``/``.atsp`` file (:func:`read_tsplib`).
        penalty: ``P`` of the one-hot penalties (default ``n·max d``; see the module
            docstring).
        encoding: ``"xy"`` (XY mixer on positions, cities penalized) or ``"penalty"``.
        topology: The XY mixer's pairs per group (``"ring"`` or ``"complete"``).
        penalize_positions: With ``encoding="xy"``: keep the position penalties in ζ.

    Returns:
        A problem on ``(n−1)²`` bits whose value on every tour is its length.

    Raises:
        ProblemError: Bad distances, encoding or penalty; a bad TSPLIB file.
    """
    if isinstance(distances_or_path, (str, os.PathLike)):
        inst = read_tsplib(distances_or_path)
        d, label = inst.distances, inst.name
    else:
        d, label = _matrix(distances_or_path), None
    if encoding not in ENCODINGS:
        raise ProblemError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    n = d.shape[0]
    m = (n - 1) ** 2
    dmax = float(d.max())
    P = n * dmax if dmax > 0 else 1.0
    if penalty is not None:
        try:
            P = float(penalty)
        except (TypeError, ValueError) as exc:
            raise ProblemError(f"penalty must be a number > 0, got {penalty!r}") from exc
        if not (np.isfinite(P) and P > 0):
            raise ProblemError(f"penalty must be a finite number > 0, got {penalty!r}")
    poly: dict = {}
    offset = 0.0
    cities = range(1, n)
    for c in cities:
        _add(poly, (tsp_bit(c, 1, n),), float(d[0, c]))
        _add(poly, (tsp_bit(c, n - 1, n),), float(d[c, 0]))
    for t in range(1, n - 1):
        for c in cities:
            for c2 in cities:
                if c != c2 and d[c, c2] != 0.0:
                    _add(poly, (tsp_bit(c, t, n), tsp_bit(c2, t + 1, n)), float(d[c, c2]))
    for c in cities:  # each city at one position
        offset += _one_hot_penalty(poly, [tsp_bit(c, t, n) for t in cities], P)
    groups = [[tsp_bit(c, t, n) for c in cities] for t in cities]
    mixer = None
    if encoding == "penalty" or penalize_positions:
        for g in groups:  # each position holds one city
            offset += _one_hot_penalty(poly, g, P)
    if encoding == "xy":
        from qdq.binary.xy import XYMixer

        mixer = XYMixer(m, groups, topology=topology)
    names = [f"c{c}t{t}" for t in cities for c in cities]
    return BinaryProblem({k: w for k, w in poly.items() if w != 0.0}, offset=offset,
                         num_bits=m, names=names, mixer=mixer,
                         name=f"tsp-{label or n}-{encoding}")


def _num_cities(num_bits: int) -> int:
    n = math.isqrt(int(num_bits)) + 1
    if (n - 1) ** 2 != num_bits or n < 3:
        raise ProblemError(f"not a TSP problem: {num_bits} bits is not (n-1)^2 for n >= 3")
    return n


def decode_tour(problem, index: int) -> list[int] | None:
    """The tour ``[0, c_1, …, c_{n−1}]`` of flat assignment ``index``, or ``None`` if infeasible.

    ``problem`` is a :func:`tsp` problem (or its number of bits).

    Example:
        >>> decode_tour(9, 1 + 16 + 256)        # 9 bits; c1@1, c2@2, c3@3 (bits 0, 4, 8)
        [0, 1, 2, 3]
        >>> decode_tour(9, 0) is None
        True
    """
    n = _num_cities(getattr(problem, "num_bits", problem))
    index = int(index)
    tour = [0]
    for t in range(1, n):
        here = [c for c in range(1, n) if (index >> tsp_bit(c, t, n)) & 1]
        if len(here) != 1:
            return None
        tour.append(here[0])
    return tour if len(set(tour)) == n else None


def tour_length(distances, tour) -> float:
    """Length of the closed tour (back to ``tour[0]``).

    Example:
        >>> tour_length([[0, 1, 5], [1, 0, 2], [5, 2, 0]], [0, 1, 2])
        8.0
    """
    d = np.asarray(distances, dtype=float)
    t = list(tour)
    return float(sum(d[t[k], t[(k + 1) % len(t)]] for k in range(len(t))))


# ----------------------------------------------------------------------------- TSPLIB
# Our own reader, not the `tsplib95` package: its newest release (0.7.1, checked 2026-12-05
# with `pip download tsplib95 --no-deps`) declares Requires-Dist `networkx (~=2.1)`, i.e.
# networkx < 3, which conflicts with current networkx.
@dataclass(frozen=True)
class TSPLIBInstance:
    """A TSPLIB instance: its name, edge-weight type and full distance matrix."""

    name: str
    edge_weight_type: str
    distances: np.ndarray
    comment: str = ""

    @property
    def dimension(self) -> int:
        """Number of cities."""
        return int(self.distances.shape[0])


def _geo_radians(v: np.ndarray) -> np.ndarray:
    deg = np.trunc(v)  # TSPLIB FAQ: truncation, as the reference code's (int) cast
    return 3.141592 * (deg + 5.0 * (v - deg) / 3.0) / 180.0


def tsplib_distance(kind: str, a, b):
    """TSPLIB's integer distances between coordinates ``a``, ``b`` (Reinelt's TSPLIB 95 doc).

    ``a``, ``b``: ``(x, y)`` pairs or broadcastable ``(…, 2)`` arrays (an ``int`` for one
    pair, else an integer-valued float array). With ``nint(r) = ⌊r + ½⌋`` (``r >= 0``):

    * ``EUC_2D``: ``nint(√(dx² + dy²))``; ``CEIL_2D``: ``⌈√(dx² + dy²)⌉``;
    * ``ATT`` (pseudo-Euclidean): ``r = √((dx² + dy²)/10)``, ``t = nint(r)``, ``t + 1`` if
      ``t < r`` else ``t``;
    * ``GEO``: ``x`` latitude, ``y`` longitude in ``DDD.MM`` (degrees, minutes); radians
      ``π(deg + 5·min/3)/180`` with ``π = 3.141592`` and ``deg`` truncated;
      ``⌊6378.388·acos(½((1+q₁)q₂ − (1−q₁)q₃)) + 1⌋`` with ``q₁ = cos(Δlong)``,
      ``q₂ = cos(Δlat)``, ``q₃ = cos(lat_a + lat_b)``.

    Example:
        >>> tsplib_distance("EUC_2D", (0, 0), (3, 4.4)), tsplib_distance("CEIL_2D", (0, 0), (3, 4))
        (5, 5)
        >>> tsplib_distance("ATT", (0, 0), (10, 0))
        4
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    dx, dy = a[..., 0] - b[..., 0], a[..., 1] - b[..., 1]
    if kind in ("EUC_2D", "CEIL_2D"):
        r = np.sqrt(dx * dx + dy * dy)
        out = np.floor(r + 0.5) if kind == "EUC_2D" else np.ceil(r)
    elif kind == "ATT":
        r = np.sqrt((dx * dx + dy * dy) / 10.0)
        t = np.floor(r + 0.5)
        out = np.where(t < r, t + 1.0, t)
    elif kind == "GEO":
        la, lo = _geo_radians(a[..., 0]), _geo_radians(a[..., 1])
        lb, lob = _geo_radians(b[..., 0]), _geo_radians(b[..., 1])
        q1, q2, q3 = np.cos(lo - lob), np.cos(la - lb), np.cos(la + lb)
        arg = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
        out = np.trunc(6378.388 * np.arccos(arg) + 1.0)
    else:
        raise ProblemError(f"unsupported TSPLIB EDGE_WEIGHT_TYPE {kind!r}; qdq reads "
                           f"{', '.join(('EXPLICIT',) + COORD_TYPES)}")
    return int(out) if np.ndim(out) == 0 else out


def _explicit(fmt: str, values: list[float], n: int, where: str) -> np.ndarray:
    counts = {"FULL_MATRIX": n * n, "UPPER_ROW": n * (n - 1) // 2,
              "LOWER_DIAG_ROW": n * (n + 1) // 2, "UPPER_DIAG_ROW": n * (n + 1) // 2}
    if len(values) != counts[fmt]:
        raise ProblemError(f"{where}: EDGE_WEIGHT_SECTION of a {fmt} with DIMENSION {n} needs "
                           f"{counts[fmt]} numbers, got {len(values)}")
    v = np.asarray(values, dtype=float)
    if fmt == "FULL_MATRIX":
        return v.reshape(n, n).copy()
    d = np.zeros((n, n))
    if fmt == "UPPER_ROW":
        rows, cols = np.triu_indices(n, 1)
    elif fmt == "UPPER_DIAG_ROW":
        rows, cols = np.triu_indices(n)
    else:
        cols, rows = np.triu_indices(n)  # row i lists j = 0..i: the lower triangle by rows
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
    d[rows, cols] = v
    d[cols, rows] = v
    return d


def _number(tok: str, lineno: int, path) -> float:
    try:
        x = float(tok)
    except ValueError:
        raise ProblemError(f"{path}:{lineno}: expected a number, got {tok[:40]!r}") from None
    if not math.isfinite(x):
        raise ProblemError(f"{path}:{lineno}: numbers must be finite, got {tok[:40]!r}")
    return x


def read_tsplib(path) -> TSPLIBInstance:
    """Read a TSPLIB ``TSP``/``ATSP`` file (data only: nothing in it is executed).

    Accepts ``EDGE_WEIGHT_TYPE`` ``EXPLICIT`` (``EDGE_WEIGHT_FORMAT`` one of
    :data:`EXPLICIT_FORMATS`) and the coordinate types :data:`COORD_TYPES` (integer
    distances by TSPLIB's rules, :func:`tsplib_distance`); ``DISPLAY_DATA_SECTION`` is
    skipped. Anything else (other problem types, ``EUC_3D``, ``FIXED_EDGES_SECTION``, …) is
    refused by name. Files over :data:`MAX_FILE_BYTES` are refused before reading; errors
    give ``path:line``.

    Raises:
        ProblemError: An unreadable, oversized, unsupported or malformed file.
    """
    from qdq.grid import check_memory

    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise ProblemError(f"{path}: {size} bytes is more than the {MAX_FILE_BYTES} a "
                               "TSPLIB file may have")
        with open(path, "rb") as fh:
            text = fh.read(MAX_FILE_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(f"cannot read TSPLIB file {path}: {exc}") from exc
    spec: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    weights: list[float] = []
    section = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        head = line.split(":", 1)[0].strip().upper() if ":" in line else line.split()[0].upper()
        if head == "EOF":
            break
        if head.endswith("_SECTION"):
            if head not in ("NODE_COORD_SECTION", "EDGE_WEIGHT_SECTION", "DISPLAY_DATA_SECTION"):
                raise ProblemError(f"{path}:{lineno}: unsupported TSPLIB section {head}")
            section = head
            continue
        if ":" in line and not line[0].isdigit() and line[0] not in "+-.":
            key, value = (s.strip() for s in line.split(":", 1))
            spec[key.upper()] = value
            section = None
            continue
        toks = line.split()
        if section == "NODE_COORD_SECTION":
            if len(toks) != 3:
                raise ProblemError(f"{path}:{lineno}: a 2-D node line is 'index x y', "
                                   f"got {line[:60]!r}")
            i = _number(toks[0], lineno, path)
            if i != int(i) or int(i) in coords:
                raise ProblemError(f"{path}:{lineno}: bad or repeated node index {toks[0]!r}")
            coords[int(i)] = (_number(toks[1], lineno, path), _number(toks[2], lineno, path))
        elif section == "EDGE_WEIGHT_SECTION":
            weights.extend(_number(t, lineno, path) for t in toks)
        elif section != "DISPLAY_DATA_SECTION":
            raise ProblemError(f"{path}:{lineno}: expected 'KEY : value' or a section, "
                               f"got {line[:60]!r}")
    kind = spec.get("TYPE", "").split()[0].upper() if spec.get("TYPE") else ""
    if kind not in ("TSP", "ATSP"):
        raise ProblemError(f"{path}: TYPE must be TSP or ATSP, got {spec.get('TYPE')!r}")
    try:
        n = int(spec.get("DIMENSION", ""))
    except ValueError:
        raise ProblemError(f"{path}: DIMENSION must be an integer, got "
                           f"{spec.get('DIMENSION')!r}") from None
    if n < 3:
        raise ProblemError(f"{path}: DIMENSION must be >= 3, got {n}")
    check_memory(8 * n * n, f"a {n}x{n} distance matrix", hint="use a smaller instance")
    ewt = spec.get("EDGE_WEIGHT_TYPE", "").upper()
    if ewt == "EXPLICIT":
        fmt = spec.get("EDGE_WEIGHT_FORMAT", "").upper()
        if fmt not in EXPLICIT_FORMATS:
            raise ProblemError(f"{path}: EDGE_WEIGHT_FORMAT must be one of {EXPLICIT_FORMATS}, "
                               f"got {fmt!r}")
        d = _explicit(fmt, weights, n, str(path))
    elif ewt in COORD_TYPES:
        if sorted(coords) != list(range(1, n + 1)):
            raise ProblemError(f"{path}: NODE_COORD_SECTION must list nodes 1..{n} once each, "
                               f"got {len(coords)} nodes")
        pts = np.array([coords[i] for i in range(1, n + 1)])
        d = np.empty((n, n))
        for a in range(n):  # one row at a time: temporaries of O(n)
            d[a] = tsplib_distance(ewt, pts[a], pts)
        np.fill_diagonal(d, 0.0)  # GEO gives 1 on the diagonal; a city is 0 from itself
    else:
        raise ProblemError(f"{path}: unsupported EDGE_WEIGHT_TYPE {ewt or None!r}; qdq reads "
                           f"{', '.join(('EXPLICIT',) + COORD_TYPES)}")
    return TSPLIBInstance(name=spec.get("NAME", os.path.basename(str(path))),
                          edge_weight_type=ewt, distances=_matrix(d),
                          comment=spec.get("COMMENT", ""))
