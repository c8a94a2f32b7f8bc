r"""Travelling-salesman solvers on a distance matrix: 2-opt, SA, QbO and exact Held–Karp.

A tour is a permutation of ``0 … n−1`` read as a cycle; its length is
``Σ_k D[t_k, t_{k+1 mod n}]`` (:func:`tour_length`). Every solver returns a
:class:`TourResult`, its tour written from city 0 (and, for a symmetric ``D``, in the
direction whose second city is the smaller of 0's two neighbours), so equal cycles compare
equal. ``evals`` counts candidate tours whose length (or length change) was computed.

* :func:`two_opt_descent` — best-improvement 2-opt to a 2-opt local optimum (Croes 1958).
* :func:`sa_two_opt` and :func:`qbo_two_opt` — the two searches compared by Seok & Cho
  (arXiv:2211.03972, 2022): both start from a nearest-neighbour tour and propose the
  reversal of a random segment (a 2-opt move: length ``l ∈ [2, n−1]`` at ``i ∈ [0, n−l]``,
  as in their ``tsp_operation_proc.Search_Operation.get_candidate``); SA accepts with
  ``exp(−|Δ|/T)``, ``T ← αT`` per proposal from ``T₀ = 1000``, ``α = 0.9995`` (their
  ``sa_proc.py`` and argument defaults), QbO with the quantized rule of
  :mod:`qdq.classical.binary.qbo`.
* :func:`held_karp` — exact dynamic programming over subsets (Held & Karp 1962; Bellman
  1962), ``O(2ⁿn²)`` time, vectorized over subsets, for ``n <= 16``.

2-opt moves assume a symmetric ``D`` (a reversed segment is walked the other way); Held–Karp
takes any ``D`` (ATSP). Distances must be finite and ``>= 0``; the diagonal is ignored.

Example:
    >>> D = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], float)
    >>> held_karp(D).tour, held_karp(D).length                  # the unit square
    ([0, 1, 2, 3], 4.0)
    >>> two_opt_descent(D, seed=0, tour=[0, 2, 1, 3]).length
    4.0
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from qdq.classical.binary.qbo import QbOAcceptance, check_count
from qdq.errors import ParameterError, ProblemError, ResourceError
from qdq.validate import check_positive, check_seed

__all__ = ["TourResult", "HELD_KARP_MAX_CITIES", "check_distances", "tour_length",
           "two_opt_delta", "nearest_neighbour_tour", "two_opt_descent", "sa_two_opt",
           "qbo_two_opt", "held_karp", "fair_sa_schedule", "fair_sa_two_opt"]

#: Largest instance :func:`held_karp` solves (``2^15·15`` table entries, ~4 MB).
HELD_KARP_MAX_CITIES = 16


@dataclass(frozen=True)
class TourResult:
    """A tour, its length, the candidate tours scored (``evals``) and process CPU seconds."""

    tour: list[int]
    length: float
    evals: int
    cpu_s: float


def check_distances(D, *, symmetric: bool = True) -> np.ndarray:
    """``D`` as a checked float matrix (the diagonal set to 0).

    Square, ``n >= 3``, finite and ``>= 0`` off the diagonal; symmetric when ``symmetric``.

    Raises:
        ProblemError: Naming what is wrong.
    """
    try:
        d = np.array(D, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"distances must be a square matrix of numbers, got "
                           f"{type(D).__name__}") from exc
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] < 3:
        raise ProblemError(f"distances must be a square n×n matrix with n >= 3, got shape "
                           f"{d.shape}")
    off = ~np.eye(d.shape[0], dtype=bool)
    if not np.all(np.isfinite(d[off])) or np.any(d[off] < 0):
        raise ProblemError("distances must be finite and >= 0 off the diagonal, got "
                           f"min {np.nanmin(d[off])!r}, non-finite "
                           f"{int(np.sum(~np.isfinite(d[off])))}")
    d = np.where(off, d, 0.0)
    if symmetric and not np.allclose(d, d.T, rtol=1e-12, atol=0.0):
        raise ProblemError("2-opt moves need a symmetric distance matrix, got D != Dᵀ; "
                           "use held_karp for an asymmetric (ATSP) instance")
    return d


def tour_length(D, tour) -> float:
    """``Σ_k D[t_k, t_{k+1 mod n}]`` of a closed tour.

    Example:
        >>> tour_length(np.array([[0, 1, 5], [1, 0, 2], [5, 2, 0]]), [0, 1, 2])
        8.0
    """
    d = np.asarray(D, dtype=float)
    t = np.asarray(tour, dtype=np.intp)
    return float(d[t, np.roll(t, -1)].sum())


def two_opt_delta(D: np.ndarray, tour, i: int, j: int) -> float:
    """Length change of reversing ``tour[i..j]`` (``0 <= i < j < n``), in ``O(1)``.

    With ``a, b = t[i−1], t[i]`` and ``c, d = t[j], t[j+1]`` (cyclic) the edges ``ab, cd``
    become ``ac, bd``: ``Δ = D[a,c] + D[b,d] − D[a,b] − D[c,d]`` (symmetric ``D``).
    Reversing the whole tour (``i = 0, j = n−1``) is the same cycle: ``Δ = 0``.

    Example:
        >>> D = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], float)
        >>> two_opt_delta(D, [0, 2, 1, 3], 1, 2)        # uncross: 6 → 4
        -2.0
    """
    n = len(tour)
    if not 0 <= i < j < n:
        raise ParameterError(f"need 0 <= i < j < n = {n}, got i={i}, j={j}")
    if i == 0 and j == n - 1:
        return 0.0
    a, b, c, d = tour[i - 1], tour[i], tour[j], tour[(j + 1) % n]
    return float(D[a, c] + D[b, d] - D[a, b] - D[c, d])


def _canonical(tour, D: np.ndarray | None = None) -> list[int]:
    """The tour from city 0; for a symmetric ``D``, the direction with ``t[1] < t[−1]``."""
    t = [int(v) for v in tour]
    k = t.index(0)
    t = t[k:] + t[:k]
    if (D is None or np.array_equal(D, D.T)) and t[1] > t[-1]:
        t = [t[0]] + t[:0:-1]
    return t


def _check_tour(tour, n: int) -> np.ndarray:
    t = np.asarray(tour)
    if t.shape != (n,) or not np.array_equal(np.sort(t), np.arange(n)):
        raise ParameterError(f"tour must be a permutation of 0..{n - 1}, got {list(tour)!r}")
    return t.astype(np.intp)


def nearest_neighbour_tour(D: np.ndarray, start: int = 0) -> list[int]:
    """Greedy tour: from ``start``, always to the nearest unvisited city (ties: lowest index).

    Example:
        >>> nearest_neighbour_tour(np.array([[0, 1, 5], [1, 0, 2], [5, 2, 0]], float))
        [0, 1, 2]
    """
    n = D.shape[0]
    seen = np.zeros(n, dtype=bool)
    tour = [int(start)]
    seen[start] = True
    for _ in range(n - 1):
        row = np.where(seen, np.inf, D[tour[-1]])
        nxt = int(np.argmin(row))
        tour.append(nxt)
        seen[nxt] = True
    return tour


def two_opt_descent(D, *, seed: int | None, tour=None) -> TourResult:
    """Best-improvement 2-opt from ``tour`` (default: a seeded random tour) to a local optimum.

    Each pass scores every move ``(i, j)`` at once (``n(n−1)/2 − 1`` evals) and makes the
    best one while it shortens the tour by more than ``1e-12`` of its length.
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    rng = np.random.default_rng(check_seed(seed))
    t = rng.permutation(n) if tour is None else _check_tour(tour, n).copy()
    i, j = np.triu_indices(n, k=1)
    keep = ~((i == 0) & (j == n - 1))
    i, j = i[keep], j[keep]
    evals = 0
    length = tour_length(d, t)
    while True:
        a, b, c, e = t[i - 1], t[i], t[j], t[(j + 1) % n]
        delta = d[a, c] + d[b, e] - d[a, b] - d[c, e]
        evals += delta.size
        k = int(np.argmin(delta))
        if delta[k] >= -1e-12 * max(1.0, length):
            break
        t[i[k]:j[k] + 1] = t[i[k]:j[k] + 1][::-1].copy()
        length = tour_length(d, t)  # recomputed: no drift over many moves
    return TourResult(_canonical(t, d), tour_length(d, t), evals, time.process_time() - start)


