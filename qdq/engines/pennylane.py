r"""PennyLane engine: the same product-formula circuits, built natively in PennyLane.

The circuit interprets the spec's :class:`~qdq.evolution.ProductFormula` exactly like
:func:`qdq.build_circuit` (no Qiskit conversion is involved):

* initial state — ``qml.Hadamard`` on every register qubit (``"uniform"``), one
  ``qml.StatePrep`` per dimension (a :class:`~qdq.GaussianPacket` is a product state), or
  one ``qml.StatePrep`` on all registers (a grid-shaped array);
* ``("potential", c)`` — per additive term group ``g`` the phase ``e^{−icζ_g}`` from the
  same Walsh coefficients as :mod:`qdq.circuits.phase_oracles`,
  ``e^{−icζ_g} = e^{−icc_∅}\prod_S e^{−icc_S Z_S}``, emitted with the same per-qubit plan:
  sparse strings as ``qml.RZ`` / ``qml.IsingZZ`` / ``qml.MultiRZ`` (all
  ``e^{−iλ Z…Z/2}``, so the angle is ``λ = 2c\,c_S``), dense groups as a Gray-code walk of
  ``qml.CNOT`` + ``qml.RZ``; the global phase as ``qml.GlobalPhase`` (``e^{−iφ}``);
* ``("kinetic", c)`` — per dimension ``QFT · e^{−iφm²} · QFT†`` with ``φ = cD(2π/L_d)²``,
  the momentum phase a quadratic form in Z (``n`` RZ + ``n(n−1)/2`` IsingZZ).

**Imaginary time.** Each factor is a probabilistic block with one ancilla ``a``: a
uniformly controlled ``RY(θ(x))`` on ``a`` with ``cos(θ(x)/2) = f(x)``, so that
``⟨0_a| U |x, 0_a⟩ = f(x)``; postselecting ``a`` on ``|0⟩`` applies ``diag(f)``. Potential
blocks use ``f = e^{−c(ζ_g − min ζ_g)}`` on group ``g``'s registers; kinetic blocks use
``QFT† → UCRY(e^{−cDk_d²}) → QFT`` on register ``d``. The uniformly controlled rotation
is a Gray-code walk: with ``θ(x) = Σ_S a_S (−1)^{S·x}`` (Walsh coefficients),
``UCRY = Π_S X^{S·x} RY(a_S) X^{S·x}``, ``2^m`` CNOTs for ``m`` controls.

**Qubit order.** Wire ``q`` is qdq qubit ``q`` (dimension ``d`` on wires
``offset_d … offset_d + n_d − 1``, least significant first); ancillas follow the grid
wires. PennyLane reads the *first listed* wire as the most significant bit, so the QFT
acts on ``register[::-1]`` (``qml.QFT(register[::-1])`` equals Qiskit's ``QFTGate`` on
``register``), ``StatePrep`` gets ``register[::-1]``, and ``qml.state()`` over wires
``0 … W−1`` is reversed bitwise before :meth:`~qdq.grid.Grid.to_grid`.

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
import functools
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qdq.circuits.kinetic import momentum_index
from qdq.circuits.phase_oracles import ZERO_TOL, walsh_coefficients, zstring_program
from qdq.engines.emulator import LOG_SUCCESS_FLOOR
from qdq.errors import BackendError, ParameterError, PostselectionError, require
from qdq.evolution import EvolutionSpec
from qdq.grid import Grid
from qdq.results import Result
from qdq.states import GaussianPacket, resolve_initial

#: Statevector devices this engine knows how to read (``qml.state()`` of pure states).
SUPPORTED_DEVICES = ("default.qubit", "lightning.qubit", "lightning.kokkos", "lightning.gpu")
#: Ancilla modes of :func:`to_pennylane`.
ANCILLA_MODES = ("reuse", "fresh")


def _qml():
    return require("pennylane", "pennylane")


def _unqueued(func):
    """Build operators without queuing them, even inside a QNode (callers queue them)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _qml().QueuingManager.stop_recording():
            return func(*args, **kwargs)
    return wrapper


