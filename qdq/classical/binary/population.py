r"""Population annealing on the hypercube: walkers for ``e^{−τ(D·L + ζ)}`` on bits.

The Wick-rotated (imaginary-time) Schrödinger equation on bits,
``∂_τ ψ = −(D·L + ζ)ψ`` with the hypercube Laplacian ``L = Σᵢ(1 − Xᵢ)``, is a
diffusion plus a birth/death rate, so a population of walkers samples ``ψ`` (not ``|ψ|²``)
— diffusion Monte Carlo (Anderson 1975; Kosztin, Faber & Schulten 1996; on discrete spaces
the Green's-function Monte Carlo of Trivedi & Ceperley 1990), run as population annealing
(Hukushima & Iba 2003; Machta 2010): a fixed-size population, reweighted and resampled at
each step while the imaginary time ``β = τ`` grows. One step of length ``dτ = β_max/steps``:

1. *Diffuse* with ``e^{−dτ·D·L}``: ``L`` is a graph Laplacian, so this is a Markov kernel
   that factorizes over bits, ``e^{−dτD(1−X)} = e^{−dτD}(\cosh(dτD)·1 + \sinh(dτD)·X)``:
   every bit flips independently with probability ``p = (1 − e^{−2D·dτ})/2`` (≈ ``D·dτ``),
   and no weight is needed (the generator ``Σ(1 − Xᵢ)`` has zero column sums).
2. *Reweight* each walker by ``exp(−dτ·(ζ̄ − E_ref))`` with the trapezoid
   ``ζ̄ = (ζ_before + ζ_after)/2`` (the symmetric factor ``e^{−ζdτ/2}e^{−DLdτ}e^{−ζdτ/2}``,
   as :func:`qdq.classical.dmc.dmc`); ``E_ref`` (the least ``ζ̄``) only sets the scale.
3. *Resample* systematically (one uniform offset, ``walkers`` evenly spaced pointers into
   the cumulative weights; Kitagawa 1996): the population stays at ``walkers``.

The start is the uniform distribution over ``{0,1}ⁿ`` — ``|+⟩ⁿ``, the ground state of ``L``
and the start of the quantum anneal. As ``β → ∞`` the walker density tends to the ground
state ``ψ₀`` of ``D·L + ζ``, which concentrates on ``argmin ζ`` as ``D`` shrinks against
ζ's gaps. As an optimizer a read is one independent population run, reported by its best
walker ever seen; ``evals_per_read = walkers × steps`` (one energy per walker per step).

Example:
    >>> from qdq.binary.instances import maxcut
    >>> r = population_annealing(maxcut([(0, 1), (1, 2), (2, 3), (3, 0)]), reads=2,
    ...                          seed=0, walkers=20, steps=10)
    >>> r.energies.tolist(), r.evals_per_read
    ([-4.0, -4.0], 200.0)
"""

from __future__ import annotations

import math
import time

import numpy as np

from qdq.classical.binary.outcome import TIE_TOLERANCE, BinaryRuns
from qdq.classical.binary.qbo import check_count, read_rngs
from qdq.errors import ProblemError
from qdq.validate import check_positive

__all__ = ["population_annealing", "systematic_resample", "flip_probability",
           "walker_energies", "default_beta_max"]


def flip_probability(D: float, dtau: float) -> float:
    r"""Per-bit flip probability of ``e^{−dτ·D(1−X)}``: ``(1 − e^{−2D·dτ})/2``.

    Example:
        >>> round(flip_probability(1.0, 0.01), 6), flip_probability(1.0, 1e9)
        (0.009901, 0.5)
    """
    return 0.5 * -math.expm1(-2.0 * D * dtau)


def systematic_resample(weights: np.ndarray, count: int, u: float) -> np.ndarray:
    """Indices of ``count`` survivors: pointers ``(u + k)/count`` into the cumulative weights.

    Each index ``i`` appears ``⌊count·wᵢ/Σw⌋`` or one more time (low variance).

    Example:
        >>> systematic_resample(np.array([0.5, 0.0, 0.25, 0.25]), 4, 0.5).tolist()
        [0, 0, 2, 3]
    """
    cum = np.cumsum(weights, dtype=float)
    pointers = (u + np.arange(count)) * (cum[-1] / count)
    return np.minimum(np.searchsorted(cum, pointers, side="right"), weights.size - 1)


