r"""Quadratic programs: ``.lp`` / ``.mps`` files and arrays, read and solved with HiGHS.

A :class:`QuadraticProgram` is

.. math::

    \min_x\ \tfrac12 x^T Q x + c^T x + c_0 \quad\text{s.t.}\quad
    r_{lo} ≤ A x ≤ r_{hi},\quad l ≤ x ≤ u,

read from a file by :func:`read_qp` (HiGHS, the ``highspy`` package: ``pip install
'qdq[qp]'``) or built from arrays by :meth:`QuadraticProgram.from_arrays`
(``(Q, c, A, b, bounds)`` with ``A x ≤ b``). :func:`qdq.minimize.minimize` accepts it
directly: its bounds and constraints apply. :meth:`QuadraticProgram.reference` is the
classical answer printed beside qdq's: HiGHS's own optimum when ``Q`` is positive
semidefinite; otherwise (QHDOPT's nonconvex class) the best of scipy's global optimizers
(dual annealing, differential evolution), seeded.

Files are data: a light check first (size, text, MPS sections and numeric fields, with the
line number), then HiGHS parses; its error messages (with line and column for ``.lp``) are
captured from its log and raised as :class:`~qdq.errors.ProblemError`.

May import numpy, scipy, highspy (lazily) and :mod:`qdq.errors`, :mod:`qdq.files`.

Example:
    >>> qp = QuadraticProgram.from_arrays([[2, 0], [0, 2]], [-2, -4], A=[[1, 1]], b=[1],
    ...                                   bounds=[(0, 2), (0, 2)])
    >>> float(qp([0.0, 1.0])), qp.is_convex
    (-3.0, True)
    >>> ref = qp.reference()
    >>> ref["solver"], [round(v, 6) for v in ref["x"]], round(ref["fun"], 6)
    ('highs', [0.0, 1.0], -3.0)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qdq.errors import ProblemError

__all__ = ["QuadraticProgram", "read_qp"]

_INF = 1e30  # HiGHS's infinity (kHighsInf)
_MAX_FILE_BYTES = 64 * 2**20
_MPS_SECTIONS = ("NAME", "OBJSENSE", "OBJSENSE MAX", "OBJSENSE MIN", "ROWS", "COLUMNS", "RHS",
                 "RANGES", "BOUNDS", "QUADOBJ", "QMATRIX", "QSECTION", "OBJSENSE MAXIMIZE",
                 "OBJSENSE MINIMIZE", "ENDATA", "OBJECT BOUND")
_BOUND_TYPES = {"UP", "LO", "FX", "FR", "MI", "PL", "BV", "LI", "UI", "SC"}


def new_highs():
    """A silent ``highspy.Highs``.

    HiGHS prints a banner on the C-level stdout when the first instance of a process is
    built, before any option can be set; the descriptor is pointed at the null device for
    that moment only.
    """
    import sys

    from qdq.errors import require

    highspy = require("highspy", "qp")
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return highspy, h


@dataclass
class QuadraticProgram:
    """``min ½xᵀQx + cᵀx + c₀`` s.t. ``row_lower ≤ A x ≤ row_upper``, ``bounds``.

    Attributes:
        Q: Symmetric ``(n, n)`` Hessian.
        c: Linear costs ``(n,)``.
        A: Constraint matrix ``(m, n)``.
        row_lower: ``(m,)`` (``-inf`` for none).
        row_upper: ``(m,)`` (``inf`` for none).
        bounds: ``(low, high)`` per variable (may be infinite until given to minimize).
        offset: Constant ``c₀``.
        names: Variable names.
        name: Label.
    """

    Q: np.ndarray
    c: np.ndarray
    A: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    bounds: list[tuple[float, float]]
    offset: float = 0.0
    names: list[str] = field(default_factory=list)
    name: str = "qp"

    def __post_init__(self):
        self.Q = np.asarray(self.Q, dtype=float)
        self.c = np.asarray(self.c, dtype=float).ravel()
        n = self.c.size
        if self.Q.shape != (n, n):
            raise ProblemError(f"Q must be {n}x{n} to match c, got shape {self.Q.shape}")
        if not np.allclose(self.Q, self.Q.T, atol=1e-12):
            self.Q = 0.5 * (self.Q + self.Q.T)  # xᵀQx only sees the symmetric part
        self.A = np.asarray(self.A, dtype=float).reshape(-1, n)
        m = self.A.shape[0]
        self.row_lower = np.broadcast_to(np.asarray(self.row_lower, dtype=float), (m,)).copy()
        self.row_upper = np.broadcast_to(np.asarray(self.row_upper, dtype=float), (m,)).copy()
        self.bounds = [(float(lo), float(hi)) for lo, hi in self.bounds]
        if len(self.bounds) != n:
            raise ProblemError(f"bounds has {len(self.bounds)} pairs, the program {n} variables")
        self.names = list(self.names) or [f"x{i}" for i in range(n)]

    @classmethod
    def from_arrays(cls, Q, c, A=None, b=None, bounds=None, *, A_eq=None, b_eq=None,
                    offset: float = 0.0, name: str = "qp") -> QuadraticProgram:
        """From arrays: ``A x ≤ b``, ``A_eq x = b_eq``, ``bounds`` (default unbounded).

        Raises:
            ProblemError: Shapes that do not match.
        """
        c = np.asarray(c, dtype=float).ravel()
        n = c.size
        rows, lo, hi = [np.zeros((0, n))], [np.zeros(0)], [np.zeros(0)]
        for mat, rhs, eq in ((A, b, False), (A_eq, b_eq, True)):
            if mat is None:
                continue
            mat = np.atleast_2d(np.asarray(mat, dtype=float))
            rhs = np.asarray(rhs, dtype=float).ravel()
            if mat.shape[1] != n or rhs.size != mat.shape[0]:
                raise ProblemError(f"constraint matrix {mat.shape} and right-hand side "
                                   f"{rhs.shape} do not match {n} variables")
            rows.append(mat)
            hi.append(rhs)
            lo.append(rhs.copy() if eq else np.full(rhs.size, -np.inf))
        bounds = bounds if bounds is not None else [(-np.inf, np.inf)] * n
        return cls(Q, c, np.vstack(rows), np.concatenate(lo), np.concatenate(hi), bounds,
                   offset, name=name)

    @property
    def dims(self) -> int:
        """Number of variables."""
        return self.c.size

    def column_objective(self, X: np.ndarray) -> np.ndarray:
        """Values at the columns of ``X`` (shape ``(n, M)``)."""
        X = np.asarray(X, dtype=float)
        return 0.5 * np.einsum("im,im->m", X, self.Q @ X) + self.c @ X + self.offset

    def __call__(self, x) -> float:
        """The objective at one point."""
        return float(self.column_objective(np.asarray(x, dtype=float).reshape(-1, 1))[0])

    @property
    def is_convex(self) -> bool:
        """Whether ``Q`` is positive semidefinite (smallest eigenvalue ≥ −1e−10·scale)."""
        if self.dims == 0:
            return True
        ev = np.linalg.eigvalsh(self.Q)
        return bool(ev.min() >= -1e-10 * max(1.0, float(np.abs(ev).max())))

    def constraints(self) -> list:
        """The rows as one :class:`scipy.optimize.LinearConstraint` (empty without rows)."""
        from scipy.optimize import LinearConstraint

        if self.A.shape[0] == 0:
            return []
        return [LinearConstraint(self.A, self.row_lower, self.row_upper)]

    def _highs(self):
        highspy, h = new_highs()
        lp = highspy.HighsLp()
        n, m = self.dims, self.A.shape[0]
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = self.c.tolist()
        lp.col_lower_ = [max(lo, -_INF) for lo, _ in self.bounds]
        lp.col_upper_ = [min(hi, _INF) for _, hi in self.bounds]
        lp.row_lower_ = np.maximum(self.row_lower, -_INF).tolist()
        lp.row_upper_ = np.minimum(self.row_upper, _INF).tolist()
        lp.offset_ = float(self.offset)
        lp.col_names_ = list(self.names)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        start, index, value = [0], [], []
        for j in range(n):
            nz = np.flatnonzero(self.A[:, j])
            index += nz.tolist()
            value += self.A[nz, j].tolist()
            start.append(len(index))
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        h.passModel(lp)
        if np.any(self.Q):
            hs = highspy.HighsHessian()
            hs.dim_, hs.format_ = n, highspy.HessianFormat.kTriangular
            start, index, value = [0], [], []
            for j in range(n):
                nz = j + np.flatnonzero(self.Q[j:, j])
                index += nz.tolist()
                value += self.Q[nz, j].tolist()
                start.append(len(index))
            hs.start_, hs.index_, hs.value_ = start, index, value
            h.passHessian(hs)
        return h

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the program as ``.lp`` or ``.mps`` (by the suffix) through HiGHS."""
        path = Path(path)
        if path.suffix.lower() not in (".lp", ".mps"):
            raise ProblemError(f"write a .lp or .mps file, got {str(path)!r}")
        h = self._highs()
        tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
        h.writeModel(str(tmp))
        os.replace(tmp, path)  # atomic: a reader never sees half a file
        return path

    def reference(self, seed: int | None = None) -> dict:
        """The classical reference: HiGHS's optimum (convex) or scipy's best global search.

        Returns:
            ``{"solver", "x", "fun", "convex", "status"}`` (and ``"candidates"`` for the
            nonconvex case: each global optimizer's value and evaluations).
        """
        if self.is_convex:
            h = self._highs()
            h.run()
            status = str(h.getModelStatus()).split(".")[-1]
            sol = h.getSolution()
            x = np.asarray(sol.col_value, dtype=float)
            return {"solver": "highs", "x": x.tolist(), "fun": self(x), "convex": True,
                    "status": status}
        return _global_reference(self, seed)


