r"""PennyLane engine: the same product-formula circuits, built natively in PennyLane.

The circuit is the spec's circuit program (:func:`qdq.circuits.program.program`) emitted as
native PennyLane ops by :mod:`qdq.circuits.pennylane_emitter` — the same program, and the
same gates, as :func:`qdq.build_circuit` (no Qiskit conversion is involved): Walsh/Gray or
sparse Z-string phase oracles (``qml.RZ``/``IsingZZ``/``MultiRZ``/``CNOT``), swap-free QFTs
(``Hadamard`` + ``ControlledPhaseShift``) around the momentum phase, and for imaginary time
a Gray-code uniformly controlled ``qml.RY`` onto an ancilla per probabilistic block
(``⟨0_a| U |x, 0_a⟩ = f(x)``; postselecting ``a`` on ``|0⟩`` applies ``diag(f)``).

**Qubit order.** Wire ``q`` is qdq qubit ``q``; ancillas follow the grid wires.
``qml.state()`` over wires ``0 … W−1`` (wire 0 most significant) is reversed bitwise before
:meth:`~qdq.grid.Grid.to_grid`.

**Execution.** ``shots=None``: ``qml.state()``; imaginary time runs in segments of at most
``max_ancillas`` blocks, each with fresh ancillas, projected on ``|0…0⟩`` between
segments (each segment restarts from ``qml.StatePrep`` of the postselected state), and
``P_success = Π_segments ‖Π_0 ψ‖²``. With ``shots=int`` the whole circuit runs once with a
single reused ancilla: ``qml.measure(a, reset=True, postselect=0)`` after each block,
``mcm_method="tree-traversal"``, ``postselect_mode="hw-like"`` (rejected shots are
dropped; ``success_probability`` is the accepted fraction).

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2),
    ...             backend="pennylane")
    >>> r.backend, r.probabilities.shape, round(float(r.probabilities.sum()), 12)
    ('pennylane', (4,), 1.0)
"""

from __future__ import annotations

import difflib
import time as _time

import numpy as np

from qdq.circuits.pennylane_emitter import (
    ANCILLA_MODES,
    PennyLaneCircuit,
    _qml,
    gate_ops,
    initial_ops,
    qft_ops,
    segment_ops,
    to_pennylane,
    ucry_ops,
    zstring_ops,
)
from qdq.circuits.program import program
from qdq.engines.circuit_memory import check_circuit_memory
from qdq.engines.readout import histogram_bits, make_result, shot_distribution, success_from_log
from qdq.engines.statevector_memory import PENNYLANE_PEAK, check_statevector_memory
from qdq.errors import BackendError, ParameterError, PostselectionError
from qdq.evolution import EvolutionSpec
from qdq.grid import check_memory
from qdq.results import Result
from qdq.validate import check_shots

#: Statevector devices this engine knows how to read (``qml.state()`` of pure states).
SUPPORTED_DEVICES = ("default.qubit", "lightning.qubit", "lightning.kokkos", "lightning.gpu")


