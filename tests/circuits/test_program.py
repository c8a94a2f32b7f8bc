"""The circuit program: its walked resources equal the emitted circuits, on many specs.

The closed-form CX formulas the package used to compute live here, as documented formulas
checked against both the program walk and the transpiled circuit.
"""

import ast
import time
from pathlib import Path

import numpy as np
import pytest
from qiskit import transpile
from qiskit.quantum_info import Operator

import qdq
from qdq.circuits.imaginary import (
    imaginary_block_cx_counts,
    imaginary_circuit_cx_count,
    imaginary_step_cx_count,
    ucry_cx_count,
)
from qdq.circuits.kinetic import kinetic_cx_count
from qdq.circuits.ops import QFT, UCRY, GlobalPhase, Measure, Prepare, ZPhase
from qdq.circuits.program import program
from qdq.circuits.qiskit_emitter import build_circuit as build_for
from qdq.circuits.qiskit_emitter import emit_qiskit
from qdq.circuits.trotter import PotentialOracle, strang_step_cx_count

BASIS = ["cx", "rz", "sx", "x", "ry"]
LAYER_BASIS = ["cx", "rz", "ry", "h", "measure", "reset"]

OBJECTIVES = {
    "dense-1d": ("0.3*x**4 - x**2 + 0.2*x + 0.3*cos(3*x)", [(-3.0, 3.0)]),
    "poly-1d": ("0.3*x**4 - x**2 + 0.2*x", [(-3.0, 3.0)]),
    "separable-2d": ("x**2 - 2*cos(2*x) + y**2 + sin(3*y)", [(-2.0, 2.0), (-2.0, 2.0)]),
    "cross-2d": ("0.3*x**4 - x**2 + 0.5*x*y + (y - 0.3)**2", [(-3.0, 3.0), (-2.0, 1.5)]),
    "dense-cross-2d": ("cos(x*y) + 0.2*x", [(-2.0, 2.0), (-2.0, 2.0)]),
    # its three term groups merge into one phase polynomial (fewer CX than separately)
    "camel-2d": ("2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", [(-2.0, 2.0), (-2.0, 2.0)]),
}


def problem(name, qubits):
    expr, bounds = OBJECTIVES[name]
    return qdq.Problem(expr, bounds=bounds, qubits=qubits)


def make_spec(kind, name, qubits, order, steps=2):
    p = problem(name, qubits)
    H = qdq.Hamiltonian(p, D=0.4)
    if kind == "real":
        return qdq.RealTime(H, time=0.6, steps=steps, order=order)
    if kind == "imag":
        return qdq.ImaginaryTime(H, time=0.6, steps=steps, order=order)
    return qdq.Anneal(p, D=0.5, kinetic_weight=lambda t: 1.0 - 0.4 * t,
                      potential_weight=lambda t: 0.1 + t**2, time=1.5, steps=steps, order=order)


def transpiled(qc, basis=BASIS):
    return transpile(qc, basis_gates=basis, optimization_level=0)


# (kind, objective, qubits, order, ancillas, swap_free, measure)
CONFIGS = [
    ("real", "dense-1d", 5, 1, None, True, False),
    ("real", "dense-1d", 6, 2, None, True, False),
    ("real", "dense-1d", 4, 4, None, True, True),
    ("real", "poly-1d", 6, 2, None, True, False),
    ("real", "poly-1d", 5, 4, None, False, False),
    ("real", "separable-2d", [3, 3], 2, None, True, False),
    ("real", "cross-2d", [3, 2], 1, None, True, True),
    ("real", "cross-2d", [3, 2], 4, None, False, False),
    ("real", "dense-cross-2d", [2, 3], 2, None, True, False),
    ("real", "camel-2d", [2, 2], 2, None, True, False),
    ("anneal", "camel-2d", [4, 2], 1, None, False, True),
    ("anneal", "dense-1d", 5, 1, None, True, False),
    ("anneal", "poly-1d", 5, 2, None, True, False),
    ("anneal", "separable-2d", [2, 3], 4, None, True, False),
    ("anneal", "cross-2d", [3, 2], 2, None, False, True),
    ("imag", "dense-1d", 4, 1, "fresh", True, False),
    ("imag", "dense-1d", 5, 2, "reuse", True, True),
    ("imag", "poly-1d", 4, 2, "fresh", False, True),
    ("imag", "poly-1d", 5, 1, "reuse", False, False),
    ("imag", "separable-2d", [2, 2], 1, "reuse", True, False),
    ("imag", "cross-2d", [3, 2], 2, "fresh", True, False),
    ("imag", "cross-2d", [2, 2], 1, "reuse", True, True),
    ("imag", "dense-cross-2d", [2, 2], 2, "fresh", False, False),
    ("imag", "dense-cross-2d", [2, 2], 2, "reuse", True, False),
]


