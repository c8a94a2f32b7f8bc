"""Aer and PennyLane declare their peak memory, refuse before building, and stay below it."""

import json
import subprocess
import sys
import textwrap

import pytest

import qdq
from qdq.engines.statevector_memory import AER_PEAK, PENNYLANE_PEAK, live_qubits
from qdq.errors import ResourceError

# The peak is the kernel's resident high-water mark, reset just before the run (writing 5
# to clear_refs): ru_maxrss would carry the parent's (the pytest worker's) peak over.
MEASURE = textwrap.dedent("""
    import json, sys
    import qdq

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

    n, backend = int(sys.argv[1]), sys.argv[2]
    p = qdq.Problem("x**2 + y**2", bounds=[(-2, 2)] * 2, qubits=[n // 2, n - n // 2])
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = status("VmRSS")
    opts = {"device": "default.qubit"} if backend == "pennylane" else {}
    qdq.run(spec, backend=backend, **opts)
    print(json.dumps({"base": base, "peak": status("VmHWM")}))
""")


def _measured(n: int, backend: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(n), backend], check=True,
                         capture_output=True, text=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("backend, peak, sizes", [("aer", AER_PEAK, (18, 21)),
                                                  ("pennylane", PENNYLANE_PEAK, (14, 18))])
def test_measured_peak_stays_below_the_declared_peak(backend, peak, sizes):
    if backend == "pennylane":
        pytest.importorskip("pennylane")
    for n in sizes:
        m = _measured(n, backend)
        used = m["peak"] - m["base"]          # what the run added to python + numpy + qdq
        assert 0 < used <= peak.bytes(n), (n, used / 2**20, peak.bytes(n) / 2**20)


@pytest.mark.parametrize("backend", ["aer", "pennylane"])
def test_a_run_that_cannot_fit_is_refused_before_building(backend, monkeypatch):
    import qdq.grid

    monkeypatch.setattr(qdq.grid, "available_memory_bytes", lambda: 64 << 20)
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4)
    spec = qdq.RealTime(qdq.Hamiltonian(p), time=0.1, steps=1)
    with pytest.raises(ResourceError, match=f"a {backend} statevector run of 4 qubits"):
        qdq.run(spec, backend=backend)


def test_live_qubits_count_the_ancillas_each_mode_holds():
    p = qdq.Problem("x**2 + y**2 + x*y", bounds=[(-1, 1)] * 2, qubits=3)
    real = qdq.RealTime(qdq.Hamiltonian(p), time=1.0, steps=2)
    imag = qdq.ImaginaryTime(qdq.Hamiltonian(p), time=1.0, steps=2)
    assert live_qubits(real, "exact") == 6
    exact, reuse, fresh = (live_qubits(imag, m) for m in ("exact", "reuse", "fresh"))
    assert exact == 6 + 3                      # the potential factor: one block per group
    assert 6 < reuse < fresh                   # fresh ancillas: one per block of the circuit
    assert fresh == 6 + qdq.circuits.program.program(imag, ancillas="fresh").num_ancillas
