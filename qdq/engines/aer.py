"""Qiskit Aer engine: the built circuit on ``AerSimulator``.

* ``shots=None`` — statevector simulation; the grid state is read from the
  statevector (ancillas, if any, postselected on ``|0⟩`` with the exact success
  probability ``‖Π_0 ψ‖²``).
* ``shots=int`` — measured counts, decoded to grid indices (bitstrings are big-endian:
  the rightmost character is qubit 0); ancilla shots not all zero are rejected and the
  accepted fraction is reported as ``success_probability``.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=4), backend="aer")
    >>> r.backend, r.statevector.shape
    ('aer', (8,))
"""

from __future__ import annotations

import time as _time

import numpy as np

from qdq.errors import BackendError, ParameterError, PostselectionError
from qdq.evolution import EvolutionSpec
from qdq.results import Result


def simulator(*, method: str = "statevector", device: str = "CPU", seed: int | None = None,
              **options):
    """An ``AerSimulator`` (imported lazily)."""
    try:
        from qiskit_aer import AerSimulator
    except ImportError as exc:  # pragma: no cover - core dependency
        raise BackendError("qiskit-aer is not installed; `pip install qiskit-aer`") from exc
    sim = AerSimulator(method=method, device=device, **options)
    if seed is not None:
        sim.set_options(seed_simulator=int(seed))
    return sim


def split_registers(qc) -> tuple[list[int], list[int]]:
    """``(register_qubits, ancilla_qubits)`` by register name (``x*`` are grid registers)."""
    grid_q, anc_q = [], []
    for reg in qc.qregs:
        target = grid_q if reg.name.startswith("x") else anc_q
        target.extend(qc.find_bit(q).index for q in reg)
    return grid_q, anc_q


def postselect_statevector(sv: np.ndarray, num_grid: int, num_anc: int) -> tuple[np.ndarray, float]:
    """Project a statevector (grid qubits first, ancillas last) on ancillas ``|0…0⟩``.

    Returns:
        ``(normalized grid amplitudes in statevector order, success probability)``.
    """
    block = sv.reshape(1 << num_anc, 1 << num_grid)[0] if num_anc else sv
    p = float(np.vdot(block, block).real)
    if p <= 0:
        raise PostselectionError("the postselected branch has zero amplitude")
    return block / np.sqrt(p), p


def run_aer(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
            device: str = "CPU", swap_free: bool = True, **sim_options) -> Result:
    """Build the spec's circuit and run it on Aer.

    Args:
        spec: The evolution spec.
        shots: ``None`` for the exact statevector, else a number of shots.
        seed: Simulator seed (shots mode).
        device: ``"CPU"`` or ``"GPU"`` (needs qiskit-aer-gpu).
        swap_free: Kinetic-block wiring (see :func:`qdq.build_circuit`).
        **sim_options: Passed to ``AerSimulator``.
    """
    from qiskit import transpile

    from qdq.circuits.trotter import build_circuit

    if shots is not None and (isinstance(shots, bool) or int(shots) != shots or shots < 1):
        raise ParameterError(f"shots must be None (exact) or an integer >= 1, got {shots!r}")
    t0 = _time.perf_counter()
    qc = build_circuit(spec, swap_free=swap_free, measure=shots is not None)
    grid = spec.grid
    grid_q, anc_q = split_registers(qc)
    if grid_q != list(range(grid.num_qubits)) or anc_q != list(
            range(grid.num_qubits, qc.num_qubits)):
        raise BackendError("unexpected qubit layout: grid registers must come first")
    sim = simulator(device=device, seed=seed, **sim_options)
    if shots is None:
        qc.save_statevector()
    tqc = transpile(qc, sim, optimization_level=0)
    t1 = _time.perf_counter()
    job = sim.run(tqc, shots=shots if shots is not None else 1)
    res = job.result()
    t2 = _time.perf_counter()
    if not res.success:
        raise BackendError(f"Aer failed: {res.status}")
    extra: dict = {"num_qubits": qc.num_qubits, "depth": tqc.depth(),
                   "ops": {k: int(v) for k, v in tqc.count_ops().items()}}
    if shots is None:
        sv = np.asarray(res.get_statevector(tqc), dtype=complex)
        psi_flat, success = postselect_statevector(sv, len(grid_q), len(anc_q))
        psi = grid.to_grid(psi_flat)
        probs = np.abs(psi) ** 2
        statevector = psi
    else:
        counts = res.get_counts(tqc)
        hist = np.zeros(grid.size)
        accepted = 0
        ng = len(grid_q)
        for key, n in counts.items():
            bits = key.replace(" ", "")
            value = int(bits, 2)
            if value >> ng:  # some ancilla measured 1: rejected shot
                continue
            hist[value & ((1 << ng) - 1)] += n
            accepted += n
        if accepted == 0:
            raise PostselectionError(
                f"no shot of {shots} survived postselection; use more shots or shots=None"
            )
        probs = grid.to_grid(hist / accepted)
        success = accepted / int(shots)
        statevector = None
        extra["accepted_shots"] = accepted
    return Result(
        method=spec.method, backend="aer", grid=grid, values=spec.problem.values, D=spec.D,
        probabilities=probs, statevector=statevector, success_probability=success,
        shots=None if shots is None else int(shots), problem=spec.problem.to_dict(),
        spec=spec.to_dict(), timing={"build": t1 - t0, "run": t2 - t1}, extra=extra,
    )
