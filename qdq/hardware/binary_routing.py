r"""Binary cost layers on real connectivity: swap strategies for dense problems, and a report.

* :func:`route_cost_layer` — ``e^{−iγζ}`` of a QUBO (Z-strings of weight ≤ 2) routed on a
  line with Qiskit's commuting-gate router (``Commuting2qGateRouter`` with
  ``SwapStrategy.from_line``): all ``ZZ`` rotations commute, so the router applies each
  one when its qubits become adjacent during ``n − 2`` layers of alternating swaps, and
  puts ``RZZ`` next to ``SWAP`` on the same pair so their CX cancel — far shallower than
  general-purpose routing (SABRE) for all-to-all problems such as Sherrington–Kirkpatrick.
  The routed circuit permutes the qubits: ``circuit.metadata["final_permutation"][i]`` is
  the wire that holds logical qubit ``i`` at the end.
* :func:`line_routing_counts` — CX count and depths of that circuit vs SABRE on the same line.
* :func:`hardware_report` — a spec's circuit transpiled for a backend (a fake heavy-hex
  device by name, e.g. ``"FakeTorino"``) and its :class:`~qdq.hardware.report.ResourceReport`
  (native two-qubit count and depth, ``Π(1 − ε)`` from the reported error rates);
  :func:`transpile_usable` also returns the ISA circuit and the restricted target.

Example:
    >>> import qdq
    >>> b = qdq.BinaryProblem({(0, 1): 1.0, (0, 2): -1.0, (1, 2): 0.5, (0,): 0.3}, num_bits=3)
    >>> qc = route_cost_layer(b, gamma=0.4)
    >>> sorted(qc.count_ops()), qc.metadata["final_permutation"]
    (['cx', 'rz'], [1, 0, 2])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qdq.errors import ParameterError, ProblemError

#: Gate set of the reported counts (what ``Program.resources`` counts CX in).
CX_BASIS = ["cx", "rz", "sx", "x"]


def _zform(problem) -> tuple[list[tuple[int, float]], list[tuple[int, int, float]]]:
    """``([(i, h_i)], [(i, j, J_ij)])`` of ``ζ = c + Σ h_i Z_i + Σ J_ij Z_i Z_j``."""
    from qdq.circuits.factors import phase_groups

    if not getattr(problem, "is_binary", False):
        raise ProblemError(f"route_cost_layer needs a qdq.BinaryProblem, got "
                           f"{type(problem).__name__}")
    lin: dict[int, float] = {}
    quad: dict[tuple[int, int], float] = {}
    for _, qubits, coeffs in phase_groups(problem):
        for s in np.nonzero(np.asarray(coeffs)[1:])[0] + 1 if qubits else ():
            bits = tuple(sorted(qubits[i] for i in range(len(qubits)) if (s >> i) & 1))
            if len(bits) > 2:
                raise ProblemError(
                    f"route_cost_layer routes Z-strings of weight ≤ 2 (a QUBO), got the "
                    f"string on bits {bits}; reduce it to quadratic form or use "
                    "qdq.build_circuit")
            table = lin if len(bits) == 1 else quad
            key = bits[0] if len(bits) == 1 else bits
            table[key] = table.get(key, 0.0) + float(coeffs[s])
    linear = sorted(lin.items())
    quadratic = [(i, j, w) for (i, j), w in sorted(quad.items())]
    return linear, quadratic


def route_cost_layer(problem, coupling: str = "line", *, gamma: float = 1.0) -> Any:
    """``e^{−iγ(ζ − c)}`` of a QUBO routed on a line with a swap strategy, in CX + RZ.

    ``Σ h_i Z_i`` first (``RZ(2γh_i)``), then every ``Z_iZ_j`` (``RZZ(2γJ_ij)``) applied
    while the line swap strategy (odd/even ``SWAP`` layers) brings ``i`` and ``j``
    together; transpiled to ``["cx", "rz", "sx", "x"]`` at optimization level 1 (the CX
    of each ``RZZ`` next to a ``SWAP`` on the same pair cancel). Two-qubit gates act only
    on neighbours ``(k, k+1)``.

    Args:
        problem: A :class:`~qdq.BinaryProblem` of degree ≤ 2.
        coupling: ``"line"`` (wires ``0 … n−1`` in a row; place them on a device path with
            ``initial_layout``).
        gamma: The layer's angle ``γ``.

    Returns:
        A ``QuantumCircuit`` on ``n`` wires; ``metadata["final_permutation"][i]`` is the
        wire holding logical qubit ``i`` at the end (undo it with
        ``PermutationGate(final_permutation)`` appended, or relabel the measured bits).

    Raises:
        ProblemError: Not a binary problem, or a Z-string of weight 3 or more.
        ParameterError: A coupling other than ``"line"``.
    """
    if coupling != "line":
        raise ParameterError(f"coupling must be 'line', got {coupling!r}; map the line onto "
                             "a device path with transpile(..., initial_layout=path)")
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit.library import PauliEvolutionGate
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes.routing.commuting_2q_gate_routing import (
        Commuting2qGateRouter,
        FindCommutingPauliEvolutions,
        SwapStrategy,
    )

    linear, quadratic = _zform(problem)
    n = int(problem.num_bits)
    qc = QuantumCircuit(n)
    for i, h in linear:
        qc.rz(2 * gamma * h, i)
    if quadratic and n > 1:
        op = SparsePauliOp.from_sparse_list([("ZZ", [i, j], w) for i, j, w in quadratic],
                                            num_qubits=n)
        qc.append(PauliEvolutionGate(op, time=gamma), range(n))
    # colour the line's edges so RZZ(k, k+1) sits beside the SWAP layer on the same pair
    colouring = {(k, k + 1): k % 2 for k in range(n - 1)}
    colouring |= {(k + 1, k): c for (k, _), c in list(colouring.items())}
    props: dict = {}
    pm = PassManager([FindCommutingPauliEvolutions(),
                      Commuting2qGateRouter(SwapStrategy.from_line(list(range(n))), colouring)])
    routed = pm.run(qc, callback=lambda **kw: props.update(dict(kw["property_set"])))
    layout = props.get("virtual_permutation_layout")
    # the layout maps each wire to the logical qubit on it at the end; invert it
    held = [int(layout[q]) for q in qc.qubits] if layout is not None else list(range(n))
    perm = [int(w) for w in np.argsort(held)]
    out = transpile(routed, basis_gates=CX_BASIS, optimization_level=1)
    out.metadata = {"final_permutation": perm, "coupling": "line"}
    return out


def _counts(qc) -> dict:
    ops = qc.count_ops()
    return {"cx": int(ops.get("cx", 0)),
            "two_qubit_depth": int(qc.depth(lambda inst: inst.operation.num_qubits == 2)),
            "depth": int(qc.depth())}


def line_routing_counts(problem, *, gamma: float = 1.0, seed: int = 0) -> dict:
    """CX count and depths of the cost layer on a line: swap strategy vs SABRE.

    Both in ``["cx", "rz", "sx", "x"]`` at optimization level 1; SABRE routes the unrouted
    layer (``RZ`` + ``RZZ``) on ``CouplingMap.from_line(n)`` with ``seed_transpiler=seed``.

    Returns:
        ``{"swap_strategy": {"cx", "two_qubit_depth", "depth"}, "sabre": {…}}``.

    Example:
        >>> import qdq, itertools
        >>> sk = qdq.BinaryProblem({p: 1.0 for p in itertools.combinations(range(5), 2)},
        ...                        num_bits=5)
        >>> c = line_routing_counts(sk)
        >>> c["swap_strategy"]["two_qubit_depth"] <= c["sabre"]["two_qubit_depth"]
        True
    """
    from qiskit import QuantumCircuit, transpile
    from qiskit.transpiler import CouplingMap

    linear, quadratic = _zform(problem)
    n = int(problem.num_bits)
    plain = QuantumCircuit(n)
    for i, h in linear:
        plain.rz(2 * gamma * h, i)
    for i, j, w in quadratic:
        plain.rzz(2 * gamma * w, i, j)
    sabre = transpile(plain, basis_gates=CX_BASIS, coupling_map=CouplingMap.from_line(n),
                      routing_method="sabre", optimization_level=1, seed_transpiler=seed)
    return {"swap_strategy": _counts(route_cost_layer(problem, gamma=gamma)),
            "sabre": _counts(sabre)}


#: A reported error rate at or above this marks a gate as broken (fake backends report 1.0
#: on dead couplers); :func:`hardware_report` leaves the qubits of broken gates out.
BROKEN_ERROR = 0.5


def usable_qubits(target, *, broken: float = BROKEN_ERROR) -> list[int]:
    """Qubits of the largest connected piece of ``target`` with no broken gate on them.

    A qubit is left out when any instruction on it (a coupler included) reports an error
    ``≥ broken``; of what is left, the largest connected component of the coupling map.

    Example:
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> len(usable_qubits(GenericBackendV2(5, seed=1).target))
        5
    """
    bad: set[int] = set()
    for name in target.operation_names:
        props = target[name]
        for qargs, p in (props or {}).items():
            if qargs and p is not None and p.error is not None and p.error >= broken:
                bad.update(qargs)
    good = set(range(target.num_qubits)) - bad
    cmap = target.build_coupling_map()
    if cmap is None:
        return sorted(good)
    adj: dict[int, set[int]] = {q: set() for q in good}
    for a, b in cmap.get_edges():
        if a in good and b in good:
            adj[a].add(b)
            adj[b].add(a)
    best: list[int] = []
    seen: set[int] = set()
    for q in sorted(good):
        if q in seen:
            continue
        comp, todo = [], [q]
        seen.add(q)
        while todo:
            x = todo.pop()
            comp.append(x)
            for y in adj[x] - seen:
                seen.add(y)
                todo.append(y)
        if len(comp) > len(best):
            best = comp
    return sorted(best)


def hardware_report(spec, backend, *, optimization_level: int = 2, seed: int = 0,
                    measure: bool = True):
    """Transpile a spec's circuit for a backend and report its cost and estimated fidelity.

    The logical circuit is :func:`qdq.circuits.qiskit_emitter.build_circuit` (for a binary
    problem: ZZ phases in edge-colour classes). It is transpiled with Qiskit's preset pass
    manager (layout, SABRE routing, native gates) onto the backend's :func:`usable_qubits`
    (qubits with a broken gate left out, so the layout cannot route through a dead
    coupler). The report counts native two-qubit gates (ECR/CZ/CX), the two-qubit depth and
    ``Π(1 − ε)`` over every gate and measurement from the backend's reported error rates
    (:func:`~qdq.hardware.report.estimate_fidelity`); its ``layout`` and
    ``active_qubits`` are the backend's physical qubits.

    Args:
        spec: A spec (``QAOA``, ``Anneal``, …).
        backend: A ``BackendV2``, or a fake backend's name (``"FakeTorino"``, …; needs
            ``qiskit-ibm-runtime``).
        optimization_level: 0–3, as for ``generate_preset_pass_manager``.
        seed: ``seed_transpiler``.
        measure: Measure every qubit at the end (readout errors enter the estimate).

    Returns:
        A :class:`~qdq.hardware.report.ResourceReport`.

    Raises:
        ParameterError: An optimization level other than 0–3.
        BackendError: Fewer usable qubits than the circuit needs.

    Example:
        >>> import qdq
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> b = qdq.BinaryProblem({(0, 1): 1.0, (1, 2): 1.0}, num_bits=3)
        >>> r = hardware_report(qdq.QAOA(b, [0.3], [0.2]), GenericBackendV2(5, seed=1))
        >>> r.two_qubit_gates >= 4, 0 < r.estimated_fidelity < 1
        (True, True)
    """
    return transpile_usable(spec, backend, optimization_level=optimization_level, seed=seed,
                            measure=measure)[1]


def transpile_usable(spec, backend, *, optimization_level: int = 2, seed: int = 0,
                     measure: bool = True, initial_layout=None, qubits=None
                     ) -> tuple[Any, Any, Any]:
    """:func:`hardware_report`'s transpilation, returning ``(isa, report, backend_view)``.

    ``isa`` is on the usable qubits renumbered ``0 … k−1`` (``backend_view.target`` is the
    backend's target restricted to them, ``backend_view.active[i]`` the physical qubit of
    wire ``i``); ``report`` is in physical qubits. ``initial_layout`` (logical qubit ``i`` on
    wire ``initial_layout[i]``) skips the layout search, e.g. for a graph that is a subgraph
    of the device's couplers; ``qubits`` (a subset of the usable qubits) confines the
    circuit to those physical qubits, e.g. to keep a noisy simulation small.
    """
    from types import SimpleNamespace

    from qiskit.transpiler import generate_preset_pass_manager

    from qdq.circuits.qiskit_emitter import build_circuit
    from qdq.errors import BackendError
    from qdq.hardware.report import _backend_name, resource_report
    from qdq.hardware.transpile import _restricted_target

    if isinstance(optimization_level, bool) or optimization_level not in (0, 1, 2, 3):
        raise ParameterError(f"optimization_level must be 0, 1, 2 or 3, got "
                             f"{optimization_level!r}")
    if isinstance(backend, str):
        from qdq.hardware.fake_backends import fake_backend

        backend = fake_backend(backend)
    qc = build_circuit(spec, measure=measure)
    name = _backend_name(backend)
    active = usable_qubits(backend.target)
    if qubits is not None:
        outside = sorted(set(qubits) - set(active))
        if outside:
            raise BackendError(f"qubits {outside} of {name!r} are not usable (broken gates or "
                               "not connected); pick from usable_qubits(backend.target)")
        active = sorted(set(qubits))
    if len(active) < qc.num_qubits:
        raise BackendError(f"the circuit needs {qc.num_qubits} qubits, backend {name!r} has "
                           f"{len(active)} connected qubits without broken gates; use fewer "
                           "bits or a larger backend")
    target = _restricted_target(backend.target, active, f"{name}, usable qubits")
    pm = generate_preset_pass_manager(optimization_level=optimization_level, target=target,
                                      seed_transpiler=seed, initial_layout=initial_layout)
    isa = pm.run(qc)
    view = SimpleNamespace(name=name, target=target, num_qubits=backend.num_qubits,
                           active=active)
    report = resource_report(isa, view, logical_qubits=qc.num_qubits,
                             optimization_level=optimization_level)
    report.layout = [active[i] for i in report.layout]
    report.active_qubits = [active[i] for i in report.active_qubits]
    return isa, report, view
