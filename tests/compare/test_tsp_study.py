"""The fair TSP study: gaps against published optima, TTS to within 1 %."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdq.binary.benchsets import instance
from qdq.classical.binary.permutation import fair_sa_schedule, sa_two_opt
from qdq.compare.tsp_study import best_rows, run_study, summarize
from qdq.errors import ParameterError


def test_study_rows_match_direct_runs_and_published_optimum():
    rows = run_study(["burma14"], budgets=[3000], repeats=3, ortools=False,
                     method_names=["SA, their schedule (T₀ 1000, α 0.9995)"])
    hk, sa = rows
    assert hk["method"].startswith("Held–Karp") and hk["mean_gap_pct"] == 0.0
    D = instance("tsplib:burma14")[0].distances
    gaps = [100 * (sa_two_opt(D, seed=s, iterations=3000, T_min=0.1 / 3000).length - 3323)
            / 3323 for s in range(3)]
    assert sa["mean_gap_pct"] == pytest.approx(np.mean(gaps), abs=1e-12)
    assert sa["best_gap_pct"] == pytest.approx(min(gaps), abs=1e-12)
    assert sa["p"] == np.mean(np.array(gaps) <= 1.0)
    assert max(gaps) > 0    # non-trivial: 3000 proposals do not always reach the optimum
    assert sa["mean_evals"] == 3000


def test_summarize_tts_formula_and_p_zero_bound():
    s = summarize([0.0, 2.0, 0.5, 3.0], [100.0] * 4, [0.1] * 4)
    assert s["tts_evals"] == pytest.approx(100 * math.log(0.01) / math.log(0.5))
    assert s["tts_evals_low"] <= s["tts_evals"] <= s["tts_evals_high"]
    z = summarize([2.0, 3.0, 5.0], [10.0] * 3, [1.0] * 3)
    assert z["p"] == 0 and math.isinf(z["tts_evals"]) and 10 < z["tts_evals_low"] < math.inf
    best = best_rows([{"instance": "a", "method": "m", "tts_evals": math.inf,
                       "mean_gap_pct": 2.0},
                      {"instance": "a", "method": "m", "tts_evals": math.inf,
                       "mean_gap_pct": 1.0}])
    assert best[0]["mean_gap_pct"] == 1.0


def test_ortools_rows_reach_the_optimum():
    pytest.importorskip("ortools.constraint_solver.pywrapcp")
    rows = run_study(["burma14"], budgets=[500], repeats=2, ortools_limit=0.3,
                     method_names=["2-opt descent, restarts"])
    ort = [r for r in rows if r["method"].startswith("OR-Tools")]
    assert [r["time_limit_s"] for r in ort] == pytest.approx([0.003, 0.03, 0.3])
    assert ort[-1]["mean_gap_pct"] == 0.0 and ort[-1]["p"] == 1.0
    assert ort[-1]["tts_evals"] is None and ort[-1]["tts_cpu"] > 0


@pytest.mark.parametrize("kw, text", [
    ({"method_names": ["nope"]}, "unknown method"),
    ({"budgets": [5]}, "got \\[5\\]"),
    ({"repeats": 1}, "got 1"),
])
def test_bad_arguments(kw, text):
    args = {"instances": ["burma14"], "budgets": [100], "repeats": 2, "ortools": False, **kw}
    with pytest.raises(ParameterError, match=text):
        run_study(**args)
    with pytest.raises(ParameterError, match="got 0"):
        fair_sa_schedule(np.ones((4, 4)), 0)
