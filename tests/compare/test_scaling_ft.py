"""Issue 17: the fault-tolerant time per shot is exponential in d, and the r = 0.1 side run.

* ``scalingplot.extrapolate`` multiplies the anneal's extrapolated shots by FT seconds per
  shot; those must follow the estimates' own model (a constant factor per added
  dimension), not a power law in d, which put d = 12 about 10⁵ too low.
* ``qdq.estimate`` really grows that way on a dense oracle (checked when qdk is installed).
* ``bench/tts_scaling.py`` (the README's side run) scans every registered classical method
  and writes strict JSON with its verdicts.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qdq.compare.registry import MethodInfo, registered
from qdq.compare.scalingplot import _seconds_per_unit
from qdq.compare.study import fit_exponent
from tests.scripts import load_script


def _quantum_points(seconds_per_shot: dict[int, float], tts: float = 10.0) -> list[dict]:
    return [{"d": d, "tts": tts, "cost_units": {"tts99_ft_s": s * tts}}
            for d, s in seconds_per_shot.items()]


def test_extrapolated_ft_seconds_grow_by_the_estimates_factor_per_dimension():
    # 9× per added dimension, as qdq.estimate gives on a dense oracle
    pts = _quantum_points({d: 0.2 * 9.0**d for d in (1, 2, 3, 4)})
    sec, basis = _seconds_per_unit(pts, "quantum", 12)
    assert sec == pytest.approx(0.2 * 9.0**12, rel=1e-9)     # a power law gives ~10⁵ less
    assert "9^d" in basis
    assert _seconds_per_unit(pts[:1], "quantum", 8)[1] == "FT s/shot ∝ d"   # one size only


def _bench():
    return load_script("bench/tts_scaling.py", "tts_scaling_bench")


def test_bench_verdicts_resolve_only_separated_intervals():
    bench = _bench()
    q = {"method": "anneal", "base": 2.0, "base_low": 1.9, "base_high": 2.1}
    fits = [q, {"method": "a", "base": 6.0, "base_low": 3.0, "base_high": math.inf},
            {"method": "b", "base": 3.0, "base_low": 2.0, "base_high": 9.0},
            {"method": "c", "base": 1.2, "base_low": 1.0, "base_high": 1.5},
            {"method": "random", "base": 9.0, "base_low": 5.0, "base_high": 20.0}]
    pts = [{"method": m, "d": 3, "tts": 5.0, "category": "classical"} for m in "abc"]
    pts += [{"method": "a", "d": 4, "tts": 5.0, "category": "classical"},
            {"method": "b", "d": 4, "tts": math.inf, "category": "classical"},
            {"method": "random", "d": 4, "tts": 5.0, "category": "baseline"}]
    v = {r["method"]: r for r in bench.verdicts(fits, pts)}
    assert set(v) == {"a", "b", "c"}                       # baselines are not classical rows
    assert (v["a"]["resolved"], v["a"]["quantum_wins"]) == (True, True)
    assert (v["b"]["resolved"], v["b"]["quantum_wins"]) == (False, None)   # overlap
    assert (v["c"]["resolved"], v["c"]["quantum_wins"]) == (True, False)
    assert [v[m]["success_at_max_d"] for m in "abc"] == [True, False, False]


def _first_grid_point(problem, budget, seed, options):
    idx = np.unravel_index(0, problem.grid.shape)
    x = [float(problem.grid.points[d][i]) for d, i in enumerate(idx)]
    value = float(problem.values[idx])
    return {"x": x, "value": value, "evals": 1, "history": [[1.0, value]]}


def test_bench_scans_every_registered_classical_method_and_writes_strict_json(tmp_path):
    bench = _bench()
    out = tmp_path / "tts.json"
    with registered(MethodInfo("toy-classical", "classical", _first_grid_point)):
        payload = bench.main(["--dims", "1-2", "--repeats", "2", "--shots", "20",
                              "--budgets", "20", "--steps", "10", "--out", str(out)])
    from qdq.compare.registry import method_names
    assert set(payload["classical_methods"]) == set(method_names("classical")) | \
        {"toy-classical"}
    assert {f["method"] for f in payload["fits"]} >= {"anneal", "toy-classical", "dmc"}
    text = out.read_text()
    assert "Infinity" not in text and "NaN" not in text
    stored = json.loads(text)
    assert stored["qubits"] == 3 and stored["radius"] == 0.1
    assert {v["method"] for v in stored["verdicts"]} == set(payload["classical_methods"])


def test_estimates_on_a_dense_oracle_are_exponential_in_d_not_a_power_law():
    pytest.importorskip("qdk.qre")
    from qdq import benchmarks
    from qdq.compare.ftcost import evolution_spec
    from qdq.compare.methods import MethodSetting
    from qdq.estimate import estimate
    from qdq.problem import Problem

    dims, secs = [1, 2, 3, 4], []
    for d in dims:
        fn = benchmarks.get("ackley", d).rescaled()
        spec = evolution_spec(Problem(fn, qubits=3), "anneal",
                              MethodSetting("anneal", {"steps": 20}).options_for(fn.bounds))
        secs.append(estimate(spec).runtime_seconds)
    ratios = np.array(secs[1:]) / np.array(secs[:-1])
    assert np.all(ratios > 4)                     # a large factor per added dimension
    ex, pw = fit_exponent(dims, secs), fit_exponent(dims, secs, log_x=True)

    def rss(f, x):
        return sum((math.log(s) - f["intercept"] - f["slope"] * xi) ** 2
                   for xi, s in zip(x, secs, strict=True))

    assert rss(ex, dims) < rss(pw, np.log(dims)) / 4
