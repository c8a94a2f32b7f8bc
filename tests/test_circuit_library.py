"""The exported reference circuits (circuits/*.qasm) re-import and reproduce the manifest."""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.scripts import load_script

LIB = Path(__file__).resolve().parents[1] / "circuits"
MANIFEST = json.loads((LIB / "manifest.json").read_text())
RECORDS = MANIFEST["circuits"]
TOL = 1e-9


def _generator():
    return load_script("circuits/generate.py", "qdq_circuits_generate")


@pytest.fixture(scope="module")
def generator():
    return _generator()


def _decode(probs_flat, record):
    """Full probability vector (qubit i = bit i) -> (grid-shaped postselected probs, P_acc)."""
    lay = record["layout"]
    regs = lay["grid_registers"]
    grid_qubits = [q for r in regs for q in r["qubits"]]
    anc = lay["ancilla_register"]["qubits"] if lay["ancilla_register"] else []
    n = record["num_qubits"]
    assert sorted(grid_qubits + anc) == list(range(n))
    # Axis k of the C-ordered tensor is qubit n-1-k; move grid qubits of dimension 0 (LSB
    # first) ... to explicit positions so no ordering convention is assumed silently.
    t = np.asarray(probs_flat).reshape((2,) * n)
    axes = {q: n - 1 - q for q in range(n)}
    t = t[tuple(0 if q in anc else slice(None) for q in sorted(axes, key=axes.get))]
    kept = [q for q in sorted(axes, key=axes.get) if q not in anc]  # tensor axis order
    p_acc = float(t.sum())
    out = np.zeros([r["N"] for r in regs])
    for idx in np.ndindex(*t.shape):
        bits = dict(zip(kept, idx, strict=True))
        j = tuple(sum(bits[q] << i for i, q in enumerate(r["qubits"])) for r in regs)
        out[j] += t[idx]
    return out / p_acc, p_acc


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_qasm_reimports_and_reproduces_the_manifest(record):
    from qiskit import qasm3
    from qiskit_aer import AerSimulator

    text = (LIB / record["file"]).read_text()
    assert hashlib.sha256(text.encode()).hexdigest() == record["sha256"]
    qc = qasm3.loads(text)  # via qiskit-qasm3-import
    assert qc.num_qubits == record["num_qubits"]
    ops = dict(qc.count_ops())
    assert set(ops) <= set(MANIFEST["export"]["basis_gates"]) | {"measure"}
    assert ops.get("cx", 0) == record["cx_count"]
    assert ops["measure"] == qc.num_qubits  # plain unitary + final measurement of everything
    names = [r.name for r in qc.qregs]
    assert names[: len(record["layout"]["grid_registers"])] == [
        r["name"] for r in record["layout"]["grid_registers"]]
    bare = qc.remove_final_measurements(inplace=False)
    assert "measure" not in bare.count_ops()  # every measurement was final
    bare.save_statevector()
    sv = np.asarray(AerSimulator(method="statevector").run(bare).result().get_statevector())
    probs, p_acc = _decode(np.abs(sv) ** 2, record)
    want = np.asarray(record["expected"]["probabilities"])
    assert probs.shape == want.shape
    assert np.max(np.abs(probs - want)) <= TOL
    assert p_acc == pytest.approx(record["expected"]["success_probability"], rel=TOL)
    assert np.max(np.abs(want - 1 / want.size)) > 0.01  # the evolution did something
    if record["postselection"] is None:
        assert record["expected"]["success_probability"] == 1.0
    else:
        assert record["postselection"]["blocks"] == len(
            record["layout"]["ancilla_register"]["qubits"])
        assert 1e-3 < p_acc < 0.5  # the ancillas really postselect


def test_library_covers_the_canonical_problems_and_variants():
    have = {(r["problem"]["name"], r["variant"]) for r in RECORDS}
    assert have == {(p, v) for p in ("double_well", "harmonic", "rastrigin2d")
                    for v in ("real", "imag", "anneal")}
    rast = [r for r in RECORDS if r["problem"]["name"] == "rastrigin2d"]
    assert all(r["problem"]["qubits"] == [3, 3] for r in rast)
    files = sorted(p.name for p in LIB.glob("*.qasm"))
    assert files == sorted(r["file"] for r in RECORDS)


def test_generate_check_passes(generator, capsys):
    assert generator.main(["--check"]) == 0, capsys.readouterr().out


def test_check_reports_stale_missing_and_foreign_files(generator, tmp_path):
    files = generator.generate()
    for name in files:
        shutil.copy(LIB / name, tmp_path / name)
    assert generator.check(tmp_path, files) == []
    # a last-digit change in an angle is tolerated; a real change is not
    name = "harmonic_real.qasm"
    text = (tmp_path / name).read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("rz(") and "." in ln)
    literal = line[3:line.index(")")]

    def with_angle(value):
        return text.replace(line, line.replace(literal, repr(value), 1), 1)

    (tmp_path / name).write_text(with_angle(float(literal) * (1 + 1e-14)))
    assert generator.check(tmp_path, files) == []
    (tmp_path / name).write_text(with_angle(float(literal) + 1e-3))
    (tmp_path / "double_well_real.qasm").unlink()
    (tmp_path / "extra.qasm").write_text("OPENQASM 3.0;\n")
    bad = generator.check(tmp_path, files)
    assert bad == ["double_well_real.qasm (missing)", "harmonic_real.qasm (out of date)",
                   "extra.qasm (not generated by this script)"]


SMALL = {"rastrigin2d_imag.qasm", "rastrigin2d_real.qasm"}


@pytest.mark.parametrize("record", [
    pytest.param(r, id=r["file"], marks=() if r["file"] in SMALL else pytest.mark.slow)
    for r in RECORDS])
def test_pennylane_loads_the_gates(record):
    """A second toolchain: PennyLane's QASM 3 reader, as the README describes."""
    qml = pytest.importorskip("pennylane")
    pytest.importorskip("openqasm3")
    text = (LIB / record["file"]).read_text()
    gates = "\n".join(ln for ln in text.splitlines()
                      if not ln.startswith(("include", "bit[")) and "measure" not in ln)
    func = qml.from_qasm3(gates)
    lay = record["layout"]
    grid = [f"{r['name']}[{i}]" for r in lay["grid_registers"] for i in range(len(r["qubits"]))]
    anc = [] if lay["ancilla_register"] is None else [
        f"anc[{i}]" for i in range(len(lay["ancilla_register"]["qubits"]))]

    @qml.qnode(qml.device("lightning.qubit", wires=grid + anc))
    def probs():
        func()
        return qml.probs(wires=(grid + anc)[::-1])  # qubit i = bit i

    got, p_acc = _decode(np.asarray(probs()), record)
    assert np.max(np.abs(got - np.asarray(record["expected"]["probabilities"]))) <= TOL
    assert p_acc == pytest.approx(record["expected"]["success_probability"], rel=TOL)
