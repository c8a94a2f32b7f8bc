r"""Train tiny classifiers on sklearn's bundled 8×8 digits with any optax optimizer.

The harness behind ``bench/digits_training.py``: it compares optimizers (optax's and
:mod:`qdq.optax`'s QbO and two-loop) at **equal gradient evaluations** — every optimizer
gets ``epochs · ⌊n_train / batch_size⌋`` minibatch gradients of the same batches (the same
seed gives the same split, initial weights and batch order) — with each learning rate tuned
on a validation split by :func:`tune_learning_rate`.

* :func:`load_digits_split`: the 1 797 images of ``sklearn.datasets.load_digits`` (bundled
  with scikit-learn, no download), a stratified train/validation/test split, standardized
  with the training set's per-pixel mean and standard deviation.
* Models in pure JAX (:data:`MODELS`): multinomial logistic regression, a one-hidden-layer
  ReLU MLP and a small CNN (one 3×3 ``jax.lax.conv_general_dilated`` layer, 2×2 average
  pooling, a dense read-out). Loss: mean softmax cross-entropy.
* :func:`train`: all epochs in one jitted ``lax.scan`` (compiled once per model, optimizer
  and shape; other seeds reuse it); per-epoch history, test accuracy and loss.

Example:
    >>> sorted(MODELS), MODELS["cnn"]().name
    (['cnn', 'logistic', 'mlp'], 'cnn8')
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from qdq.classical.binary.qbo import check_count
from qdq.errors import ParameterError, require
from qdq.validate import check_seed

__all__ = ["DigitsSplit", "Model", "MODELS", "load_digits_split", "logistic", "mlp", "cnn",
           "train", "tune_learning_rate"]


@dataclass(frozen=True, eq=False)
class DigitsSplit:
    """Standardized digits: ``x_*`` float32 ``(n, 64)``, ``y_*`` int32 labels 0–9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    seed: int


def load_digits_split(seed: int = 0, *, val_fraction: float = 0.2,
                      test_fraction: float = 0.2) -> DigitsSplit:
    """Split scikit-learn's digits (stratified, seeded) into train/validation/test; standardize.

    Pixels are standardized with the **training** set's mean and standard deviation (a
    pixel that is constant there is only centred).

    Args:
        seed: Seed of the split.
        val_fraction: Share of all images for validation.
        test_fraction: Share of all images for the test set.
    """
    seed = check_seed(seed)
    if seed is None:
        raise ParameterError("seed must be an integer in [0, 2**63), got None")
    for name, v in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 0.5:
            raise ParameterError(f"{name} must be in (0, 0.5), got {v!r}")
    datasets = require("sklearn.datasets", "training")
    model_selection = require("sklearn.model_selection", "training")
    x, y = datasets.load_digits(return_X_y=True)
    split = functools.partial(model_selection.train_test_split,
                              random_state=seed % (2 ** 32))
    x_rest, x_test, y_rest, y_test = split(x, y, test_size=test_fraction, stratify=y)
    x_train, x_val, y_train, y_val = split(
        x_rest, y_rest, test_size=val_fraction / (1 - test_fraction), stratify=y_rest)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    f = lambda a: ((a - mean) / std).astype(np.float32)  # noqa: E731
    i = lambda a: np.asarray(a, dtype=np.int32)  # noqa: E731
    return DigitsSplit(f(x_train), i(y_train), f(x_val), i(y_val), f(x_test), i(y_test), seed)


@dataclass(frozen=True)
class Model:
    """A pure-JAX classifier: ``init(key) -> params`` and ``apply(params, x) -> logits``."""

    name: str
    init: Callable[[jax.Array], Any]
    apply: Callable[[Any, jax.Array], jax.Array]


def _dense(key: jax.Array, n_in: int, n_out: int) -> dict:
    return {"w": jax.random.normal(key, (n_in, n_out)) / math.sqrt(n_in),
            "b": jnp.zeros(n_out)}


def logistic(n_in: int = 64, n_classes: int = 10) -> Model:
    """Multinomial logistic regression, ``softmax(xW + b)``."""
    return Model("logistic", lambda key: _dense(key, n_in, n_classes),
                 lambda p, x: x @ p["w"] + p["b"])


def mlp(hidden: int = 64, n_in: int = 64, n_classes: int = 10) -> Model:
    """One hidden ReLU layer of ``hidden`` units."""
    hidden = check_count("hidden", hidden)

    def init(key):
        k1, k2 = jax.random.split(key)
        return {"h": _dense(k1, n_in, hidden), "o": _dense(k2, hidden, n_classes)}

    def apply(p, x):
        h = jax.nn.relu(x @ p["h"]["w"] + p["h"]["b"])
        return h @ p["o"]["w"] + p["o"]["b"]

    return Model(f"mlp{hidden}", init, apply)