def _global_reference(qp: QuadraticProgram, seed: int | None) -> dict:
    from scipy.optimize import differential_evolution, dual_annealing
    from scipy.optimize import minimize as local

    bounds = qp.bounds
    if not all(np.isfinite(lo) and np.isfinite(hi) for lo, hi in bounds):
        raise ProblemError("the nonconvex reference needs finite bounds on every variable")
    cons = qp.constraints()
    runs = []
    if cons:
        de = differential_evolution(qp, bounds, seed=seed, constraints=cons, tol=1e-8,
                                    polish=True, maxiter=500)
    else:  # one call per generation: the population as columns
        de = differential_evolution(qp.column_objective, bounds, seed=seed, tol=1e-8,
                                    polish=False, maxiter=500, vectorized=True,
                                    updating="deferred")
        fin = local(qp, de.x, method="L-BFGS-B", bounds=bounds)
        de.x, de.nfev = fin.x, de.nfev + fin.nfev
    runs.append(("differential_evolution", de.x, int(de.nfev)))
    if not cons:
        da = dual_annealing(qp, bounds, seed=seed)
        runs.append(("dual_annealing", da.x, int(da.nfev)))
    out = []
    for solver, x, nfev in runs:
        if cons:  # finish on the constraints (differential evolution may stop just outside)
            res = local(qp, x, method="SLSQP", bounds=bounds, constraints=cons,
                        options={"ftol": 1e-14, "maxiter": 500})
            x, nfev = res.x, nfev + int(res.nfev)
        viol = 0.0
        if cons:
            ax = qp.A @ x
            viol = float(max(0.0, *(qp.row_lower - ax), *(ax - qp.row_upper)))
        out.append({"solver": solver, "x": np.asarray(x).tolist(), "fun": qp(x), "nfev": nfev,
                    "violation": viol})
    best = min(out, key=lambda r: (r["violation"] > 1e-6, r["fun"]))
    return {**best, "convex": False, "status": "best of scipy global optimizers",
            "candidates": [{k: r[k] for k in ("solver", "fun", "nfev")} for r in out]}


