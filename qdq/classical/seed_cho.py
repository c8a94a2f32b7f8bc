r"""Seok & Cho's searches and baselines: QbO, their SA, "quantum annealing", GA (box and TSP).

Seok & Cho, *Quantization-based optimization: alternative stochastic approximation of global
optimization* (arXiv:2211.03972, 2022; ETRI Journal 2024) compare quantization-based
optimization (QbO) with simulated annealing, a heuristic they call "quantum annealing" and a
genetic algorithm, on the TSP and on 1-D nonconvex functions. Read (not copied) from their
code, github.com/SDE-AI-00/Quantization-based-Optimization, ``tsp_test_anonymopus/``:

* **Moves on a box** (``tsp_operation_proc.Search_Operation_PWP.get_candidate``): a
  candidate is drawn *uniformly on the whole interval*, independent of the current point
  (no Gaussian step, no σ). That is the default here (``sigma=None``); ``sigma=s`` is our
  extension, a Gaussian step of standard deviation ``s·(high − low)`` reflected into the box.
* **SA** (``sa_proc.SimulatedAnnealing_proc``; defaults in ``tsp_IO_func.ArgumentParse``):
  accept if better, else with ``exp(−|Δ|/T)``; ``T_k = T₀αᵏ``, ``T₀ = 1000``,
  ``α = 0.9995``; stop when ``T < 0.1/iterations`` (their ``stopping_temp`` is overwritten
  to ``0.1/stopping_iter``): at 10⁵ iterations SA stops after ~41 440 proposals
  (:func:`sa_proposals`), at 10⁴ (their 1-D runs) ``T`` only falls to ~6.7.
* **"Quantum annealing"** (``qa_proc.QuantumAnnealing_proc`` with
  ``tsp_operation_proc.parabolic_washboard_potential.cost``): the same SA on the cost
  ``w_t H₀ + (1 − w_t) f`` with ``w_t = 1 − √(t/t_f)`` (:func:`reweighting_weight`),
  ``H₀ = 0.125‖x‖²``, ``t`` the iteration and ``t_f`` the planned iterations. No quantum
  dynamics is involved: it is classical annealing on a homotopy from a parabola to ``f``,
  named here :func:`reweighted_annealing_continuous`. Their current cost is stored when a
  point is accepted (at that step's weight) and compared later as is; so here. On the TSP
  their ``tsp_op.cost`` ignores the weight, so their TSP "quantum annealing" *is* their SA
  (:func:`reweighted_annealing_two_opt` with ``D0=None`` reproduces that).
* **GA** (``ga_proc.GeneticAlgorithm_proc``): 10 chromosomes (``genetic_population``),
  roulette selection of two distinct parents, partially mapped crossover (PMX) and a swap
  mutation applied to both children (their ``mutation_rate = 0.3`` is never used), children
  replace the parents. For permutations only; :func:`genetic_continuous` is our
  box version (blend crossover, Gaussian mutation of each gene with probability 0.3).
* **QbO**: :class:`qdq.classical.binary.qbo.QbOAcceptance` (checked against their
  ``qz_proc.py``).

Differences (all methods): the returned point is the best *evaluated* one by the true ``f``
(every :mod:`qdq.classical` method does so; for SA and QbO it is also their best accepted
point, for "quantum annealing" they keep the best reweighted cost); starts are uniform in
the box (theirs: the fixed ``x₀ = 2.3``); the GA's roulette uses ``exp(−(f − f_min)/s)``,
``s`` the mean excess, because their ``exp(−f)`` underflows to 0 for tour lengths > 745,
which makes parent 1 always chromosome 0; the GA starts from nearest-neighbour tours from
random cities (theirs: copies of one tour).

Example:
    >>> out = qbo_continuous(lambda x, y: (x - 1) ** 2 + y**2, [(-2, 2)] * 2,
    ...                      sigma=0.05, budget=3000, seed=0)
    >>> out.method, out.nfev, bool(out.fun < 1e-3)
    ('qbo', 3000, True)
    >>> round(reweighting_weight(25, 100), 3), sa_proposals(10**5)
    (0.5, 41437)
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical._box import reflect_into_box
from qdq.classical.binary.permutation import (
    TourResult,
    _annealing_start,
    _canonical,
    _segments,
    check_distances,
    nearest_neighbour_tour,
    sa_two_opt,
    tour_length,
    two_opt_delta,
)
from qdq.classical.binary.qbo import QbOAcceptance, check_count
from qdq.classical.budget import BudgetExhausted, CountedObjective, check_bounds, check_budget
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.errors import ParameterError
from qdq.validate import check_positive, check_seed

__all__ = ["sa_temperature", "sa_proposals", "reweighting_weight", "qbo_continuous",
           "sa_continuous", "reweighted_annealing_continuous", "genetic_continuous",
           "reweighted_annealing_two_opt", "genetic_tsp", "two_opt_restarts", "pmx"]

Objective = Callable[..., np.ndarray]


def sa_temperature(k: int | np.ndarray, T0: float = 1000.0, alpha: float = 0.9995):
    """``T_k = T₀·αᵏ``, the temperature after ``k`` proposals (their ``post_processing``).

    Example:
        >>> round(sa_temperature(1000), 4)       # 1000·e^(1000 ln 0.9995)
        606.4548
    """
    t = T0 * np.power(alpha, k)
    return float(t) if np.ndim(t) == 0 else t


def sa_proposals(iterations: int, T0: float = 1000.0, alpha: float = 0.9995,
                 T_min: float | None = None) -> int:
    """Proposals their SA makes: ``k`` runs while ``T₀αᵏ >= T_min`` (``0.1/iterations``).

    Example:
        >>> sa_proposals(10_000)       # their 1-D runs: the iteration cap binds
        10000
    """
    iterations = check_count("iterations", iterations, low=0)
    T_min = 0.1 / max(iterations, 1) if T_min is None else T_min
    _check_alpha(alpha)
    if T_min <= 0 or alpha == 1.0:
        return iterations
    k = math.floor(math.log(T0 / T_min) / -math.log(alpha)) + 1 if T0 >= T_min else 0
    return min(iterations, k)


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha <= 1:
        raise ParameterError(f"alpha must be in (0, 1], got {alpha!r}; their value is 0.9995")
    return float(alpha)


def reweighting_weight(t: float, t_final: float) -> float:
    """``w_t = 1 − √(t/t_f)``: the weight of ``H₀`` in their "quantum annealing" cost.

    Example:
        >>> reweighting_weight(0, 10), reweighting_weight(10, 10)
        (1.0, 0.0)
    """
    return 1.0 - math.sqrt(t / t_final)


# ----------------------------------------------------------------------------- box helpers
class _Proposer:
    """Candidates and their values: uniform on the box in blocks, or one Gaussian step."""

    def __init__(self, counter: CountedObjective, rng: np.random.Generator,
                 sigma: float | None, total: int) -> None:
        self.c, self.rng, self.left = counter, rng, total
        self.step = None if sigma is None else check_positive("sigma", sigma) * counter.widths
        self.buf_x, self.buf_f, self.i = np.empty((0, counter.dim)), np.empty(0), 0

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, float]:
        c = self.c
        if self.step is not None:
            cand = reflect_into_box(x + self.step * self.rng.standard_normal(c.dim),
                                    c.lows, c.highs)
            return cand, float(c(cand[None, :])[0])
        if self.i == len(self.buf_f):
            k = max(1, min(4096, self.left, c.remaining))
            self.buf_x = c.lows + c.widths * self.rng.random((k, c.dim))
            self.buf_f = c(self.buf_x)
            self.i = 0
            self.left -= k
        self.i += 1
        return self.buf_x[self.i - 1], float(self.buf_f[self.i - 1])


def _start(counter: CountedObjective, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    x = counter.lows + counter.widths * rng.random(counter.dim)
    return x, float(counter(x[None, :])[0])


def _anneal(name: str, f: Objective, bounds, *, budget: int, seed, sigma, T0: float,
            alpha: float, T_min: float | None, h0_scale: float | None) -> ClassicalOutcome:
    t0 = time.perf_counter()
    budget = check_budget(budget)
    T0 = check_positive("T0", T0)
    alpha = _check_alpha(alpha)
    T_min = 0.1 / budget if T_min is None else check_positive("T_min", T_min, allow_zero=True)
    counter = CountedObjective(f, check_bounds(bounds), budget)
    rng = np.random.default_rng(seed)
    steps = sa_proposals(budget - 1, T0, alpha, T_min)
    propose = _Proposer(counter, rng, sigma, steps)
    nit = 0
    try:
        x, fx = _start(counter, rng)
        cur = fx  # their initial_cost = cost(x₀) at weight 0, i.e. f, in both modes
        T = T0
        for k in range(steps):
            cand, fc = propose(x)
            if h0_scale is not None:
                w = reweighting_weight(k + 1, budget)
                fc = w * h0_scale * float(cand @ cand) + (1.0 - w) * fc
            if fc < cur or rng.random() < math.exp(-abs(fc - cur) / T):
                x, cur = cand, fc
            T *= alpha
            nit += 1
    except BudgetExhausted:
        pass
    extra = {"T0": T0, "alpha": alpha, "T_final": T0 * alpha**nit,
             "proposals": nit}
    return outcome_from_counter(name, counter, nit=nit, t0=t0, extra=extra)


# ----------------------------------------------------------------------------- box methods
def qbo_continuous(f: Objective, bounds: Sequence[tuple[float, float]], *,
                   sigma: float | None = None, budget: int = 10_000,
                   seed: int | np.random.Generator | None = None) -> ClassicalOutcome:
    r"""Quantization-based optimization (Seok & Cho 2022) on a box.

    From a uniform start, each candidate (uniform on the box, their move; or a Gaussian step
    of ``sigma`` box widths) is accepted when ``⌊Q f + ½⌋/Q`` is no worse than the current
    quantized cost; each acceptance doubles ``Q``
    (:class:`~qdq.classical.binary.qbo.QbOAcceptance`, ``Q₀`` from the start's ``|f|``).

    Returns:
        :class:`ClassicalOutcome` (``extra``: ``doublings``, ``accepted``).
    """
    t0 = time.perf_counter()
    counter = CountedObjective(f, check_bounds(bounds), check_budget(budget))
    rng = np.random.default_rng(seed)
    propose = _Proposer(counter, rng, sigma, counter.budget - 1)
    rule, nit, accepted = None, 0, 0
    try:
        x, fx = _start(counter, rng)
        rule = QbOAcceptance(fx)
        while True:
            cand, fc = propose(x)
            nit += 1
            if math.isfinite(fc) and rule.offer(fc):
                x, accepted = cand, accepted + 1
    except BudgetExhausted:
        pass
    extra = {"doublings": 0 if rule is None else rule.doublings, "accepted": accepted}
    return outcome_from_counter("qbo", counter, nit=nit, t0=t0, extra=extra)


def sa_continuous(f: Objective, bounds: Sequence[tuple[float, float]], *,
                  sigma: float | None = None, T0: float = 1000.0, alpha: float = 0.9995,
                  T_min: float | None = None, budget: int = 10_000,
                  seed: int | np.random.Generator | None = None) -> ClassicalOutcome:
    """Seok & Cho's simulated annealing on a box (their ``sa_proc.py``; module docstring).

    ``T_k = T0·alpha^k``; accept if better, else with ``exp(−|Δ|/T)``; stop at the budget or
    when ``T < T_min`` (default ``0.1/budget``, their rule), so ``nfev`` may stay below it.
    """
    return _anneal("sa-seed", f, bounds, budget=budget, seed=seed, sigma=sigma, T0=T0,
                   alpha=alpha, T_min=T_min, h0_scale=None)


def reweighted_annealing_continuous(
        f: Objective, bounds: Sequence[tuple[float, float]], *, sigma: float | None = None,
        T0: float = 1000.0, alpha: float = 0.9995, T_min: float | None = None,
        h0_scale: float = 0.125, budget: int = 10_000,
        seed: int | np.random.Generator | None = None) -> ClassicalOutcome:
    r"""Their "quantum annealing": SA of ``w_t·c‖x‖² + (1 − w_t)·f``, ``w_t = 1 − √(t/t_f)``.

    A classical homotopy (``qa_proc.py``): at ``t = 0`` the cost is the parabola centred at
    the origin, at ``t_f = budget`` it is ``f``. ``x`` reported: the best point by ``f``.
    """
    return _anneal("reweighted-annealing", f, bounds, budget=budget, seed=seed, sigma=sigma,
                   T0=T0, alpha=alpha, T_min=T_min,
                   h0_scale=check_positive("h0_scale", h0_scale, allow_zero=True))


def _roulette(fit: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    """Two distinct indices drawn with probability ∝ ``exp(−(f − f_min)/s)``."""
    v = np.where(np.isfinite(fit), fit, np.nanmax(np.where(np.isfinite(fit), fit, -np.inf)))
    excess = v - v.min()
    s = float(excess.mean()) or 1.0
    p = np.exp(-excess / s)
    i, j = rng.choice(len(fit), size=2, replace=False, p=p / p.sum())
    return int(i), int(j)


def genetic_continuous(f: Objective, bounds: Sequence[tuple[float, float]], *,
                       population: int = 10, mutation_rate: float = 0.3, sigma: float = 0.1,
                       budget: int = 10_000,
                       seed: int | np.random.Generator | None = None) -> ClassicalOutcome:
    r"""A steady-state genetic algorithm on a box with Seok & Cho's GA sizes (our design).

    ``population`` uniform points; each generation picks two distinct parents by roulette
    (:func:`_roulette`), makes two children by blend crossover BLX-0.5 (Eshelman & Schaffer
    1993: gene-wise ``λp₁ + (1 − λ)p₂`` and ``(1 − λ)p₁ + λp₂``, ``λ ~ U(−½, 3/2)``; with
    ``λ ∈ [0, 1]`` the population collapses early), adds to each gene with
    probability ``mutation_rate`` a Gaussian of ``sigma`` box widths (reflected into the box)
    and replaces the parents by the children (as their ``ga_proc.py``). Two evaluations per
    generation.
    """
    t0 = time.perf_counter()
    pop_n = check_count("population", population, low=2)
    rate = float(mutation_rate)
    if not 0.0 <= rate <= 1.0:
        raise ParameterError(f"mutation_rate must be in [0, 1], got {mutation_rate!r}")
    sig = check_positive("sigma", sigma)
    counter = CountedObjective(f, check_bounds(bounds), check_budget(budget))
    rng = np.random.default_rng(seed)
    lo, w = counter.lows, counter.widths
    nit = 0
    try:
        pop = lo + w * rng.random((pop_n, counter.dim))
        fit = counter(pop)
        while True:
            i, j = _roulette(fit, rng)
            lam = rng.uniform(-0.5, 1.5, counter.dim)  # BLX-0.5
            kids = np.stack([lam * pop[i] + (1 - lam) * pop[j],
                             (1 - lam) * pop[i] + lam * pop[j]])
            mask = rng.random(kids.shape) < rate
            kids = reflect_into_box(kids + mask * sig * w * rng.standard_normal(kids.shape),
                                    lo, counter.highs)
            vals = counter(kids)
            pop[[i, j]], fit[[i, j]] = kids, vals
            nit += 1
    except BudgetExhausted:
        pass
    return outcome_from_counter("genetic", counter, nit=nit, t0=t0,
                                extra={"population": pop_n, "mutation_rate": rate})


# ----------------------------------------------------------------------------- permutations
def reweighted_annealing_two_opt(D, *, seed: int | None, iterations: int, D0=None,
                                 T0: float = 1000.0, alpha: float = 0.9995,
                                 T_min: float | None = None) -> TourResult:
    r"""Their "quantum annealing" with random-segment 2-opt moves (``qa_proc.py``).

    SA on ``w_t L₀(tour) + (1 − w_t) L(tour)``, ``w_t = 1 − √(t/t_f)``, ``t_f = iterations``,
    ``L₀`` the length under ``D0``. Their TSP cost ignores the weight: ``D0=None`` does the
    same (cost = ``L``), which is their SA with ``T_min = 0.1/iterations`` — it runs
    :func:`~qdq.classical.binary.permutation.sa_two_opt` with that ``T_min``. The tour
    returned is the one of least true length among those accepted.
    """
    iterations = check_count("iterations", iterations, low=0)
    if D0 is None:      # their TSP cost: plain SA, stopped at their T_min
        return sa_two_opt(D, seed=seed, iterations=iterations, T0=T0, alpha=alpha,
                          T_min=0.1 / max(iterations, 1) if T_min is None else T_min)
    start = time.process_time()
    d = check_distances(D)
    d0 = check_distances(D0)
    if d0.shape != d.shape:
        raise ParameterError(f"D0 must have D's shape {d.shape}, got {d0.shape}")
    T = check_positive("T0", T0)
    alpha = _check_alpha(alpha)
    steps = sa_proposals(iterations, T, alpha, T_min)
    rng = np.random.default_rng(check_seed(seed))
    t = _annealing_start(d, rng)
    f = tour_length(d, t)
    f0 = tour_length(d0, t)
    cur = f  # their initial cost: the true length
    best, f_best = list(t), f
    for k, (i, j, u) in enumerate(_segments(rng, d.shape[0], iterations)):
        if k == steps:  # drawn like sa_two_opt's moves (same blocks), stopped like it
            break
        delta = two_opt_delta(d, t, i, j)
        w = reweighting_weight(k + 1, iterations)
        delta0 = two_opt_delta(d0, t, i, j)
        cand = w * (f0 + delta0) + (1.0 - w) * (f + delta)
        if cand < cur or u < math.exp(-abs(cand - cur) / T):
            t[i:j + 1] = t[i:j + 1][::-1]
            f, f0, cur = f + delta, f0 + delta0, cand
            if f < f_best:
                best, f_best = list(t), f
        T *= alpha
    return TourResult(_canonical(best, d), tour_length(d, best), steps,
                      time.process_time() - start)


def pmx(p1: Sequence[int], p2: Sequence[int], a: int, b: int) -> list[int]:
    """Partially mapped crossover (Goldberg & Lingle 1985): ``p2[a:b]`` into ``p1``.

    The child has ``p2``'s genes on ``[a, b)``; elsewhere ``p1``'s, each displaced gene
    followed through the mapping ``p2[k] → p1[k]`` until it is outside the segment.

    Example:
        >>> pmx([1, 2, 3, 4, 5, 6, 7, 8, 9], [5, 4, 6, 7, 2, 1, 3, 9, 8], 3, 6)
        [6, 5, 3, 7, 2, 1, 4, 8, 9]
    """
    child = list(p1)
    seg = p2[a:b]
    child[a:b] = seg
    mapping = {int(p2[k]): int(p1[k]) for k in range(a, b)}
    inside = set(int(g) for g in seg)
    for k in list(range(a)) + list(range(b, len(p1))):
        g = int(p1[k])
        while g in inside:
            g = mapping[g]
        child[k] = g
    return child


def genetic_tsp(D, *, seed: int | None, generations: int, population: int = 10) -> TourResult:
    """Seok & Cho's GA on tours (``ga_proc.py``): PMX, swap mutation, parents replaced.

    ``population`` nearest-neighbour tours from random cities; per generation two distinct
    parents by roulette on ``exp(−(L − L_min)/s)`` (module docstring), PMX on their random
    cut points (``a ∈ [0, n−3]``, ``b ∈ [a+1, n−2]``), a swap of two positions in each child
    (same ranges), children replace the parents. ``evals = population + 2·generations``.
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    if n < 4:
        raise ParameterError(f"genetic_tsp needs n >= 4 cities for its cut points, got {n}")
    generations = check_count("generations", generations, low=0)
    pop_n = check_count("population", population, low=2)
    rng = np.random.default_rng(check_seed(seed))
    pop = [nearest_neighbour_tour(d, int(s)) for s in rng.integers(0, n, pop_n)]
    fit = np.array([tour_length(d, t) for t in pop])
    b_i = int(np.argmin(fit))
    best, f_best = list(pop[b_i]), float(fit[b_i])
    for _ in range(generations):
        i, j = _roulette(fit, rng)
        a = int(rng.integers(0, n - 2))
        b = int(rng.integers(a + 1, n - 1))
        kids = [pmx(pop[i], pop[j], a, b), pmx(pop[j], pop[i], a, b)]
        for slot, kid in zip((i, j), kids, strict=True):
            u = int(rng.integers(0, n - 2))
            v = int(rng.integers(u + 1, n - 1))
            kid[u], kid[v] = kid[v], kid[u]
            pop[slot], fit[slot] = kid, tour_length(d, kid)
            if fit[slot] < f_best:
                best, f_best = list(kid), float(fit[slot])
    return TourResult(_canonical(best, d), tour_length(d, best), pop_n + 2 * generations,
                      time.process_time() - start)


def two_opt_restarts(D, *, seed: int | None, iterations: int,
                     patience: int | None = None) -> TourResult:
    """Plain baseline: first-improvement random 2-opt from nearest-neighbour tours, restarted.

    The moves of :func:`~qdq.classical.binary.permutation.sa_two_opt` accepted only when
    shorter (SA at ``T = 0``); after ``patience`` (default ``n(n−1)/2``) proposals in a row
    without improvement, restart from a nearest-neighbour tour of a random city. ``iterations``
    proposals in all; the best tour is returned.
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    iterations = check_count("iterations", iterations, low=0)
    patience = n * (n - 1) // 2 if patience is None else check_count("patience", patience)
    rng = np.random.default_rng(check_seed(seed))
    t = _annealing_start(d, rng)
    f = tour_length(d, t)
    best, f_best, stale, restarts = list(t), f, 0, 0
    for i, j, _ in _segments(rng, n, iterations):
        delta = two_opt_delta(d, t, i, j)
        if delta < -1e-12 * max(f, 1.0):
            t[i:j + 1] = t[i:j + 1][::-1]
            f, stale = f + delta, 0
            if f < f_best:
                best, f_best = list(t), f
        else:
            stale += 1
            if stale >= patience:
                t, stale, restarts = _annealing_start(d, rng), 0, restarts + 1
                f = tour_length(d, t)
                if f < f_best:
                    best, f_best = list(t), f
    return TourResult(_canonical(best, d), tour_length(d, best), iterations,
                      time.process_time() - start)
