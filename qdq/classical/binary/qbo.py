r"""Quantization-based optimization (QbO) of Seok & Cho, on bits and as a generic core.

QbO searches by *quantizing the objective*: with resolution ``Q`` a cost ``f`` is read as

.. math:: f^Q = \lfloor Q f + \tfrac12 \rfloor / Q ,

(:func:`quantize`), a candidate is accepted when its quantized cost is **no worse** than the
current one's, ``f^Q(x_c) <= f^Q(x)`` (ties accepted, so the search also walks level sets),
and every acceptance doubles the resolution, ``Q ← 2Q``. The start is coarse,
``Q₀ = 2^{−⌊log₂ f₀ + 1⌋}`` (:func:`initial_resolution`): the grid step ``1/Q₀`` is the power
of two just above ``f₀``, so early on nearly every candidate is accepted (uphill moves too:
the quantization error acts as the "temperature"); as ``Q`` doubles the rule becomes
"accept if ``f(x_c) <= f(x)``". Seok & Cho, *Quantization-based optimization: alternative
stochastic approximation of global optimization* (arXiv:2211.03972, 2022) and ETRI Journal
(2024).

**Checked against the authors' code** (github.com/SDE-AI-00/Quantization-based-Optimization,
``tsp_test_anonymopus/qz_proc.py``, class ``Quantization_proc``: ``compute_eta``,
``quantization``, ``search_algorithm``; read, not copied). Same as there: ``Q₀`` as above
(``eta``), ``quantization(f) = ⌊Q(f + ½/Q)⌋/Q``, accept on ``<=``, and on acceptance the
resolution is raised *before* the new current cost is quantized (it is stored at the new
``Q``); the best point is the accepted one of least real cost. Differences, all where their
code would fail: (1) ``compute_eta`` takes ``math.log(f₀, 2)``, which raises for ``f₀ <= 0``
(their TSP lengths are positive). Here :func:`initial_resolution` uses ``|f₀|`` (and
``Q₀ = 1`` at ``f₀ = 0``), and :func:`qbo_bits` minimizes ``ζ − L`` with ``L`` the
polynomial's lower bound ``c + Σ_S min(w_S, 0)``, so its cost is ``>= 0`` like a tour length
(a shift by a constant changes no comparison of real costs). (2) They stop the run once
``Q`` has doubled 1023 times (``limit_power_idx``, before ``2^1024`` overflows); here ``Q``
stops doubling after :data:`MAX_DOUBLINGS` (the grid is then far below a float's resolution
of ``f₀``) and the search goes on with that ``Q``.

Example:
    >>> quantize(10.0, 1 / 16), initial_resolution(10.0)
    (16.0, 0.0625)
    >>> from qdq.binary.instances import maxcut
    >>> r = qbo_bits(maxcut([(0, 1), (1, 2), (2, 3), (3, 0)]), reads=4, seed=0,
    ...              iterations=50)
    >>> r.energies.tolist()                              # the 4-cycle's max cut is 4
    [-4.0, -4.0, -4.0, -4.0]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdq.classical.binary.outcome import BinaryRuns
from qdq.errors import ParameterError, ProblemError
from qdq.validate import check_seed

__all__ = ["MAX_DOUBLINGS", "QbOAcceptance", "QbOTrace", "quantize", "initial_resolution",
           "qbo_search", "qbo_bits", "FlipDelta", "check_count", "flat_index",
           "read_rngs", "lower_bound"]

#: Doublings of ``Q`` after which it is held (``Q₀·2^64``: a grid step ``2^−64`` of
#: ``|f₀|``'s scale, below double precision; the authors stop the run at 1023).
MAX_DOUBLINGS = 64


def quantize(f: float, Q: float) -> float:
    r"""``⌊Q·f + ½⌋ / Q``: ``f`` rounded (half up) to the grid of step ``1/Q``.

    Example:
        >>> quantize(25.0, 0.125), quantize(24.4, 1.0), quantize(-1.25, 2.0)
        (24.0, 24.0, -1.0)
    """
    return math.floor(Q * f + 0.5) / Q


def initial_resolution(f0: float) -> float:
    r"""``Q₀ = 2^{−⌊log₂|f₀| + 1⌋}`` (``1`` when ``f₀ = 0``): step ``1/Q₀`` just above ``|f₀|``.

    The authors' ``compute_eta`` is the same for ``f₀ > 0`` and undefined otherwise (see the
    module docstring).

    Example:
        >>> initial_resolution(10.0), initial_resolution(8.0), initial_resolution(-0.3)
        (0.0625, 0.0625, 2.0)
    """
    f0 = float(f0)
    if not math.isfinite(f0):
        raise ParameterError(f"the initial cost must be finite, got {f0}")
    if f0 == 0.0:
        return 1.0
    return 2.0 ** (-math.floor(math.log2(abs(f0)) + 1.0))


class QbOAcceptance:
    """The QbO acceptance state: resolution ``Q = Q₀·2^k`` and the current quantized cost.

    :meth:`offer` judges one candidate cost; on acceptance ``k`` grows by one (up to
    :data:`MAX_DOUBLINGS`) and the candidate's cost, quantized at the new ``Q``, becomes the
    current one. Every QbO in qdq (:func:`qbo_search`, :func:`qbo_bits`,
    :func:`qdq.classical.binary.permutation.qbo_two_opt`) goes through it.
    """

    def __init__(self, f0: float) -> None:
        self.q0 = initial_resolution(f0)
        self.doublings = 0
        self.Q = self.q0
        self.current = quantize(float(f0), self.Q)

    def offer(self, f: float) -> bool:
        """Accept (and refine ``Q``) iff ``quantize(f, Q) <= current``."""
        if quantize(f, self.Q) > self.current:
            return False
        if self.doublings < MAX_DOUBLINGS:
            self.doublings += 1
            self.Q = self.q0 * 2.0 ** self.doublings  # exact: powers of two
        self.current = quantize(f, self.Q)
        return True


@dataclass(frozen=True)
class QbOTrace:
    """Per-candidate record of :func:`qbo_search`.

    Attributes:
        energies: Each candidate's real cost.
        resolution: The ``Q`` each candidate was judged at.
        accepted: Whether it was accepted.
    """

    energies: np.ndarray
    resolution: np.ndarray
    accepted: np.ndarray


def qbo_search(energy_fn: Callable[[Any], float], propose_fn: Callable[[Any, Any], Any],
               x0: Any, *, iterations: int, rng: np.random.Generator
               ) -> tuple[Any, float, QbOTrace]:
    """Generic QbO: ``iterations`` candidates ``propose_fn(x, rng)``, judged by quantized cost.

    Args:
        energy_fn: Cost of a point (called once for ``x0`` and once per candidate).
        propose_fn: A candidate from the current point and the generator (a new object:
            ``x`` is not copied).
        x0: The start.
        iterations: Candidates to judge.
        rng: The random generator handed to ``propose_fn``.

    Returns:
        ``(best x, its cost, trace)``: the accepted point of least real cost (``x0`` if none
        beat it) and a :class:`QbOTrace`.

    Example:
        >>> it = iter([20.0, 25.0, 26.0, 23.0])
        >>> _, f, tr = qbo_search(lambda x: x, lambda x, r: next(it), 10.0, iterations=4,
        ...                       rng=np.random.default_rng(0))
        >>> f, tr.accepted.tolist(), tr.resolution.tolist()
        (10.0, [True, True, False, True], [0.0625, 0.125, 0.25, 0.25])
    """
    iterations = check_count("iterations", iterations, low=0)
    f_best = float(energy_fn(x0))
    rule = QbOAcceptance(f_best)
    x = best = x0
    energies = np.empty(iterations)
    resolution = np.empty(iterations)
    accepted = np.zeros(iterations, dtype=bool)
    for t in range(iterations):
        cand = propose_fn(x, rng)
        f = float(energy_fn(cand))
        energies[t], resolution[t] = f, rule.Q
        if rule.offer(f):
            accepted[t] = True
            x = cand
            if f < f_best:
                best, f_best = cand, f
    return best, f_best, QbOTrace(energies, resolution, accepted)


# ----------------------------------------------------------------------------- helpers
def check_count(name: str, value: Any, *, low: int = 1) -> int:
    """An integer ``>= low`` (booleans refused), named in the error."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def read_rngs(seed: int | None, reads: int) -> list[np.random.Generator]:
    """One independent generator per read, from ``SeedSequence(seed).spawn(reads)``."""
    return [np.random.default_rng(s)
            for s in np.random.SeedSequence(check_seed(seed)).spawn(reads)]


