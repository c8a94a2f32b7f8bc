r"""Binary optimization problems: ζ a pseudo-Boolean polynomial on the hypercube ``{0,1}ⁿ``.

The search space is the hypercube; its kinetic term is the graph Laplacian
``L = Σᵢ (1 − Xᵢ)`` (:class:`~qdq.kinetic.HypercubeLaplacian`), so ``H = D·L + ζ`` is the
transverse-field Ising Hamiltonian when ζ is quadratic, and every dynamics of qdq (real and
imaginary time, annealing, two loops, QAOA) runs on it unchanged.

Conventions: bit ``i`` is qubit ``i`` (little-endian, as Qiskit); arrays over assignments are
flat, indexed by ``Σᵢ xᵢ 2^i``; a bitstring is written ``x0 x1 …`` left to right
(:meth:`BinaryProblem.bitstring`); spins follow dimod, ``s = 2x − 1``.

Example:
    >>> b = BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x3")
    >>> b.num_bits, b.values.shape
    (4, (16,))
    >>> float(b.values.min()), b.bitstring(int(b.values.argmin()))
    (-2.0, 'x0..x3 = 0010')
    >>> BinaryProblem({(0, 1): 1.0, (2,): -2.0}, num_bits=3).energy([1, 1, 1])
    -1.0
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np

from qdq.binary.polynomial import (  # noqa: F401 - MAX_DENSE_BITS re-exported
    CHUNK,
    MAX_DENSE_BITS,
    canonicalize,
    degree,
    evaluate_all,
    evaluate_bits,
    z_form,
)
from qdq.errors import ProblemError, ResourceError
from qdq.layout import Layout
from qdq.problem import Term, global_min_mask

#: Most bits a binary problem may have (circuits and resource counts; a statevector
#: engine refuses far fewer, by memory).
MAX_BITS = 4096


def _is_bqm(obj) -> bool:
    return all(hasattr(obj, a) for a in ("linear", "quadratic", "vartype", "offset"))


def mixer_from_dict(data: Mapping | None):
    """The kinetic term a stored problem record names (``None``: the hypercube's)."""
    if not data:
        return None
    if data.get("name") == "xy-mixer":
        from qdq.binary.xy import XYMixer

        return XYMixer.from_dict(data)
    raise ProblemError(f"unknown mixer {data.get('name')!r} in a binary problem record")


class BinaryProblem:
    """A binary objective ``ζ(x) = c + Σ_S w_S Π_{i∈S} xᵢ`` on ``n`` bits.

    Args:
        objective: One of
            * a string in the safe grammar over bits (``"x0*x1 - 2*x2"``, or named variables
              ``"a*b - 2*c"``, indexed in order of first appearance unless ``names`` is given);
            * a square QUBO matrix ``Q`` (``ζ = xᵀQx``; symmetric or upper-triangular);
            * a mapping ``{(i, j, …): w}`` (any order; ``x_i² = x_i`` is folded);
            * a ``dimod.BinaryQuadraticModel`` (BINARY or SPIN);
            * a path to an all-binary ``.lp``/``.mps`` model or a QUBO file (OR-Library
              ``bqp`` format or a plain matrix).
        offset: Constant added to ζ.
        num_bits: Number of bits for a mapping (default: largest index + 1).
        names: Variable names (default ``x0, x1, …``).
        name: A label for reports.
        mixer: A kinetic term to use instead of the hypercube Laplacian (e.g. an
            :class:`~qdq.binary.xy.XYMixer` on one-hot groups).

    Raises:
        ProblemError: Malformed input, no variables, or more than :data:`MAX_BITS` bits.
    """

    is_binary = True

    def __init__(self, objective, *, offset: float = 0.0, num_bits: int | None = None,
                 names: Sequence[str] | None = None, name: str | None = None, mixer=None):
        poly, extra, parsed_names, n = self._read(objective, num_bits, names)
        try:
            off = float(offset) + float(extra)
        except (TypeError, ValueError) as exc:
            raise ProblemError(f"offset must be a real number, got {offset!r}") from exc
        if not np.isfinite(off):
            raise ProblemError(f"offset must be finite, got {offset!r}")
        if n < 1:
            raise ProblemError("a binary problem needs at least one bit, got 0; "
                               "give an objective with variables or num_bits >= 1")
        if n > MAX_BITS:
            raise ProblemError(f"{n} bits is more than the {MAX_BITS} qdq supports")
        self.num_bits = n
        self.polynomial = canonicalize(poly, n)
        self.offset = off
        names = parsed_names if names is None else tuple(str(v) for v in names)
        if names is None:
            names = tuple(f"x{i}" for i in range(n))
        if len(names) != n or len(set(names)) != n:
            raise ProblemError(f"names must be {n} distinct names, got {list(names)[:8]!r}")
        self.names = tuple(names)
        self.name = name
        self.layout = Layout([1] * n, flat=True)
        self._mixer = mixer

    @staticmethod
    def _read(objective, num_bits, names):
        """``(poly, offset, names or None, n)`` from any accepted input."""
        if isinstance(objective, str):
            from qdq.binary.parse import parse_binary

            poly, off, parsed = parse_binary(objective, names=names)
            return poly, off, parsed, len(parsed)
        if isinstance(objective, os.PathLike):
            from qdq.binary.io import read_model_file

            poly, off, parsed = read_model_file(objective)
            return poly, off, parsed, len(parsed)
        if _is_bqm(objective):
            from qdq.binary.io import bqm_to_polynomial

            poly, off, parsed = bqm_to_polynomial(objective)
            return poly, off, parsed, len(parsed)
        if isinstance(objective, Mapping):
            top = max((max(np.atleast_1d(k)) for k in objective if np.size(k)), default=-1)
            n = int(top) + 1 if num_bits is None else int(num_bits)
            return dict(objective), 0.0, None, n
        if isinstance(objective, (np.ndarray, list, tuple)):
            from qdq.binary.io import qubo_to_polynomial

            Q = np.asarray(objective)
            return qubo_to_polynomial(Q), 0.0, None, int(Q.shape[0]) if Q.ndim == 2 else 0
        raise ProblemError(
            f"a binary objective must be a string, a QUBO matrix, a {{(i, j): w}} mapping, "
            f"a dimod.BinaryQuadraticModel or a model file path, got {type(objective).__name__}"
        )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_ising(cls, h, J, offset: float = 0.0, **kwargs) -> BinaryProblem:
        """From spins ``E(s) = Σ hᵢsᵢ + Σ J_ij sᵢsⱼ + offset`` with ``s = 2x − 1`` (dimod).

        Example:
            >>> b = BinaryProblem.from_ising([1.0], {})       # E = s0: best s0 = −1, x0 = 0
            >>> b.values.tolist()
            [-1.0, 1.0]
        """
        from qdq.binary.io import ising_to_polynomial

        poly, off, n = ising_to_polynomial(h, J, offset)
        return cls(poly, offset=off, num_bits=n, **kwargs)

    def to_bqm(self):
        """The ``dimod.BinaryQuadraticModel`` (BINARY) of a quadratic objective."""
        from qdq.binary.io import polynomial_to_bqm

        return polynomial_to_bqm(self.polynomial, self.offset, self.names)

    def to_ising(self) -> tuple[dict, dict, float]:
        """``(h, J, offset)`` in spins ``s = 2x − 1`` (quadratic objectives)."""
        from qdq.binary.io import polynomial_to_ising

        return polynomial_to_ising(self.polynomial, self.offset, self.num_bits)

    # ------------------------------------------------------------------ the space
    @property
    def grid(self) -> Layout:
        """The register layout (engines read shape, size and registers from it)."""
        return self.layout

    @property
    def kinetic_term(self):
        """The hypercube Laplacian ``Σᵢ (1 − Xᵢ)``, or the ``mixer`` given."""
        if self._mixer is not None:
            return self._mixer
        from qdq.kinetic import HypercubeLaplacian

        return HypercubeLaplacian(self.layout)

    @property
    def degree(self) -> int:
        """Largest monomial size."""
        return degree(self.polynomial)

    def energy(self, bits) -> float | np.ndarray:
        """ζ of one assignment (length ``n``) or of each row of an ``(m, n)`` array."""
        b = np.asarray(bits)
        if b.shape[-1:] != (self.num_bits,) or b.ndim > 2:
            raise ProblemError(f"bits must have {self.num_bits} entries per row, got {b.shape}")
        if not np.isin(b, (0, 1)).all():
            raise ProblemError("bits must be 0 or 1")
        out = evaluate_bits(self.polynomial, self.offset, b)
        return float(out[0]) if b.ndim == 1 else out

    def bits(self, index: int) -> tuple[int, ...]:
        """Assignment ``(x0, x1, …)`` of flat index ``index``."""
        from qdq.binary.metrics import bits_of

        return bits_of(index, self.num_bits)

    def bitstring(self, index: int) -> str:
        """``'x0..x{n-1} = 0110…'``: the assignment written ``x0`` first (left to right)."""
        from qdq.binary.metrics import bitstring

        return f"x0..x{self.num_bits - 1} = {bitstring(index, self.num_bits)}"

    @cached_property
    def values(self) -> np.ndarray:
        """ζ over all ``2ⁿ`` assignments, flat (index ``Σ xᵢ 2^i``; read-only)."""
        n = self.num_bits
        if n > MAX_DENSE_BITS:
            raise ResourceError(f"a table of ζ over 2^{n} assignments is not possible; "
                                f"statevector engines take at most {MAX_DENSE_BITS} bits")
        from qdq.grid import check_memory

        check_memory(8 * (1 << n), f"ζ over 2^{n} assignments", hint="use fewer bits")
        out = np.empty(1 << n)
        for start in range(0, 1 << n, CHUNK):
            stop = min(1 << n, start + CHUNK)
            out[start:stop] = evaluate_all(self.polynomial, self.offset,
                                           np.arange(start, stop), n)
        out.setflags(write=False)
        return out

    @cached_property
    def global_min_mask(self) -> np.ndarray:
        """Mask of the ground states (within ``1e-12·max(1, max|ζ|)``)."""
        return global_min_mask(self.values)

    @cached_property
    def terms(self) -> list[Term]:
        """ζ in Z-form, one :class:`~qdq.problem.Term` per Z-string (what circuits apply).

        ``Term.dims`` are the bits of the string; its values ``a_S Π (1 − 2xᵢ)`` on those bits.
        """
        out = []
        for s, a in sorted(z_form(self.polynomial, self.offset).items(),
                           key=lambda kv: (len(kv[0]), kv[0])):
            z = np.array([1.0, -1.0])
            vals = np.asarray(a, dtype=float)
            for _ in s:
                vals = np.multiply.outer(vals, z)
            label = "*".join(f"Z{i}" for i in s) or "1"
            out.append(Term(tuple(s), np.asarray(vals, dtype=float), f"{a:.6g}*{label}"))
        return out

    def exact(self):
        """Brute-force ground energy and ground states (:func:`qdq.binary.exact.brute_force`)."""
        from qdq.binary.exact import brute_force

        return brute_force(self.polynomial, self.offset, self.num_bits)

    # ------------------------------------------------------------------ records
    def to_dict(self) -> dict:
        """JSON-safe description (the polynomial as ``[[indices], weight]`` pairs)."""
        return {"kind": "binary", "name": self.name, "num_bits": self.num_bits,
                "offset": self.offset, "names": list(self.names),
                "polynomial": [[list(s), w] for s, w in self.polynomial.items()],
                "expression": self.expression(),
                "mixer": None if self._mixer is None else self._mixer.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping) -> BinaryProblem:
        """Inverse of :meth:`to_dict`."""
        try:
            poly = {tuple(int(i) for i in s): float(w) for s, w in data["polynomial"]}
            return cls(poly, offset=float(data.get("offset", 0.0)),
                       num_bits=int(data["num_bits"]), names=data.get("names"),
                       name=data.get("name"), mixer=mixer_from_dict(data.get("mixer")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProblemError(f"not a binary problem record ({type(exc).__name__}: {exc})"
                               ) from exc

    def expression(self, limit: int = 12) -> str:
        """The objective as text (the first ``limit`` monomials, then ``…``)."""
        parts = [f"{w:+.6g}*" + "*".join(self.names[i] for i in s)
                 for s, w in list(self.polynomial.items())[:limit]]
        if len(self.polynomial) > limit:
            parts.append(f"+ … ({len(self.polynomial) - limit} more)")
        if self.offset:
            parts.append(f"{self.offset:+.6g}")
        return " ".join(parts) or "0"

    def __repr__(self) -> str:
        label = f"{self.name}, " if self.name else ""
        return (f"BinaryProblem({label}{self.num_bits} bits, {len(self.polynomial)} terms, "
                f"degree {self.degree})")