# ----------------------------------------------------------------- gate emitters
@_unqueued
def zstring_ops(wires: Sequence[int], coeffs: np.ndarray, theta: float, *,
                tol: float = ZERO_TOL, global_phase: bool = True) -> list:
    """PennyLane ops for ``e^{−iθ c_∅} Π_S e^{−iθ c_S Z_S}`` (Walsh coefficients ``c_S``).

    Mirrors :func:`qdq.circuits.phase_oracles.append_zstring_rotations` gate for gate
    (same per-target-qubit choice of sparse strings or Gray-code walk), so CNOT counts
    agree with the Qiskit circuit.

    Args:
        wires: ``wires[i]`` carries bit ``i`` of ``x`` (little-endian).
        coeffs: Walsh coefficients, ``2^m`` entries.
        theta: Angle multiplier.
        tol: Relative threshold below which coefficients are dropped.
        global_phase: Emit ``qml.GlobalPhase(θ c_∅)`` (``e^{−iθc_∅}``).

    Returns:
        A list of operators (not queued).

    Example:
        >>> ops = zstring_ops([0, 1], walsh_coefficients(np.array([0., 1, 4, 9])), 0.3)
        >>> [op.name for op in ops]
        ['GlobalPhase', 'RZ', 'RZ', 'IsingZZ']
    """
    qml = _qml()
    wires = list(wires)
    ops: list = []
    c0 = float(coeffs[0])
    if global_phase and theta * c0 != 0.0:
        ops.append(qml.GlobalPhase(theta * c0))
    makers = {"rz": lambda a, w: qml.RZ(a, wires=w[0]), "rzz": qml.IsingZZ,
              "zstring": qml.MultiRZ, "cx": lambda a, w: qml.CNOT(wires=w)}
    for name, local, angle in zstring_program(coeffs, theta, tol=tol):
        ops.append(makers[name](angle, [wires[i] for i in local]))
    return ops


@_unqueued
def ucry_ops(controls: Sequence[int], target: int, angles: np.ndarray, *,
             tol: float = ZERO_TOL) -> list:
    r"""Uniformly controlled ``RY(θ(x))`` on ``target``, ``x`` read from ``controls``.

    With ``θ(x) = Σ_S a_S (−1)^{S·x}`` (Walsh coefficients ``a_S``) and
    ``X RY(α) X = RY(−α)``, a Gray-code walk over the controls gives
    ``RY(θ(x)) = Π_S X^{S·x} RY(a_S) X^{S·x}`` with ``2^m`` CNOTs (``m`` controls).

    Args:
        controls: ``controls[i]`` carries bit ``i`` of ``x`` (little-endian).
        target: Target wire.
        angles: ``θ(x)``, ``2^m`` entries.
        tol: Relative threshold below which Walsh coefficients are dropped.

    Returns:
        A list of operators (not queued).

    Example:
        >>> import pennylane as qml
        >>> ops = ucry_ops([0], 1, np.array([0.0, np.pi]))
        >>> U = qml.matrix(qml.tape.QuantumScript(ops), wire_order=[1, 0])
        >>> np.round(U[:, 1].real, 12)             # x = 1 rotates |0> to |1>
        array([0., 0., 0., 1.])
    """
    qml = _qml()
    controls = list(controls)
    angles = np.asarray(angles, dtype=float).reshape(-1)
    m = len(controls)
    if angles.size != 1 << m:
        raise ParameterError(f"angles needs 2**{m} = {1 << m} entries for {m} controls, "
                             f"got {angles.size}")
    a = walsh_coefficients(angles)
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    keep = np.abs(a) > tol * max(scale, 1e-300)
    ops: list = []
    prev = 0
    for i in range(1 << m):
        g = i ^ (i >> 1)
        if i:
            ops.append(qml.CNOT(wires=[controls[(g ^ prev).bit_length() - 1], target]))
        if keep[g]:
            ops.append(qml.RY(float(a[g]), wires=target))
        prev = g
    if m:
        ops.append(qml.CNOT(wires=[controls[prev.bit_length() - 1], target]))
    return ops