def _check_mps(lines: Sequence[str], path: str) -> None:
    section = None
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("*"):
            continue
        if not line[0].isspace():
            head = line.split()[0].upper()
            if head not in {s.split()[0] for s in _MPS_SECTIONS}:
                raise ProblemError(f"{path}, line {no}: unknown MPS section {head!r}; "
                                   "expected one of ROWS, COLUMNS, RHS, RANGES, BOUNDS, "
                                   "QUADOBJ, ENDATA")
            section = head
            continue
        tok = line.split()
        if "'MARKER'" in line:
            continue
        numeric: list[int] = []
        if section == "COLUMNS":
            numeric = [2, 4] if len(tok) in (3, 5) else [-1]
        elif section in ("RHS", "RANGES"):
            numeric = [2, 4] if len(tok) in (3, 5) else ([1, 3] if len(tok) in (2, 4) else [-1])
        elif section in ("QUADOBJ", "QMATRIX", "QSECTION"):
            numeric = [2] if len(tok) == 3 else [-1]
        elif section == "BOUNDS":
            if tok[0].upper() not in _BOUND_TYPES:
                raise ProblemError(f"{path}, line {no}: unknown bound type {tok[0]!r}; "
                                   f"use one of {', '.join(sorted(_BOUND_TYPES))}")
            if tok[0].upper() not in ("FR", "MI", "PL", "BV"):
                numeric = [len(tok) - 1] if len(tok) in (3, 4) else [-1]
        for i in numeric:
            if i < 0:
                raise ProblemError(f"{path}, line {no}: {len(tok)} fields in the {section} "
                                   f"section do not fit its format: {line.strip()!r}")
            if i < len(tok):
                try:
                    float(tok[i])
                except ValueError:
                    raise ProblemError(f"{path}, line {no}: field {i + 1} of the {section} "
                                       f"section must be a number, got {tok[i]!r}") from None