@pytest.mark.parametrize("kind,name,qubits,order,ancillas,swap_free,measure", CONFIGS)
def test_walked_resources_equal_the_transpiled_circuit(kind, name, qubits, order, ancillas,
                                                       swap_free, measure):
    spec = make_spec(kind, name, qubits, order)
    prog = program(spec, swap_free=swap_free, measure=measure, ancillas=ancillas or "fresh")
    res = prog.resources()
    qc = emit_qiskit(prog)
    ops = transpiled(qc).count_ops()
    assert res["cx"] == ops.get("cx", 0) > 0
    layered = transpiled(qc, LAYER_BASIS)
    assert res["depth"] == layered.depth()
    lops = layered.count_ops()
    assert res["rotations"] == lops.get("rz", 0) + lops.get("ry", 0)
    assert res["measurements"] == ops.get("reset", 0)
    assert res["qubits"] == qc.num_qubits - (kind == "imag" and res["ancillas"] == 0)
    assert res["ancillas"] == sum(r.size for r in qc.qregs if r.name == "anc")
    # qdq.build_circuit is that gate-level circuit
    if kind != "imag" or ancillas == "reuse":
        built = qdq.build_circuit(spec, swap_free=swap_free, measure=measure)
        assert transpiled(built).count_ops().get("cx", 0) == res["cx"]


def test_program_ops_are_typed_plain_data():
    spec = make_spec("imag", "cross-2d", [2, 2], 1)
    kinds = {type(op) for op in program(spec, ancillas="reuse", measure=True)}
    assert kinds == {Prepare, QFT, UCRY, Measure}
    kinds = {type(op) for op in program(make_spec("real", "cross-2d", [2, 2], 2))}
    assert kinds == {Prepare, ZPhase, GlobalPhase, QFT}


# ----------------------------------------------------------------- closed forms, in tests
def qft_cx(n, swap_free=True):
    return n * (n - 1) + (0 if swap_free else 3 * (n // 2))


def momentum_cx(n):
    """e^{−iφm²}: all n(n−1)/2 pairs Z_iZ_j in one parity network (GraySynth), not one RZZ each."""
    return n * (n + 1) // 2 - 1 if n > 1 else 0


@pytest.mark.parametrize("name,qubits", [("dense-1d", 6), ("poly-1d", 8), ("poly-1d", 5),
                                         ("separable-2d", [3, 3]), ("cross-2d", [3, 2])])
def test_strang_step_closed_form(name, qubits):
    """One merged real-time Strang step: oracle + Σ_d (2 qft(n_d) + momentum(n_d))."""
    p = problem(name, qubits)
    oracle = PotentialOracle(p).cx_count()
    step = strang_step_cx_count(p)
    assert step == oracle + sum(2 * qft_cx(n) + momentum_cx(n) for n in p.grid.qubits)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.3, steps=3, order=2)
    assert program(spec).resources()["cx"] == 3 * step + oracle
    assert transpiled(qdq.build_circuit(spec)).count_ops()["cx"] == 3 * step + oracle


def test_oracle_closed_forms():
    """Dense group on m qubits: 2^m − 2 (Gray); quadratic: m(m+1)/2 − 1 (parity network)."""
    assert PotentialOracle(problem("dense-1d", 7)).cx_count() == 2**7 - 2
    assert PotentialOracle(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=8)).cx_count() == 35


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("swap_free", [True, False])
def test_kinetic_closed_form(n, swap_free):
    """2 qft(n) + n(n + 1)/2 − 1 (was n(n − 1) with one RZZ per pair)."""
    assert kinetic_cx_count(n, swap_free=swap_free) == 2 * qft_cx(n, swap_free) + momentum_cx(n)


def test_ucry_and_imaginary_closed_forms():
    """UCRY: 2^m; potential block 2^{m_g}; kinetic block 2^{n_d} + 2 qft(n_d)."""
    assert [ucry_cx_count(m) for m in range(6)] == [0, 2, 4, 8, 16, 32]
    p = problem("cross-2d", [3, 2])  # groups: x (3 qubits), y (2), x*y (5)
    counts = imaginary_block_cx_counts(p)
    assert sorted(counts["potential"].values()) == [4, 8, 32]
    assert counts["kinetic"] == {0: 8 + 2 * qft_cx(3), 1: 4 + 2 * qft_cx(2)}
    step = imaginary_step_cx_count(p)
    assert step == 44 + 20 + 8
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=4, order=2)
    assert imaginary_circuit_cx_count(spec) == 5 * 44 + 4 * 28
    qc = qdq.build_circuit(spec)
    assert transpiled(qc).count_ops()["cx"] == 5 * 44 + 4 * 28


