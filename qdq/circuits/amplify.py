r"""Amplitude amplification of the postselected branch of an imaginary-time circuit.

Let ``A`` be the whole fresh-ancilla circuit of an :class:`~qdq.ImaginaryTime` spec (state
preparation and every probabilistic block, :func:`~qdq.circuits.imaginary.build_imaginary_circuit`
with ``ancillas="fresh"``). Then

.. math:: A|0⟩ = \sin θ\,|ψ_τ⟩|0…0⟩_{anc} + \cos θ\,|\text{bad}⟩,\qquad \sin^2 θ = p,

with ``ψ_τ`` the normalized imaginary-time state and ``p = P_success``. Three methods:

* ``"grover"`` (known ``p``): ``k`` Grover iterates ``Q = −A S_0 A† S_good``
  (``S_good = I − 2Π_{anc=0}``, ``S_0 = I − 2|0⟩⟨0|``) give
  ``sin((2k+1)θ)|ψ_τ⟩|0⟩ + …``; by default ``k = ⌊π/(4θ)⌋``, so
  ``p_after = sin²((2k+1)θ) ≥ 1 − p`` (and ``≥ ½`` whenever ``p ≤ ½``).
* ``"exact"`` (known ``p``, Brassard–Høyer–Mosca–Tapp 2002): one more ancilla, rotated by
  ``RY(β)``, lowers the good amplitude to ``sin θ' = sin θ·cos(β/2)`` with
  ``θ' = π/(2(2k+1))``, ``k = ⌈π/(4θ) − ½⌉``; then ``k`` iterates reach ``p_after = 1``.
* ``"fixed-point"`` (only a lower bound on ``p`` needed; Yoder, Low, Chuang, PRL 113,
  210501, 2014): ``l`` generalized iterates ``G(α_j, β_j) = −A S_0(α_j) A† S_good(β_j)``
  with ``S_good(β) = I − (1 − e^{iβ})Π_{anc=0}``, ``S_0(α) = I − (1 − e^{−iα})|0⟩⟨0|``,
  ``α_j = −β_{l−j+1} = 2 cot^{−1}(tan(2πj/L)\sqrt{1 − γ²})``, ``L = 2l + 1``,
  ``γ^{−1} = T_{1/L}(1/δ)``; ``p_after = 1 − δ² T_L(T_{1/L}(1/δ)\sqrt{1 − p})² ≥ 1 − δ²``
  for every ``p ≥ w`` once ``L ≥ \ln(2/δ)/\sqrt{w}`` (``T`` Chebyshev polynomials).

In every case the good branch stays proportional to ``|ψ_τ⟩|0…0⟩`` (the iterates act in
``span{Π_good A|0⟩, (1 − Π_good) A|0⟩}``), so postselection returns the same grid state.

Cost: ``2k + 1`` applications of ``A`` or ``A†`` (each ``count_blocks(spec)`` probabilistic
blocks) plus ``k`` pairs of reflections, against ``1/p`` repetitions of ``A`` without
amplification; the report gives both per *successful* shot.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    >>> spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.5, steps=1, order=1)
    >>> qc, rep = amplify(spec)
    >>> rep["iterations"], round(rep["p_before"], 4), round(rep["p_after"], 4)
    (2, 0.1342, 0.9099)
"""

from __future__ import annotations

import numpy as np

from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec

METHODS = ("grover", "exact", "fixed-point")
_BASIS = ["cx", "rz", "sx", "x", "ry"]


def phase_on_zero(num_qubits: int, phase: float, qubits=None, *, name: str = "S0"):
    """Circuit multiplying the all-zero state of ``qubits`` by ``e^{i·phase}``.

    Args:
        num_qubits: Width of the returned circuit.
        phase: The phase (``π`` gives the reflection ``I − 2|0⟩⟨0|``).
        qubits: Which qubits must be ``|0⟩`` (default: all).
        name: Circuit name.

    Example:
        >>> from qiskit.quantum_info import Operator
        >>> np.round(np.diag(Operator(phase_on_zero(2, np.pi, [1])).data).real, 6)
        array([-1., -1.,  1.,  1.])
    """
    from qiskit import QuantumCircuit

    qubits = list(range(num_qubits)) if qubits is None else list(qubits)
    qc = QuantumCircuit(num_qubits, name=name)
    qc.x(qubits)
    if len(qubits) == 1:
        qc.p(phase, qubits[0])
    else:
        qc.mcp(phase, qubits[:-1], qubits[-1])
    qc.x(qubits)
    return qc


