"""Time to solution: closed form, bootstrap intervals (coverage), edges, report columns."""

import json
import math

import numpy as np
import pytest

import qdq
from qdq.compare.cells import shot_hits
from qdq.compare.metrics import SuccessCriterion
from qdq.compare.tts import (
    TTS_COLUMNS,
    attempts_to_target,
    bootstrap_tts,
    format_tts,
    method_tts,
    tts99,
    tts_columns,
)
from qdq.errors import ParameterError


def test_closed_form_and_edges():
    p = np.array([0.01, 0.1, 0.5, 0.9])
    expected = 7.0 * np.log(0.01) / np.log(1 - p)
    np.testing.assert_allclose(tts99(p, 7.0), expected, rtol=1e-12)
    assert float(tts99(1.0, 7.0)) == 7.0            # one attempt always suffices
    assert float(tts99(0.995, 7.0)) == 7.0          # never less than one attempt
    assert math.isinf(float(tts99(0.0, 7.0)))
    assert attempts_to_target(0.5, target=0.5).item() == 1.0
    with pytest.raises(ParameterError, match="got"):
        attempts_to_target(1.5)
    with pytest.raises(ParameterError, match="target"):
        tts99(0.5, 1.0, target=1.0)


def test_zero_and_one_are_shown_and_json_safe():
    none = bootstrap_tts([0] * 20, [50] * 20)
    assert none.infinite and math.isinf(none.high) and none.p == 0.0
    # lower bound from the Wilson upper bound of p (0 of 20: 0.1611)
    assert none.low == pytest.approx(50 * math.log(0.01) / math.log(1 - 0.16113), rel=1e-3)
    d = none.to_dict()
    assert d == {"tts99": None, "tts99_low": pytest.approx(none.low), "tts99_high": None,
                 "tts99_inf": True}
    json.dumps(d, allow_nan=False)
    assert format_tts(d).startswith("∞ (> ")
    every = bootstrap_tts([1] * 20, [50] * 20)
    assert every.value == 50.0 and every.low == 50.0 and not every.infinite
    # all 20 succeeded: Wilson lower bound 0.8389 gives the upper end
    assert every.high == pytest.approx(50 * math.log(0.01) / math.log(1 - 0.83887), rel=1e-3)


def test_bootstrap_matches_an_independent_bootstrap():
    rng = np.random.default_rng(5)
    hits = (rng.random(40) < 0.35).astype(float)
    costs = rng.integers(80, 120, size=40).astype(float)   # runs stop early: costs vary
    est = bootstrap_tts(hits, costs, n_boot=4000, seed=1)
    p, c = hits.mean(), costs.mean()
    assert est.value == pytest.approx(c * math.log(0.01) / math.log(1 - p))
    # a plain loop bootstrap with another generator
    other = np.random.default_rng(99)
    reps = []
    for _ in range(4000):
        i = other.integers(0, 40, 40)
        ps, cs = hits[i].mean(), costs[i].mean()
        reps.append(math.inf if ps == 0 else cs * max(1.0, math.log(0.01) / math.log(1 - ps)))
    lo, hi = np.quantile(reps, [0.025, 0.975], method="inverted_cdf")
    assert est.low == pytest.approx(lo, rel=0.08)
    assert est.high == pytest.approx(hi, rel=0.12)
    assert est.low < est.value < est.high


def test_interval_coverage_on_bernoulli_data():
    """95 % intervals cover the true TTS in 92-98 % of 600 synthetic experiments."""
    rng = np.random.default_rng(2024)
    p_true, n, cost = 0.3, 120, 10.0
    truth = cost * math.log(0.01) / math.log(1 - p_true)
    covered = 0
    trials = 600
    for t in range(trials):
        hits = (rng.random(n) < p_true).astype(float)
        est = bootstrap_tts(hits, np.full(n, cost), n_boot=1000, seed=t)
        covered += est.low <= truth <= est.high
    assert 0.92 <= covered / trials <= 0.98


def test_quantum_tts_uses_exact_p_and_shot_hits():
    dist = {"success_probability": 0.5, "shot_success": 0.2, "cx_per_shot": 1000,
            "potential_factors": 40, "ft_runtime_per_shot": 0.01}
    cells = [{"shots": 100, "evals": 50, "shot_hits": h} for h in (9, 11, 10, 10)]
    cols = tts_columns("quantum", cells, dist)
    attempts = math.log(0.01) / math.log(1 - 0.1)
    assert cols["tts_unit"] == "shots" and cols["p_attempt"] == pytest.approx(0.1)
    assert cols["tts99"] == pytest.approx(attempts)
    assert cols["tts99_cx"] == pytest.approx(1000 * attempts)
    assert cols["tts99_oracle_calls"] == pytest.approx(40 * attempts)
    assert cols["tts99_ft_s"] == pytest.approx(0.01 * attempts)
    assert cols["tts99_evals"] == pytest.approx(0.5 * attempts)   # rejected shots: no eval
    assert cols["tts99_cpu_s"] is None
    assert cols["tts99_low"] < cols["tts99"] < cols["tts99_high"]
    old = [{"shots": 100, "evals": 50}]        # stored before shot_hits existed
    est = method_tts("quantum", old, dist)
    assert est.value == pytest.approx(attempts) and math.isnan(est.low)
    assert tts_columns("quantum", old, dist)["tts99_low"] is None


def test_shot_hits_agree_with_the_mass_within_radius():
    p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1), (-1, 1)], qubits=4)
    crit = SuccessCriterion((0.0, 0.0), 0.3, 0.0, None)
    idx = np.arange(p.grid.size)
    inside = shot_hits(p, idx, p.values.reshape(-1), crit)
    mass = qdq.results.mass_within_radius(np.full(p.grid.shape, 1 / p.grid.size), p.grid,
                                          (0.0, 0.0), 0.3)
    assert inside == round(mass * p.grid.size) and inside > 0


def test_report_rows_carry_tts_for_every_method():
    p = qdq.Problem("(x - 0.25)**2 + (y + 0.5)**2", bounds=[(-1, 1), (-1, 1)], qubits=4,
                    minimizer=[0.25, -0.5], minimum=0.0)
    rep = qdq.compare(p, methods=[("anneal", {"steps": 40}), "dual_annealing"], repeats=6,
                      budget=400, radius=0.2, progress=False)
    for r in rep.table:
        assert set(TTS_COLUMNS) <= set(r)
        assert r["tts99_inf"] or r["tts99_low"] <= r["tts99"] <= r["tts99_high"]
    q = rep.row("anneal[steps=40]")
    d = rep.distribution_cell(p.name, "anneal[steps=40]")
    hits = sum(c["shot_hits"] for c in rep.seed_cells(p.name, "anneal[steps=40]"))
    p_exact = d["success_probability"] * d["shot_success"]
    assert q["p_attempt"] == pytest.approx(p_exact)
    se = math.sqrt(p_exact * (1 - p_exact) / 2400)
    assert abs(hits / 2400 - p_exact) < 5 * se + 1e-9
    g = rep.row("grid-argmin")
    assert (g["tts99"], g["tts99_low"], g["tts99_high"]) == (256.0, 256.0, 256.0)
    md = rep.to_markdown()
    assert "## Time to solution (99 %)" in md and "TTS99 [95% CI]" in md
    header = rep.to_csv().splitlines()[0].split(",")
    assert "tts99" in header and "tts99_high" in header and "tts_unit" in header