def cnn(channels: int = 8, n_classes: int = 10) -> Model:
    """3×3 convolution (``channels`` filters, SAME) → ReLU → 2×2 average pool → dense."""
    channels = check_count("channels", channels)

    def init(key):
        k1, k2 = jax.random.split(key)
        return {"conv": {"w": jax.random.normal(k1, (3, 3, 1, channels)) / 3.0,
                         "b": jnp.zeros(channels)},
                "o": _dense(k2, 16 * channels, n_classes)}

    def apply(p, x):
        img = x.reshape(-1, 8, 8, 1)
        h = jax.lax.conv_general_dilated(img, p["conv"]["w"], (1, 1), "SAME",
                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
        h = jax.nn.relu(h + p["conv"]["b"])
        h = h.reshape(-1, 4, 2, 4, 2, channels).mean(axis=(2, 4))
        return h.reshape(h.shape[0], -1) @ p["o"]["w"] + p["o"]["b"]

    return Model(f"cnn{channels}", init, apply)


#: Model builders by name.
MODELS: dict[str, Callable[[], Model]] = {"logistic": logistic, "mlp": mlp, "cnn": cnn}


def _loss_acc(model: Model, params: Any, x: jax.Array, y: jax.Array):
    logits = model.apply(params, x)
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    return loss, jnp.mean(jnp.argmax(logits, axis=-1) == y)


@functools.lru_cache(maxsize=64)
def _compiled(model: Model, optimizer: optax.GradientTransformation) -> Callable:
    """The jitted whole run for one model and optimizer (shapes are traced per call)."""

    def run(key, x_tr, y_tr, x_val, y_val, x_te, y_te, batches):
        params = model.init(key)

        def step(carry, idx):
            p, s = carry
            loss, g = jax.value_and_grad(lambda q: _loss_acc(model, q, x_tr[idx],
                                                             y_tr[idx])[0])(p)
            u, s = optimizer.update(g, s, p)
            return (optax.apply_updates(p, u), s), loss

        def epoch(carry, idx_epoch):
            carry, losses = jax.lax.scan(step, carry, idx_epoch)
            vl, va = _loss_acc(model, carry[0], x_val, y_val)
            return carry, (losses.mean(), vl, va)

        (p, _), hist = jax.lax.scan(epoch, (params, optimizer.init(params)), batches)
        return hist, _loss_acc(model, p, x_te, y_te)

    return jax.jit(run)


def train(model: Model, optimizer: optax.GradientTransformation, data: DigitsSplit, *,
          epochs: int, batch_size: int, seed: int) -> dict:
    """Minibatch training; every optimizer gets the same batches and gradient count.

    Each epoch visits ``⌊n_train/batch_size⌋`` batches of a fresh permutation
    (``numpy.random.default_rng(seed)``; the remainder is dropped so every step's batch
    is full); initial weights from ``jax.random.PRNGKey(seed)``.

    Returns:
        ``dict(history, test_accuracy, test_loss, grad_evals, seconds)``: ``history`` holds
        per-epoch lists ``train_loss`` (mean over the epoch's batches), ``val_loss`` and
        ``val_accuracy``; ``grad_evals`` the minibatch gradients taken
        (``epochs·⌊n_train/batch_size⌋``). Losses may be NaN for a divergent run.
    """
    if not isinstance(model, Model):
        raise ParameterError(f"model must be a qdq.training.digits.Model (e.g. MODELS"
                             f"['logistic']()), got {type(model).__name__}")
    if not isinstance(optimizer, optax.GradientTransformation):
        raise ParameterError("optimizer must be an optax.GradientTransformation, got "
                             f"{type(optimizer).__name__}")
    epochs = check_count("epochs", epochs)
    batch_size = check_count("batch_size", batch_size)
    seed = check_seed(seed)
    n = len(data.y_train)
    if seed is None or batch_size > n:
        raise ParameterError(f"need a seed and batch_size <= {n} training images, got "
                             f"seed={seed!r}, batch_size={batch_size}")
    steps = n // batch_size
    rng = np.random.default_rng(seed)
    batches = np.stack([rng.permutation(n)[:steps * batch_size].reshape(steps, batch_size)
                        for _ in range(epochs)])
    t0 = time.perf_counter()
    hist, (test_loss, test_acc) = _compiled(model, optimizer)(
        jax.random.PRNGKey(seed % (2 ** 32)), data.x_train, data.y_train, data.x_val,
        data.y_val, data.x_test, data.y_test, batches)
    hist = [np.asarray(h, dtype=float).tolist() for h in hist]
    return {"history": {"train_loss": hist[0], "val_loss": hist[1], "val_accuracy": hist[2]},
            "test_accuracy": float(test_acc), "test_loss": float(test_loss),
            "grad_evals": epochs * steps, "seconds": time.perf_counter() - t0}


def tune_learning_rate(model: Model, make_optimizer: Callable[[float], Any],
                       grid: Sequence[float], data: DigitsSplit, *, epochs: int,
                       batch_size: int, seed: int = 0) -> tuple[float, dict[float, float]]:
    """The grid's learning rate of least final **validation** loss (NaN counts as ``inf``).

    Returns:
        ``(best learning rate, {learning rate: final validation loss})``; ties go to the
        first in ``grid``.
    """
    grid = [float(g) for g in grid]
    if not grid or not all(math.isfinite(g) and g > 0 for g in grid):
        raise ParameterError(f"grid must be a non-empty list of positive learning rates, "
                             f"got {grid!r}")
    scores = {}
    for lr in grid:
        v = train(model, make_optimizer(lr), data, epochs=epochs, batch_size=batch_size,
                  seed=seed)["history"]["val_loss"][-1]
        scores[lr] = v if math.isfinite(v) else math.inf
    return min(grid, key=lambda g: scores[g]), scores