def generalized_iterate(A, num_grid: int, alpha: float, beta: float):
    """``G(α, β) = −A S_0(α) A† S_good(β)`` (``α = β = π``: the Grover iterate ``Q``).

    Args:
        A: The fresh-ancilla circuit (grid qubits first, then ancillas).
        num_grid: Number of grid qubits; the good subspace is ``anc = |0…0⟩``.
        alpha: Phase of ``S_0(α) = I − (1 − e^{−iα})|0⟩⟨0|``.
        beta: Phase of ``S_good(β) = I − (1 − e^{iβ})Π_good``.
    """
    from qiskit import QuantumCircuit

    n = A.num_qubits
    qc = QuantumCircuit(n, name="G")
    qc.compose(phase_on_zero(n, beta, range(num_grid, n), name="S_good"), inplace=True)
    qc.compose(A.inverse(), inplace=True)
    qc.compose(phase_on_zero(n, -alpha, name="S_0"), inplace=True)
    qc.compose(A, inplace=True)
    qc.global_phase += np.pi
    return qc


def grover_iterations(p: float) -> int:
    """``k = ⌊π/(4θ)⌋``, ``θ = asin √p``: Grover iterates that maximize success for known ``p``.

    Example:
        >>> grover_iterations(0.01), grover_iterations(0.6)
        (7, 0)
    """
    return int(np.floor(np.pi / (4 * np.arcsin(np.sqrt(p)))))


def _chebyshev(L: float, x: float) -> float:
    if abs(x) <= 1:
        return float(np.cos(L * np.arccos(x)))
    return float(np.cosh(L * np.arccosh(x)))


def fixed_point_phases(iterations: int, delta: float) -> tuple[list[float], list[float]]:
    """Yoder–Low–Chuang phases ``(α_1…α_l, β_1…β_l)`` for ``l`` iterates and error ``δ``.

    Example:
        >>> a, b = fixed_point_phases(2, 0.1)
        >>> np.allclose(b, [-a[1], -a[0]])
        True
    """
    L = 2 * iterations + 1
    gamma = 1.0 / _chebyshev(1.0 / L, 1.0 / delta)
    alpha = [2 * float(np.arctan2(1.0, np.tan(2 * np.pi * j / L) * np.sqrt(1 - gamma**2)))
             for j in range(1, iterations + 1)]
    beta = [-alpha[iterations - j] for j in range(1, iterations + 1)]
    return alpha, beta


def fixed_point_success(p: float, iterations: int, delta: float) -> float:
    """``1 − δ² T_L(T_{1/L}(1/δ)√(1−p))²``, ``L = 2l + 1``: YLC success after ``l`` iterates.

    Example:
        >>> round(fixed_point_success(0.25, 3, 0.3), 6) >= 1 - 0.3**2
        True
    """
    L = 2 * iterations + 1
    return 1.0 - delta**2 * _chebyshev(L, _chebyshev(1.0 / L, 1.0 / delta) * np.sqrt(1 - p)) ** 2


def _cx(qc) -> int:
    """CX of a reflection circuit (multi-controlled phases are not program ops)."""
    from qiskit import transpile

    return int(transpile(qc, basis_gates=_BASIS, optimization_level=0).count_ops().get("cx", 0))