@_unqueued
def qft_ops(register: Sequence[int], *, inverse: bool = False) -> list:
    """Qiskit's ``QFTGate(n)`` (``= √N·ifft``) on a little-endian register, in PennyLane.

    ``qml.QFT`` reads its first wire as the most significant bit, hence ``register[::-1]``.
    ``inverse=True`` gives position → momentum.

    Example:
        >>> import pennylane as qml
        >>> U = qml.matrix(qml.tape.QuantumScript(qft_ops([0, 1, 2])), wire_order=[2, 1, 0])
        >>> np.allclose(U, np.sqrt(8) * np.fft.ifft(np.eye(8), axis=0))
        True
    """
    qml = _qml()
    op = qml.QFT(wires=list(register)[::-1])
    return [qml.adjoint(op)] if inverse else [op]


@_unqueued
def initial_ops(initial, grid: Grid) -> list:
    """Ops preparing :func:`~qdq.states.resolve_initial`'s state from ``|0…0⟩``.

    Example:
        >>> from qdq.grid import Grid
        >>> [op.name for op in initial_ops("uniform", Grid([(0, 1)], qubits=2))]
        ['Hadamard', 'Hadamard']
    """
    qml = _qml()
    if isinstance(initial, str) and initial == "uniform":
        return [qml.Hadamard(wires=q) for q in range(grid.num_qubits)]
    if isinstance(initial, GaussianPacket):
        return [qml.StatePrep(initial.factor(grid, d), wires=grid.register(d)[::-1])
                for d in range(grid.dims)]
    psi = resolve_initial(initial, grid)
    return [qml.StatePrep(grid.to_flat(psi), wires=list(range(grid.num_qubits))[::-1])]


# ----------------------------------------------------------------- the program
@dataclass(frozen=True)
class _Block:
    """A probabilistic block: ``pre`` ops, a UCRY onto the ancilla, ``post`` ops."""

    pre: tuple
    controls: tuple[int, ...]
    angles: np.ndarray = field(repr=False)
    post: tuple
    label: str

    def ops(self, ancilla: int) -> list:
        return [*self.pre, *ucry_ops(self.controls, ancilla, self.angles), *self.post]


@_unqueued
def _program(spec: EvolutionSpec) -> list:
    """The circuit as a list of op lists (unitary) and :class:`_Block` (probabilistic).

    Imaginary-time blocks mirror :mod:`qdq.circuits.imaginary` (same controls — only the
    qubits a group depends on — and the same angles).
    """
    from qdq.circuits.imaginary import _group_bits, kinetic_angles, ry_angles
    from qdq.circuits.trotter import PotentialOracle

    qml = _qml()
    grid = spec.grid
    imaginary = spec.kind == "imaginary"
    oracle = PotentialOracle(spec.problem)
    groups = [(t, *_group_bits(t, spec.problem)) for t in spec.problem.terms if t.dims] \
        if imaginary else []
    moms = [walsh_coefficients(momentum_index(n) ** 2.0) for n in grid.qubits]
    items: list = [initial_ops(spec.initial, grid)]
    for term, c in spec.product_formula().steps:
        if term == "potential" and imaginary:
            for t, qubits, values in groups:
                if qubits:  # a constant group is removed by the shift: f = 1
                    items.append(_Block((), tuple(qubits),
                                        ry_angles(np.exp(-c * (values - values.min()))), (),
                                        f"V{t.dims}({c:.4g})"))
        elif term == "potential":
            for t, qubits, coeffs in oracle.groups:
                if t.dims:
                    items.append(zstring_ops(qubits, coeffs, c))
                elif c * float(coeffs[0]) != 0.0:
                    items.append([qml.GlobalPhase(c * float(coeffs[0]))])
        else:
            for d in range(grid.dims):
                reg = grid.register(d)
                if imaginary:
                    theta = kinetic_angles(grid.qubits[d], grid.lengths[d], spec.D, c)
                    items.append(_Block(tuple(qft_ops(reg, inverse=True)), tuple(reg), theta,
                                        tuple(qft_ops(reg)), f"T{d}({c:.4g})"))
                else:
                    phi = c * spec.D * (2 * np.pi / grid.lengths[d]) ** 2
                    items.append([*qft_ops(reg, inverse=True), *zstring_ops(reg, moms[d], phi),
                                  *qft_ops(reg)])
    return items


