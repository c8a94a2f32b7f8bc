r"""Noisy QAOA on binary problems: simulated fake-device runs, readout mitigation, optimal depth.

:func:`noisy_qaoa` transpiles :class:`qdq.QAOA` for a fake backend
(:func:`~qdq.hardware.binary_routing.transpile_usable`, by default on a compact connected
region of ``n`` healthy qubits — :func:`compact_region` — so routing uses no extra qubits
and the simulation stays small), restricts the device to the qubits the circuit touches
(:func:`~qdq.hardware.transpile.restrict_to_active`) and samples it on Aer with the
device's noise model (``AerSimulator.from_backend``: depolarizing + thermal relaxation on
each gate, readout errors; idle qubits get no noise in an unscheduled circuit). Methods:

* ``density_matrix`` — exact noisy distribution, ``16·4ᵏ`` bytes for ``k`` qubits (auto
  for ``k ≤ 10``);
* ``statevector`` — one noisy trajectory per shot, ``16·2ᵏ`` bytes (auto for ``k ≤ 24``);
* ``matrix_product_state`` — trajectories on an MPS: only for low entanglement (a line or
  the device's own graph at low ``p``); on routed random graphs it is slower than
  statevector.

Counts become energies (the ζ table when ``n ≤ 24``, else the polynomial), the
approximation ratio ``(ζ_max − ⟨ζ⟩)/(ζ_max − ζ_min)`` and ``P(optimum)`` (brute force,
``n ≤ 24``), raw and readout-mitigated. Calibration: M3's (Nation et al., PRX Quantum 2,
040326 (2021)) on the same seeded noisy simulator. The mitigated ratio inverts the
calibrated readout channel term by term (:func:`readout_corrected_mean`, any ``n``); the
mitigated ``P(optimum)`` is M3's corrected distribution
(:func:`qdq.hardware.noise.mitigate_counts`), which works in the span of the observed
bitstrings and so changes little once most shots are distinct. ``ratio_white`` is the
global white-noise heuristic ``F·r_ideal + (1 − F)·r_uniform`` with ``F`` the
reported-error estimate (Dalzell, Hunter-Jones & Brandão, arXiv:2111.14907 (2021)): a
cross-check of the simulation.

:func:`noisy_depth_scan` does this for ``p = 1, 2, …`` with angles from
:func:`qdq.jax.qaoa.train_qaoa` (JAX) or the linear ramp, and picks the best ``p`` under
noise with :func:`qdq.hardware.noise.optimal_depth`.

Example:
    >>> import qdq
    >>> from qiskit.providers.fake_provider import GenericBackendV2
    >>> b = qdq.BinaryProblem({(0, 1): 2.0, (1, 2): 2.0, (0,): -1.0, (1,): -2.0, (2,): -1.0},
    ...                       num_bits=3)                                   # −cut of a path
    >>> r = noisy_qaoa(b, [0.6], [-0.4], GenericBackendV2(5, seed=1), shots=500, seed=1)
    >>> r["method"], r["qubits_simulated"], 0 < r["ratio_raw"] < 1
    ('density_matrix', 3, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from qdq.errors import DependencyError, ParameterError, ResourceError, require

__all__ = ["BinaryDepthScan", "METHODS", "compact_region", "ideal_qaoa", "noisy_depth_scan",
           "noisy_qaoa", "readout_corrected_mean", "submit_depth_scan"]

#: Aer methods :func:`noisy_qaoa` accepts (``"auto"`` picks by simulated qubits).
METHODS = ("auto", "density_matrix", "statevector", "matrix_product_state")
#: Largest ``n`` whose ζ table / brute-force optimum / dense mitigated distribution is built.
DENSE_BITS = 24
_AUTO_DM, _AUTO_SV = 10, 24


def compact_region(backend: Any, k: int) -> list[int]:
    """``k`` connected usable qubits with the smallest reported errors (a BFS ball).

    Each usable qubit roots a breadth-first ball of ``k`` qubits; the ball maximizing
    ``Σ ln(1 − ε)`` over its couplers and measurements wins (ties: the smaller root).

    Example:
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> from qiskit.transpiler import CouplingMap
        >>> len(compact_region(GenericBackendV2(7, coupling_map=CouplingMap.from_line(7)), 3))
        3
    """
    from qdq.hardware.binary_routing import usable_qubits

    target = backend.target
    active = usable_qubits(target)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(active):
        raise ParameterError(f"k must be an integer in 1..{len(active)} (usable qubits), "
                             f"got {k!r}")
    good = set(active)
    adj: dict[int, list[int]] = {q: [] for q in active}
    score2: dict[tuple[int, int], float] = {}
    for name in target.operation_names:
        for qargs, props in (target[name] or {}).items():
            if not qargs or props is None or props.error is None or not set(qargs) <= good:
                continue
            if len(qargs) == 2:
                a, b = sorted(qargs)
                if (a, b) not in score2:
                    adj[a].append(b)
                    adj[b].append(a)
                score2[(a, b)] = score2.get((a, b), 0.0) + math.log1p(-min(props.error, 0.999))
    meas = {q[0]: math.log1p(-min(p.error, 0.999)) for q, p in
            (target["measure"] if "measure" in target.operation_names else {}).items()
            if q and p is not None and p.error is not None}
    best: tuple[float, list[int]] = (-math.inf, active[:k])
    for root in active:
        ball, seen, frontier = [root], {root}, [root]
        while frontier and len(ball) < k:
            nxt = []
            for q in frontier:
                for r in sorted(adj[q]):
                    if r not in seen and len(ball) < k:
                        seen.add(r)
                        ball.append(r)
                        nxt.append(r)
            frontier = nxt
        if len(ball) < k:
            continue
        inside = set(ball)
        s = sum(v for (a, b), v in score2.items() if a in inside and b in inside)
        s += sum(meas.get(q, 0.0) for q in ball)
        if s > best[0]:
            best = (s, sorted(ball))
    return best[1]


def _outcome(problem, probs_or_counts, lo: float | None, hi: float | None
             ) -> tuple[float, float | None, float | None]:
    """``(⟨ζ⟩, ratio, P(optimum))`` of a dense distribution or of ``{index: count}``."""
    n = problem.num_bits
    if isinstance(probs_or_counts, dict):
        idx = np.fromiter(probs_or_counts, dtype=np.int64)
        w = np.fromiter(probs_or_counts.values(), dtype=float)
        if n <= DENSE_BITS:
            e = np.asarray(problem.values)[idx]
        else:
            from qdq.binary.polynomial import evaluate_bits

            bits = ((idx[:, None] >> np.arange(n)) & 1).astype(np.int8)
            e = evaluate_bits(problem.polynomial, problem.offset, bits)
    else:
        w = np.asarray(probs_or_counts, dtype=float)
        e = np.asarray(problem.values)
    w = w / w.sum()
    mean = float(np.dot(w, e))
    if lo is None or hi is None:
        return mean, None, None
    ratio = 1.0 if hi == lo else (hi - mean) / (hi - lo)
    tol = 1e-9 * max(1.0, abs(lo))
    return mean, float(ratio), float(w[e <= lo + tol].sum())


def ideal_qaoa(problem, gammas: Sequence[float], betas: Sequence[float]) -> dict[str, float]:
    """Noiseless ratio and ``P(optimum)`` of QAOA (numpy emulator), and the uniform ratio.

    Example:
        >>> import qdq
        >>> b = qdq.BinaryProblem({(0, 1): 2.0, (0,): -1.0, (1,): -1.0}, num_bits=2)
        >>> r = ideal_qaoa(b, [0.6], [-0.4])
        >>> r["ratio_uniform"], r["ratio_ideal"] > 0.5
        (0.5, True)
    """
    from qdq.engines.emulator import run_emulator
    from qdq.qaoa import QAOA

    _check_dense(problem, "ideal_qaoa")
    values = np.asarray(problem.values)
    lo, hi = float(values.min()), float(values.max())
    probs = np.asarray(run_emulator(QAOA(problem, gammas, betas)).probabilities).reshape(-1)
    _, ratio, p_opt = _outcome(problem, probs, lo, hi)
    _, r_unif, _ = _outcome(problem, np.ones_like(values), lo, hi)
    return {"ratio_ideal": ratio, "p_opt_ideal": p_opt, "ratio_uniform": r_unif}


def _check_dense(problem, who: str) -> None:
    if not getattr(problem, "is_binary", False):
        raise ParameterError(f"{who} needs a qdq.BinaryProblem, got {type(problem).__name__}")
    if problem.num_bits > DENSE_BITS:
        raise ResourceError(f"{who} needs the brute-force optimum, at most {DENSE_BITS} bits; "
                            f"got {problem.num_bits}")


def _method(method: str, k: int) -> str:
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
    if method == "auto":
        method = ("density_matrix" if k <= _AUTO_DM else "statevector" if k <= _AUTO_SV
                  else "matrix_product_state")
    from qdq.grid import check_memory

    if method == "density_matrix":
        check_memory(16 * 4 ** k, f"a density matrix of {k} qubits",
                     hint="use method='statevector' or fewer bits")
    elif method == "statevector":
        check_memory(16 * 2 ** k, f"a statevector of {k} qubits",
                     hint="use method='matrix_product_state' or fewer bits")
    return method


def readout_corrected_mean(problem, counts: dict[int, int], cals: Sequence[Any]) -> float:
    """``⟨ζ⟩`` with readout errors inverted term by term (any ``n``, no dense distribution).

    With ``A_i[m, x] = P(read m | bit x)`` the calibration of bit ``i`` (independent
    readout errors), ``E[Z_i]`` is recovered from a read bit ``m`` by weighting it with
    ``v_i[m] = ((1, −1)·A_i⁻¹)[m]``; a Z-string's expectation is the shot mean of
    ``Π_{i∈S} v_i[m_i]`` (the tensor-product inverse on its marginal), and
    ``⟨ζ⟩ = Σ_S a_S ⟨Z_S⟩`` (:func:`qdq.binary.polynomial.z_form`). Unbiased for the
    expectation, unlike a correction restricted to the observed bitstrings, which changes
    little when most shots are distinct (large ``n``).

    Example:
        >>> import qdq
        >>> b = qdq.BinaryProblem({(0,): 1.0}, num_bits=1)        # ζ = x0 = (1 − Z0)/2
        >>> A = np.array([[0.9, 0.2], [0.1, 0.8]])               # read 1 w.p. 0.1 / 0.8
        >>> round(readout_corrected_mean(b, {0: 550, 1: 450}, [A]), 12)   # 0.45 = 0.1 + 0.7x
        0.5
    """
    from qdq.binary.polynomial import z_form

    n = problem.num_bits
    if len(cals) != n:
        raise ParameterError(f"need one 2×2 calibration per bit ({n}), got {len(cals)}")
    idx = np.fromiter(counts, dtype=np.int64)
    w = np.fromiter(counts.values(), dtype=float)
    w = w / w.sum()
    bits = (idx[:, None] >> np.arange(n)) & 1
    v = np.array([np.array([1.0, -1.0]) @ np.linalg.inv(np.asarray(a, dtype=float))
                  for a in cals])                       # (n, 2): weight of reading 0 / 1
    weights = v[np.arange(n), bits]                     # (shots, n)
    total = 0.0
    for S, a in z_form(problem.polynomial, problem.offset).items():
        total += a * (float(np.dot(w, np.prod(weights[:, list(S)], axis=1))) if S else 1.0)
    return float(total)


def noisy_qaoa(problem, gammas: Sequence[float], betas: Sequence[float],
               backend: Any = "fake_torino", *, shots: int = 2000, seed: int = 0,
               method: str = "auto", noise: bool = True, mitigate: bool = True,
               region: str | Sequence[int] = "compact", optimization_level: int = 2,
               cal_shots: int | None = None) -> dict[str, Any]:
    """Sample QAOA on a fake device's noise model; ratio and ``P(optimum)``, raw and mitigated.

    Args:
        problem: A :class:`~qdq.BinaryProblem` (ratios need ``n ≤ 24``).
        gammas: Cost angles (:class:`qdq.QAOA`'s convention).
        betas: Mixer angles.
        backend: A fake backend name or ``BackendV2``.
        shots: Shots.
        seed: ``seed_transpiler`` and ``seed_simulator`` (calibration included).
        method: ``"auto"`` or an Aer method of :data:`METHODS`.
        noise: ``False`` runs the same ISA circuit without noise (a check).
        mitigate: Also readout-correct (needs ``mthree``: ``pip install 'qdq[mitigation]'``):
            the mean by :func:`readout_corrected_mean`, ``P(optimum)`` by M3.
        region: ``"compact"`` (:func:`compact_region` of ``n`` qubits), ``"usable"`` (all
            usable qubits: the router may borrow extra ones) or physical qubits.
        optimization_level: Qiskit preset level 0–3.
        cal_shots: M3 calibration shots (default: mthree's).

    Returns:
        ``{"n", "p", "backend", "method", "qubits_simulated", "physical_qubits",
        "two_qubit_gates", "two_qubit_depth", "est_fidelity", "mean_raw", "ratio_raw",
        "p_opt_raw", "mean_mitigated", "ratio_mitigated", "p_opt_mitigated", "sim_s",
        "counts"}`` (``counts``: flat index ``Σ xᵢ2^i`` → shots; ratios ``None`` past 24 bits;
        mitigated values ``None`` without ``mitigate``).

    Raises:
        ParameterError: Bad method, shots, region or angles.
        ResourceError: The chosen method's state does not fit in memory.
    """
    from qiskit_aer import AerSimulator

    from qdq.hardware.binary_routing import transpile_usable
    from qdq.hardware.noise import _physical_qubits, mitigate_counts
    from qdq.hardware.transpile import restrict_to_active
    from qdq.qaoa import QAOA
    from qdq.validate import check_seed, check_shots

    if not getattr(problem, "is_binary", False):
        raise ParameterError(f"noisy_qaoa needs a qdq.BinaryProblem, got "
                             f"{type(problem).__name__}")
    shots, seed = check_shots(shots), check_seed(seed)
    if shots is None:
        raise ParameterError("shots must be an integer >= 1, got None")
    if isinstance(backend, str):
        from qdq.hardware.fake_backends import fake_backend

        backend = fake_backend(backend)
    spec = QAOA(problem, gammas, betas)
    n = problem.num_bits
    if isinstance(region, str):
        if region not in ("compact", "usable"):
            raise ParameterError(f"region must be 'compact', 'usable' or a list of physical "
                                 f"qubits, got {region!r}")
        qubits = compact_region(backend, n) if region == "compact" else None
    else:
        qubits = [int(q) for q in region]
    isa, rep, view = transpile_usable(spec, backend, optimization_level=optimization_level,
                                      seed=seed, qubits=qubits)
    small_backend, small, _ = restrict_to_active(isa, view)
    k = small.num_qubits
    method = _method(method, k)
    sim = (AerSimulator.from_backend(small_backend, method=method, seed_simulator=seed)
           if noise else AerSimulator(method=method, seed_simulator=seed))
    t0 = time.perf_counter()
    raw = sim.run(small, shots=shots).result().get_counts()
    sim_s = time.perf_counter() - t0
    counts = {int(key.replace(" ", "")[-n:], 2): int(c) for key, c in raw.items()}
    lo = hi = None
    if n <= DENSE_BITS:
        values = np.asarray(problem.values)
        lo, hi = float(values.min()), float(values.max())
    mean, ratio, p_opt = _outcome(problem, counts, lo, hi)
    row = {"n": n, "p": spec.depth, "backend": rep.backend, "method": method,
           "qubits_simulated": k, "physical_qubits": rep.active_qubits,
           "two_qubit_gates": rep.two_qubit_gates, "two_qubit_depth": rep.two_qubit_depth,
           "est_fidelity": rep.estimated_fidelity, "mean_raw": mean, "ratio_raw": ratio,
           "p_opt_raw": p_opt, "mean_mitigated": None, "ratio_mitigated": None,
           "p_opt_mitigated": None, "sim_s": sim_s, "counts": counts}
    if mitigate:
        mthree = require("mthree", "mitigation")
        mitigator = mthree.M3Mitigation(sim)
        measured = _physical_qubits(small, n)
        mitigator.cals_from_system(measured, shots=cal_shots, async_cal=False)
        cals = [np.asarray(mitigator.single_qubit_cals[q], dtype=float) for q in measured]
        m_mean = readout_corrected_mean(problem, counts, cals)
        row["mean_mitigated"] = m_mean
        if lo is not None and hi is not None:
            row["ratio_mitigated"] = 1.0 if hi == lo else (hi - m_mean) / (hi - lo)
            width_counts = {format(i, f"0{n}b"): c for i, c in counts.items()}
            fixed = mitigate_counts(width_counts, measured, mitigator)
            row["p_opt_mitigated"] = _outcome(problem, fixed, lo, hi)[2]
    return row


class BinaryDepthScan(list):
    """Rows of :func:`noisy_depth_scan`, with :meth:`optimal` and :meth:`to_markdown`."""

    def optimal(self, key: str = "ratio_mitigated") -> int:
        """The ``p`` with the largest ``key`` (:func:`qdq.hardware.noise.optimal_depth`)."""
        from qdq.hardware.noise import optimal_depth

        return optimal_depth(self, key=key)

    def to_markdown(self) -> str:
        """p, 2q gates, est. F, ratio ideal / white-noise / raw / mitigated, P(opt), time."""
        def f(v):
            return "—" if v is None else f"{v:.3f}"

        lines = ["| p | angles | method | qubits | 2q gates | est. F | ratio ideal | "
                 "ratio white-noise | ratio raw | ratio mitigated | P(opt) ideal | "
                 "P(opt) raw | P(opt) mitigated | sim s |",
                 "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in self:
            lines.append(
                f"| {r['p']} | {r['angles']} | {r['method']} | {r['qubits_simulated']} | "
                f"{r['two_qubit_gates']} | {r['est_fidelity']:.3g} | {f(r['ratio_ideal'])} | "
                f"{f(r['ratio_white'])} | {f(r['ratio_raw'])} | {f(r['ratio_mitigated'])} | "
                f"{f(r['p_opt_ideal'])} | {f(r['p_opt_raw'])} | {f(r['p_opt_mitigated'])} | "
                f"{r['sim_s']:.2f} |")
        return "\n".join(lines)


def _angles(problem, p: int, angles: str, train_steps: int) -> tuple[list, list, str]:
    from qdq.qaoa import ramp_for

    if angles == "trained":
        try:
            from qdq.jax.qaoa import train_qaoa
        except (ImportError, DependencyError):  # no JAX: the ramp QAOA starts from
            angles = "ramp"
        else:
            t = train_qaoa(problem, p, steps=train_steps, learning_rate=0.05)
            return list(t.gammas), list(t.betas), "trained"
    g, b = ramp_for(problem, p)
    return list(g), list(b), "ramp"


def noisy_depth_scan(problem, ps: Sequence[int] = (1, 2, 3, 4), backend: Any = "fake_torino",
                     *, shots: int = 2000, seed: int = 0, angles: str = "trained",
                     train_steps: int = 150, method: str = "auto", mitigate: bool = True,
                     region: str | Sequence[int] = "compact", optimization_level: int = 2
                     ) -> BinaryDepthScan:
    """Ideal vs noisy QAOA quality per depth ``p``, and the best ``p`` under noise.

    Per ``p``: angles (``"trained"``: :func:`qdq.jax.qaoa.train_qaoa` from the ramp, falling
    back to ``"ramp"``, :func:`qdq.qaoa.ramp_for`, without JAX), :func:`ideal_qaoa`,
    :func:`noisy_qaoa`, and ``ratio_white`` (module docstring). ``.optimal()`` is the ``p``
    with the best mitigated ratio (``optimal_depth`` with ``"steps" = p``).

    Returns:
        A :class:`BinaryDepthScan` of :func:`noisy_qaoa` rows plus ``"steps"``, ``"angles"``,
        ``"gammas"``, ``"betas"``, ``"ratio_ideal"``, ``"p_opt_ideal"``, ``"ratio_white"``.

    Raises:
        ParameterError: Empty or non-positive ``ps``, or ``angles`` not ``"trained"``/``"ramp"``.
        ResourceError: More than 24 bits (the ideal side is brute force).
    """
    _check_dense(problem, "noisy_depth_scan")
    ps = list(ps)
    if not ps or any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1
                     for p in ps):
        raise ParameterError(f"ps must be a non-empty list of integers >= 1, got {ps!r}")
    if angles not in ("trained", "ramp"):
        raise ParameterError(f"angles must be 'trained' or 'ramp', got {angles!r}")
    rows = BinaryDepthScan()
    for p in ps:
        g, b, how = _angles(problem, int(p), angles, train_steps)
        ideal = ideal_qaoa(problem, g, b)
        row = noisy_qaoa(problem, g, b, backend, shots=shots, seed=seed, method=method,
                         mitigate=mitigate, region=region,
                         optimization_level=optimization_level)
        F = row["est_fidelity"]
        row |= {"steps": int(p), "angles": how, "gammas": g, "betas": b, **ideal,
                "ratio_white": F * ideal["ratio_ideal"] + (1 - F) * ideal["ratio_uniform"]}
        rows.append(row)
    return rows


def submit_depth_scan(rows: Sequence[dict], problem, backend: str, *, shots: int = 4000,
                      seed: int | None = None, dynamical_decoupling: Any = None,
                      twirling: Any = None, store: Any = None, wait: bool | None = None,
                      optimization_level: int = 2) -> list[dict[str, Any]]:
    """Submit a scan's circuits (same problem, each row's angles) with :func:`qdq.hardware.submit`.

    The same call runs a fake backend locally (``"fake_torino"``: Aer with its noise model)
    or a real device (``"ibm_torino"``: needs a saved account) — the backend name is the
    only switch. ``dynamical_decoupling`` / ``twirling`` are the sampler's options
    (``"XY4"``, ``True``, …, see :func:`~qdq.hardware.submit.submit`). Jobs are recorded in
    the store like any other submission.

    Returns:
        ``[{"p", "job", "backend", "two_qubit_gates", "est_fidelity", "ratio", "p_opt"}]``;
        ``ratio``/``p_opt`` are filled when the result is fetched (``wait``; default: only
        for local fake backends).
    """
    from qdq.hardware.submit import submit
    from qdq.qaoa import QAOA

    _check_dense(problem, "submit_depth_scan")
    values = np.asarray(problem.values)
    lo, hi = float(values.min()), float(values.max())
    out = []
    for r in rows:
        job = submit(QAOA(problem, r["gammas"], r["betas"]), backend, shots,
                     dynamical_decoupling=dynamical_decoupling, twirling=twirling,
                     optimization_level=optimization_level, store=store, seed=seed)
        row = {"p": int(r["p"]), "job": job.id, "backend": job.backend,
               "two_qubit_gates": job.resource_report.two_qubit_gates,
               "est_fidelity": job.resource_report.estimated_fidelity, "ratio": None,
               "p_opt": None}
        if job.is_local if wait is None else wait:
            probs = np.asarray(job.result().probabilities, dtype=float).reshape(-1)
            _, row["ratio"], row["p_opt"] = _outcome(problem, probs, lo, hi)
        out.append(row)
    return out