def _segments(rng: np.random.Generator, n: int, count: int, block: int = 4096):
    """The authors' random segments ``(i, j)``: length ``l ∈ [2, n−1]`` at ``i ∈ [0, n−l]``.

    Drawn in blocks (one numpy call per ``block`` moves, not two per move).
    """
    left = count
    while left > 0:
        k = min(block, left)
        seg = rng.integers(2, n, size=k)
        i = (rng.random(k) * (n - seg + 1)).astype(np.intp)
        u = rng.random(k)
        yield from zip(i.tolist(), (i + seg - 1).tolist(), u.tolist(), strict=True)
        left -= k


def _annealing_start(d: np.ndarray, rng: np.random.Generator) -> list[int]:
    return nearest_neighbour_tour(d, int(rng.integers(d.shape[0])))


def sa_two_opt(D, *, seed: int | None, iterations: int, T0: float = 1000.0,
               alpha: float = 0.9995, T_min: float = 1e-8) -> TourResult:
    r"""Simulated annealing with random-segment 2-opt moves, Seok & Cho's settings.

    From a nearest-neighbour tour (random first city), each proposal reverses a random
    segment; it is accepted if shorter, else with probability ``exp(−|Δ|/T)``; ``T ← αT``
    after every proposal; the run stops after ``iterations`` proposals or when
    ``T < T_min`` (their ``stopping_temp``). The best tour seen is returned.
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    iterations = check_count("iterations", iterations, low=0)
    T = check_positive("T0", T0)
    alpha = float(alpha)
    if not 0.0 < alpha <= 1.0:
        raise ParameterError(f"alpha must be in (0, 1], got {alpha!r}")
    T_min = check_positive("T_min", T_min, allow_zero=True)
    rng = np.random.default_rng(check_seed(seed))
    t = _annealing_start(d, rng)
    f = tour_length(d, t)
    best, f_best, evals = list(t), f, 0
    for i, j, u in _segments(rng, n, iterations):
        if T < T_min:
            break
        delta = two_opt_delta(d, t, i, j)
        evals += 1
        if delta < 0 or u < math.exp(-abs(delta) / T):
            t[i:j + 1] = t[i:j + 1][::-1]
            f += delta
            if f < f_best:
                best, f_best = list(t), f
        T *= alpha
    return TourResult(_canonical(best, d), tour_length(d, best), evals,
                      time.process_time() - start)


def qbo_two_opt(D, *, seed: int | None, iterations: int) -> TourResult:
    """Quantization-based optimization with random-segment 2-opt moves (Seok & Cho).

    The same start and moves as :func:`sa_two_opt`; a move is accepted when its quantized
    length is no worse than the current one's, and each acceptance doubles the resolution
    (:class:`~qdq.classical.binary.qbo.QbOAcceptance`; ``Q₀`` from the start's length).
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    iterations = check_count("iterations", iterations, low=0)
    rng = np.random.default_rng(check_seed(seed))
    t = _annealing_start(d, rng)
    f = tour_length(d, t)
    rule = QbOAcceptance(f)
    best, f_best = list(t), f
    for i, j, _ in _segments(rng, n, iterations):
        delta = two_opt_delta(d, t, i, j)
        if rule.offer(f + delta):
            t[i:j + 1] = t[i:j + 1][::-1]
            f += delta
            if f < f_best:
                best, f_best = list(t), f
    return TourResult(_canonical(best, d), tour_length(d, best), iterations,
                      time.process_time() - start)


def held_karp(D) -> TourResult:
    r"""Exact shortest tour by dynamic programming over subsets (Held & Karp 1962).

    ``g(S, j)`` = shortest path from city 0 through the cities of ``S ⊆ {1 … n−1}`` ending
    at ``j ∈ S``: ``g({j}, j) = D[0, j]``, ``g(S, j) = min_{k∈S∖j} g(S∖j, k) + D[k, j]``,
    and the tour is ``min_j g(full, j) + D[j, 0]``. Subsets are processed by size, every
    ``(S, j)`` of one size in one numpy step. Works for asymmetric ``D``.

    Raises:
        ResourceError: ``n > 16`` (:data:`HELD_KARP_MAX_CITIES`), before allocating.
    """
    start = time.process_time()
    d = check_distances(D, symmetric=False)
    n = d.shape[0]
    if n > HELD_KARP_MAX_CITIES:
        raise ResourceError(f"held_karp takes at most {HELD_KARP_MAX_CITIES} cities "
                            f"(table 2^(n−1)·(n−1)), got n = {n}; use two_opt_descent or "
                            "sa_two_opt for larger instances")
    m = n - 1  # cities 1..n−1 are bits 0..m−1 of a subset
    full = (1 << m) - 1
    g = np.full((1 << m, m), np.inf)
    parent = np.full((1 << m, m), -1, dtype=np.int8)
    g[1 << np.arange(m), np.arange(m)] = d[0, 1:]
    sizes = np.array([bin(s).count("1") for s in range(1 << m)])
    dd = d[1:, 1:]
    evals = m
    for size in range(2, m + 1):
        S = np.flatnonzero(sizes == size)
        for j in range(m):
            Sj = S[(S >> j) & 1 == 1]
            prev = Sj ^ (1 << j)
            cand = g[prev] + dd[:, j][None, :]  # inf where k ∉ prev (g is inf there)
            k = np.argmin(cand, axis=1)
            g[Sj, j] = cand[np.arange(Sj.size), k]
            parent[Sj, j] = k
            evals += Sj.size * (size - 1)
    close = g[full] + d[1:, 0]
    j = int(np.argmin(close))
    evals += m
    tour, S = [], full
    while j >= 0:
        tour.append(j + 1)
        j, S = int(parent[S, j]), S ^ (1 << j)
    tour = [0] + tour[::-1]
    return TourResult(_canonical(tour, d), float(close.min()), evals,
                      time.process_time() - start)


def fair_sa_schedule(D, budget: int, *, samples: int = 1000, final_ratio: float = 1e-3,
                     seed: int = 0) -> tuple[float, float]:
    r"""``(T₀, α)`` of a geometric schedule fitted to the instance and the budget.

    ``T₀`` = the mean uphill ``Δ > 0`` of ``samples`` random segment reversals (the moves of
    :func:`~qdq.classical.binary.permutation.sa_two_opt`) from the nearest-neighbour tour of
    city 0, so a typical uphill move is accepted with ``e⁻¹`` at the start (the usual rule
    of thumb: Kirkpatrick, Gelatt & Vecchi 1983; Johnson et al., Oper. Res. 37 (1989) 865);
    ``α = final_ratio^(1/B)``, so ``T`` reaches ``final_ratio·T₀`` exactly at the budget.

    Example:
        >>> D = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], float)
        >>> T0, alpha = fair_sa_schedule(D, 1000)
        >>> T0, round(alpha ** 1000, 12)
        (2.0, 0.001)
    """
    d = check_distances(D)
    n = d.shape[0]
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise ParameterError(f"budget must be an integer >= 1, got {budget!r}")
    if not 0.0 < final_ratio < 1.0:
        raise ParameterError(f"final_ratio must be in (0, 1), got {final_ratio!r}; e.g. 1e-3")
    rng = np.random.default_rng(seed)
    tour = nearest_neighbour_tour(d, 0)
    seg = rng.integers(2, n, size=samples)
    starts = (rng.random(samples) * (n - seg + 1)).astype(int)
    deltas = np.array([two_opt_delta(d, tour, int(i), int(i + s - 1))
                       for i, s in zip(starts, seg, strict=True)])
    up = deltas[deltas > 0]
    T0 = float(up.mean()) if up.size else float(np.abs(d).max())
    return T0, float(final_ratio ** (1.0 / int(budget)))


def fair_sa_two_opt(D, *, seed: int | None, iterations: int,
                    samples: int | None = None) -> TourResult:
    """:func:`sa_two_opt` with :func:`fair_sa_schedule` and no early stop (``T_min = 0``).

    The calibration moves (default ``clip(B/20, 50, 1000)``) are charged to ``evals``.
    """
    samples = min(1000, max(50, iterations // 20)) if samples is None else int(samples)
    T0, alpha = fair_sa_schedule(D, iterations, samples=samples)
    r = sa_two_opt(D, seed=seed, iterations=iterations, T0=T0, alpha=alpha, T_min=0.0)
    return TourResult(r.tour, r.length, r.evals + samples, r.cpu_s)
