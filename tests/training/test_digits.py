"""qdq.training.digits: split, models, seeded training loop, learning-rate tuning."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")

from qdq.errors import ParameterError  # noqa: E402
from qdq.training.digits import (  # noqa: E402
    MODELS,
    load_digits_split,
    train,
    tune_learning_rate,
)


@pytest.fixture(scope="module")
def data():
    return load_digits_split(0)


def test_split_is_stratified_disjoint_and_standardized(data):
    n = len(data.y_train) + len(data.y_val) + len(data.y_test)
    assert n == 1797 and len(data.y_test) == 360 and len(data.y_val) == 360
    assert set(np.unique(data.y_test)) == set(range(10))
    np.testing.assert_allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    rows = {r.tobytes() for r in data.x_train}
    assert sum(r.tobytes() in rows for r in data.x_test) < 5     # (a few duplicate images)
    again = load_digits_split(0)
    np.testing.assert_array_equal(again.x_val, data.x_val)
    assert not np.array_equal(load_digits_split(1).y_test, data.y_test)


def test_logistic_adam_beats_90_percent_and_is_reproducible(data):
    model, opt = MODELS["logistic"](), optax.adam(1e-2)
    r = train(model, opt, data, epochs=8, batch_size=64, seed=0)
    assert r["test_accuracy"] > 0.9                           # chance is 0.1
    assert r["grad_evals"] == 8 * (1077 // 64)
    assert r["history"]["val_loss"][-1] < 0.5 * r["history"]["val_loss"][0] + 1e-9 or \
        r["history"]["train_loss"][-1] < r["history"]["train_loss"][0]
    assert train(model, opt, data, epochs=8, batch_size=64, seed=0)["history"] == r["history"]
    other = train(model, opt, data, epochs=8, batch_size=64, seed=1)["history"]
    assert other != r["history"]
    best, scores = tune_learning_rate(model, lambda lr: opt if lr == 1e-2 else
                                      optax.sgd(lr), [1e-2, 1e-9], data, epochs=8,
                                      batch_size=64)
    assert best == 1e-2 and scores[1e-9] > scores[1e-2]       # a frozen model loses


@pytest.mark.parametrize("call", [
    lambda d: train(MODELS["logistic"](), "adam", d, epochs=1, batch_size=8, seed=0),
    lambda d: train(MODELS["logistic"](), optax.sgd(0.1), d, epochs=0, batch_size=8, seed=0),
    lambda d: train(MODELS["logistic"](), optax.sgd(0.1), d, epochs=1, batch_size=10**6,
                    seed=0),
    lambda d: tune_learning_rate(MODELS["logistic"](), optax.sgd, [], d, epochs=1,
                                 batch_size=8),
    lambda d: load_digits_split(0, test_fraction=0.7),
])
def test_bad_arguments_raise_parameter_error(data, call):
    with pytest.raises(ParameterError, match="got"):
        call(data)