def walker_energies(problem):
    """A function ``X (W, n) bool → ζ`` per row (dense ``J`` for quadratic problems).

    Example:
        >>> from qdq.binary.problem import BinaryProblem
        >>> E = walker_energies(BinaryProblem({(0, 1): 2.0, (1,): -1.0}, offset=0.5))
        >>> E(np.array([[1, 1], [0, 1]], dtype=bool)).tolist()
        [1.5, -0.5]
    """
    n, off, poly = problem.num_bits, float(problem.offset), problem.polynomial
    if problem.degree <= 2:
        h, J = np.zeros(n), np.zeros((n, n))
        for s, w in poly.items():
            if len(s) == 1:
                h[s[0]] += w
            else:
                J[s[0], s[1]] += w  # upper triangle: xᵀJx counts each pair once

        def quadratic(X: np.ndarray) -> np.ndarray:
            Xf = X.astype(float)
            return off + Xf @ h + np.einsum("wi,wi->w", Xf @ J, Xf)
        return quadratic
    # Higher degree: each monomial's bits as a row, padded with column n (a constant 1).
    width = problem.degree
    idx = np.array([s + (n,) * (width - len(s)) for s in poly], dtype=np.intp)
    w = np.fromiter(poly.values(), dtype=float, count=len(poly))
    rows = max(1, (1 << 22) // max(1, idx.size))  # bounded gather per chunk

    def polynomial(X: np.ndarray) -> np.ndarray:
        Xp = np.concatenate([X.astype(bool), np.ones((X.shape[0], 1), bool)], axis=1)
        out = np.empty(X.shape[0])
        for a in range(0, X.shape[0], rows):
            out[a:a + rows] = off + Xp[a:a + rows][:, idx].all(axis=2) @ w
        return out
    return polynomial


def default_beta_max(energy, n: int, rng: np.random.Generator, samples: int = 256) -> float:
    """``10 / ε``, ``ε`` the median nonzero ``|ΔE|`` of one random flip at uniform states.

    Ten imaginary-time units of the problem's typical move (``1`` if no flip changes ζ):
    by the end a neighbour ``ε`` above a walker is down-weighted ``e^{−0.1}`` per step at
    ``steps = 100``, and ``e^{−10}`` over the run.

    Example:
        >>> from qdq.binary.instances import maxcut
        >>> E = walker_energies(maxcut([(0, 1), (1, 2), (2, 0)]))
        >>> default_beta_max(E, 3, np.random.default_rng(0))   # a flip changes the cut by 0 or 2
        5.0
    """
    X = rng.random((samples, n)) < 0.5
    Y = X.copy()
    Y[np.arange(samples), rng.integers(0, n, samples)] ^= True
    d = np.abs(energy(Y) - energy(X))
    d = d[d > 1e-12 * max(1.0, float(np.max(d, initial=0.0)))]
    return 10.0 / float(np.median(d)) if d.size else 1.0


def population_annealing(problem, *, reads: int, seed: int | None, walkers: int = 200,
                         steps: int = 100, beta_max: float | None = None,
                         D: float = 1.0) -> BinaryRuns:
    r"""Population annealing / diffusion Monte Carlo for ``D·L + ζ`` on bits (module docstring).

    Args:
        problem: A :class:`~qdq.BinaryProblem`.
        reads: Independent population runs.
        seed: Seed of all reads (``None``: fresh entropy).
        walkers: Population size (held fixed by resampling).
        steps: Imaginary-time steps; ``dτ = beta_max / steps``.
        beta_max: Final imaginary time (inverse temperature); default
            :func:`default_beta_max` (``10/ε``, ``ε`` a typical single-flip ``|ΔE|``).
        D: Hopping strength of the hypercube Laplacian (the quantum kinetic ``D``).

    Returns:
        :class:`BinaryRuns` (``method="population"``); ``extra["final_fraction_at_best"]``:
        per read, the fraction of the final population at that read's best energy.

    Raises:
        ParameterError: Counts below 1 (``walkers`` below 2), non-positive ``D``/``beta_max``.
        ResourceError: The population would not fit in memory (checked first).
    """
    if not getattr(problem, "is_binary", False):
        raise ProblemError(f"expected a qdq.BinaryProblem, got {type(problem).__name__}")
    reads = check_count("reads", reads)
    walkers = check_count("walkers", walkers, low=2)
    steps = check_count("steps", steps)
    D = check_positive("D", D)
    if beta_max is not None:
        beta_max = check_positive("beta_max", beta_max)
    n = problem.num_bits
    from qdq.grid import check_memory

    # Walkers (bool), their flips, float copies and energies: about 26 bytes per bit.
    check_memory(26 * walkers * max(n, 8), f"{walkers} walkers on {n} bits",
                 hint="use fewer walkers")
    start = time.process_time()
    energy = walker_energies(problem)
    rngs = read_rngs(seed, reads + 1)  # the last one only sizes the default β_max
    beta = default_beta_max(energy, n, rngs[-1]) if beta_max is None else beta_max
    dtau = beta / steps
    p = flip_probability(D, dtau)
    out_e, out_s, fractions = [], [], []
    for rng in rngs[:reads]:
        X = rng.random((walkers, n)) < 0.5
        e = energy(X)
        k = int(np.argmin(e))
        best_e, best_x = float(e[k]), X[k].copy()
        for _ in range(steps):
            X ^= rng.random((walkers, n)) < p
            e_new = energy(X)
            k = int(np.argmin(e_new))
            if e_new[k] < best_e:
                best_e, best_x = float(e_new[k]), X[k].copy()
            bar = 0.5 * (e + e_new)
            w = np.exp(-dtau * (bar - bar.min()))
            idx = systematic_resample(w, walkers, float(rng.random()))
            X, e = X[idx], e_new[idx]
        tol = TIE_TOLERANCE * max(1.0, abs(best_e))
        fractions.append(float(np.mean(e <= best_e + tol)))
        out_e.append(float(problem.energy(best_x.astype(np.int8))))
        out_s.append(int(np.sum(best_x.astype(np.int64) << np.arange(n))) if n <= 62 else -1)
    return BinaryRuns("population", np.array(out_e), np.array(out_s, dtype=np.int64),
                      evals_per_read=float(walkers * steps),
                      cpu_s=time.process_time() - start,
                      setting={"walkers": walkers, "steps": steps, "beta_max": beta, "D": D},
                      extra={"final_fraction_at_best": fractions, "flip_probability": p})