def read_highs_model(path: str | os.PathLike[str], *, who: str = "read_qp"):
    """``(highspy, model)``: an ``.lp``/``.mps`` file read by HiGHS, checked first.

    The file must exist, be UTF-8 text of at most 64 MiB (MPS lines are checked before HiGHS
    sees them); a parse error is a :class:`~qdq.errors.ProblemError` quoting HiGHS's log.
    Used by :func:`read_qp` and by binary problems (``qdq.binary.io``).
    """
    p = Path(path)
    if p.suffix.lower() not in (".lp", ".mps"):
        raise ProblemError(f"{who} reads .lp or .mps files, got {str(p)!r}")
    try:
        size = p.stat().st_size
        if size > _MAX_FILE_BYTES:
            raise ProblemError(f"{str(p)!r} is {size} bytes, more than the "
                               f"{_MAX_FILE_BYTES} {who} accepts")
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {str(p)!r}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProblemError(f"{str(p)!r} is not a UTF-8 text file ({exc})") from exc
    if p.suffix.lower() == ".mps":
        _check_mps(text.splitlines(), str(p))
    highspy, h = new_highs()
    fd, log = tempfile.mkstemp(suffix=".log")
    os.close(fd)
    try:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", log)
        h.setOptionValue("output_flag", True)
        status = h.readModel(str(p))
        messages = [ln.strip() for ln in Path(log).read_text(errors="replace").splitlines()
                    if ln.strip()]
    finally:
        h.setOptionValue("output_flag", False)
        os.unlink(log)
    if status == highspy.HighsStatus.kError:
        detail = " | ".join(m for m in messages if "Running HiGHS" not in m)[:800]
        raise ProblemError(f"HiGHS could not read {str(p)!r}: {detail or 'parse error'}")
    return highspy, h.getModel()


def read_qp(path: str | os.PathLike[str]) -> QuadraticProgram:
    """Read a quadratic (or linear) program from an ``.lp`` or ``.mps`` file with HiGHS.

    Args:
        path: The file (``.lp`` or ``.mps``).

    Returns:
        A :class:`QuadraticProgram` (a maximization becomes minimizing the negated
        objective; integer variables are refused).

    Raises:
        ProblemError: A missing, oversized or non-text file, a malformed one (the message
            names the line, and the column for ``.lp``, from HiGHS's log), integer
            variables.
        DependencyError: ``highspy`` is not installed (``pip install 'qdq[qp]'``).
    """
    p = Path(path)
    highspy, model = read_highs_model(p, who="read_qp")
    lp = model.lp_
    n = lp.num_col_
    if len(lp.integrality_) and any(int(v) != 0 for v in lp.integrality_):
        raise ProblemError(f"{str(p)!r} declares integer variables; qdq.minimize solves "
                           "continuous problems: relax them in the file")
    A = np.zeros((lp.num_row_, n))
    a = lp.a_matrix_
    if a.format_ == highspy.MatrixFormat.kColwise:
        for j in range(n):
            for k in range(a.start_[j], a.start_[j + 1]):
                A[a.index_[k], j] = a.value_[k]
    else:
        for i in range(lp.num_row_):
            for k in range(a.start_[i], a.start_[i + 1]):
                A[i, a.index_[k]] = a.value_[k]
    Q = np.zeros((n, n))
    hs = model.hessian_
    if hs.dim_:
        for j in range(hs.dim_):
            for k in range(hs.start_[j], hs.start_[j + 1]):
                i = hs.index_[k]
                Q[i, j] = hs.value_[k]
                if hs.format_ == highspy.HessianFormat.kTriangular:
                    Q[j, i] = hs.value_[k]

    def inf(v):
        v = np.asarray(v, dtype=float)
        return np.where(v >= _INF, np.inf, np.where(v <= -_INF, -np.inf, v))

    sign = -1.0 if lp.sense_ == highspy.ObjSense.kMaximize else 1.0
    return QuadraticProgram(sign * Q, sign * np.asarray(lp.col_cost_, dtype=float), A,
                            inf(lp.row_lower_), inf(lp.row_upper_),
                            list(zip(inf(lp.col_lower_), inf(lp.col_upper_), strict=True)),
                            sign * float(lp.offset_), list(lp.col_names_), name=p.stem)
