import json
import time

import numpy as np

from qdq.classical.budget import CountedObjective
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter


def _outcome(**extra):
    return ClassicalOutcome(
        method="demo",
        x=np.array([0.25, -1.0]),
        fun=0.125,
        nfev=42,
        nit=3,
        wall_time=0.5,
        history=np.array([[1.0, 2.0], [10.0, 0.125]]),
        extra=extra,
    )


def test_repr_is_readable_and_short():
    r = repr(_outcome(trace=np.arange(10_000.0), E0=0.7071067811, flag=True))
    assert r.startswith("ClassicalOutcome(method='demo', fun=0.125, x=[0.25, -1]")
    assert "nfev=42" in r and "nit=3" in r
    assert "'trace': array(shape=(10000,))" in r
    assert "'E0': 0.707107" in r
    assert len(r) < 300


def test_to_dict_is_json_serializable():
    out = _outcome(walkers=np.zeros((2, 2)), E0=np.float64(1.5), n=np.int64(3))
    d = json.loads(json.dumps(out.to_dict()))
    assert d["x"] == [0.25, -1.0]
    assert d["history"] == [[1.0, 2.0], [10.0, 0.125]]
    assert d["extra"] == {"walkers": [[0.0, 0.0], [0.0, 0.0]], "E0": 1.5, "n": 3}
    assert d["nfev"] == 42 and d["method"] == "demo"


def test_outcome_from_counter_uses_best_and_closes_history():
    c = CountedObjective(lambda x: (x - 0.5) ** 2, [(0, 1)], budget=10)
    c(np.array([[0.0], [0.5], [1.0]]))
    out = outcome_from_counter("m", c, nit=1, t0=time.perf_counter())
    assert out.x.tolist() == [0.5] and out.fun == 0.0 and out.nfev == 3
    np.testing.assert_array_equal(out.history, [[1, 0.25], [2, 0.0], [3, 0.0]])


def test_outcome_from_counter_before_any_evaluation():
    c = CountedObjective(lambda x: x, [(0, 1)], budget=1)
    out = outcome_from_counter("m", c, nit=0, t0=time.perf_counter())
    assert np.isnan(out.x).all() and out.fun == np.inf and out.history.shape == (0, 2)