@dataclass(frozen=True)
class PennyLaneCircuit:
    """A spec's circuit as a PennyLane quantum function (call it inside a QNode).

    Attributes:
        spec: The evolution spec.
        ancillas: ``"reuse"`` (one ancilla, ``qml.measure(a, reset=True, postselect=0)``
            after each block) or ``"fresh"`` (one ancilla per block, no measurement:
            postselect every ancilla on ``|0⟩`` yourself). Unitary specs have none.
        grid_wires: Register wires ``0 … n−1`` (qdq qubit order, LSB of ``j_0`` first).
        ancilla_wires: Ancilla wires (after the grid wires).
        num_blocks: Number of probabilistic blocks.

    ``qml.probs(wires=circuit.readout_wires)`` is in qdq's statevector order, so
    ``spec.grid.to_grid(...)`` makes it grid-shaped (see :meth:`grid_probabilities`).
    """

    spec: EvolutionSpec
    ancillas: str
    grid_wires: tuple[int, ...]
    ancilla_wires: tuple[int, ...]
    num_blocks: int
    _items: tuple = field(repr=False, compare=False)

    @property
    def wires(self) -> tuple[int, ...]:
        """All wires the function touches (grid, then ancillas)."""
        return self.grid_wires + self.ancilla_wires

    @property
    def readout_wires(self) -> tuple[int, ...]:
        """Grid wires most-significant first, for ``qml.probs`` / ``qml.sample``."""
        return self.grid_wires[::-1]

    def __call__(self) -> None:
        """Queue the circuit (and, in reuse mode, its mid-circuit measurements)."""
        qml = _qml()
        index = self._block_index
        for k, item in enumerate(self._items):
            if not isinstance(item, _Block):
                for op in item:
                    qml.apply(op)
                continue
            anc = self.ancilla_wires[index[k] if self.ancillas == "fresh" else 0]
            for op in item.ops(anc):
                qml.apply(op)
            if self.ancillas == "reuse":
                qml.measure(anc, reset=True, postselect=0)

    @property
    def _block_index(self) -> dict[int, int]:
        """Item position → block number."""
        pos = [k for k, item in enumerate(self._items) if isinstance(item, _Block)]
        return {k: b for b, k in enumerate(pos)}

    def tape(self, measurements: Sequence = (), *, shots: int | None = None):
        """The circuit as a ``qml.tape.QuantumScript`` with the given measurements."""
        qml = _qml()
        with qml.queuing.AnnotatedQueue() as q:
            self()
        return qml.tape.QuantumScript(q.queue, list(measurements), shots=shots)

    def grid_probabilities(self, probs: np.ndarray) -> np.ndarray:
        """Grid-shaped array from ``qml.probs(wires=self.readout_wires)``."""
        return self.spec.grid.to_grid(np.asarray(probs))