def flat_index(bits: np.ndarray) -> int:
    """``Σ xᵢ2^i`` of one assignment, or ``-1`` past 62 bits (:class:`BinaryRuns`' rule)."""
    b = np.asarray(bits, dtype=np.int64).reshape(-1)
    if b.size > 62:
        return -1
    return int(np.sum(b << np.arange(b.size, dtype=np.int64)))


def lower_bound(problem) -> float:
    """``c + Σ_S min(w_S, 0)``: every monomial is 0 or 1, so ``ζ >= `` this everywhere."""
    return float(problem.offset) + float(sum(min(w, 0.0) for w in problem.polynomial.values()))


def _check_problem(problem) -> None:
    if not getattr(problem, "is_binary", False) or not hasattr(problem, "polynomial"):
        raise ProblemError(f"expected a qdq.BinaryProblem, got {type(problem).__name__}; "
                           "build one with qdq.BinaryProblem(...) or qdq.binary.instances")


class FlipDelta:
    r"""Exact energy change of flipping one bit of a :class:`~qdq.BinaryProblem`.

    ``Δ_i(x) = (1 − 2xᵢ)·Σ_{S∋i} w_S Π_{j∈S∖i} x_j``. Quadratic problems keep the local
    fields ``h + Jx`` (``O(1)`` per delta, ``O(n)`` per flip); higher degrees sum the
    monomials through ``i`` (one gather over them).

    Example:
        >>> from qdq.binary.problem import BinaryProblem
        >>> fd = FlipDelta(BinaryProblem({(0, 1): 2.0, (1,): -1.0, (0, 1, 2): 3.0}))
        >>> fd.reset(np.array([1, 0, 1])); fd.delta(1)        # ζ goes 0 → 2 − 1 + 3
        4.0
    """

    def __init__(self, problem) -> None:
        _check_problem(problem)
        n = self.n = problem.num_bits
        self.quadratic = problem.degree <= 2
        if self.quadratic:
            self.h = np.zeros(n)
            self.J = np.zeros((n, n))
            for s, w in problem.polynomial.items():
                if len(s) == 1:
                    self.h[s[0]] += w
                else:
                    self.J[s[0], s[1]] += w
                    self.J[s[1], s[0]] += w
        else:
            # Per bit: the other bits of each monomial through it, padded with index n,
            # which points at a constant 1 (so "all ones" needs no ragged arrays).
            rows: list[list[tuple[tuple[int, ...], float]]] = [[] for _ in range(n)]
            for s, w in problem.polynomial.items():
                for i in s:
                    rows[i].append((tuple(j for j in s if j != i), w))
            width = max(problem.degree - 1, 1)
            self.others = [np.array([o + (n,) * (width - len(o)) for o, _ in r],
                                    dtype=np.intp).reshape(len(r), width) for r in rows]
            self.weights = [np.array([w for _, w in r]) for r in rows]
        self.x = np.zeros(n, dtype=np.int8)

    def reset(self, x: np.ndarray) -> None:
        """Set the current assignment (a 0/1 array of length ``n``)."""
        self.x = np.asarray(x, dtype=np.int8).copy()
        if self.quadratic:
            self.field = self.h + self.J @ self.x
        else:
            self.xpad = np.append(self.x, 1).astype(bool)

    def delta(self, i: int) -> float:
        """``ζ(x with bit i flipped) − ζ(x)``."""
        sign = 1.0 - 2.0 * float(self.x[i])
        if self.quadratic:
            return sign * float(self.field[i])
        return sign * float(self.weights[i] @ self.xpad[self.others[i]].all(axis=1))

    def flip(self, i: int) -> None:
        """Flip bit ``i`` of the current assignment."""
        if self.quadratic:
            self.field += self.J[:, i] * (1.0 - 2.0 * float(self.x[i]))
        else:
            self.xpad[i] = not self.xpad[i]
        self.x[i] ^= 1


