"""Qiskit Aer engine: the built circuit on ``AerSimulator``.

* ``shots=None`` — statevector simulation; the grid state is read from the
  statevector (ancillas, if any, postselected on ``|0⟩`` with the exact success
  probability ``‖Π_0 ψ‖²``).
* ``shots=int`` — measured counts, decoded to grid indices (bitstrings are big-endian:
  the rightmost character is qubit 0); ancilla shots not all zero are rejected and the
  accepted fraction is reported as ``success_probability``.
* Imaginary time: ``shots=None`` simulates the probabilistic blocks factor by factor
  (:func:`run_imaginary_exact`: exact ``P_success``, memory ``O(2^{n+a})``); ``shots=int``
  on a noiseless simulator samples that exact law (:func:`sample_imaginary_exact`:
  ``Binomial(shots, P_success)`` accepted shots, then multinomial outcomes); with a noise
  model it runs the whole circuit with mid-circuit ancilla measurements into ``post``
  (count keys ``"post m"``, so a shot is kept iff the bits above the grid bits are all 0).

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

from qdq.engines.circuit_memory import check_circuit_memory
from qdq.engines.readout import histogram_counts, make_result, sample_exact, shot_distribution
from qdq.engines.statevector_memory import AER_PEAK, check_aer_shots, check_statevector_memory
from qdq.errors import BackendError, PostselectionError
from qdq.evolution import EvolutionSpec
from qdq.results import Result
from qdq.validate import check_seed, check_shots

#: Imaginary-time success probabilities below this are refused (PostselectionError).
SUCCESS_FLOOR = 1e-300


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


def simulator_options() -> list[str]:
    """Names of the ``AerSimulator`` options (accepted as ``qdq.run(..., backend="aer")`` options).

    Example:
        >>> "noise_model" in simulator_options() and "shots" not in simulator_options()
        True
    """
    from qiskit_aer import AerSimulator

    # shots and the seed are qdq.run's own arguments.
    return [k for k in AerSimulator._default_options().__dict__
            if k not in ("shots", "seed_simulator")]


def native_for_aer(qc, sim):
    """``qc`` itself when Aer runs all its instructions natively, else transpiled for ``sim``.

    Flat circuits (standard gates, ``diagonal``, ``multiplexer``) skip the transpiler, which
    costs about a second per call against the Aer target.
    """
    native = set(sim.configuration().basis_gates) | {"measure", "reset", "barrier",
                                                     "save_statevector"}
    if {inst.operation.name for inst in qc.data} <= native:
        return qc
    from qiskit import transpile

    return transpile(qc, sim, optimization_level=0)


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


def run_imaginary_exact(spec: EvolutionSpec, *, seed: int | None = None, device: str = "CPU",
                        swap_free: bool = True, **sim_options) -> Result:
    """Exact postselected imaginary-time run on Aer, block by block.

    For each product-formula factor the factor's circuit (grid qubits plus one fresh
    ancilla per probabilistic block, :func:`qdq.circuits.imaginary.factor_circuit`) is
    run on the Aer statevector simulator from ``|ψ⟩|0…0⟩`` (``SetStatevector``); the
    ancillas are projected on ``|0…0⟩``, the branch probability ``p_j`` multiplied into
    ``P_success = Π_j p_j`` and the grid state renormalized. Memory is ``O(2^{n+a})``
    with ``a`` the blocks of one factor, however many factors there are.

    Args:
        spec: An :class:`~qdq.ImaginaryTime` spec.
        seed: Simulator seed (unused by exact statevector runs; kept for symmetry).
        device: ``"CPU"`` or ``"GPU"``.
        swap_free: Kinetic-block wiring.
        **sim_options: Passed to ``AerSimulator``.

    Raises:
        PostselectionError: If a factor's branch vanishes or ``P_success`` underflows
            below ``1e-300``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=4)
        >>> r = run_imaginary_exact(spec)
        >>> e = qdq.run(spec, backend="emulator")
        >>> bool(abs(r.success_probability / e.success_probability - 1) < 1e-9)
        True
    """
    from qiskit import QuantumCircuit
    from qiskit_aer.library import SetStatevector

    from qdq.circuits.imaginary import count_blocks, factor_circuit

    t0 = _time.perf_counter()
    grid = spec.grid
    nq = grid.num_qubits
    formula = spec.product_formula()
    sim = simulator(device=device, seed=seed, **sim_options)
    psi = grid.to_flat(spec.initial_state()).astype(complex)
    compiled: dict[tuple[str, float], object] = {}
    log_success = 0.0
    floor = np.log(SUCCESS_FLOOR)
    build_s = 0.0
    for i, (term, c) in enumerate(formula):
        tb = _time.perf_counter()
        tqc = compiled.get((term, c))
        if tqc is None:
            tqc = compiled[(term, c)] = native_for_aer(
                factor_circuit(spec, term, c, swap_free=swap_free, target="simulator"), sim)
        build_s += _time.perf_counter() - tb
        width = tqc.num_qubits
        full = np.zeros(1 << width, dtype=complex)
        full[: 1 << nq] = psi  # ancillas are the high qubits, all |0>
        qc = QuantumCircuit(width)
        qc.append(SetStatevector(full), range(width))
        qc.compose(tqc, inplace=True)
        qc.save_statevector()
        res = sim.run(qc, shots=1).result()
        if not res.success:
            raise BackendError(f"Aer failed on factor {i} ({term}, c={c:g}): {res.status}")
        sv = np.asarray(res.get_statevector(qc), dtype=complex)
        branch = sv[: 1 << nq]
        p = float(np.vdot(branch, branch).real)
        if not p > 0 or not np.isfinite(p):
            raise PostselectionError(
                f"postselection branch vanished at factor {i} ({term}, c={c:g}): success "
                f"probability {p!r}; use fewer or smaller imaginary-time steps"
            )
        log_success += np.log(p)
        if log_success < floor:
            raise PostselectionError(
                f"postselection probability underflows below {SUCCESS_FLOOR:g} "
                f"(log P = {log_success:.1f} after factor {i + 1} of {formula.size_hint}); "
                "the circuit would never succeed — use fewer steps or a shorter time, or "
                "backend='emulator' to study the evolution without postselection cost"
            )
        psi = branch / np.sqrt(p)
    t1 = _time.perf_counter()
    psi_grid = grid.to_grid(psi)
    extra = {"blocks": count_blocks(spec),
             "log_success_probability": float(log_success), "mode": "block-by-block",
             "max_ancillas": max(q.num_qubits for q in compiled.values()) - nq}
    return make_result(
        spec, backend="aer", probabilities=np.abs(psi_grid) ** 2, statevector=psi_grid,
        success_probability=float(np.exp(log_success)), factors=formula.counts(),
        timing={"build": build_s, "run": t1 - t0 - build_s}, extra=extra,
    )


#: Simulator options that make a run noisy (or otherwise not an exact statevector model).
NOISY_OPTIONS = ("noise_model",)


def is_noiseless(sim_options: dict) -> bool:
    """Whether an ``AerSimulator`` with these options samples the exact (noiseless) model.

    Example:
        >>> is_noiseless({}), is_noiseless({"noise_model": object()})
        (True, False)
    """
    return all(sim_options.get(k) is None for k in NOISY_OPTIONS) and \
        sim_options.get("method", "statevector") in ("statevector", "automatic")


def sample_imaginary_exact(spec: EvolutionSpec, shots: int, *, seed: int | None = None,
                           device: str = "CPU", swap_free: bool = True,
                           **sim_options) -> Result:
    r"""Shots of the postselected imaginary-time circuit, sampled from its exact law.

    On a noiseless simulator each shot of the mid-circuit circuit is accepted
    independently with probability ``P_success`` and, if accepted, lands on grid point
    ``j`` with the postselected probability ``p_j``. So the accepted count is
    ``A ~ Binomial(shots, P_success)`` and the accepted outcomes ``~ Multinomial(A, p)``:
    the same distribution as simulating every shot, at the cost of one exact run
    (:func:`run_imaginary_exact`) instead of ``shots`` mid-circuit trajectories.

    Returns:
        A :class:`~qdq.Result` reported like the mid-circuit path (``shots``,
        ``success_probability = A/shots``, ``accepted_shots``, ``extra["post_bits"]``,
        ``extra["ancillas"]``) plus ``extra["mode"] = "exact-sampled"`` and the exact
        ``extra["exact_success_probability"]``.

    Raises:
        PostselectionError: If no shot is accepted.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
        >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=2)
        >>> r = sample_imaginary_exact(spec, 1000, seed=1)
        >>> r.shots, r.accepted_shots == round(r.success_probability * 1000)
        (1000, True)
    """
    from qdq.circuits.imaginary import count_blocks

    exact = run_imaginary_exact(spec, seed=seed, device=device, swap_free=swap_free,
                                **sim_options)
    t0 = _time.perf_counter()
    p_success = exact.success_probability
    probs, accepted = sample_exact(exact.probabilities, shots, np.random.default_rng(seed),
                                   success_probability=p_success, postselected=True)
    extra = dict(exact.extra)
    extra.update({"post_bits": int(count_blocks(spec)), "ancillas": "reuse",
                  "mode": "exact-sampled", "exact_success_probability": p_success})
    timing = dict(exact.timing)
    timing["sample"] = _time.perf_counter() - t0
    return make_result(
        spec, backend="aer", probabilities=probs, success_probability=accepted / int(shots),
        shots=shots, accepted_shots=accepted, factors=exact.factors, timing=timing,
        extra=extra,
    )


def run_aer(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
            device: str = "CPU", swap_free: bool = True, ancillas: str = "reuse",
            **sim_options) -> Result:
    """Build the spec's circuit and run it on Aer.

    Imaginary-time specs: exact mode runs :func:`run_imaginary_exact` (block by block);
    shots mode on a noiseless simulator samples the exact postselected law
    (:func:`sample_imaginary_exact`: same distribution, seconds instead of minutes); with a
    ``noise_model`` (or ``ancillas="fresh"``) it runs the whole probabilistic circuit
    (:func:`qdq.circuits.imaginary.build_imaginary_circuit`) shot by shot and keeps the
    shots whose ``post`` bits are all 0.

    Args:
        spec: The evolution spec.
        shots: ``None`` for the exact statevector, else a number of shots.
        seed: Simulator seed (shots mode).
        device: ``"CPU"`` or ``"GPU"`` (needs qiskit-aer-gpu).
        swap_free: Kinetic-block wiring (see :func:`qdq.build_circuit`).
        ancillas: Imaginary time with shots only: ``"reuse"`` (mid-circuit measure and
            reset, as on hardware) or ``"fresh"`` (one ancilla per block).
        **sim_options: Passed to ``AerSimulator``.
    """
    from qdq.circuits.trotter import build_circuit

    shots, seed = check_shots(shots), check_seed(seed)
    imaginary = spec.time_axis == "imaginary"
    exact_blocks = imaginary and (shots is None or (ancillas == "reuse"
                                                    and is_noiseless(sim_options)))
    check_statevector_memory(spec, AER_PEAK, "exact" if exact_blocks or not imaginary
                             else ancillas)
    if imaginary and shots is None:
        return run_imaginary_exact(spec, seed=seed, device=device, swap_free=swap_free,
                                   **sim_options)
    if imaginary and ancillas == "reuse" and is_noiseless(sim_options):
        return sample_imaginary_exact(spec, shots, seed=seed, device=device,
                                      swap_free=swap_free, **sim_options)
    t0 = _time.perf_counter()
    # Noiseless: Aer's native diagonal/multiplexer instructions, the same operator as the
    # gate-level circuit (tested) and far cheaper than 2^n CX. Noisy: the gate-level circuit,
    # so the noise model acts on the gates hardware would run.
    target = "simulator" if is_noiseless(sim_options) else "hardware"
    # The whole circuit is built (steps × one step's instructions): refuse it up front
    # when it cannot fit, rather than growing memory until the machine gives out.
    check_circuit_memory(spec, who="aer", target=target, swap_free=swap_free,
                         ancillas=ancillas if imaginary else None)
    if shots is not None:
        check_aer_shots(shots)
    if imaginary:
        from qdq.circuits.imaginary import build_imaginary_circuit

        qc = build_imaginary_circuit(spec, swap_free=swap_free, measure=True, ancillas=ancillas,
                                     flat=True, target=target)
    else:
        qc = build_circuit(spec, swap_free=swap_free, measure=shots is not None, flat=True,
                           target=target)
    grid = spec.grid
    grid_q, anc_q = split_registers(qc)
    if grid_q != list(range(grid.num_qubits)) or anc_q != list(
            range(grid.num_qubits, qc.num_qubits)):
        raise BackendError("unexpected qubit layout: grid registers must come first")
    sim = simulator(device=device, seed=seed, **sim_options)
    if shots is None:
        qc.save_statevector()
    tqc = native_for_aer(qc, sim)
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
        accepted = None
    else:
        ng = len(grid_q)
        # Bits above the grid bits are ancillas: a shot with any of them 1 is rejected.
        hist, accepted, _ = histogram_counts(res.get_counts(tqc), ng,
                                             post_bits=qc.num_clbits - ng)
        probs, success = shot_distribution(grid, hist, accepted, shots)
        statevector = None
        if imaginary:
            extra["post_bits"] = int(qc.num_clbits - ng)
            extra["ancillas"] = ancillas
    return make_result(
        spec, backend="aer", probabilities=probs, statevector=statevector,
        success_probability=success, shots=shots, accepted_shots=accepted,
        factors=spec.product_formula().counts(), timing={"build": t1 - t0, "run": t2 - t1},
        extra=extra,
    )


def engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
           options: dict) -> Result:
    """The registry's entry point (:mod:`qdq.engines.registry`): :func:`run_aer`."""
    return run_aer(spec, shots=shots, seed=seed, **options)
