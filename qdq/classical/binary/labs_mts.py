r"""Memetic tabu search (MTS) for low-autocorrelation binary sequences (LABS).

LABS: for ``s ∈ {±1}^N`` minimize ``E(s) = Σ_{k=1}^{N−1} C_k²``,
``C_k = Σ_{i=0}^{N−1−k} sᵢs_{i+k}`` (:func:`qdq.binary.instances.labs`, spins ``s = 2x − 1``).
MTS is the memetic algorithm of Gallardo, Cotta & Fernández, *Finding low autocorrelation
binary sequences with memetic algorithms*, Applied Soft Computing 9 (2009) 1252, the
state-of-the-art classical heuristic for LABS (Bošković, Brglez & Brest 2017 on its
runtime; Shaydulin et al., Science Advances 2024, fit its time to solution as
``∝ 1.34^N`` against QAOA's ``1.21^N``). One generation (steady state):

1. *Select* parents by binary tournament; with probability ``p_combine`` (0.9) the child is
   their one-point crossover (cut uniform in ``1 … N−1``), else a copy of one parent;
2. *Mutate*: flip each bit with probability ``p_mutate`` (``1/N``);
3. *Improve* by tabu search (:func:`tabu_search`) over single flips;
4. *Replace* the population's worst member by the child.

**Incremental energy.** Flipping ``sᵢ`` changes only the two products that contain it in
each ``C_k``: ``C_k' = C_k − 2sᵢ(s_{i+k}[i+k<N] + s_{i−k}[i−k≥0])``, so the energy of a
neighbour is ``Σ_k C_k'²``, ``O(N)`` from the kept correlation array ``C`` (all ``N``
neighbours: ``O(N²)``, one numpy pass, :func:`flip_energies`).

**Cost.** ``evals`` counts candidate sequences scored: each tabu-search neighbour counts 1
(``N`` per tabu step), and each fresh sequence (the initial population, each mutated child)
counts 1. A read is one MTS run; it stops before exceeding ``max_evals`` or as soon as it
reaches ``target``. Tabu-search settings follow our reading of Gallardo et al.: a random
number of steps in ``[N/2, 3N/2]``, tenure ``steps/10 + U{0 … steps/50}``, aspiration when
a tabu flip beats the search's best.

Example:
    >>> from qdq.binary.instances import labs
    >>> r = memetic_tabu(labs(10), reads=2, seed=0, max_evals=20_000, target=13)
    >>> r.energies.tolist(), all(e <= 20_000 for e in r.extra["evals_to_best"])
    ([13.0, 13.0], True)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qdq.classical.binary.outcome import BinaryRuns
from qdq.classical.binary.qbo import check_count, flat_index, read_rngs
from qdq.errors import ParameterError

__all__ = ["LABS_OPTIMA", "labs_energy", "correlations", "flip_energies", "labs_length",
           "tabu_search", "memetic_tabu"]

#: Optimal LABS energies ``E*(N)``, ``N = 3 … 16`` (exhaustive search; Mertens 1996,
#: Packebusch & Mertens 2016 list them to ``N = 66``). Tests re-derive them by brute force.
LABS_OPTIMA = {3: 1, 4: 2, 5: 2, 6: 7, 7: 3, 8: 8, 9: 12, 10: 13, 11: 5, 12: 10, 13: 6,
               14: 19, 15: 15, 16: 24}


def correlations(s: np.ndarray) -> np.ndarray:
    """Aperiodic autocorrelations ``C_k``, ``k = 1 … N−1`` (array index ``k − 1``).

    Example:
        >>> correlations(np.array([1, 1, 1, -1, 1])).tolist()
        [0, 1, 0, 1]
    """
    s = np.asarray(s, dtype=np.int64)
    return np.array([int(s[:-k] @ s[k:]) for k in range(1, s.size)], dtype=np.int64)


def labs_energy(s: np.ndarray) -> int:
    """``E = Σ_k C_k²`` of one ``±1`` sequence.

    Example:
        >>> labs_energy(np.array([1, 1, 1, -1, 1]))     # Barker 5: the optimum E*(5) = 2
        2
    """
    return int(np.sum(correlations(s) ** 2))


class _Shifts:
    """Index arrays for :func:`flip_energies` on length ``N`` (built once per run)."""

    def __init__(self, N: int) -> None:
        i = np.arange(N)[:, None]
        k = np.arange(1, N)[None, :]
        # s is stored at [N, 2N) of a zero-padded length-3N array: out-of-range partners
        # read 0, which is exactly the missing term of C_k at the ends.
        self.plus = N + i + k
        self.minus = N + i - k
        self.N = N


def flip_energies(s: np.ndarray, C: np.ndarray, shifts: _Shifts | None = None
                  ) -> np.ndarray:
    r"""Energy after flipping each bit: ``E_i = Σ_k (C_k − 2sᵢ(s_{i+k} + s_{i−k}))²``.

    Args:
        s: The ``±1`` sequence (length ``N``).
        C: Its :func:`correlations`.
        shifts: Precomputed index arrays (for repeated calls at one ``N``).

    Example:
        >>> s = np.array([1, 1, 1, -1, 1]); t = s.copy(); t[2] = -1
        >>> int(flip_energies(s, correlations(s))[2]), labs_energy(t)
        (10, 10)
    """
    s = np.asarray(s, dtype=np.int64)
    sh = shifts if shifts is not None else _Shifts(s.size)
    pad = np.zeros(3 * sh.N, dtype=np.int64)
    pad[sh.N:2 * sh.N] = s
    new = C[None, :] - 2 * s[:, None] * (pad[sh.plus] + pad[sh.minus])
    return np.einsum("ik,ik->i", new, new)


def labs_length(problem) -> int:
    """``N`` when ``problem`` is ``qdq.binary.instances.labs(N)``'s polynomial, else an error.

    Raises:
        ParameterError: Not a binary problem, or its polynomial/offset differ from LABS's.
    """
    from qdq.binary.instances import labs

    N = getattr(problem, "num_bits", None)
    poly = getattr(problem, "polynomial", None)
    if not isinstance(N, int) or poly is None or N < 3:
        raise ParameterError(f"memetic_tabu needs qdq.binary.instances.labs(N) (N >= 3), "
                             f"got {problem!r}")
    ref = labs(N)
    scale = max(1.0, max(abs(w) for w in ref.polynomial.values()))
    same = (set(poly) == set(ref.polynomial)
            and all(abs(poly[s] - w) <= 1e-9 * scale for s, w in ref.polynomial.items())
            and abs(float(problem.offset) - ref.offset) <= 1e-9 * max(1.0, abs(ref.offset)))
    if not same:
        raise ParameterError(f"memetic_tabu solves LABS only: {problem!r} is not "
                             f"qdq.binary.instances.labs({N}); use a general binary solver")
    return N


def tabu_search(s: np.ndarray, rng: np.random.Generator, *, steps: int | None = None,
                budget: int | None = None, goal: float | None = None,
                shifts: _Shifts | None = None) -> tuple[np.ndarray, int, int, int]:
    """Tabu search over single flips from ``s``.

    Returns ``(best sequence, its E, evals used, evals used when the best was found)``.

    Each step scores all ``N`` flips (:func:`flip_energies`) and makes the best one that is
    not tabu, or that beats the search's best (aspiration); ties are broken at random. The
    flipped bit is tabu for ``steps//10 + U{0 … steps//50}`` steps.

    Args:
        s: Start (``±1``, length ``N``; not modified).
        rng: Random generator.
        steps: Tabu steps (default: uniform in ``[N/2, 3N/2]``).
        budget: Stop before scoring more than this many neighbours (default: no limit).
        goal: Stop as soon as the best energy is ``<= goal``.
        shifts: Precomputed index arrays.

    Example:
        >>> best, E, used, at = tabu_search(np.ones(8, dtype=np.int64),
        ...                                 np.random.default_rng(0), steps=12)
        >>> E < labs_energy(np.ones(8)), E == labs_energy(best), used, at <= used
        (True, True, 96, True)
    """
    s = np.array(s, dtype=np.int64)
    N = s.size
    sh = shifts if shifts is not None else _Shifts(N)
    if steps is None:
        steps = int(rng.integers(N // 2, 3 * N // 2 + 1))
    min_tenure, extra = max(1, steps // 10), max(0, steps // 50)
    C = correlations(s)
    E = int(np.sum(C * C))
    best, best_E, at = s.copy(), E, 0
    tabu_until = np.zeros(N, dtype=np.int64)
    used = 0
    for t in range(1, steps + 1):
        if (budget is not None and used + N > budget) or (goal is not None
                                                          and best_E <= goal):
            break
        Es = flip_energies(s, C, sh)
        used += N
        ok = (tabu_until < t) | (Es < best_E)
        if not ok.any():
            ok[:] = True  # every move tabu and none aspirates: take the best anyway
        masked = np.where(ok, Es, np.iinfo(np.int64).max)
        ties = np.flatnonzero(masked == masked.min())
        i = int(ties[rng.integers(ties.size)]) if ties.size > 1 else int(ties[0])
        pad = np.zeros(3 * N, dtype=np.int64)
        pad[N:2 * N] = s
        C = C - 2 * s[i] * (pad[sh.plus[i]] + pad[sh.minus[i]])
        s[i] = -s[i]
        E = int(Es[i])
        tabu_until[i] = t + min_tenure + (int(rng.integers(0, extra + 1)) if extra else 0)
        if E < best_E:
            best, best_E, at = s.copy(), E, used
    return best, best_E, used, at


def _tournament(E: np.ndarray, rng: np.random.Generator) -> int:
    a, b = rng.integers(0, E.size, 2)
    return int(a if E[a] <= E[b] else b)


def memetic_tabu(problem, *, reads: int, seed: int | None, max_evals: int = 100_000,
                 population: int = 100, p_combine: float = 0.9,
                 p_mutate: float | None = None, target: float | None = None) -> BinaryRuns:
    """Memetic tabu search on ``qdq.binary.instances.labs(N)`` (module docstring).

    Args:
        problem: The LABS :class:`~qdq.BinaryProblem` (checked: :func:`labs_length`).
        reads: Independent MTS runs.
        seed: Seed of all reads (``None``: fresh entropy).
        max_evals: Budget per read in scored sequences (never exceeded).
        population: Population size.
        p_combine: Probability that a child is a crossover (else a parent's copy).
        p_mutate: Per-bit mutation probability (default ``1/N``).
        target: Stop a read once its best energy is ``<= target`` (e.g. the known optimum,
            for time to target); ``None`` spends the whole budget.

    Returns:
        :class:`BinaryRuns` (``method="mts"``, ``evals_per_read = max_evals``);
        ``extra["evals_to_best"]``: per read, the evaluation count at which its best energy
        was first reached; ``extra["evals"]``: evaluations spent.
    """
    N = labs_length(problem)
    reads = check_count("reads", reads)
    max_evals = check_count("max_evals", max_evals)
    population = check_count("population", population, low=2)
    if not 0.0 <= float(p_combine) <= 1.0:
        raise ParameterError(f"p_combine must be in [0, 1], got {p_combine!r}")
    pm = 1.0 / N if p_mutate is None else float(p_mutate)
    if not 0.0 <= pm <= 1.0:
        raise ParameterError(f"p_mutate must be in [0, 1], got {p_mutate!r}")
    goal = None if target is None else float(target)
    if max_evals < population:
        raise ParameterError(f"max_evals={max_evals} cannot even score the initial "
                             f"population of {population}; raise max_evals")
    start = time.process_time()
    sh = _Shifts(N)
    energies, states, to_best, spent = [], [], [], []
    for rng in read_rngs(seed, reads):
        best, best_E, at, used = _one_run(N, rng, sh, max_evals, population,
                                          float(p_combine), pm, goal)
        bits = ((best + 1) // 2).astype(np.int8)
        energies.append(float(problem.energy(bits)))
        states.append(flat_index(bits))
        to_best.append(at)
        spent.append(used)
    setting: dict[str, Any] = {"max_evals": max_evals, "population": population,
                               "p_combine": float(p_combine), "p_mutate": pm,
                               "target": goal}
    return BinaryRuns("mts", np.array(energies), np.array(states, dtype=np.int64),
                      evals_per_read=float(max_evals), cpu_s=time.process_time() - start,
                      setting=setting, extra={"evals_to_best": to_best, "evals": spent})


def _one_run(N: int, rng: np.random.Generator, sh: _Shifts, max_evals: int, size: int,
             p_combine: float, p_mutate: float, goal: float | None
             ) -> tuple[np.ndarray, int, int, int]:
    """One MTS read: ``(best sequence, E, evals when first reached, evals spent)``."""
    pop = rng.choice(np.array([-1, 1], dtype=np.int64), size=(size, N))
    E = np.array([labs_energy(p) for p in pop], dtype=np.int64)
    used = size
    k = int(np.argmin(E))
    best, best_E, at = pop[k].copy(), int(E[k]), used

    def done() -> bool:
        return goal is not None and best_E <= goal

    while not done() and used + 1 + N <= max_evals:
        a = _tournament(E, rng)
        if rng.random() < p_combine:
            b = _tournament(E, rng)
            cut = int(rng.integers(1, N))
            child = np.concatenate([pop[a][:cut], pop[b][cut:]])
        else:
            child = pop[a].copy()
        child[rng.random(N) < p_mutate] *= -1
        used += 1  # the fresh child is scored once (its C_k, inside tabu_search)
        child_E0 = labs_energy(child)
        if child_E0 < best_E:
            best, best_E, at = child.copy(), child_E0, used
            if done():
                break
        child, child_E, ts_used, ts_at = tabu_search(child, rng, budget=max_evals - used,
                                                     goal=goal, shifts=sh)
        if child_E < best_E:
            best, best_E, at = child.copy(), child_E, used + ts_at
        used += ts_used
        worst = int(np.argmax(E))
        pop[worst], E[worst] = child, child_E
    return best, best_E, at, used
