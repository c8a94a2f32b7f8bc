"""Tests of qdq.twoloop: convergence per level (vs eigsh), carried state (vs dense expm), aer."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.sparse.linalg import eigsh

import qdq
from qdq.errors import ParameterError, PostselectionError
from qdq.twoloop import TRACE_COLUMNS, TwoLoop, TwoLoopResult
from tests.reference import dense_hamiltonian, fidelity


@pytest.fixture(scope="module")
def double_well():
    p = qdq.Problem(qdq.benchmarks.get("double_well"), qubits=6)
    out = TwoLoop(p, D0=1.0, ratio=0.5, levels=8, dtau=0.05, tol=1e-8,
                  max_inner_steps=4000).run()
    return p, out


def _ground_energy(p, D):
    H = dense_hamiltonian(np.asarray(p.values), p.grid.bounds, D)
    # shift-invert around the potential minimum: eigsh converges in a few iterations
    return float(eigsh(H, k=1, sigma=float(np.min(p.values)) - 1.0, which="LM")[0][0])


def test_each_level_converges_to_its_ground_energy(double_well):
    p, out = double_well
    assert [r["D"] for r in out.trace] == pytest.approx([0.5**k for k in range(8)])
    for row in out.trace:
        assert row["converged"]
        # order-2 fixed point: O(dtau²) away from the exact ground energy
        assert row["energy"] == pytest.approx(_ground_energy(p, row["D"]), abs=1e-4)
    energies = [r["energy"] for r in out.trace]
    assert np.all(np.diff(energies) < 0)  # dE₀/dD = ⟨−∇²⟩ > 0: lowering D lowers E₀


def test_final_state_concentrates_on_the_global_minimum(double_well):
    p, out = double_well
    n = p.grid.size
    assert out.p_global_min > 10 / n
    x_star = qdq.benchmarks.get("double_well").minimizer[0]
    assert abs(out.result.best_point[0] - x_star) <= p.grid.spacing[0]
    # the wrong (shallower) well x > 0 is essentially empty
    assert out.probabilities[p.grid.points[0] > 0].sum() < 1e-3
    gm = [r["p_global_min"] for r in out.trace]
    assert gm[-1] > 5 * gm[0]


def test_success_probability_is_the_product_over_levels(double_well):
    _, out = double_well
    levels = np.array([r["success_probability"] for r in out.trace])
    assert out.log_success == pytest.approx(np.sum(np.log(levels)), rel=1e-12)
    cum = np.exp(np.cumsum(np.log(levels)))
    np.testing.assert_allclose([r["cumulative_success"] for r in out.trace], cum, rtol=1e-9)
    assert out.success_probability == pytest.approx(cum[-1], rel=1e-9)
    assert 0 < out.success_probability < 1


def test_state_is_carried_across_levels_like_dense_expm():
    p = qdq.Problem("x**2 - 0.5*x", bounds=[(-2, 2)], qubits=4)
    dtau, n = 0.01, 20
    out = TwoLoop(p, D0=0.8, ratio=0.25, levels=2, dtau=dtau, chunk_steps=n,
                  max_inner_steps=n).run()
    psi = np.full(p.grid.size, 1 / 4.0, dtype=complex)
    for D in (0.8, 0.2):
        psi = expm(-dense_hamiltonian(np.asarray(p.values), p.grid.bounds, D) * n * dtau) @ psi
    assert fidelity(out.statevector, psi) > 1 - 1e-6
    # guard: restarting level 1 from the uniform state gives a visibly different state
    restart = expm(-dense_hamiltonian(np.asarray(p.values), p.grid.bounds, 0.2) * n * dtau) \
        @ np.full(p.grid.size, 0.25, dtype=complex)
    assert fidelity(out.statevector, restart) < 1 - 1e-3
    assert [r["inner_steps"] for r in out.trace] == [n, n]


def test_run_is_delegated_and_serializes():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    tl = TwoLoop(p, levels=2, dtau=0.1)
    out = qdq.run(tl, backend="emulator")
    assert isinstance(out, TwoLoopResult)
    assert set(out.trace[0]) == set(TRACE_COLUMNS)
    d = json.loads(json.dumps(out.to_dict()))
    assert d["spec"]["levels"] == 2 and len(d["trace"]) == 2
    assert out.result.method == "two-loop" and out.result.final_D == pytest.approx(0.5)
    assert out.table().count("\n") == 3
    summary = out.summary()
    assert summary["levels"] == 2 and summary["p_global_min"] == out.p_global_min
    assert summary["uniform_baseline"] == pytest.approx(1 / 8)
    assert "TwoLoopResult(2 levels on emulator" in repr(out)


def test_shots_sample_the_final_state():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    tl = TwoLoop(p, levels=2, dtau=0.1, tol=1e-4)
    exact = tl.run()
    n = 10**8  # P_success ≈ 6e-5 here, so about 5500 shots survive
    shots = tl.run(shots=n, seed=3)
    accepted = shots.result.accepted_shots
    assert shots.statevector is None and shots.result.shots == n
    assert shots.success_probability == accepted / n
    p_s = exact.success_probability
    assert abs(accepted - n * p_s) < 5 * np.sqrt(n * p_s)
    np.testing.assert_allclose(shots.probabilities, exact.probabilities,
                               atol=5 * np.sqrt(0.25 / accepted))
    with pytest.raises(PostselectionError, match="no shot of 1 survived"):
        TwoLoop(qdq.Problem(qdq.benchmarks.get("double_well"), qubits=5), levels=3).run(
            shots=1, seed=0)


def test_aer_trace_matches_the_emulator():
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=3)
    tl = TwoLoop(p, D0=1.0, ratio=0.5, levels=2, dtau=0.05, chunk_steps=5, max_inner_steps=10,
                 tol=1e-5)
    emu, aer = tl.run(backend="emulator"), tl.run(backend="aer")
    assert aer.result.backend == "aer"
    for a, b in zip(emu.trace, aer.trace, strict=True):
        for key in ("energy", "potential", "p_global_min"):
            assert a[key] == pytest.approx(b[key], abs=1e-9)
        assert a["success_probability"] == pytest.approx(b["success_probability"], rel=1e-9)
        assert a["inner_steps"] == b["inner_steps"]
    assert fidelity(emu.statevector, aer.statevector) > 1 - 1e-9


@pytest.mark.parametrize("kw,match", [
    ({"ratio": 1.0}, r"ratio must be in \(0, 1\)"),
    ({"ratio": 0.0}, "ratio must be finite and > 0, got 0.0"),
    ({"levels": 0}, "levels must be an integer >= 1, got 0"),
    ({"D0": -1.0}, "D0 must be finite and > 0, got -1.0"),
    ({"dtau": float("nan")}, "dtau must be finite and > 0"),
    ({"tol": 0.0}, "tol must be finite and > 0"),
    ({"chunk_steps": 10, "max_inner_steps": 5}, "max_inner_steps=5 is below chunk_steps=10"),
    ({"order": 4}, "order must be 1 or 2 for imaginary time, got 4"),
    ({"initial": "gaussian"}, "unknown initial state 'gaussian'"),
])
def test_bad_parameters_are_rejected(kw, match):
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    with pytest.raises(ParameterError, match=match):
        TwoLoop(p, **kw)


def test_needs_a_problem():
    with pytest.raises(ParameterError,
                       match="TwoLoop needs a qdq.Problem or qdq.BinaryProblem, got str"):
        TwoLoop("x**2")
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    with pytest.raises(ParameterError, match="shots must be None"):
        TwoLoop(p, levels=1).run(shots=0)


# ------------------------------------------------------------ levels limits (issue 17)
@pytest.mark.parametrize("kwargs, match", [
    ({"levels": 10**9}, "levels must be <= 1,023 .*got levels=1000000000"),
    ({"levels": 1024}, "got levels=1024"),
    ({"levels": 10**6, "ratio": 0.999999}, "at most 100,000.*got levels=1000000"),
    ({"levels": 0}, "levels must be an integer >= 1, got 0"),
    ({"levels": 2.0}, "got 2.0"),
])
def test_twoloop_refuses_levels_it_cannot_run(kwargs, match):
    import time

    from qdq.errors import ParameterError

    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match=match):
        qdq.TwoLoop(p, **kwargs)
    assert time.perf_counter() - t0 < 1


def test_max_levels_is_where_D_underflows():
    import numpy as np

    from qdq.twoloop import max_levels

    n = max_levels(1.0, 0.5)
    assert 0.5 ** (n - 1) >= np.finfo(float).tiny > 0.5**n
    tl = qdq.TwoLoop(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3), levels=n)
    assert tl.diffusion_constants[-1] > 0
