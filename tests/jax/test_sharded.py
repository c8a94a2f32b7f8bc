"""The sharded JAX engine (slab decomposition) against the numpy emulator.

One-device runs and input checks run in this process; runs on 2 and 4 CPU devices run in a
subprocess, because ``--xla_force_host_platform_device_count`` only acts before jax is
imported (and pytest may have imported it already).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax")

import qdq  # noqa: E402
from qdq.engines.emulator import run_emulator  # noqa: E402
from qdq.errors import ParameterError, ResourceError  # noqa: E402
from qdq.evolution import ProductFormula  # noqa: E402
from qdq.jax import sharded  # noqa: E402
from qdq.jax.sharded import FormulaPairs, check_shardable, run_sharded  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOL = 1e-12


def cases() -> dict:
    """Specs whose layout errors would show: unequal axes, a moving asymmetric packet."""
    p2 = qdq.Problem("x**2 + 0.5*y**2 + 0.3*x*y + 0.2*sin(3*y)", bounds=[(-2, 2), (-3, 3)],
                     qubits=[4, 5])
    p3 = qdq.Problem("x**2 + y**2 + 0.5*z**2 + 0.2*x*z", bounds=[(-2, 2)] * 3, qubits=[3, 4, 2])
    packet2 = qdq.GaussianPacket(center=[-0.5, 0.7], width=[0.5, 0.8], momentum=[1.0, -2.0])
    packet3 = qdq.GaussianPacket(center=[0.3, -0.4, 0.0], width=0.6, momentum=[1.0, 0.5, -1.0])
    H2 = qdq.Hamiltonian(p2, D=0.3)
    return {
        "real-o2": qdq.RealTime(H2, time=1.0, steps=20, order=2, initial=packet2),
        "real-o4": qdq.RealTime(H2, time=1.0, steps=7, order=4, initial=packet2),
        "imag-o1": qdq.ImaginaryTime(H2, time=2.0, steps=30, order=1, initial=packet2),
        "anneal": qdq.Anneal(p2, D=0.5, schedule="qhd-cubic", time=3.0, steps=50,
                             initial=packet2),
        "real-3d": qdq.RealTime(qdq.Hamiltonian(p3, D=0.4), time=0.8, steps=10,
                                initial=packet3),
    }


def compare(spec, result) -> dict:
    ref = run_emulator(spec)
    return {"state": float(np.abs(result.statevector - ref.statevector).max()),
            "probs": float(np.abs(result.probabilities - ref.probabilities).max()),
            "success": abs(result.success_probability - ref.success_probability),
            "factors": result.factors == ref.factors, "devices": result.extra["devices"]}


@pytest.mark.parametrize("name", ["real-o2", "imag-o1", "anneal", "real-3d"])
def test_one_device_matches_emulator(name):
    spec = cases()[name]
    out = compare(spec, run_sharded(spec, devices=1))
    assert out["state"] < TOL and out["success"] < TOL and out["factors"], out


def test_chunked_stream_matches_emulator():
    # 20 pairs in chunks of 7: three scans (7, 7, 6) and a trailing potential factor.
    spec = cases()["real-o2"]
    out = compare(spec, run_sharded(spec, devices=1, chunk=7))
    assert out["state"] < TOL and out["factors"], out


def test_tables_for_a_prefix_then_phases_on_the_fly(monkeypatch):
    # An anneal's first 2 pairs go into tables; every later chunk computes its phases.
    monkeypatch.setattr(sharded, "PREFIX_PAIRS", 2)
    spec = cases()["anneal"]
    out = compare(spec, run_sharded(spec, devices=1, chunk=1))
    assert out["state"] < TOL and out["factors"], out


def test_imaginary_time_reports_postselection_probability():
    spec = cases()["imag-o1"]
    r = run_sharded(spec, devices=1)
    ref = run_emulator(spec)
    assert 0 < r.success_probability < 0.5  # the damping really happened
    assert r.success_probability == pytest.approx(ref.success_probability, rel=1e-12)
    assert r.extra == {"devices": 1, "processes": 1, "platform": "cpu", "layout": "slab"}


def test_shots_sample_the_exact_distribution():
    spec = cases()["real-o2"]
    r = run_sharded(spec, devices=1, shots=4000, seed=3)
    assert r.statevector is None and r.shots == 4000
    # Same distribution to 1e-16 and the same seed: the same multinomial draw.
    ref = run_emulator(spec, shots=4000, seed=3)
    np.testing.assert_array_equal(r.probabilities, ref.probabilities)
    assert np.count_nonzero(r.probabilities) > 50


def test_formula_pairs_stream_in_chunks_with_a_trailing_potential():
    steps = (("potential", 0.5), ("kinetic", 1.0), ("potential", 1.0), ("kinetic", 1.0),
             ("potential", 1.0), ("kinetic", 2.0), ("potential", 0.5))
    pairs = FormulaPairs(ProductFormula("real", steps, 2), max_potential=1.0,
                         max_kinetic=1.0, chunk=2)
    chunks = [(cp.tolist(), ck.tolist()) for cp, ck in pairs]
    assert chunks == [([0.5, 1.0], [1.0, 1.0]), ([1.0], [2.0])]
    assert pairs.trailing == 0.5 and pairs.counts == {"potential": 4, "kinetic": 3}


def test_formula_pairs_start_with_kinetic_and_refuse_bad_coefficients():
    pairs = FormulaPairs(ProductFormula("real", (("kinetic", 1.0), ("potential", 2.0)), 1),
                         max_potential=1.0, max_kinetic=1.0)
    assert [(cp.tolist(), ck.tolist()) for cp, ck in pairs] == [([0.0], [1.0])]
    assert pairs.trailing == 2.0
    bad = FormulaPairs(ProductFormula("real", (("kinetic", float("nan")),), 1),
                       max_potential=1.0, max_kinetic=1.0)
    with pytest.raises(ParameterError, match="not finite"):
        list(bad)
    amplifying = FormulaPairs(ProductFormula("imaginary", (("kinetic", -1.0),), 1),
                              max_potential=1.0, max_kinetic=800.0)
    with pytest.raises(ParameterError, match="overflows"):
        list(amplifying)


def test_grids_that_cannot_be_split_are_refused():
    check_shardable((8, 8, 4), 8)
    with pytest.raises(ParameterError, match="1-D grid .*devices=2"):
        check_shardable((256,), 2)
    with pytest.raises(ParameterError, match="axis 1 has 2 points, not divisible by devices=4"):
        check_shardable((16, 2), 4)


@pytest.mark.parametrize("bad", [0, -1, True, "2", 2.0, []])
def test_bad_device_arguments_are_refused(bad):
    with pytest.raises(ParameterError, match="devices"):
        sharded.make_mesh(bad)


def test_more_devices_than_visible_is_a_resource_error():
    with pytest.raises(ResourceError, match="xla_force_host_platform_device_count"):
        sharded.make_mesh(1 << 12)


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
import jax
from qdq.jax.sharded import run_sharded
from qdq.errors import ParameterError
from tests.jax.test_sharded import cases, compare
assert jax.device_count() == 4, jax.devices()
out = {{}}
for name, spec in cases().items():
    for n in (2, 4):
        out[f"{{name}}/{{n}}"] = compare(spec, run_sharded(spec, devices=n))
import qdq
spec = cases()["imag-o1"]
r = qdq.run(spec, backend="jax", devices=4)
out["qdq.run"] = compare(spec, r)
p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=[4, 1])
try:
    run_sharded(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), steps=2), devices=4)
except ParameterError as exc:
    out["refused"] = str(exc)
print("RESULT " + json.dumps(out))
"""


def run_on_host_devices(script: str, count: int, timeout: float = 300) -> dict:
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={count}",
           "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


@pytest.mark.slow
def test_four_host_devices_match_the_emulator():
    out = run_on_host_devices(SCRIPT.format(root=str(ROOT)), 4)
    assert "not divisible by devices=4" in out.pop("refused")
    assert len(out) == 2 * len(cases()) + 1 and out["qdq.run"]["devices"] == 4
    for key, v in out.items():
        assert v["devices"] == int(key.rsplit("/", 1)[-1].replace("qdq.run", "4")), (key, v)
        assert v["state"] < TOL and v["probs"] < TOL and v["success"] < TOL, (key, v)
        assert v["factors"], (key, v)


def test_qdq_run_jax_routes_devices_to_the_sharded_engine():
    spec = cases()["real-o2"]
    with pytest.raises(ResourceError, match="devices=4096 but only"):
        qdq.run(spec, backend="jax", devices=4096)
    with pytest.raises(ParameterError, match="observe_every=2 is not available with devices=2"):
        qdq.run(spec, backend="jax", devices=2, observe_every=2)
