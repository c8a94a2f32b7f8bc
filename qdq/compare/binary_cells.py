r"""The cells of a binary comparison: one method at one setting on one instance.

A binary study (:mod:`qdq.compare.binary_study`) is a grid of cells
``(instance, method setting)``; each is a pure function of its inputs and its seed, stored
as soon as it finishes, so a study killed at any point resumes without recomputing.

* **Classical cell** (:func:`classical_cell`): ``reads`` independent reads of a solver of
  :mod:`qdq.classical.binary` at one setting (sweeps, iterations, timeout, samples …). Each
  read is one attempt; it succeeds when it ends at the optimum energy.
* **Quantum cell** (:func:`quantum_cell`): the exact final distribution of the method on
  the emulator; one shot is one attempt and succeeds with the exact probability ``p`` of
  the optimal bitstrings (``Result.p_global_min``). Stored with the circuit's cost per
  shot: CX count (``program(spec).resources()``, all-to-all connectivity, the edge-coloured
  cost layers of :mod:`qdq.circuits.binary_layers`) and two-qubit depth.
* **Angle training** (:func:`train_angles`): QAOA at fixed depth ``p`` uses angles trained
  once at a small size and transferred (the standard practice, e.g. Shaydulin et al.,
  Sci. Adv. 10, eadm6761, 2024): ``γ`` is carried in units of ``1/σ_ζ``
  (:func:`qdq.qaoa.energy_scale`), ``β`` as is, so ``γ(n) = γ̃/σ_ζ(n)``.

The quantum annealer here is the textbook one, ``H(s) = σ_ζ[(1 − s)·L + s·ζ/σ_ζ]`` with the
hypercube Laplacian ``L = Σ(1 − Xᵢ)`` (gap 2 at ``s = 0``), ``s = t/T``, second-order
product formula; its setting is the dimensionless time ``τ = σ_ζ·T`` with ``4τ`` steps.

Example:
    >>> from qdq.binary.instances import random_regular_maxcut
    >>> b = random_regular_maxcut(8, 3, seed=0)
    >>> c = quantum_cell(b, "anneal", {"tau": 4.0}, optimum=float(b.values.min()))
    >>> 0.0 < c["p"] <= 1.0, c["cx_per_shot"] > 0, c["two_qubit_depth"] > 0
    (True, True, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from qdq.errors import ParameterError

__all__ = ["QUANTUM_METHODS", "anneal_spec", "circuit_cost", "classical_cell", "qaoa_spec",
           "quantum_cell", "train_angles"]

#: Quantum methods of binary studies and the key of their setting.
QUANTUM_METHODS: dict[str, str] = {"anneal": "tau", "qaoa": "p"}


def _initial(problem) -> str:
    """``"one-hot"`` for a problem with an XY mixer (start in its one-hot subspace)."""
    return "one-hot" if getattr(problem.kinetic_term, "groups", None) else "uniform"


def anneal_spec(problem, tau: float, steps: int | None = None):
    """The linear quantum anneal of dimensionless time ``τ`` in ``steps`` steps (default ``4τ``).

    Example:
        >>> from qdq.binary.instances import labs
        >>> anneal_spec(labs(6), 8.0).steps
        32
    """
    from qdq.evolution import Anneal
    from qdq.qaoa import energy_scale
    from qdq.schedules import linear

    tau = float(tau)
    if not (math.isfinite(tau) and tau > 0):
        raise ParameterError(f"the anneal's tau must be a finite number > 0, got {tau!r}")
    sigma = energy_scale(problem)
    T = tau / sigma
    steps = max(4, int(round(4 * tau))) if steps is None else int(steps)
    return Anneal(problem, D=sigma, kinetic_weight=linear(1.0, 0.0, time=T),
                  potential_weight=linear(0.0, 1.0, time=T), time=T, steps=steps, order=2,
                  initial=_initial(problem))


def qaoa_spec(problem, angles: Mapping[str, Any]):
    """QAOA with transferred angles ``{"gammas_scaled": γ̃, "betas": β}``: ``γ = γ̃/σ_ζ``."""
    from qdq.qaoa import QAOA, energy_scale

    sigma = energy_scale(problem)
    gammas = np.asarray(angles["gammas_scaled"], dtype=float) / sigma
    return QAOA(problem, gammas=gammas, betas=np.asarray(angles["betas"], dtype=float),
                initial=_initial(problem))


def train_angles(problem, p: int, *, steps: int = 300, seed: int = 0) -> dict:
    """Depth-``p`` QAOA angles trained on ``problem`` (Adam on ``⟨ζ⟩``, from the linear ramp).

    Uses :func:`qdq.jax.qaoa.train_qaoa` when JAX is installed (``qdq[jax]``); without it the
    linear ramp itself (:func:`qdq.qaoa.ramp_for`) is returned, and ``"trained"`` says so.

    Returns:
        ``{"p", "gammas_scaled", "betas", "trained", "n_train", "energy"}`` (JSON-safe).
    """
    from qdq.qaoa import energy_scale, ramp_for

    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ParameterError(f"QAOA depth p must be an integer >= 1, got {p!r}")
    sigma = energy_scale(problem)
    try:
        from qdq.jax.qaoa import train_qaoa
    except ImportError:
        g, b = ramp_for(problem, int(p))
        return {"p": int(p), "gammas_scaled": (np.asarray(g) * sigma).tolist(),
                "betas": np.asarray(b).tolist(), "trained": False,
                "n_train": problem.num_bits, "energy": None}
    fit = train_qaoa(problem, int(p), steps=steps, seed=seed)
    return {"p": int(p), "gammas_scaled": (np.asarray(fit.gammas) * sigma).tolist(),
            "betas": np.asarray(fit.betas).tolist(), "trained": True,
            "n_train": problem.num_bits, "energy": float(fit.energy)}


def _two_qubit_depth(spec) -> int:
    from qiskit import transpile

    from qdq.api import build_circuit

    qc = transpile(build_circuit(spec), basis_gates=["cx", "rz", "rx", "h", "sx", "x"],
                   optimization_level=0)
    return int(qc.depth(lambda inst: inst.operation.num_qubits == 2))


def circuit_cost(spec, layer_specs=None, layers: int = 1) -> dict:
    """CX count and two-qubit depth of one shot's circuit (all-to-all, hardware gates).

    CX from :meth:`qdq.circuits.program.Program.resources` of ``spec``; the two-qubit depth
    of the circuit emitted and unrolled to ``{cx, rz, rx, h}`` (Qiskit, no optimization).
    With ``layer_specs = (one, two)`` (the same evolution cut to one and two layers) the depth
    is ``d₁ + (layers − 1)·(d₂ − d₁)`` — exact when the layers have one structure, and it
    spares unrolling a deep circuit.
    """
    from qdq.circuits.program import program

    res = program(spec).resources()
    if layer_specs is None or layers <= 2:
        depth2 = _two_qubit_depth(spec)
    else:
        d1, d2 = (_two_qubit_depth(s) for s in layer_specs)
        depth2 = d1 + (int(layers) - 1) * (d2 - d1)
    return {"cx_per_shot": int(res["cx"]), "two_qubit_depth": int(depth2),
            "qubits": int(res["qubits"])}


def quantum_cell(problem, method: str, setting: Mapping[str, Any], *, optimum: float,
                 angles: Mapping[str, Any] | None = None) -> dict:
    """Exact per-shot success of a quantum method, and its circuit cost per shot.

    Args:
        problem: The instance.
        method: ``"anneal"`` (setting ``{"tau": τ}``) or ``"qaoa"`` (``{"p": p}``, with
            ``angles`` from :func:`train_angles`).
        setting: The setting.
        optimum: The instance's known optimum; the emulator's minimum over all ``2ⁿ``
            bitstrings must equal it (a check on the data), else ``ParameterError``.
        angles: Transferred QAOA angles.

    Returns:
        ``{"p", "expected_energy", "cx_per_shot", "two_qubit_depth", "qubits", "layers",
        "ft_s_per_shot", "wall_s"}`` (JSON-safe; ``ft_s_per_shot``: the fault-tolerant
        runtime of one shot from :mod:`qdq.estimate`, ``None`` where it is not installed).
    """
    from qdq.api import run

    t0 = time.perf_counter()
    if method == "anneal":
        spec = anneal_spec(problem, float(setting["tau"]))
        layers = spec.steps
        dt = float(setting["tau"]) / layers       # one and two steps of the same anneal
        cut = (anneal_spec(problem, dt, steps=1), anneal_spec(problem, 2 * dt, steps=2))
    elif method == "qaoa":
        if angles is None:
            raise ParameterError("QAOA in a study needs transferred angles (train_angles)")
        spec = qaoa_spec(problem, angles)
        layers = len(angles["betas"])
        cut = tuple(qaoa_spec(problem, {"gammas_scaled": angles["gammas_scaled"][:k],
                                        "betas": angles["betas"][:k]}) for k in (1, 2))
    else:
        raise ParameterError(f"unknown quantum method {method!r}; valid: "
                             f"{', '.join(QUANTUM_METHODS)}")
    result = run(spec, backend="emulator")
    low = float(np.min(result.values))
    if abs(low - float(optimum)) > 1e-6 * max(1.0, abs(float(optimum))):
        raise ParameterError(f"the instance's stated optimum {optimum!r} differs from the "
                             f"minimum over all bitstrings, {low!r}; check the instance data")
    out = {"p": float(result.p_global_min), "expected_energy": float(result.expected_potential),
           "layers": int(layers)}
    out.update(circuit_cost(spec, cut, layers))
    from qdq.compare.ftcost import ft_runtime_per_shot

    out["ft_s_per_shot"] = ft_runtime_per_shot(spec)    # None without qdq[estimate]
    out["wall_s"] = time.perf_counter() - t0
    return out


def classical_cell(problem, method: str, setting: Mapping[str, Any], *, optimum: float,
                   reads: int, seed: int) -> dict:
    """``reads`` reads of a :mod:`qdq.classical.binary` solver at one setting, scored.

    A solver that can stop at a target (``target`` among its settings, e.g. ``mts``) is
    given the optimum: each read then stops when it finds it, and its cost is what it spent
    (``evals_each``) — time to target, the definition behind published LABS scaling.

    Returns:
        ``{"hits", "reads", "energies", "evals_per_read", "evals_each", "cpu_s", "best",
        "extra"}`` (JSON-safe; ``hits`` is a 0/1 list, one per read; ``evals_each`` the
        per-read evaluations where the solver reports them, else ``None``).
    """
    from qdq.classical.binary import resolve_solver, run_binary

    setting = dict(setting)
    if "target" in resolve_solver(method).setting_keys() and "target" not in setting:
        setting["target"] = float(optimum)
    runs = run_binary(method, problem, reads=reads, seed=seed, **setting)
    each = runs.extra.get("evals")
    if not (isinstance(each, list) and len(each) == runs.reads):
        each = None
    return {"hits": runs.hits(optimum).astype(int).tolist(), "reads": runs.reads,
            "energies": runs.energies.tolist(), "evals_per_read": runs.evals_per_read,
            "evals_each": each, "cpu_s": float(runs.cpu_s), "best": runs.best_energy,
            "extra": {k: v for k, v in runs.extra.items() if k != "evals"}}