# ----------------------------------------------------------------- execution
def _make_device(device, wires: int, seed: int | None, options: dict):
    qml = _qml()
    if not isinstance(device, str):
        if isinstance(device, qml.devices.Device):
            if options:
                raise ParameterError(f"device options {sorted(options)} need a device name, "
                                     f"got a device instance {device!r}")
            return device, getattr(device, "name", type(device).__name__)
        raise BackendError(f"device must be a PennyLane device name or instance, got "
                           f"{device!r}; use one of {', '.join(SUPPORTED_DEVICES)}")
    if device not in SUPPORTED_DEVICES:
        close = difflib.get_close_matches(device, SUPPORTED_DEVICES, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BackendError(f"unknown PennyLane device {device!r}{hint}; statevector devices "
                           f"qdq supports: {', '.join(SUPPORTED_DEVICES)}")
    if device not in qml.plugin_devices:
        raise BackendError(f"PennyLane device {device!r} is not installed; install its plugin "
                           "(e.g. `pip install pennylane-lightning`) or use 'default.qubit'")
    try:
        dev = qml.device(device, wires=wires, seed=seed, **options)
    except TypeError as exc:
        raise ParameterError(f"device {device!r} rejected options {sorted(options)}: {exc}") \
            from exc
    except Exception as exc:  # plugin-specific failures (no GPU, …)
        raise BackendError(f"could not start PennyLane device {device!r}: {exc}") from exc
    return dev, device


def _to_little_endian(state: np.ndarray, num_wires: int) -> np.ndarray:
    """``qml.state()`` over wires ``0…W−1`` (wire 0 most significant) → qdq order."""
    return np.asarray(state).reshape((2,) * num_wires).transpose().reshape(-1) \
        if num_wires > 1 else np.asarray(state).reshape(-1)


def _op_counts(ops) -> dict[str, int]:
    out: dict[str, int] = {}
    for op in ops:
        out[op.name] = out.get(op.name, 0) + 1
    return out


def _run_exact(circ: PennyLaneCircuit, dev, num_anc: int) -> tuple[np.ndarray, float, dict]:
    """Exact state: segments of at most ``num_anc`` blocks, fresh ancillas, projected.

    Returns:
        ``(normalized grid amplitudes in statevector order, log P_success, extra)``.
    """
    qml = _qml()
    nq = len(circ.grid_wires)
    width = nq + num_anc
    log_success = 0.0
    psi: np.ndarray | None = None
    counts: dict[str, int] = {}
    executions = 0

    def run_segment(ops: list) -> None:
        nonlocal psi, log_success, executions
        if psi is not None:
            ops = [qml.StatePrep(psi, wires=list(range(nq))[::-1]), *ops]
        tape = qml.tape.QuantumScript(ops, [qml.state()])
        (state,) = qml.execute([tape], dev)
        executions += 1
        sv = _to_little_endian(np.asarray(state, dtype=complex), width)
        branch = sv.reshape(1 << num_anc, 1 << nq)[0]
        p = float(np.vdot(branch, branch).real)
        if not (p > 0 and np.isfinite(p)):
            raise PostselectionError(
                f"the postselected branch vanished in segment {executions} (P = {p!r}); "
                "use fewer or smaller imaginary-time steps")
        log_success += float(np.log(p))
        psi = branch / np.sqrt(p)

    segment: list = []
    used = 0
    with qml.QueuingManager.stop_recording():
        # The fresh-ancilla program, its ancillas renumbered per device execution.
        for seg in program(circ.spec, ancillas="fresh").segments():
            wire = int
            if seg.block is not None:
                if used == num_anc:
                    run_segment(segment)
                    segment, used = [], 0
                old, new = nq + seg.block, nq + used
                wire = lambda q, old=old, new=new: new if q == old else q  # noqa: E731
                used += 1
            ops = segment_ops(seg, wire)
            segment.extend(ops)
            for op in ops:
                counts[op.name] = counts.get(op.name, 0) + 1
        run_segment(segment)
    success_from_log(log_success)  # refuse an underflow before anything else is built
    return psi, log_success, {"num_qubits": width, "executions": executions, "ops": counts}


def _run_shots(circ: PennyLaneCircuit, dev, shots: int) -> tuple[np.ndarray, dict]:
    """Grid bits ``(accepted shots, grid qubits)``, column ``j`` = qubit ``j``; one execution."""
    qml = _qml()
    nq = len(circ.grid_wires)
    tape = circ.tape([qml.sample(wires=list(circ.grid_wires))], shots=int(shots))
    imaginary = circ.num_blocks > 0
    config = {"mcm_method": "tree-traversal", "postselect_mode": "hw-like"} if imaginary \
        else {}
    try:
        (samples,) = qml.execute([tape], dev, **config)
    except ValueError as exc:
        # PennyLane 0.45's tree-traversal cannot concatenate an empty sample list when
        # every shot is rejected; that is "no survivor", reported below.
        if not imaginary or "concatenate" not in str(exc):
            raise
        samples = np.zeros((0, nq), dtype=np.int64)
    samples = np.asarray(samples, dtype=np.int64).reshape(-1, nq)
    return samples, {"num_qubits": len(circ.wires), "executions": 1,
                     "ops": _op_counts(tape.operations)}


def run_pennylane(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
                  device="default.qubit", max_ancillas: int = 4, **device_options) -> Result:
    """Build the spec's circuit natively in PennyLane and run it.

    Args:
        spec: The evolution spec.
        shots: ``None`` for the exact state, else a number of shots.
        seed: Device seed (shots mode; the same seed gives the same samples).
        device: ``"default.qubit"``, ``"lightning.qubit"`` (or another installed
            :data:`SUPPORTED_DEVICES` entry), or a ``qml.devices.Device`` instance with
            enough wires (``extra["num_qubits"]``).
        max_ancillas: Exact imaginary time: fresh ancillas per device execution (the
            circuit runs in segments of this many blocks; ``>= 1``). A circuit with at most
            this many blocks runs in one execution.
        **device_options: Passed to ``qml.device`` (e.g. ``c_dtype`` for lightning).

    Returns:
        A :class:`~qdq.Result` with ``backend="pennylane"``: grid-shaped
        ``probabilities`` (postselected), ``statevector`` (exact mode), the
        ``success_probability`` (exact ``Π‖Π_0ψ‖²``, or the accepted fraction with shots),
        ``accepted_shots`` and ``factors``; ``extra`` holds the device, wire count, op
        counts and number of device executions.

    Raises:
        BackendError: Unknown, uninstalled or failing device (the message lists the
            supported ones).
        ParameterError: Bad ``shots``, ``max_ancillas`` or device options.
        PostselectionError: The postselected branch vanished or no shot survived.
    """
    shots = check_shots(shots)
    if isinstance(max_ancillas, bool) or not isinstance(max_ancillas, (int, np.integer)) \
            or max_ancillas < 1:
        raise ParameterError(f"max_ancillas must be an integer >= 1, got {max_ancillas!r}")
    check_statevector_memory(spec, PENNYLANE_PEAK, "exact" if shots is None else "reuse")
    if shots is not None or spec.time_axis != "imaginary":
        # One tape holds the whole circuit (exact imaginary time runs in bounded segments).
        check_circuit_memory(spec, who="pennylane", ancillas="reuse")
    if shots is not None:
        # PennyLane returns every shot as a row of int64 bits; we copy them once.
        wires = spec.grid.num_qubits + spec.grid.dims
        check_memory(16 * wires * shots, f"pennylane's shots={shots} ({wires} wires × 16 B "
                                         "per shot)", hint="use fewer shots")
    t0 = _time.perf_counter()
    circ = to_pennylane(spec, ancillas="reuse")
    grid = spec.grid
    imaginary = circ.num_blocks > 0
    if shots is None:
        num_anc = min(int(max_ancillas), circ.num_blocks)
        dev, name = _make_device(device, grid.num_qubits + num_anc, seed, device_options)
        t1 = _time.perf_counter()
        psi_flat, log_success, extra = _run_exact(circ, dev, num_anc)
        t2 = _time.perf_counter()
        statevector: np.ndarray | None = grid.to_grid(psi_flat)
        probs = np.abs(statevector) ** 2
        probs = probs / probs.sum()
        success = float(np.exp(log_success)) if imaginary else 1.0
        mode = "fresh, segmented" if imaginary else None
        accepted = None
    else:
        dev, name = _make_device(device, len(circ.wires), seed, device_options)
        t1 = _time.perf_counter()
        samples, extra = _run_shots(circ, dev, shots)
        t2 = _time.perf_counter()
        # PennyLane already dropped the rejected shots (postselect_mode="hw-like").
        hist, accepted, _ = histogram_bits(samples)
        probs, success = shot_distribution(grid, hist, accepted, shots)
        statevector = None
        mode = "reuse" if imaginary else None
    extra.update(device=name, ancillas=mode)
    return make_result(
        spec, backend="pennylane", probabilities=probs, statevector=statevector,
        success_probability=success, shots=shots, accepted_shots=accepted,
        factors=spec.product_formula().counts(), timing={"build": t1 - t0, "run": t2 - t1},
        extra=extra,
    )


def engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
           options: dict) -> Result:
    """The registry's entry point (:mod:`qdq.engines.registry`): :func:`run_pennylane`."""
    return run_pennylane(spec, shots=shots, seed=seed, **options)


__all__ = ["ANCILLA_MODES", "SUPPORTED_DEVICES", "PennyLaneCircuit", "gate_ops", "initial_ops",
           "qft_ops", "run_pennylane", "to_pennylane", "ucry_ops", "zstring_ops"]
