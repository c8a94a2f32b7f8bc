"""The hypercube split across JAX devices (top bits) against the numpy emulator.

Runs on 2 and 4 CPU devices happen in a subprocess (``--xla_force_host_platform_device_count``
acts only before jax is imported), as in ``test_sharded.py``.
"""

import numpy as np
import pytest

pytest.importorskip("jax")

import qdq  # noqa: E402
from qdq.errors import ParameterError  # noqa: E402
from qdq.jax.sharded_bits import run_sharded_bits  # noqa: E402
from tests.jax.test_sharded import ROOT, run_on_host_devices  # noqa: E402

TOL = 1e-12


def cases() -> dict:
    b = qdq.BinaryProblem({(0, 1): -2.0, (1, 2, 3): 1.5, (4,): 0.5, (2, 5): -1.0, (0, 5): 0.7},
                          num_bits=6)
    return {"qaoa": qdq.QAOA(b, [0.5, 0.3, 0.2], [-0.4, -0.2, -0.1]),
            "real": qdq.RealTime(qdq.Hamiltonian(b, D=0.8), time=1.0, steps=12, order=2),
            "imaginary": qdq.ImaginaryTime(qdq.Hamiltonian(b, D=0.8), time=0.6, steps=12),
            "anneal": qdq.Anneal(b, schedule="linear", time=3.0, steps=30)}


def compare(spec, r) -> dict:
    emu = qdq.run(spec, backend="emulator")
    return {"state": float(np.max(np.abs(r.statevector - emu.statevector))),
            "success": abs(r.success_probability / emu.success_probability - 1),
            "moved": float(np.max(np.abs(emu.probabilities - 1 / emu.probabilities.size))),
            "devices": r.extra["devices"]}


def test_one_device_matches_the_emulator():
    for name, spec in cases().items():
        out = compare(spec, run_sharded_bits(spec, devices=1))
        assert out["state"] < TOL and out["success"] < TOL and out["moved"] > 1e-3, name


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
import jax, qdq
from tests.jax.test_sharded_bits import cases, compare
assert jax.device_count() == 4, jax.devices()
out = {{}}
for name, spec in cases().items():
    for n in (2, 4):
        out[f"{{name}}/{{n}}"] = compare(spec, qdq.run(spec, backend="jax", devices=n))
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
def test_two_and_four_host_devices_match_the_emulator():
    out = run_on_host_devices(SCRIPT.format(root=str(ROOT)), 4)
    assert len(out) == 2 * len(cases())
    for key, v in out.items():
        assert v["devices"] == int(key.rsplit("/", 1)[-1]), (key, v)
        assert v["state"] < TOL and v["success"] < TOL and v["moved"] > 1e-3, (key, v)


def test_bad_device_counts_and_other_kinetic_terms_are_refused():
    b = qdq.BinaryProblem({(0, 1): 1.0}, num_bits=2)
    with pytest.raises(ParameterError, match="power of two below 2\\^2"):
        run_sharded_bits(qdq.QAOA(b, [0.1], [0.1]), devices=[__import__("jax").devices()[0]] * 3)
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    with pytest.raises(ParameterError, match="hypercube"):
        run_sharded_bits(qdq.RealTime(qdq.Hamiltonian(p)), devices=1)
