"""Binary models in and out: QUBO matrices, Ising spins, dimod, LP/MPS and QUBO files.

Every reader returns the canonical data of :mod:`qdq.binary.polynomial` (``{(i, j, …): w}``
plus an offset) and never evaluates its input. Conventions: ``ζ = xᵀQx`` for a QUBO matrix
(the diagonal is linear since ``xᵢ² = xᵢ``; ``Q_ij + Q_ji`` is the coefficient of ``xᵢxⱼ``,
so symmetric and upper-triangular matrices both work); spins ``s = 2x − 1`` (dimod's).

Example:
    >>> qubo_to_polynomial(np.array([[1.0, 2.0], [0.0, -3.0]]))
    {(0,): 1.0, (1,): -3.0, (0, 1): 2.0}
    >>> ising_to_polynomial([1.0], {})          # s0 = 2x0 − 1
    ({(0,): 2.0}, -1.0, 1)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from qdq.binary.polynomial import canonicalize, degree
from qdq.errors import ProblemError, require

#: Largest model file read (bytes).
MAX_FILE_BYTES = 200 * 2**20


def _matrix(Q, what: str = "QUBO matrix") -> np.ndarray:
    try:
        arr = np.asarray(Q)
    except Exception as exc:  # noqa: BLE001 - any conversion failure is the same problem
        raise ProblemError(f"{what} must be a square array of numbers ({exc})") from exc
    if arr.dtype == object or np.iscomplexobj(arr) or not np.issubdtype(arr.dtype, np.number):
        raise ProblemError(f"{what} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ProblemError(f"{what} must be square and non-empty, got shape {arr.shape}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        i, j = np.argwhere(~np.isfinite(arr))[0]
        raise ProblemError(f"{what} entry [{i}, {j}] is {arr[i, j]}; entries must be finite")
    return arr


def qubo_to_polynomial(Q) -> dict[tuple[int, ...], float]:
    """``{(i,): Q_ii, (i, j): Q_ij + Q_ji}`` of a square QUBO matrix (``ζ = xᵀQx``)."""
    arr = _matrix(Q)
    n = arr.shape[0]
    poly = {(i,): float(arr[i, i]) for i in range(n)}
    rows, cols = np.nonzero(np.triu(arr, 1) + np.tril(arr, -1).T)
    sym = np.triu(arr, 1) + np.tril(arr, -1).T
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        poly[(i, j)] = float(sym[i, j])
    return canonicalize(poly, n)


def ising_to_polynomial(h, J, offset: float = 0.0
                        ) -> tuple[dict[tuple[int, ...], float], float, int]:
    """``E(s) = Σ hᵢsᵢ + Σ J_ij sᵢsⱼ + offset`` with ``s = 2x − 1``, in bits.

    Args:
        h: Fields, a sequence or ``{i: h_i}``.
        J: Couplings, ``{(i, j): J_ij}`` or a square matrix (upper and lower parts add).
        offset: Constant.

    Returns:
        ``(polynomial, offset, n)``.
    """
    fields = dict(h) if isinstance(h, Mapping) else dict(enumerate(np.asarray(h, dtype=float)
                                                                    .reshape(-1).tolist()))
    if isinstance(J, Mapping):
        couplings = dict(J)
    else:
        arr = _matrix(J, "coupling matrix J") if np.size(J) else np.zeros((0, 0))
        couplings = {(int(i), int(j)): float(arr[i, j]) for i, j in zip(*np.nonzero(arr),
                                                                        strict=True)}
    keys = [k for k in fields] + [v for pair in couplings for v in pair]
    for k in keys:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ProblemError(f"spin index {k!r} must be an integer >= 0")
    n = int(max(keys)) + 1 if keys else 0
    try:
        off = float(offset)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"offset must be a real number, got {offset!r}") from exc
    poly: dict[tuple[int, ...], float] = {}
    for i, hi in fields.items():
        hi = float(hi)
        poly[(int(i),)] = poly.get((int(i),), 0.0) + 2 * hi    # h s = h(2x − 1)
        off -= hi
    for (i, j), jij in couplings.items():
        jij = float(jij)
        if i == j:
            off += jij  # s_i² = 1
            continue
        key = (min(i, j), max(i, j))
        poly[key] = poly.get(key, 0.0) + 4 * jij              # J(2xᵢ−1)(2xⱼ−1)
        poly[(int(i),)] = poly.get((int(i),), 0.0) - 2 * jij
        poly[(int(j),)] = poly.get((int(j),), 0.0) - 2 * jij
        off += jij
    if not np.isfinite(off):
        raise ProblemError("the Ising offset is not finite; fields and couplings must be finite")
    return canonicalize(poly, n), off, n


def polynomial_to_ising(poly: Mapping[tuple[int, ...], float], offset: float, n: int
                        ) -> tuple[dict[int, float], dict[tuple[int, int], float], float]:
    """``(h, J, offset)`` of a quadratic objective in spins ``s = 2x − 1`` (``x = (s+1)/2``).

    Raises:
        ProblemError: The objective has a monomial of degree > 2.
    """
    if degree(poly) > 2:
        raise ProblemError(f"the objective has degree {degree(poly)}; Ising form needs "
                           "degree <= 2 (reduce it with dimod.make_quadratic)")
    h = {i: 0.0 for i in range(n)}
    J: dict[tuple[int, int], float] = {}
    off = float(offset)
    for s, w in poly.items():
        if len(s) == 1:
            h[s[0]] += w / 2
            off += w / 2
        else:
            i, j = s
            J[(i, j)] = J.get((i, j), 0.0) + w / 4
            h[i] += w / 4
            h[j] += w / 4
            off += w / 4
    return h, J, off


def bqm_to_polynomial(bqm) -> tuple[dict[tuple[int, ...], float], float, tuple[str, ...]]:
    """``(polynomial, offset, names)`` of a ``dimod.BinaryQuadraticModel`` (BINARY or SPIN).

    Variable labels become names (``str``), in the model's variable order.
    """
    dimod = require("dimod", "binary")
    model = bqm.change_vartype(dimod.BINARY, inplace=False)
    labels = list(model.variables)
    index = {v: i for i, v in enumerate(labels)}
    poly = {(index[v],): float(b) for v, b in model.linear.items()}
    for (u, v), w in model.quadratic.items():
        i, j = sorted((index[u], index[v]))
        poly[(i, j)] = poly.get((i, j), 0.0) + float(w)
    names = tuple(str(v) for v in labels)
    if len(set(names)) != len(names):
        names = tuple(f"x{i}" for i in range(len(labels)))
    return canonicalize(poly, len(labels)), float(model.offset), names


def polynomial_to_bqm(poly: Mapping[tuple[int, ...], float], offset: float,
                      names: Sequence[str]):
    """The ``dimod.BinaryQuadraticModel`` (BINARY) of a quadratic objective.

    Raises:
        ProblemError: Degree > 2 (``dimod.make_quadratic`` reduces it, with auxiliary bits).
    """
    dimod = require("dimod", "binary")
    if degree(poly) > 2:
        raise ProblemError(f"the objective has degree {degree(poly)}; a BinaryQuadraticModel "
                           "holds degree <= 2 (reduce it with dimod.make_quadratic)")
    linear = {name: 0.0 for name in names}
    quadratic = {}
    for s, w in poly.items():
        if len(s) == 1:
            linear[names[s[0]]] += w
        else:
            quadratic[(names[s[0]], names[s[1]])] = w
    return dimod.BinaryQuadraticModel(linear, quadratic, float(offset), dimod.BINARY)


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProblemError(f"{str(path)!r} is {size} bytes, more than the {MAX_FILE_BYTES} "
                               "a binary model file may have")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {str(path)!r}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProblemError(f"{str(path)!r} is not a UTF-8 text file ({exc})") from exc


def _numbers(line: str, path: Path, lineno: int, count: int | None = None) -> list[float]:
    try:
        vals = [float(v) for v in line.split()]
    except ValueError as exc:
        raise ProblemError(f"{path}:{lineno}: expected numbers, got {line.strip()[:60]!r}"
                           ) from exc
    if count is not None and len(vals) != count:
        raise ProblemError(f"{path}:{lineno}: expected {count} numbers, got {len(vals)}")
    if not all(np.isfinite(vals)):
        raise ProblemError(f"{path}:{lineno}: numbers must be finite")
    return vals


def read_qubo_file(path, *, instance: int = 1) -> dict[tuple[int, ...], float]:
    """A QUBO from Beasley's OR-Library ``bqp`` format or a plain whitespace matrix.

    ``bqp``: the first line is the number of instances; each instance starts with
    ``n nnz`` and lists ``nnz`` lines ``i j q`` (1-based; ``q`` once per unordered pair, so
    the objective is ``Σ_i q_ii xᵢ + Σ_{i<j} 2 q_ij xᵢxⱼ`` as Beasley's symmetric form —
    stated in the OR-Library description, which *maximizes* it). qdq minimizes, so the
    returned ζ is **minus** that objective: minimizing ζ is Beasley's problem and the
    optimum is minus the published value (bqp50.1: max 2098 → ζ* = −2098, checked with
    HiGHS). A plain matrix file: ``n`` rows of ``n`` numbers, ``ζ = xᵀQx`` (minimized).
    """
    p = Path(path)
    rows = [(k + 1, ln) for k, ln in enumerate(_text(p).splitlines()) if ln.strip()]
    if not rows:
        raise ProblemError(f"{p}: the file is empty")
    first = rows[0][1].split()
    if len(first) == 1:  # OR-Library: number of instances, then instances
        count = int(_numbers(rows[0][1], p, rows[0][0], 1)[0])
        if not 1 <= instance <= count:
            raise ProblemError(f"{p}: instance must be in 1..{count}, got {instance}")
        pos = 1
        for k in range(1, count + 1):
            if pos >= len(rows):
                raise ProblemError(f"{p}: the file ends before instance {k}")
            n, nnz = (int(v) for v in _numbers(rows[pos][1], p, rows[pos][0], 2))
            if n < 1 or nnz < 0 or pos + nnz >= len(rows) + 1:
                raise ProblemError(f"{p}:{rows[pos][0]}: bad header 'n={n} nnz={nnz}'")
            body = rows[pos + 1:pos + 1 + nnz]
            pos += 1 + nnz
            if k != instance:
                continue
            Q = np.zeros((n, n))
            for lineno, line in body:
                i, j, q = _numbers(line, p, lineno, 3)
                if not (1 <= i <= n and 1 <= j <= n and i == int(i) and j == int(j)):
                    raise ProblemError(f"{p}:{lineno}: indices must be in 1..{n}")
                Q[int(i) - 1, int(j) - 1] = q
                Q[int(j) - 1, int(i) - 1] = q
            # OR-Library maximizes xᵀQx; qdq minimizes ζ, so ζ = −xᵀQx is the same problem.
            return qubo_to_polynomial(-Q)
    Q = np.array([_numbers(line, p, lineno) for lineno, line in rows], dtype=object)
    if len({len(r) for r in Q}) != 1 or len(Q[0]) != len(Q):
        raise ProblemError(f"{p}: a matrix file needs n rows of n numbers")
    return qubo_to_polynomial(np.array([list(r) for r in Q], dtype=float))


def read_model_file(path: str | os.PathLike[str]
                    ) -> tuple[dict[tuple[int, ...], float], float, tuple[str, ...]]:
    """``(polynomial, offset, names)`` from an all-binary ``.lp``/``.mps`` model or a QUBO file.

    LP/MPS files are read by HiGHS (``highspy``); every variable must be integer with bounds
    ``[0, 1]`` and there may be no constraints (use :func:`qdq.read_qp` / ``qdq.minimize``
    for those); a maximization is negated. Other suffixes are read by
    :func:`read_qubo_file`.
    """
    p = Path(path)
    if p.suffix.lower() not in (".lp", ".mps"):
        poly = read_qubo_file(p)
        n = 1 + max((i for s in poly for i in s), default=-1)
        return poly, 0.0, tuple(f"x{i}" for i in range(n))
    from qdq.minimize.qp import read_highs_model

    highspy, model = read_highs_model(p, who="BinaryProblem")
    lp = model.lp_
    n = lp.num_col_
    names = list(lp.col_names_) or [f"x{i}" for i in range(n)]
    integrality = list(lp.integrality_) or [0] * n
    for j in range(n):
        lo, hi = float(lp.col_lower_[j]), float(lp.col_upper_[j])
        if int(integrality[j]) == 0 or lo != 0.0 or hi != 1.0:
            raise ProblemError(f"{str(p)!r}: variable {names[j]!r} is not binary (integer in "
                               f"[0, 1]; got bounds [{lo:g}, {hi:g}]); use qdq.read_qp and "
                               "qdq.minimize for continuous or general-integer models")
    if lp.num_row_:
        raise ProblemError(f"{str(p)!r} has {lp.num_row_} constraint(s); a BinaryProblem is "
                           "unconstrained — move them into the objective as penalties")
    sign = -1.0 if lp.sense_ == highspy.ObjSense.kMaximize else 1.0
    poly = {(j,): sign * float(c) for j, c in enumerate(lp.col_cost_)}
    hs = model.hessian_
    # HiGHS's objective is cᵀx + ½ xᵀQx (Q triangular or square).
    for j in range(hs.dim_):
        for k in range(hs.start_[j], hs.start_[j + 1]):
            i, v = int(hs.index_[k]), sign * float(hs.value_[k])
            if i == j:
                poly[(i,)] = poly.get((i,), 0.0) + 0.5 * v
            elif hs.format_ == highspy.HessianFormat.kTriangular:
                key = (min(i, j), max(i, j))
                poly[key] = poly.get(key, 0.0) + v
            else:
                key = (min(i, j), max(i, j))
                poly[key] = poly.get(key, 0.0) + 0.5 * v
    return canonicalize(poly, n), sign * float(lp.offset_), tuple(names)
