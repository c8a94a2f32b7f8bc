r"""Heuristic binary solvers: D-Wave's ``dwave-samplers`` and single-bit-flip annealing.

Every solver is ``solver(problem, *, reads, seed, **setting) -> BinaryRuns``: ``reads``
independent restarts, seeded, each ending in one bitstring whose energy is recomputed
exactly from the bits (:meth:`~qdq.binary.BinaryProblem.energy`), never taken from the
sampler. ``cpu_s`` is ``time.process_time`` around the sampling call only.

* :func:`simulated_annealing` — ``SimulatedAnnealingSampler`` (Kirkpatrick, Gelatt & Vecchi,
  1983): Metropolis sweeps over a geometric β schedule. Cost: ``sweeps × n`` proposals/read.
* :func:`tabu` — ``TabuSampler``: multistart tabu search (Palubeckis, 2004) with a time
  limit per read. Cost in evaluations: not reported by the library (``None``).
* :func:`steepest_descent` — ``SteepestDescentSolver`` from uniform random starts.
* :func:`path_integral_annealing` — ``PathIntegralAnnealingSampler``: classical
  path-integral Monte Carlo of transverse-field annealing (continuous imaginary time,
  King et al., Nat. Commun. 12, 1113, 2021), the "simulated quantum annealing" baseline.
* :func:`polynomial_annealing` — qdq's own Metropolis annealing for **any degree**.

The ``dwave-samplers`` solvers take quadratic models only. A degree-3+ objective (LABS is
quartic) is refused with the degree named: ``dimod.make_quadratic`` would add auxiliary bits
under a penalty, which is a different search space (and a different cost), so nothing is
reduced silently — use :func:`polynomial_annealing` (``"sa-poly"``), ``"greedy"``, ``"mts"``
(LABS) or the exact solvers instead.

Example:
    >>> from qdq.binary.instances import sk
    >>> r = polynomial_annealing(sk(8, seed=1), reads=4, seed=0, sweeps=200)
    >>> r.reads, r.evals_per_read, bool(r.best_energy <= sk(8, seed=1).exact().energy + 1e-9)
    (4, 1600, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from qdq.classical.binary.local_fields import Incidence, check_count, check_reads, flat_states
from qdq.classical.binary.outcome import BinaryRuns
from qdq.errors import ParameterError, require
from qdq.validate import check_seed

__all__ = ["path_integral_annealing", "polynomial_annealing", "simulated_annealing",
           "steepest_descent", "tabu", "ising_beta_range", "poly_beta_range",
           "TROTTER_SLICES"]

#: Imaginary-time slices of a worldline in ``dwave-samplers``' path-integral code
#: (``numTrotterSlices = 1 << 16`` in ``sqa/src/localPIMC.h``): fixed by the library, in
#: effect the continuous-time limit (break positions are drawn as a Poisson process).
TROTTER_SLICES = 1 << 16
#: Biases below this fraction of the largest are round-off of the bits → spins change
#: (``x = (s + 1)/2``) and are set to zero before sampling (they would make the default
#: cold β absurd: 1.7e17 on an SK instance whose spin fields are exactly zero).
ROUND_OFF = 1e-12
#: Targeted excitation rate at the end of the schedule (dwave-samplers' default rule).
EXCITATION_RATE = 0.01

QUADRATIC_HINT = ("use 'sa-poly' (single-bit-flip annealing for any degree), 'greedy', "
                  "'mts' (LABS) or the exact solvers 'exact'/'mip'; dimod.make_quadratic "
                  "would add penalized auxiliary bits, a different search space")


def check_quadratic(problem, solver: str) -> None:
    """Refuse degree > 2 for a solver that takes quadratic models only."""
    if problem.degree > 2:
        raise ParameterError(f"{solver} takes quadratic objectives (degree <= 2), got degree "
                             f"{problem.degree} ({problem!r}); {QUADRATIC_HINT}")


def sampler_seed(seed: int | None) -> int | None:
    """A 31-bit seed for the C++ samplers derived from a qdq seed (``None`` stays ``None``).

    ``dwave-samplers`` take seeds below ``2**31`` (path integral) or ``2**32``; qdq seeds go
    to ``2**63``, so they are hashed through :class:`numpy.random.SeedSequence`.
    """
    if seed is None:
        return None
    return int(np.random.SeedSequence(seed).generate_state(1, np.uint32)[0] & 0x7FFFFFFF)


def _spin_bqm(problem):
    """The problem as a SPIN ``dimod.BinaryQuadraticModel`` with round-off biases zeroed."""
    dimod = require("dimod", "binary")
    require("dwave.samplers", "binary")
    bqm = problem.to_bqm().change_vartype(dimod.SPIN, inplace=False)
    scale = max([abs(v) for v in bqm.linear.values()] + [abs(v) for v in
                                                         bqm.quadratic.values()] + [0.0])
    for v, h in list(bqm.linear.items()):
        if abs(h) <= ROUND_OFF * scale:
            bqm.set_linear(v, 0.0)
    for (u, v), J in list(bqm.quadratic.items()):
        if abs(J) <= ROUND_OFF * scale:
            bqm.remove_interaction(u, v)
    return bqm


def _runs(method: str, problem, sampleset, reads: int, evals, cpu_s: float,
          setting: dict[str, Any], extra: dict[str, Any]) -> BinaryRuns:
    """Bits of each read (sampleset columns mapped to bit indices), energies recomputed."""
    rec = sampleset.record
    if len(rec) != reads:
        raise ParameterError(f"{method}: the sampler returned {len(rec)} reads, expected {reads}")
    index = {name: i for i, name in enumerate(problem.names)}
    order = [index[v] for v in sampleset.variables]
    X = np.zeros((reads, problem.num_bits), dtype=np.int8)
    X[:, order] = np.asarray(rec.sample) > 0          # SPIN s = ±1 → x = (s + 1)/2
    energies = np.atleast_1d(problem.energy(X))
    return BinaryRuns(method, energies, flat_states(X), evals, cpu_s, setting, extra)


def ising_beta_range(bqm) -> tuple[float, float]:
    """dwave-samplers' default ``(β_hot, β_cold)`` for a SPIN model (its documented rule).

    ``β_hot = ln 2 / (2 max_i Σ|bias_i|)`` (every flip accepted with probability ≥ 1/2 at
    the start); ``β_cold = ln(m / 0.01) / (2 min |bias|)`` over the smallest nonzero
    ``|h_i|``/``|J_ij|``, ``m`` of them at that value (excitation rate ≤ 1% at the end).
    """
    total: dict[Any, float] = {v: abs(h) for v, h in bqm.linear.items()}
    smallest: dict[Any, float] = {v: abs(h) for v, h in bqm.linear.items() if h}
    for (u, v), J in bqm.quadratic.items():
        for x in (u, v):
            total[x] = total.get(x, 0.0) + abs(J)
            if J:
                smallest[x] = min(abs(J), smallest.get(x, math.inf))
    if not smallest:
        return 0.1, 1.0
    hot = math.log(2) / (2 * max(total.values()))
    low = np.array(list(smallest.values()))
    cold = math.log(int(np.sum(low == low.min())) / EXCITATION_RATE) / (2 * float(low.min()))
    return hot, cold


def _check_beta_range(beta_range) -> tuple[float, float] | None:
    if beta_range is None:
        return None
    try:
        lo, hi = (float(b) for b in beta_range)
    except (TypeError, ValueError):
        raise ParameterError(f"beta_range must be two positive numbers (hot, cold), got "
                             f"{beta_range!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        raise ParameterError(f"beta_range must be finite with 0 < hot <= cold, got "
                             f"{beta_range!r}")
    return lo, hi


def simulated_annealing(problem, *, reads: int, seed: int | None, sweeps: int = 1000,
                        beta_range: Sequence[float] | None = None,
                        schedule: str = "geometric") -> BinaryRuns:
    """Simulated annealing (``dwave.samplers.SimulatedAnnealingSampler``), quadratic only.

    Each read starts from a uniform random bitstring and makes ``sweeps`` sequential
    Metropolis sweeps over the bits, one β per sweep, interpolated over ``beta_range``
    (default: dwave's rule, :func:`ising_beta_range`, on the model with round-off biases
    zeroed). Cost: ``evals_per_read = sweeps × n`` flip proposals.

    Args:
        problem: A :class:`~qdq.binary.BinaryProblem` of degree ≤ 2.
        reads: Independent anneals (``num_reads``).
        seed: Seed (hashed to the sampler's 31-bit seed by :func:`sampler_seed`).
        sweeps: Sweeps per read.
        beta_range: ``(β_hot, β_cold)``; ``None`` for the default.
        schedule: ``"geometric"`` or ``"linear"`` in β.

    Raises:
        ParameterError: Degree > 2 (use ``"sa-poly"``), or a bad setting.
    """
    check_quadratic(problem, "simulated annealing (dwave-samplers)")
    reads, seed = check_reads(reads, problem.num_bits), check_seed(seed)
    sweeps = check_count("sweeps", sweeps)
    rng = _check_beta_range(beta_range)
    if schedule not in ("geometric", "linear"):
        raise ParameterError(f"schedule must be 'geometric' or 'linear', got {schedule!r}")
    from dwave.samplers import SimulatedAnnealingSampler

    bqm = _spin_bqm(problem)
    t0 = time.process_time()
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=reads, num_sweeps=sweeps,
                                            beta_range=rng, beta_schedule_type=schedule,
                                            seed=sampler_seed(seed))
    cpu = time.process_time() - t0
    used = [float(b) for b in ss.info.get("beta_range", rng or ())]
    return _runs("sa", problem, ss, reads, sweeps * problem.num_bits, cpu,
                 {"sweeps": sweeps, "beta_range": None if rng is None else list(rng),
                  "schedule": schedule}, {"beta_range_used": used})


def tabu(problem, *, reads: int, seed: int | None, timeout_ms: int = 20,
         num_restarts: int | None = None, tenure: int | None = None) -> BinaryRuns:
    """Multistart tabu search (``dwave.samplers.TabuSampler``), quadratic only.

    One read is one run of the library's multistart tabu search (Palubeckis, Ann. Oper.
    Res. 131, 2004) from a uniform random start, restarting internally until ``timeout_ms``
    milliseconds or ``num_restarts`` restarts. The stop is **wall-clock time**, so the same
    seed need not give the same bits on a loaded machine (the library says so too). The
    library reports no count of evaluated neighbours: ``evals_per_read`` is ``None``
    (``extra["num_restarts"]``: the mean restarts per read); compare it by ``cpu_s``.

    Raises:
        ParameterError: Degree > 2, or a bad setting.
    """
    check_quadratic(problem, "tabu search (dwave-samplers)")
    reads, seed = check_reads(reads, problem.num_bits), check_seed(seed)
    timeout_ms = check_count("timeout_ms", timeout_ms)
    kwargs: dict[str, Any] = {}
    if num_restarts is not None:
        kwargs["num_restarts"] = check_count("num_restarts", num_restarts, 0)
    if tenure is not None:
        kwargs["tenure"] = check_count("tenure", tenure, 0)
    from dwave.samplers import TabuSampler

    bqm = _spin_bqm(problem)
    t0 = time.process_time()
    ss = TabuSampler().sample(bqm, num_reads=reads, timeout=timeout_ms,
                              seed=sampler_seed(seed), **kwargs)
    cpu = time.process_time() - t0
    extra: dict[str, Any] = {"time_based": True}
    if "num_restarts" in ss.record.dtype.names:
        extra["num_restarts"] = float(np.mean(ss.record.num_restarts))
    return _runs("tabu", problem, ss, reads, None, cpu,
                 {"timeout_ms": timeout_ms, "num_restarts": num_restarts, "tenure": tenure},
                 extra)


def steepest_descent(problem, *, reads: int, seed: int | None) -> BinaryRuns:
    """Steepest descent (``dwave.samplers.SteepestDescentSolver``), quadratic only.

    From a uniform random start, flip the bit that lowers the energy most until no single
    flip lowers it (a 1-flip local minimum). Cost: each step scores all ``n`` neighbours and
    so does the final check, so ``evals_per_read = mean(num_steps + 1) × n`` from the
    ``num_steps`` the library reports per read.
    """
    check_quadratic(problem, "steepest descent (dwave-samplers)")
    reads, seed = check_reads(reads, problem.num_bits), check_seed(seed)
    from dwave.samplers import SteepestDescentSolver

    bqm = _spin_bqm(problem)
    t0 = time.process_time()
    ss = SteepestDescentSolver().sample(bqm, num_reads=reads, seed=sampler_seed(seed))
    cpu = time.process_time() - t0
    evals = None
    extra: dict[str, Any] = {}
    if "num_steps" in ss.record.dtype.names:
        steps = np.asarray(ss.record.num_steps, dtype=float)
        evals = float(np.mean(steps + 1) * problem.num_bits)
        extra["mean_steps"] = float(steps.mean())
    return _runs("steepest", problem, ss, reads, evals, cpu, {}, extra)


def path_integral_annealing(problem, *, reads: int, seed: int | None, sweeps: int = 1000,
                            beta_range: Sequence[float] | None = None,
                            gamma: float | None = None) -> BinaryRuns:
    r"""Path-integral Monte Carlo of transverse-field annealing (simulated quantum annealing).

    ``dwave.samplers.PathIntegralAnnealingSampler`` samples worldlines of
    ``H = B·H_P − Γ Σ Xᵢ`` in continuous imaginary time (:data:`TROTTER_SLICES` slices, fixed
    by the library) with Swendsen–Wang updates per spin (King et al., 2021). Its *default*
    transverse field is zero — classical annealing of worldlines — so qdq passes a custom
    schedule, one point per sweep ``t = k/sweeps``, ``k = 1…sweeps``:

    * problem weight ``β(t) = β₀ (β₁/β₀)^t`` (geometric over ``beta_range``);
    * transverse weight ``β₀ Γ (1 − t)`` (linear to zero, as in Santoro et al., Science 295,
      2427, 2002; the final state is classical and projected).

    Defaults, in the spin model's energy scale ``F = max_i (|h_i| + Σ_j |J_ij|)``:
    ``Γ = F`` and ``β₀ = 5/F`` (about 5 worldline breaks per spin at the start),
    ``β₁`` = dwave's cold β (:func:`ising_beta_range`). Cost: ``sweeps × n`` worldline
    updates per read (each a cluster move, costlier than one flip — compare by ``cpu_s``).

    Args:
        problem: Degree ≤ 2.
        reads: Independent anneals (``num_reads``).
        seed: Seed (hashed to the sampler's 31-bit seed by :func:`sampler_seed`).
        sweeps: Schedule points (one sweep of ``n`` updates each).
        beta_range: ``(β₀, β₁)``.
        gamma: Initial transverse field ``Γ``.
    """
    check_quadratic(problem, "path-integral annealing (dwave-samplers)")
    reads, seed = check_reads(reads, problem.num_bits), check_seed(seed)
    sweeps = check_count("sweeps", sweeps)
    rng = _check_beta_range(beta_range)
    if gamma is not None:
        from qdq.validate import check_positive

        gamma = check_positive("gamma", gamma, allow_zero=True)
    from dwave.samplers import PathIntegralAnnealingSampler

    bqm = _spin_bqm(problem)
    F = max((abs(bqm.linear[v]) + sum(abs(w) for w in bqm.adj[v].values())
             for v in bqm.variables), default=0.0) or 1.0
    b0, b1 = rng if rng is not None else (5.0 / F, max(5.0 / F, ising_beta_range(bqm)[1]))
    g = F if gamma is None else gamma
    t = np.arange(1, sweeps + 1) / sweeps
    hp = b0 * (b1 / b0) ** t
    hd = b0 * g * (1.0 - t)
    t0 = time.process_time()
    ss = PathIntegralAnnealingSampler().sample(
        bqm, num_reads=reads, seed=sampler_seed(seed), beta_schedule_type="custom",
        Hp_field=hp, Hd_field=hd, num_sweeps_per_beta=1)
    cpu = time.process_time() - t0
    return _runs("pimc", problem, ss, reads, sweeps * problem.num_bits, cpu,
                 {"sweeps": sweeps, "beta_range": None if rng is None else list(rng),
                  "gamma": gamma, "trotter_slices": TROTTER_SLICES},
                 {"beta_range_used": [float(b0), float(b1)], "gamma_used": float(g),
                  "energy_scale": float(F)})


def poly_beta_range(problem) -> tuple[float, float]:
    """Default ``(β_hot, β_cold)`` of :func:`polynomial_annealing`: dwave's rule, any degree.

    In spins ``z = 1 − 2x`` (:func:`~qdq.binary.polynomial.z_form`, ``ζ = Σ_S a_S Π z``),
    flipping bit ``i`` changes ζ by ``2|Σ_{S∋i} a_S Π_{j∈S} z_j| ≤ 2 Σ_{S∋i}|a_S|``. So, as
    :func:`ising_beta_range` does for quadratic models (and equal to it there),
    ``β_hot = ln 2 / (2 max_i Σ_{S∋i}|a_S|)`` and ``β_cold = ln(m/0.01) / (2 min|a_S|)``
    over nonzero ``a_S`` (``m`` of them at the minimum; below ``1e-12·max|a|`` is
    round-off). Past degree 10 the spin expansion (``2^k`` strings per monomial) is skipped
    and the bit weights ``w_S`` stand in for ``a_S``. No weights: ``(0.1, 1)``.
    """
    from qdq.binary.polynomial import z_form

    n = problem.num_bits
    poly = problem.polynomial
    terms = ({s: a for s, a in z_form(poly).items() if s} if problem.degree <= 10
             else dict(poly))
    if not terms:
        return 0.1, 1.0
    scale = max(abs(a) for a in terms.values())
    total = np.zeros(n)
    smallest = np.full(n, np.inf)
    for s, a in terms.items():
        if abs(a) <= ROUND_OFF * scale:
            continue
        for i in s:
            total[i] += abs(a)
            smallest[i] = min(smallest[i], abs(a))
    low = smallest[np.isfinite(smallest)]
    hot = math.log(2) / (2 * float(total.max()))
    cold = math.log(int(np.sum(low == low.min())) / EXCITATION_RATE) / (2 * float(low.min()))
    return hot, max(hot, cold)


def polynomial_annealing(problem, *, reads: int, seed: int | None, sweeps: int = 1000,
                         beta_range: Sequence[float] | None = None) -> BinaryRuns:
    r"""Single-bit-flip Metropolis annealing for a polynomial of **any degree** (numpy).

    All ``reads`` anneal at once (one row each). A sweep visits bits ``0 … n−1`` in order
    and proposes flipping each, accepting with probability ``min(1, e^{−βΔE_i})``, where

    .. math:: ΔE_i = (1 − 2x_i) Σ_{S∋i} w_S Π_{j∈S∖i} x_j

    is computed exactly from the current bits (:class:`~.local_fields.Incidence`; nothing
    is accumulated). β runs geometrically over ``beta_range``, one value per sweep, as in
    Kirkpatrick et al. (1983) and dwave-samplers; default :func:`poly_beta_range`. The
    reported energy is ζ of each read's final bits. Cost: ``sweeps × n`` proposals per read.

    Args:
        problem: Any :class:`~qdq.binary.BinaryProblem`.
        reads: Independent anneals from uniform random bitstrings.
        seed: Seed of the numpy generator (starts and acceptances).
        sweeps: Sweeps per read.
        beta_range: ``(β_hot, β_cold)``; ``None`` for the default.
    """
    n = problem.num_bits
    reads, seed = check_reads(reads, n), check_seed(seed)
    sweeps = check_count("sweeps", sweeps)
    given = _check_beta_range(beta_range)
    inc = Incidence.of(problem)
    hot, cold = given if given is not None else poly_beta_range(problem)
    betas = np.array([cold]) if sweeps == 1 else np.geomspace(hot, cold, sweeps)
    rng = np.random.default_rng(seed)
    t0 = time.process_time()
    Xe = inc.extend(rng.integers(0, 2, size=(reads, n), dtype=np.int8))
    for beta in betas:
        log_u = np.log(rng.random((n, reads)))
        for i in range(n):
            f = inc.field(Xe, i)
            d = np.where(Xe[:, i], -f, f)
            Xe[:, i] ^= log_u[i] < -beta * d
    cpu = time.process_time() - t0
    X = Xe[:, :n].astype(np.int8)
    energies = np.atleast_1d(problem.energy(X))
    return BinaryRuns("sa-poly", energies, flat_states(X), sweeps * n, cpu,
                      {"sweeps": sweeps, "beta_range": None if given is None else list(given)},
                      {"beta_range_used": [float(hot), float(cold)]})