def to_pennylane(spec: EvolutionSpec, *, ancillas: str = "reuse") -> PennyLaneCircuit:
    """Build a spec's circuit as a PennyLane quantum function.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        ancillas: Imaginary time only: ``"reuse"`` (one ancilla with mid-circuit
            measurement, reset and ``postselect=0``; run the QNode with
            ``mcm_method="tree-traversal"`` and, with shots, ``postselect_mode="hw-like"``)
            or ``"fresh"`` (one ancilla per block, plain unitary; postselect all ancillas).

    Returns:
        A :class:`PennyLaneCircuit`; call it inside a QNode.

    Raises:
        ParameterError: If ``spec`` is not an evolution spec or ``ancillas`` is unknown.

    Example:
        >>> import pennylane as qml, qdq
        >>> p = qdq.Problem("x", bounds=[(0, 1)], qubits=2)
        >>> circ = to_pennylane(qdq.RealTime(qdq.Hamiltonian(p, D=0.1), time=0.1, steps=1))
        >>> @qml.qnode(qml.device("default.qubit", wires=circ.wires))
        ... def probs():
        ...     circ()
        ...     return qml.probs(wires=circ.readout_wires)
        >>> circ.grid_probabilities(probs()).shape
        (4,)
    """
    if not isinstance(spec, EvolutionSpec):
        raise ParameterError(f"to_pennylane needs an evolution spec (RealTime, ImaginaryTime, "
                             f"Anneal), got {type(spec).__name__}")
    if ancillas not in ANCILLA_MODES:
        raise ParameterError(f"ancillas must be one of {ANCILLA_MODES}, got {ancillas!r}")
    items = tuple(_program(spec))
    nq = spec.grid.num_qubits
    blocks = sum(isinstance(i, _Block) for i in items)
    n_anc = 0 if blocks == 0 else (blocks if ancillas == "fresh" else 1)
    return PennyLaneCircuit(spec=spec, ancillas=ancillas, grid_wires=tuple(range(nq)),
                            ancilla_wires=tuple(range(nq, nq + n_anc)), num_blocks=blocks,
                            _items=items)


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
        for item in circ._items:
            if isinstance(item, _Block):
                if used == num_anc:
                    run_segment(segment)
                    segment, used = [], 0
                ops = item.ops(nq + used)
                used += 1
            else:
                ops = list(item)
            segment.extend(ops)
            for op in ops:
                counts[op.name] = counts.get(op.name, 0) + 1
        run_segment(segment)
    if log_success < LOG_SUCCESS_FLOOR:
        raise PostselectionError(
            f"postselection probability underflows: log P = {log_success:.1f}; a circuit "
            "would never succeed — use fewer steps, a shorter time, or a smaller D")
    return psi, log_success, {"num_qubits": width, "executions": executions, "ops": counts}


def _run_shots(circ: PennyLaneCircuit, dev, shots: int) -> tuple[np.ndarray, int, dict]:
    """Sampled grid indices (statevector order) of the accepted shots, one execution."""
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
    index = samples @ (1 << np.arange(nq, dtype=np.int64))
    return index, samples.shape[0], {"num_qubits": len(circ.wires), "executions": 1,
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
        ``success_probability`` (exact ``Π‖Π_0ψ‖²``, or the accepted fraction with shots);
        ``extra`` holds the device, wire count, op counts and number of device executions.

    Raises:
        BackendError: Unknown, uninstalled or failing device (the message lists the
            supported ones).
        ParameterError: Bad ``shots``, ``max_ancillas`` or device options.
        PostselectionError: The postselected branch vanished or no shot survived.
    """
    if shots is not None and (isinstance(shots, bool) or not isinstance(shots, (int, np.integer))
                              or shots < 1):
        raise ParameterError(f"shots must be None (exact) or an integer >= 1, got {shots!r}")
    if isinstance(max_ancillas, bool) or not isinstance(max_ancillas, (int, np.integer)) \
            or max_ancillas < 1:
        raise ParameterError(f"max_ancillas must be an integer >= 1, got {max_ancillas!r}")
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
    else:
        dev, name = _make_device(device, len(circ.wires), seed, device_options)
        t1 = _time.perf_counter()
        index, accepted, extra = _run_shots(circ, dev, int(shots))
        t2 = _time.perf_counter()
        if accepted == 0:
            raise PostselectionError(
                f"no shot of {shots} survived postselection; use more shots or shots=None")
        hist = np.bincount(index, minlength=grid.size).astype(float)
        probs = grid.to_grid(hist / accepted)
        success = accepted / int(shots)
        statevector = None
        extra["accepted_shots"] = int(accepted)
        mode = "reuse" if imaginary else None
    extra.update(device=name, ancillas=mode)
    return Result(
        method=spec.method, backend="pennylane", grid=grid, values=spec.problem.values,
        D=spec.final_D, probabilities=probs, statevector=statevector, success_probability=success,
        shots=None if shots is None else int(shots), problem=spec.problem.to_dict(),
        spec=spec.to_dict(), timing={"build": t1 - t0, "run": t2 - t1}, extra=extra,
    )


__all__ = ["SUPPORTED_DEVICES", "PennyLaneCircuit", "initial_ops", "qft_ops", "run_pennylane",
           "to_pennylane", "ucry_ops", "zstring_ops"]
