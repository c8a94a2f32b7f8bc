r"""Baselines every binary comparison needs: uniform sampling and greedy descent.

* :func:`uniform` — one read is the best of ``samples`` uniform random bitstrings. It is
  the floor a method must beat: ``P(hit) = 1 − (1 − |G|/2ⁿ)^samples`` for ``|G|`` ground
  states, and its cost is exactly ``samples`` evaluations per read.
* :func:`greedy` — one read is steepest descent from a uniform random start: flip the bit
  with the most negative exact change ``ΔE_i = (1 − 2x_i) Σ_{S∋i} w_S Π_{j∈S∖i} x_j`` until
  no flip lowers ζ (a 1-flip local minimum), for any degree. Cost: the neighbours
  actually scored (``n`` per step, the final check included), averaged over reads.

Example:
    >>> from qdq.binary.instances import labs
    >>> b = labs(8)
    >>> u = uniform(b, reads=3, seed=0, samples=256)
    >>> g = greedy(b, reads=3, seed=0)
    >>> u.evals_per_read, bool(g.energies.max() <= 48)
    (256, True)
"""

from __future__ import annotations

import time

import numpy as np

from qdq.classical.binary.local_fields import Incidence, check_count, check_reads, flat_states
from qdq.classical.binary.outcome import BinaryRuns
from qdq.errors import ResourceError
from qdq.validate import check_seed

__all__ = ["greedy", "uniform"]

#: Bitstrings generated and scored per chunk by :func:`uniform` (memory stays bounded).
UNIFORM_CHUNK = 1 << 16
#: Most bitstrings one :func:`uniform` call scores (reads × samples).
MAX_UNIFORM_TOTAL = 1 << 34
#: Energy changes within ``IMPROVE_TOL·max(1, Σ|w|)`` of zero are not improvements (so
#: round-off of a zero change cannot make :func:`greedy` cycle).
IMPROVE_TOL = 1e-12


def uniform(problem, *, reads: int, seed: int | None, samples: int = 1000) -> BinaryRuns:
    """Best of ``samples`` uniform random bitstrings, ``reads`` times.

    Energies are exact (:meth:`~.local_fields.Incidence.energies` on the bits); the state of
    a read is its first best sample. Cost: ``evals_per_read = samples``.

    Raises:
        ParameterError: ``samples`` or ``reads`` not a positive integer, bad seed.
        ResourceError: ``reads × samples`` above :data:`MAX_UNIFORM_TOTAL`.
    """
    n = problem.num_bits
    reads, seed = check_reads(reads, n), check_seed(seed)
    samples = check_count("samples", samples)
    if reads * samples > MAX_UNIFORM_TOTAL:
        raise ResourceError(f"reads × samples = {reads * samples} bitstrings is more than "
                            f"{MAX_UNIFORM_TOTAL}; use fewer")
    inc = Incidence.of(problem)
    rng = np.random.default_rng(seed)
    best_e = np.full(reads, np.inf)
    best_x = np.zeros((reads, n), dtype=np.int8)
    t0 = time.process_time()
    # `per` samples of every read per chunk: memory stays at UNIFORM_CHUNK bitstrings and
    # the draws are a fixed function of (seed, reads, samples).
    per = max(1, UNIFORM_CHUNK // reads)
    for start in range(0, samples, per):
        m = min(per, samples - start)
        X = rng.integers(0, 2, size=(reads, m, n), dtype=np.int8)
        E = inc.energies(X.reshape(reads * m, n)).reshape(reads, m)
        k = np.argmin(E, axis=1)
        e = E[np.arange(reads), k]
        better = e < best_e
        best_e[better] = e[better]
        best_x[better] = X[np.arange(reads), k][better]
    cpu = time.process_time() - t0
    energies = np.atleast_1d(problem.energy(best_x))
    return BinaryRuns("uniform", energies, flat_states(best_x), samples, cpu,
                      {"samples": samples})


def greedy(problem, *, reads: int, seed: int | None) -> BinaryRuns:
    """Steepest single-bit-flip descent from uniform random starts, any degree (numpy).

    Each step computes every ``ΔE_i`` exactly from the current bits and flips the most
    negative one (ties: the lowest bit index); a read stops when no ``ΔE_i`` is below
    ``−IMPROVE_TOL·max(1, Σ|w|)``. Every read ends in a 1-flip local minimum; the same
    algorithm as :func:`~.samplers.steepest_descent`, for polynomials of any degree (the
    tie rule may differ from dwave's, which matters only where ``ΔE`` ties, e.g. Max-Cut).

    Returns:
        ``extra["mean_steps"]``: flips per read; ``evals_per_read``: the mean of
        ``(steps + 1) × n``.
    """
    n = problem.num_bits
    reads, seed = check_reads(reads, n), check_seed(seed)
    inc = Incidence.of(problem)
    tol = IMPROVE_TOL * max(1.0, float(np.abs(inc.weights).sum()))
    rng = np.random.default_rng(seed)
    t0 = time.process_time()
    X = rng.integers(0, 2, size=(reads, n), dtype=np.int8).astype(bool)
    steps = np.zeros(reads, dtype=np.int64)
    active = np.arange(reads)
    # Each step lowers ζ by more than tol, so the loop ends; the bound is a safety net.
    for _ in range(max(1, n) * (2**20)):
        if active.size == 0:
            break
        D = inc.deltas(X[active])
        k = np.argmin(D, axis=1)
        improve = D[np.arange(active.size), k] < -tol
        rows = active[improve]
        X[rows, k[improve]] ^= True
        steps[rows] += 1
        active = rows
    cpu = time.process_time() - t0
    Xi = X.astype(np.int8)
    energies = np.atleast_1d(problem.energy(Xi))
    return BinaryRuns("greedy", energies, flat_states(Xi), float(np.mean(steps + 1) * n), cpu,
                      {}, {"mean_steps": float(steps.mean())})
