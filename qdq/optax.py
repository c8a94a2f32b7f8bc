r"""Quantization-based optimization (Seok & Cho) and the two-loop schedule as optax transforms.

**QbO for gradient training** (:func:`qbo`, :func:`quantize_updates`). Seok & Cho read the
rounding error of a quantized parameter update as thermal noise: the update ``h`` (``−η∇f``
for SGD, Adam's step for Adam) is put on a grid of step ``1/Q``,

.. math:: h^Q = \lfloor Q h + u \rfloor / Q, \qquad u \sim U[0, 1) \text{ per coordinate},

and the resolution grows geometrically, ``Q_k = Q_0 b^k`` with ``k = ⌊t/τ⌋`` (``τ``:
``steps_per_level``, ``k`` held at ``max_levels``). With this *stochastic* (dithered)
rounding ``E[h^Q] = h`` and the error has variance ``p(1−p)/Q² ≤ 1/(4Q²)`` per coordinate
(``p`` the fractional part of ``Qh``), so the iteration is a Langevin step
``x ← x − η∇f + √(2ηT)ξ`` with temperature ``T ≤ 1/(8ηQ²)``, which vanishes as ``Q`` grows:
the "quantized Langevin" reading. ``Q₀`` defaults to
:func:`qdq.classical.binary.qbo.initial_resolution` of the first update's largest entry
(grid step = the power of two just above it), the rule the bit/tour QbO uses for its first
cost. Seok & Cho, *Quantization-based optimization: alternative stochastic approximation of
global optimization*, arXiv:2211.03972 (2022); ETRI Journal (2024).

**Read against the authors' code** (github.com/SDE-AI-00/Quantization-based-Optimization,
``ml_test_anonymopus/torch_learning.py`` classes ``QtSGD``/``QtAdam``/``QtAdamW``, which
call ``ml_test_anonymopus/sgld_quant.py`` ``Quantization.get_Quantization``; read, not
copied). There the update ``h`` (``−lr·g`` or Adam's bias-corrected step) becomes
``⌊Q_p(h + r)⌋/Q_p`` with ``Q_p = η·b^{⌊log_b log(t_e + 2)⌋}`` (``t_e``: epochs,
``η = 2¹⁹``, ``b = 2`` in ``config_quantization.yaml``) and ``r = ½(1 + tanh(−κ(t_e −
τ₀)))·lr·h/‖h‖`` a warm-up push along ``h`` that fades after ``τ₀`` (half the epochs).
Differences here: (1) rounding is dithered (``rounding="stochastic"``, the default;
unbiased, seeded by a PRNG key in the state) — theirs is deterministic ``floor``, biased by
``−1/(2Q)`` per coordinate per step (``rounding="floor"``; ``"nearest"`` is their debug
path's ``⌊Qh + ½⌋``); (2) ``Q`` grows geometrically per ``steps_per_level`` steps instead
of their ``log log`` law (over 200 epochs theirs moves ``Q`` by only ``×8``, from
``2¹⁸``); (3) ``Q₀`` is set from the first update's scale, not fixed at ``2¹⁹`` (their
grid step ``2⁻¹⁹`` is far below a typical step, so their quantization barely acts); (4) no
``r`` warm-up term.

**Two-loop schedule** (:func:`two_loop`): the two-loop algorithm of Wang & Maimaitiabudula,
*Quantum Dynamics of Machine Learning* (2024; :mod:`qdq.twoloop` runs it on the wave
function) — an outer (annealing) loop lowers the diffusion ``D_l = D₀·ratio^l`` for
``l = 0..levels−1``, an inner (evolution) loop runs ``steps_per_level`` steps at each ``D``.
As an optax transform: the inner transform's update plus Gaussian noise ``√(2·D_l·η)·ξ`` (the
Langevin/Fokker–Planck step at diffusion ``D_l``); after the last level ``D = 0`` (the
plain inner optimizer). optax's own ``add_noise`` decays polynomially, ``η/(1+t)^γ``.

All states are NamedTuples of arrays (pytrees); ``update`` is jit-able and the transforms
chain with ``optax.chain``.

Example:
    >>> import jax, jax.numpy as jnp, optax
    >>> tx = qbo(0.1, steps_per_level=20, seed=0)
    >>> params = {"w": jnp.array([1.0, -2.0])}
    >>> state, update = tx.init(params), jax.jit(tx.update)
    >>> for _ in range(200):                      # minimize |w|², gradient 2w
    ...     updates, state = update({"w": 2 * params["w"]}, state)
    ...     params = optax.apply_updates(params, updates)
    >>> bool(jnp.abs(params["w"]).max() < 1e-3)
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax  # absolute import: the optax package, not this module (qdq.optax)

from qdq.classical.binary.qbo import check_count
from qdq.errors import ParameterError
from qdq.validate import check_positive, check_seed

__all__ = ["QuantizeState", "NoiseState", "quantize_updates", "qbo", "annealed_noise",
           "two_loop", "ROUNDINGS"]

#: Rounding rules of :func:`quantize_updates`.
ROUNDINGS = ("stochastic", "nearest", "floor")


class QuantizeState(NamedTuple):
    """State of :func:`quantize_updates`: step count, ``Q₀`` (``0`` until set) and PRNG key."""

    count: jax.Array
    q0: jax.Array
    key: jax.Array


class NoiseState(NamedTuple):
    """State of :func:`annealed_noise`: step count and PRNG key."""

    count: jax.Array
    key: jax.Array


def _key(seed: Any) -> jax.Array:
    seed = check_seed(seed)
    if seed is None:
        raise ParameterError("seed must be an integer in [0, 2**63), got None; pass a seed")
    return jax.random.PRNGKey(seed % (2 ** 32))  # raw uint32[2]: a plain array leaf


def _check_lr(learning_rate: Any) -> Any:
    if callable(learning_rate):
        return learning_rate
    return check_positive("learning_rate", learning_rate)


def _check_ratio(name: str, value: Any, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not low < value < high:
        raise ParameterError(f"{name} must be a number in ({low}, {high}), got {value!r}")
    return float(value)


def _first_resolution(leaves: list[jax.Array]) -> jax.Array:
    """``2^{−⌊log₂ m + 1⌋}`` for ``m`` the largest ``|h|`` (``1`` when ``m = 0``)."""
    m = jnp.max(jnp.stack([jnp.max(jnp.abs(x)) for x in leaves])).astype(jnp.float32)
    safe = jnp.where(m > 0, m, 1.0)
    q = jnp.exp2(-jnp.floor(jnp.log2(safe) + 1.0))
    return jnp.where(m > 0, q, 1.0)


def quantize_updates(*, resolution0: float | None = None, base: float = 2.0,
                     steps_per_level: int = 100, max_levels: int = 40,
                     rounding: str = "stochastic", seed: int = 0
                     ) -> optax.GradientTransformation:
    r"""Put incoming updates on the grid of step ``1/Q_k``, ``Q_k = Q₀·base^k``, ``k = ⌊t/τ⌋``.

    Chain it after any optimizer (``optax.chain(optax.adam(1e-3), quantize_updates())`` is
    the authors' ``QtAdam`` up to the differences in the module docstring).

    Args:
        resolution0: ``Q₀``; ``None`` sets it at the first update to the power of two
            ``2^{−⌊log₂ max|h| + 1⌋}`` (grid step just above the largest entry).
        base: Growth factor ``b > 1`` of ``Q`` per level.
        steps_per_level: Steps ``τ`` at each resolution.
        max_levels: ``k`` stops growing here (``Q`` then stays at ``Q₀·b^max_levels``).
        rounding: ``"stochastic"`` (``⌊Qh + u⌋/Q``, unbiased), ``"nearest"``
            (``⌊Qh + ½⌋/Q``) or ``"floor"`` (``⌊Qh⌋/Q``, the authors' code).
        seed: Seed of the PRNG key kept in the state.

    Example:
        >>> import jax.numpy as jnp
        >>> tx = quantize_updates(resolution0=4.0, rounding="nearest")
        >>> u, s = tx.update({"w": jnp.array([0.3, -0.1, 0.9])}, tx.init(None))
        >>> u["w"].tolist(), int(s.count)
        ([0.25, 0.0, 1.0], 1)
    """
    if resolution0 is not None:
        resolution0 = check_positive("resolution0", resolution0)
    if isinstance(base, bool) or not isinstance(base, (int, float)) or not base > 1 \
            or not math.isfinite(base):
        raise ParameterError(f"base must be a finite number > 1, got {base!r}")
    steps_per_level = check_count("steps_per_level", steps_per_level)
    max_levels = check_count("max_levels", max_levels, low=0)
    if rounding not in ROUNDINGS:
        raise ParameterError(f"rounding must be one of {ROUNDINGS}, got {rounding!r}")
    key0 = _key(seed)
    q_init = 0.0 if resolution0 is None else float(resolution0)
    base = float(base)

    def init_fn(params: Any) -> QuantizeState:
        del params
        return QuantizeState(jnp.zeros([], jnp.int32), jnp.asarray(q_init, jnp.float32), key0)

    def update_fn(updates: Any, state: QuantizeState, params: Any = None):
        del params
        leaves, treedef = jax.tree_util.tree_flatten(updates)
        if not leaves:
            return updates, state
        q0 = jnp.where(state.q0 > 0, state.q0, _first_resolution(leaves))
        level = jnp.minimum(state.count // steps_per_level, max_levels)
        q = q0 * jnp.power(jnp.float32(base), level.astype(jnp.float32))
        key, sub = jax.random.split(state.key)
        subs = jax.random.split(sub, len(leaves))
        out = []
        for x, k in zip(leaves, subs, strict=True):
            qx = q.astype(x.dtype) * x
            if rounding == "stochastic":
                shift = jax.random.uniform(k, x.shape, x.dtype)
            elif rounding == "nearest":
                shift = jnp.asarray(0.5, x.dtype)
            else:
                shift = jnp.asarray(0.0, x.dtype)
            out.append(jnp.floor(qx + shift) / q.astype(x.dtype))
        count = optax.safe_int32_increment(state.count)
        return jax.tree_util.tree_unflatten(treedef, out), QuantizeState(count, q0, key)

    return optax.GradientTransformation(init_fn, update_fn)


def qbo(learning_rate: float | Callable, *, resolution0: float | None = None,
        base: float = 2.0, steps_per_level: int = 100, max_levels: int = 40,
        rounding: str = "stochastic", seed: int = 0) -> optax.GradientTransformation:
    r"""Quantized SGD (Seok & Cho's QSGD): ``x ← x + Q_k(−η∇f)``, see :func:`quantize_updates`.

    ``optax.chain(optax.scale_by_learning_rate(η), quantize_updates(...))``; ``learning_rate``
    may be an optax schedule. The quantization error is the Langevin noise of temperature
    ``T ≤ 1/(8ηQ_k²)`` (stochastic rounding), lowered as ``Q_k = Q₀·base^⌊t/τ⌋`` grows.

    Example:
        >>> tx = qbo(0.01, steps_per_level=50)
        >>> type(tx).__name__
        'GradientTransformationExtraArgs'
    """
    lr = _check_lr(learning_rate)
    return optax.chain(optax.scale_by_learning_rate(lr),
                       quantize_updates(resolution0=resolution0, base=base,
                                        steps_per_level=steps_per_level,
                                        max_levels=max_levels, rounding=rounding, seed=seed))


def annealed_noise(*, levels: int, steps_per_level: int, ratio: float, diffusion0: float,
                   learning_rate: float, seed: int = 0) -> optax.GradientTransformation:
    r"""Add ``√(2·D_l·η)·ξ`` to the updates, ``D_l = D₀·ratio^l``, ``l = ⌊t/τ⌋ < levels``.

    After ``levels·τ`` steps ``D = 0`` (nothing is added).

    Example:
        >>> import jax.numpy as jnp
        >>> tx = annealed_noise(levels=1, steps_per_level=1, ratio=0.5, diffusion0=0.5,
        ...                     learning_rate=1.0)
        >>> s = tx.init(None)
        >>> u, s = tx.update({"w": jnp.zeros(3)}, s)
        >>> bool(jnp.any(u["w"] != 0))
        True
        >>> u, s = tx.update({"w": jnp.zeros(3)}, s)   # past the last level
        >>> u["w"].tolist()
        [0.0, 0.0, 0.0]
    """
    levels = check_count("levels", levels)
    steps_per_level = check_count("steps_per_level", steps_per_level)
    ratio = _check_ratio("ratio", ratio, low=0.0, high=1.0)
    d0 = check_positive("diffusion0", diffusion0)
    lr = check_positive("learning_rate", learning_rate)
    key0 = _key(seed)

    def init_fn(params: Any) -> NoiseState:
        del params
        return NoiseState(jnp.zeros([], jnp.int32), key0)

    def update_fn(updates: Any, state: NoiseState, params: Any = None):
        del params
        leaves, treedef = jax.tree_util.tree_flatten(updates)
        if not leaves:
            return updates, state
        level = state.count // steps_per_level
        d = jnp.where(level < levels,
                      d0 * jnp.power(jnp.float32(ratio), level.astype(jnp.float32)), 0.0)
        sigma = jnp.sqrt(2.0 * d * lr)
        key, sub = jax.random.split(state.key)
        subs = jax.random.split(sub, len(leaves))
        out = [x + sigma.astype(x.dtype) * jax.random.normal(k, x.shape, x.dtype)
               for x, k in zip(leaves, subs, strict=True)]
        count = optax.safe_int32_increment(state.count)
        return jax.tree_util.tree_unflatten(treedef, out), NoiseState(count, key)

    return optax.GradientTransformation(init_fn, update_fn)


def two_loop(inner: optax.GradientTransformation, *, levels: int, steps_per_level: int,
             ratio: float = 0.5, learning_rate: float, diffusion0: float | None = None,
             seed: int = 0) -> optax.GradientTransformation:
    r"""Wang & Maimaitiabudula's two-loop schedule around an optax optimizer.

    Outer (annealing) loop: ``D_l = D₀·ratio^l``, ``l = 0..levels−1``; inner (evolution)
    loop: ``steps_per_level`` steps of ``inner`` with Langevin noise ``√(2·D_l·η)·ξ`` added
    (:func:`annealed_noise`); afterwards plain ``inner``. ``diffusion0=None`` takes
    ``D₀ = η/2``, so the first level's noise has standard deviation ``η`` — an Adam step's
    size. ``optax.chain(inner, annealed_noise(...))``.

    Example:
        >>> import optax
        >>> tx = two_loop(optax.adam(1e-2), levels=4, steps_per_level=25,
        ...               learning_rate=1e-2)
        >>> len(tx.init({"w": 0.0}))
        2
    """
    if not isinstance(inner, optax.GradientTransformation):
        raise ParameterError("inner must be an optax.GradientTransformation (e.g. "
                             f"optax.adam(1e-3)), got {type(inner).__name__}")
    lr = check_positive("learning_rate", learning_rate)
    d0 = lr / 2.0 if diffusion0 is None else diffusion0
    return optax.chain(inner, annealed_noise(levels=levels, steps_per_level=steps_per_level,
                                             ratio=ratio, diffusion0=d0, learning_rate=lr,
                                             seed=seed))