def test_gray_walk_restricted_to_the_support_is_exact_and_cheaper():
    """A quartic on 8 qubits: the Walsh strings of weight <= 4 leave gaps in the Gray walk."""
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3.0, 3.0)], qubits=8)
    oracle = PotentialOracle(p)
    qc = oracle.circuit(0.05, 8)
    assert transpiled(qc).count_ops()["cx"] == oracle.cx_count() == 364 - 168 < 422 - 168
    diag = np.exp(-0.05j * p.grid.to_flat(p.values))
    np.testing.assert_allclose(np.diag(Operator(qc).data), diag, atol=1e-12)


# ----------------------------------------------------------------- long programs
def test_resources_of_a_long_program_are_cheap_and_linear():
    p = problem("dense-1d", 8)
    H = qdq.Hamiltonian(p, D=0.5)
    step, oracle = strang_step_cx_count(p), PotentialOracle(p).cx_count()
    t0 = time.perf_counter()
    res = program(qdq.RealTime(H, time=1.0, steps=10_000, order=2)).resources()
    assert time.perf_counter() - t0 < 10.0
    assert res["cx"] == 10_000 * step + oracle
    short = program(qdq.RealTime(H, time=1.0, steps=10, order=2)).resources()
    per_step_depth = (res["depth"] - short["depth"]) / 9_990
    assert per_step_depth == int(per_step_depth) > 0
    spec = qdq.ImaginaryTime(H, time=1.0, steps=10_000, order=1)
    res = program(spec, ancillas="reuse").resources()
    assert res["cx"] == 10_000 * imaginary_step_cx_count(p)
    assert res["measurements"] == 20_000 and res["ancillas"] == 1


# ----------------------------------------------------------------- simulator target
@pytest.mark.parametrize("kind,name,qubits,order", [("real", "dense-1d", 4, 2),
                                                    ("anneal", "cross-2d", [2, 2], 1),
                                                    ("real", "dense-cross-2d", [2, 2], 4),
                                                    ("imag", "cross-2d", [2, 2], 1),
                                                    ("imag", "dense-1d", 3, 2)])
def test_simulator_target_is_operator_equal(kind, name, qubits, order):
    spec = make_spec(kind, name, qubits, order, steps=1 if kind == "imag" else 2)
    prog = program(spec, ancillas="fresh")
    hw, sim = emit_qiskit(prog), emit_qiskit(prog, target="simulator")
    assert Operator(hw) == Operator(sim)  # global phase included
    names = set(sim.count_ops())
    assert ("multiplexer" if kind == "imag" else "diagonal") in names
    assert "cx" not in names or kind == "imag"
    assert len(sim.data) < len(hw.decompose().data)


def test_build_circuit_for_aer_target():
    spec = make_spec("real", "separable-2d", [3, 3], 2)
    sim = build_for(spec, target="simulator")
    assert Operator(sim) == Operator(qdq.build_circuit(spec))
    with pytest.raises(qdq.QdqError, match="target"):
        qdq.build_circuit(spec, target="gpu")


# ----------------------------------------------------------------- module hygiene
def test_circuit_modules_are_small_and_acyclic():
    root = Path(qdq.__file__).parent / "circuits"
    graph = {}
    for path in root.glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) <= 500, path.name
        deps = set()
        for node in ast.parse(text).body:  # module-level imports only
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "qdq.circuits."):
                deps.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = deps
    done = set()

    def visit(mod, stack):
        assert mod not in stack, f"import cycle: {' -> '.join([*stack, mod])}"
        if mod in done:
            return
        for dep in graph.get(mod, ()):
            visit(dep, [*stack, mod])
        done.add(mod)

    for mod in graph:
        visit(mod, [])
    assert "import" not in "".join(line for line in (root / "trotter.py").read_text()
                                   .splitlines() if "qdq.circuits.imaginary" in line)
    assert "import" not in "".join(line for line in (root / "imaginary.py").read_text()
                                   .splitlines() if "qdq.circuits.trotter" in line)


def test_pennylane_builder_lives_in_circuits():
    pl = pytest.importorskip("qdq.circuits.pennylane_emitter")
    import qdq.engines.pennylane as engine

    assert engine.to_pennylane is pl.to_pennylane
    assert "def to_pennylane" not in Path(engine.__file__).read_text()


def test_merged_term_groups_keep_the_operator():
    """camel-2d: x, y and x*y groups become one ZPhase; the step is still e^{−icζ} exactly."""
    p = problem("camel-2d", [2, 2])
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1, order=1)
    zph = [op for op in program(spec) if isinstance(op, ZPhase) and len(op.qubits) == 4]
    assert len(zph) == 1
    sim = build_for(spec, target="simulator")
    assert Operator(qdq.build_circuit(spec)) == Operator(sim)  # global phase included