def amplify(spec: EvolutionSpec, iterations: int | None = None, *,
            success_probability: float | None = None, method: str = "grover",
            delta: float = 0.1, swap_free: bool = True, measure: bool = False):
    """Amplify the postselected branch of an imaginary-time circuit.

    Args:
        spec: An :class:`~qdq.ImaginaryTime` spec.
        iterations: Number of (generalized) Grover iterates. Default: ``⌊π/(4θ)⌋``
            (``"grover"``), ``⌈π/(4θ) − ½⌉`` (``"exact"``), the smallest ``l`` with
            ``2l + 1 ≥ ln(2/δ)/√p`` (``"fixed-point"``).
        success_probability: ``p`` (``"fixed-point"``: a lower bound suffices). Default: the
            emulator's exact ``P_success`` for ``spec``.
        method: ``"grover"``, ``"exact"`` or ``"fixed-point"`` (see the module docstring).
        delta: ``"fixed-point"`` only: target error, ``p_after ≥ 1 − δ²``.
        swap_free: Kinetic-block wiring.
        measure: Measure the grid into ``m`` and every ancilla into ``post`` at the end.

    Returns:
        ``(circuit, report)``: the circuit has registers ``x0, x1, …, anc`` (good subspace:
        ``anc = |0…0⟩``); ``report`` holds ``method, iterations, queries`` (uses of ``A`` or
        ``A†``), ``p_before``, ``p_after`` (theory), ``blocks_per_query``, ``blocks``,
        ``cx_A``, ``cx_iterate_reflections``, ``cx_total`` and
        ``cx_per_success_before/after`` (``cx_A/p`` vs ``cx_total/p_after``).

    Raises:
        ParameterError: Unknown method, a spec that is not imaginary-time, ``p`` outside
            ``(0, 1]``, negative ``iterations``, too few iterations for ``"exact"``, or
            ``delta`` outside ``(0, 1)``.
    """
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    from qdq.circuits.imaginary import build_imaginary_circuit, count_blocks
    from qdq.circuits.program import program

    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
    if not isinstance(spec, EvolutionSpec) or spec.time_axis != "imaginary":
        raise ParameterError(f"amplify needs an ImaginaryTime spec, got {type(spec).__name__}")
    if iterations is not None and (isinstance(iterations, bool) or int(iterations) != iterations
                                   or iterations < 0):
        raise ParameterError(f"iterations must be an integer >= 0, got {iterations!r}")
    if success_probability is None:
        from qdq.engines.emulator import run_emulator

        success_probability = run_emulator(spec).success_probability
    p = float(success_probability)
    if not (0.0 < p <= 1.0):
        raise ParameterError(f"success_probability must be in (0, 1], got {success_probability!r}")
    if method == "fixed-point" and not (0.0 < delta < 1.0):
        raise ParameterError(f"delta must be in (0, 1), got {delta!r}")
    theta = float(np.arcsin(np.sqrt(p)))

    A = build_imaginary_circuit(spec, swap_free=swap_free, ancillas="fresh")
    nq = spec.grid.num_qubits
    extra_flag = method == "exact"
    regs = [QuantumRegister(n, f"x{d}") for d, n in enumerate(spec.grid.qubits)]
    num_anc = A.num_qubits - nq + (1 if extra_flag else 0)
    anc = QuantumRegister(num_anc, "anc")

    if method == "grover":
        k = grover_iterations(p) if iterations is None else int(iterations)
        alphas, betas = [np.pi] * k, [np.pi] * k
        p_after = float(np.sin((2 * k + 1) * theta) ** 2)
    elif method == "exact":
        k_min = int(np.ceil(np.pi / (4 * theta) - 0.5))
        k = k_min if iterations is None else int(iterations)
        if k < k_min:
            raise ParameterError(f"method='exact' needs iterations >= {k_min} for p = {p:.4g}, "
                                 f"got {iterations}; pass more or leave it None")
        theta_k = np.pi / (2 * (2 * k + 1))
        beta_flag = 2 * float(np.arccos(min(1.0, np.sin(theta_k) / np.sqrt(p))))
        A_ext = QuantumCircuit(A.num_qubits + 1, name="A'")
        A_ext.compose(A, range(A.num_qubits), inplace=True)
        A_ext.ry(beta_flag, A.num_qubits)
        A = A_ext
        alphas, betas = [np.pi] * k, [np.pi] * k
        p_after = float(np.sin((2 * k + 1) * theta_k) ** 2)
    else:
        if iterations is None:
            L = int(np.ceil(np.log(2 / delta) / np.sqrt(p)))
            k = max(0, (L + (L % 2 == 0) - 1) // 2)
        else:
            k = int(iterations)
        alphas, betas = fixed_point_phases(k, delta)
        p_after = fixed_point_success(p, k, delta)

    cregs = [ClassicalRegister(nq, "m"), ClassicalRegister(num_anc, "post")] if measure else []
    qc = QuantumCircuit(*regs, anc, *cregs, name=f"qdq-amplified-{method}")
    qc.compose(A, range(A.num_qubits), inplace=True)
    for a, b in zip(alphas, betas, strict=True):
        qc.compose(generalized_iterate(A, nq, a, b), range(A.num_qubits), inplace=True)
    if measure:
        qc.measure(range(nq), cregs[0])
        qc.measure(anc, cregs[1])

    # A is the fresh-ancilla program (plus, for "exact", one RY on the flag ancilla): its CX
    # come from walking the program; the reflections are multi-controlled phases, transpiled.
    cx_A = program(spec, swap_free=swap_free, ancillas="fresh").resources()["cx"]
    n = A.num_qubits
    cx_refl = _cx(phase_on_zero(n, np.pi)) + _cx(phase_on_zero(n, np.pi, range(nq, n)))
    queries = 2 * k + 1
    cx_total = queries * cx_A + k * cx_refl
    per_query = count_blocks(spec)
    report = {
        "method": method, "iterations": k, "queries": queries,
        "p_before": p, "p_after": p_after,
        "blocks_per_query": per_query, "blocks": queries * per_query,
        "cx_A": cx_A, "cx_iterate_reflections": cx_refl, "cx_total": cx_total,
        "cx_per_success_before": cx_A / p,
        "cx_per_success_after": cx_total / p_after if p_after > 0 else float("inf"),
    }
    if method == "fixed-point":
        report.update(delta=delta, guaranteed_min=1 - delta**2)
    return qc, report
