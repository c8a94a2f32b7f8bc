"""The emulator's declared peak memory: measured below it, refused above what is available."""

import json
import os
import subprocess
import sys

import pytest

import qdq
from qdq.engines import emulator
from qdq.errors import ResourceError

# Measures VmHWM (peak RSS, FFT library buffers included) around one run per spec, after
# resetting it through /proc/self/clear_refs; prints JSON {name: [measured, declared, N]}.
_MEASURE = r"""
import json, sys
import qdq
from qdq.engines.emulator import peak_bytes, run_emulator

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

n = int(sys.argv[1])
p1 = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=n)
p2 = qdq.Problem("x**2 + y**2 + 0.1*x*y", bounds=[(-3, 3)] * 2, qubits=[n // 2, n - n // 2])
H1, H2 = qdq.Hamiltonian(p1, D=0.05), qdq.Hamiltonian(p2, D=0.05)
specs = {
    "real": qdq.RealTime(H1, time=1.0, steps=3),
    "imaginary": qdq.ImaginaryTime(H1, time=1.0, steps=3),
    "anneal": qdq.Anneal(p1, D=0.5, schedule="qhd-cubic", time=1.0, steps=4),
    "anneal-2d": qdq.Anneal(p2, D=0.5, schedule="qhd-cubic", time=1.0, steps=4),
    "real-2d": qdq.RealTime(H2, time=1.0, steps=3),
}
for p in (p1, p2):
    p.grid.momenta, p.terms
out = {}
for name, spec in specs.items():
    open("/proc/self/clear_refs", "w").write("5")
    base = status("VmRSS:")
    r = run_emulator(spec)
    out[name] = [status("VmHWM:") - base, peak_bytes(spec), spec.grid.size]
    del r
print(json.dumps(out))
print(json.dumps({k: round(v[0] / v[2], 1) for k, v in out.items()}), file=sys.stderr)
"""


def _can_reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _can_reset_peak(), reason="needs Linux /proc/self/clear_refs")
@pytest.mark.parametrize("qubits", [20, 22])
def test_measured_peak_is_below_declared(qubits):
    # A fixed mmap threshold: freed arrays go back to the OS, so one run's peak is not
    # hidden by pages a previous run left in the heap.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MALLOC_MMAP_THRESHOLD_="131072")
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(qubits)], capture_output=True,
                          text=True, env=env, timeout=300, check=True)
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (measured, declared, n) in rows.items():
        assert measured > 16 * n, (name, measured)  # it did hold the state
        assert measured <= declared, (name, measured / n, declared / n)
        if qubits >= 22:
            assert declared / n <= 64, (name, declared / n)


def test_declared_figure_is_at_most_64_bytes_per_amplitude():
    assert emulator.PEAK_BYTES_PER_AMP <= 64
    for n in (22, 24, 26, 28):
        p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4)
        # peak_bytes reads only the grid: a 2^n spec without building it.
        spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5))
        spec.problem = type("P", (), {"grid": qdq.Grid.__new__(qdq.Grid)})()
        object.__setattr__(spec.problem.grid, "bounds", ((-1.0, 1.0),))
        object.__setattr__(spec.problem.grid, "qubits", (n,))
        assert emulator.peak_bytes(spec) / 2**n <= 64


def test_run_is_refused_before_allocating(monkeypatch):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=12)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=2)
    need = emulator.peak_bytes(spec)
    monkeypatch.setattr("qdq.grid.available_memory_bytes", lambda: need)  # 80% usable < need
    calls = []
    monkeypatch.setattr(emulator, "evolve", lambda *a, **k: calls.append(1))
    with pytest.raises(ResourceError, match=r"needs \d+\.\d+ GiB but only \d+\.\d+ GiB"):
        qdq.run(spec, backend="emulator")
    assert not calls
    monkeypatch.setattr("qdq.grid.available_memory_bytes", lambda: 2 * need)
    monkeypatch.undo()
    assert qdq.run(spec).probabilities.shape == (4096,)