# ----------------------------------------------------------------------------- QbO on bits
def qbo_bits(problem, *, reads: int, seed: int | None, iterations: int = 1000) -> BinaryRuns:
    r"""QbO with single-bit-flip proposals on a binary problem, ``reads`` independent runs.

    Each read starts at a uniform random assignment and judges ``iterations`` proposals,
    each flipping one uniformly chosen bit, by the QbO rule (module docstring) on the cost
    ``ζ − L`` (``L`` = :func:`lower_bound`, so the cost is ``>= 0`` as in the authors' TSP
    runs). ``ΔE`` of a flip is exact (:class:`FlipDelta`); the reported energy of a read is
    ``problem.energy`` of its best accepted assignment.

    Args:
        problem: A :class:`~qdq.BinaryProblem`.
        reads: Independent runs.
        seed: Seed of all reads (``None``: fresh entropy).
        iterations: Proposals per read (``evals_per_read``; the start is not counted).

    Returns:
        :class:`BinaryRuns` (``method="qbo"``; ``extra["doublings"]``: ``Q``'s doublings per
        read, ``extra["accepted"]``: acceptances per read).
    """
    _check_problem(problem)
    reads = check_count("reads", reads)
    iterations = check_count("iterations", iterations, low=0)
    start = time.process_time()
    n = problem.num_bits
    shift = lower_bound(problem)
    fd = FlipDelta(problem)
    energies, states, doublings, accepts = [], [], [], []
    for rng in read_rngs(seed, reads):
        x = rng.integers(0, 2, n).astype(np.int8)
        fd.reset(x)
        f = float(problem.energy(x)) - shift
        rule = QbOAcceptance(f)
        best, f_best, count = x.copy(), f, 0
        for i in rng.integers(0, n, iterations):
            d = fd.delta(int(i))
            if rule.offer(f + d):
                fd.flip(int(i))
                f += d
                count += 1
                if f < f_best:
                    best, f_best = fd.x.copy(), f
        energies.append(float(problem.energy(best)))
        states.append(flat_index(best))
        doublings.append(rule.doublings)
        accepts.append(count)
    return BinaryRuns("qbo", np.array(energies), np.array(states, dtype=np.int64),
                      evals_per_read=float(iterations), cpu_s=time.process_time() - start,
                      setting={"iterations": iterations},
                      extra={"doublings": doublings, "accepted": accepts,
                             "cost_shift": shift})
