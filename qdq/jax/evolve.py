r"""Pure-JAX split-step kernels: the product formula as ``lax.scan`` over factor pairs.

Importing this module enables ``jax_enable_x64`` (``jax.config.update("jax_enable_x64",
True)``): every kernel works in complex128/float64, like the numpy emulator.

**Pairs.** After merging, a product formula (:mod:`qdq.evolution`) alternates potential
and kinetic factors, so it is exactly a sequence of *pairs* ``(c_p, c_k)`` — apply
``e^{−i c_p ζ}`` then ``F⁻¹ e^{−i c_k D|k|²} F`` — followed by one trailing potential
coefficient ``tail`` (orders 2 and 4). A formula that starts with a kinetic factor gets
``c_p = 0`` in its first pair (``e^{0} = 1``: an exact identity). Imaginary time applies
``e^{−c_p(ζ − s)}`` and ``e^{−c_k D|k|²}`` and renormalizes after each pair, accumulating
``log P_success = Σ log ‖ψ‖²`` (the same total as renormalizing after every factor).

Kernels (all pure, jit-able and differentiable):

* :func:`phase` — ``e^{−icX}`` (real, through the vectorizable :func:`~qdq.jax.trig.expi`)
  or ``e^{−cX}`` (imaginary);
* :func:`pair_step` — one pair on a state, with a pluggable :class:`FFT` (the sharded
  engine substitutes its own distributed transform);
* :func:`evolve_pairs` — ``lax.scan`` over pairs, optionally as a nested scan whose inner
  blocks are ``jax.checkpoint``-ed, so reverse-mode memory is ``O((M/B + B)·N)`` for ``M``
  pairs in blocks of ``B`` (default ``B ≈ √M``) instead of ``O(M·N)``;
* :func:`evolve_tables` — the same scan over indices into precomputed phase tables (used by
  the engine when a formula has few distinct pairs, e.g. constant weights);
* :func:`schedule_pairs` — the pairs of an order-1/2/4 formula from *traceable* weight
  functions ``a(t)``, ``b(t)`` (what gradients with respect to schedule parameters, ``D``
  and the time flow through).

Example:
    >>> import jax.numpy as jnp
    >>> cp, ck, tail = schedule_pairs(lambda t: 1.0 + 0 * t, lambda t: 2.0 + 0 * t,
    ...                               1.0, 2, 2)
    >>> cp.tolist(), ck.tolist(), float(tail)
    ([0.5, 1.0], [0.5, 0.5], 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402 - after enabling x64
from jax import lax  # noqa: E402

from qdq.jax.trig import expi, expi_bounded  # noqa: E402

__all__ = ["FFT", "HADAMARD", "NUMPY_FFT", "default_block", "evolve_pairs", "evolve_tables",
           "four_step_fft", "four_step_order", "four_step_twiddle", "pair_step", "phase",
           "schedule_pairs", "walsh_hadamard", "xy_pair_indices", "xy_rotate"]

_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_W0 = 1.0 - 2.0 * _W1


class FFT(NamedTuple):
    """The n-D transform pair a kernel uses: ``forward`` (position → momentum) and inverse."""

    forward: Callable[[jax.Array], jax.Array]
    inverse: Callable[[jax.Array], jax.Array]


#: Single-device transforms over all axes (``jnp.fft.fftn`` / ``ifftn``, numpy's convention).
NUMPY_FFT = FFT(jnp.fft.fftn, jnp.fft.ifftn)


def walsh_hadamard(x: jax.Array) -> jax.Array:
    """``H^{⊗n} x / ...``: the orthonormal Walsh–Hadamard transform of a flat ``2ⁿ`` array.

    The hypercube Laplacian's basis change (its own inverse): ``n`` butterfly passes.

    Example:
        >>> walsh_hadamard(jnp.array([1.0, 0.0, 0.0, 0.0])).tolist()
        [0.5, 0.5, 0.5, 0.5]
    """
    size = x.shape[0]
    n = size.bit_length() - 1
    for i in range(n):
        v = x.reshape(-1, 2, 1 << i)
        a, b = v[:, 0, :], v[:, 1, :]
        x = jnp.stack([a + b, a - b], axis=1).reshape(size) * (2.0 ** -0.5)
    return x


def xy_pair_indices(pairs, n: int) -> tuple:
    """``((idx_a, idx_b), …)`` per pair ``(i, j)`` of the XY mixer, for :func:`xy_rotate`.

    ``idx_a``: flat indices with ``(x_i, x_j) = (1, 0)``; ``idx_b``: their ``(0, 1)`` partners.

    Example:
        >>> [a.tolist() for a in xy_pair_indices([(0, 1)], 2)[0]]
        [[1], [2]]
    """
    z = np.arange(1 << n)
    out = []
    for i, j in pairs:
        a = z[(((z >> i) & 1) == 1) & (((z >> j) & 1) == 0)]
        out.append((jnp.asarray(a), jnp.asarray(a ^ (1 << i) ^ (1 << j))))
    return tuple(out)


def xy_rotate(psi: jax.Array, pair_indices: tuple, c) -> jax.Array:
    """``Π_pairs e^{−ic(X_iX_j + Y_iY_j)/2} ψ`` in pair order (the XY mixer's factor).

    On each pair the amplitudes of ``(1, 0)`` and ``(0, 1)`` turn by
    ``[[cos c, −i sin c], [−i sin c, cos c]]``, as :func:`qdq.binary.xy.rotate_pair`.
    """
    cs, sn = jnp.cos(c), -1j * jnp.sin(c)
    for ia, ib in pair_indices:
        a, b = psi[ia], psi[ib]
        psi = psi.at[ia].set(cs * a + sn * b).at[ib].set(sn * a + cs * b)
    return psi


#: The hypercube's transform pair (:class:`~qdq.kinetic.HypercubeLaplacian`: Hadamard basis).
HADAMARD = FFT(walsh_hadamard, walsh_hadamard)


def _four_step_split(n: int) -> tuple[int, int]:
    """``(N1, N2)`` with ``n = N1·N2``, ``N1 ≥ N2``, both powers of two."""
    if n < 4 or n & (n - 1):
        raise ValueError(f"four-step transforms need a power of two >= 4, got {n}")
    n2 = 1 << ((n.bit_length() - 1) // 2)
    return n // n2, n2


def four_step_twiddle(n: int) -> tuple[int, int, np.ndarray]:
    """``(N1, N2, ω)`` of the four-step split ``n = N1·N2`` (``N1 ≥ N2``, powers of two).

    ``ω[k1, n2] = e^{−2πi k1 n2 / n}`` (the exponent reduced mod ``n`` in integers first, so
    every entry is exact to an ulp).
    """
    n1, n2 = _four_step_split(n)
    e = (np.arange(n1, dtype=np.int64)[:, None] * np.arange(n2, dtype=np.int64)[None, :]) % n
    return n1, n2, np.exp(-2j * np.pi * (e / n))


def four_step_order(n: int) -> np.ndarray:
    """Which frequency each entry of :func:`four_step_fft`'s output holds.

    ``forward(x)[j] == numpy.fft.fft(x)[order[j]]``: entry ``j = k1·N2 + k2`` holds the
    frequency ``k1 + N1·k2``. Momentum-space diagonals are indexed with it
    (``kdiag[order]``), and nothing else changes: position space keeps its natural order.

    Example:
        >>> four_step_order(8).tolist()
        [0, 4, 1, 5, 2, 6, 3, 7]
    """
    n1, n2 = _four_step_split(n)
    k1, k2 = np.meshgrid(np.arange(n1), np.arange(n2), indexing="ij")
    return (k1 + n1 * k2).reshape(-1)


def four_step_fft(twiddle: jax.Array) -> FFT:
    r"""A 1-D transform of ``n = N1·N2`` points from 2-D FFTs (XLA's fast path) and a twiddle.

    XLA's CPU FFT is 2.5× slower than scipy's on one 2²⁰-point complex128 transform but
    faster on the same points as a 2-D array (jax-ml/jax#7490), so with ``A[n1, n2] =
    x[N2·n1 + n2]``::

        forward(x) = F_last( ω ⊙ F_last⁻¹( F_2D(A) ) )    # = X[k1 + N1·k2] at [k1, k2]
        inverse(X) = F_2D⁻¹( F_last( ω̄ ⊙ F_last⁻¹(X) ) )

    ``F_last⁻¹ ∘ F_2D`` is the transform along axis 0 alone, done without a transpose;
    ``ω`` is :func:`four_step_twiddle`'s table. The output is in :func:`four_step_order`
    (a split-step applies diagonal phases there, so no reordering is ever needed), and
    ``inverse(forward(x)) = x`` with numpy's normalization.

    Args:
        twiddle: The ``(N1, N2)`` table ``ω`` (pass it as an argument of the jitted
            function: as a constant it would be folded into the compiled program).

    Returns:
        The :class:`FFT` pair on 1-D arrays of ``N1·N2`` points.

    Example:
        >>> import numpy as np
        >>> n1, n2, w = four_step_twiddle(16)
        >>> fft = four_step_fft(jnp.asarray(w))
        >>> x = np.arange(16.0) + 1j
        >>> y = np.asarray(fft.forward(jnp.asarray(x)))
        >>> bool(np.allclose(y, np.fft.fft(x)[four_step_order(16)]))
        True
        >>> bool(np.allclose(np.asarray(fft.inverse(jnp.asarray(y))), x))
        True
    """
    n1, n2 = twiddle.shape
    conj = jnp.conj(twiddle)

    def forward(x):
        b = jnp.fft.ifft(jnp.fft.fft2(x.reshape(n1, n2)), axis=-1) * twiddle
        return jnp.fft.fft(b, axis=-1).reshape(-1)

    def inverse(y):
        b = jnp.fft.ifft(y.reshape(n1, n2), axis=-1) * conj
        return jnp.fft.ifft2(jnp.fft.fft(b, axis=-1)).reshape(-1)

    return FFT(forward, inverse)


def phase(diag: jax.Array, c, imaginary: bool, bounded: bool = False) -> jax.Array:
    """``e^{−icX}`` (real time, complex) or ``e^{−cX}`` (imaginary time, real) of a diagonal.

    ``bounded=True`` promises ``|c|·max|X| ≤`` :data:`~qdq.jax.trig.EXACT_LIMIT` (checked
    by the caller on the host) and uses :func:`~qdq.jax.trig.expi_bounded`, which XLA
    fuses into the surrounding multiply.

    Example:
        >>> import jax.numpy as jnp
        >>> z = phase(jnp.array([0.0, jnp.pi]), 0.5, False)
        >>> z.real.round(12).tolist(), z.imag.round(12).tolist()
        ([1.0, 0.0], [0.0, -1.0])
    """
    x = -c * diag
    if imaginary:
        return jnp.exp(x)
    return expi_bounded(x) if bounded else expi(x)


def _norm2(psi: jax.Array) -> jax.Array:
    return jnp.sum(jnp.real(psi) ** 2 + jnp.imag(psi) ** 2)


def pair_step(psi: jax.Array, cp, ck, vdiag: jax.Array, kdiag: jax.Array, *,
              imaginary: bool, fft: FFT = NUMPY_FFT,
              bounded: bool = False) -> tuple[jax.Array, jax.Array]:
    """One pair: ``ψ ← F⁻¹ e^{−i c_k K} F e^{−i c_p V} ψ`` (renormalized in imaginary time).

    Args:
        psi: Grid-shaped complex state.
        cp: Potential coefficient.
        ck: Kinetic coefficient.
        vdiag: Grid-shaped potential diagonal (``ζ − s`` in imaginary time).
        kdiag: Grid-shaped kinetic diagonal ``D|k|²`` in FFT order.
        imaginary: Imaginary time (real exponentials, renormalization).
        fft: The transform pair.
        bounded: The phases' angles are within the polynomial range (see :func:`phase`).

    Returns:
        ``(ψ', log ‖ψ'‖²)`` — the log norm before renormalizing (0 in real time).
    """
    psi = psi * phase(vdiag, cp, imaginary, bounded)
    psi = fft.inverse(fft.forward(psi) * phase(kdiag, ck, imaginary, bounded))
    if not imaginary:
        return psi, jnp.zeros((), dtype=jnp.float64)
    n2 = _norm2(psi)
    return psi * lax.rsqrt(n2), jnp.log(n2)


def default_block(pairs: int) -> int:
    """Checkpoint block length ``⌈√M⌉`` (memory ``O(√M)`` states).

    Example:
        >>> default_block(10_000)
        100
    """
    return max(1, math.isqrt(max(pairs, 1) - 1) + 1)


def evolve_pairs(psi: jax.Array, cp: jax.Array, ck: jax.Array, vdiag: jax.Array,
                 kdiag: jax.Array, *, imaginary: bool, block: int | None = None,
                 fft: FFT = NUMPY_FFT) -> tuple[jax.Array, jax.Array]:
    """Apply pairs ``(cp[i], ck[i])`` in order with ``lax.scan``.

    Args:
        psi: Grid-shaped complex initial state.
        cp: Potential coefficients, shape ``(M,)``.
        ck: Kinetic coefficients, shape ``(M,)``.
        vdiag: Potential diagonal (``ζ − s`` in imaginary time).
        kdiag: Kinetic diagonal ``D|k|²``.
        imaginary: Imaginary time.
        block: ``None``/``0``: a plain scan (fastest forward; reverse mode stores every
            step). ``B >= 1``: a scan over ``⌊M/B⌋`` checkpointed blocks of ``B``
            checkpointed steps plus a remainder, so reverse mode keeps ``~M/B + B`` states.
        fft: The transform pair.

    Returns:
        ``(ψ, log P_success)`` (``log P = 0`` in real time).

    Example:
        >>> import jax.numpy as jnp
        >>> psi = jnp.ones(8, dtype=complex) / jnp.sqrt(8.0)
        >>> out, logp = evolve_pairs(psi, jnp.full(4, 0.1), jnp.full(4, 0.1),
        ...                          jnp.zeros(8), jnp.zeros(8), imaginary=False)
        >>> float(jnp.abs(out - psi).max()) < 1e-15
        True
    """
    def body(carry, x):
        state, logs = carry
        state, dlog = pair_step(state, x[0], x[1], vdiag, kdiag, imaginary=imaginary, fft=fft)
        return (state, logs + dlog), None

    carry = (psi, jnp.zeros((), dtype=jnp.float64))
    m = cp.shape[0]
    if not block or block >= m:
        carry, _ = lax.scan(body, carry, (cp, ck))
        return carry
    step = jax.checkpoint(body)
    q = m // block

    @jax.checkpoint
    def inner(c, xs):
        return lax.scan(step, c, xs)[0]

    carry, _ = lax.scan(lambda c, xs: (inner(c, xs), None), carry,
                        (cp[:q * block].reshape(q, block), ck[:q * block].reshape(q, block)))
    if q * block < m:
        carry, _ = lax.scan(step, carry, (cp[q * block:], ck[q * block:]))
    return carry


def evolve_tables(psi: jax.Array, logs: jax.Array, idx: jax.Array, ptables: jax.Array,
                  ktables: jax.Array, *, imaginary: bool,
                  fft: FFT = NUMPY_FFT) -> tuple[jax.Array, jax.Array]:
    """Apply pairs given as indices into precomputed phase tables (no phases per step).

    Args:
        psi: Grid-shaped state.
        logs: Accumulated ``log P_success`` so far.
        idx: Integer pair indices, shape ``(M,)``.
        ptables: ``(T, *grid)`` potential phases ``e^{−i c_p V}`` (or ``e^{−c_p V}``).
        ktables: ``(T, *grid)`` kinetic phases.
        imaginary: Imaginary time (renormalize).
        fft: The transform pair.

    Returns:
        ``(ψ, log P_success)``.
    """
    def body(carry, i):
        state, acc = carry
        state = fft.inverse(fft.forward(state * ptables[i]) * ktables[i])
        if imaginary:
            n2 = _norm2(state)
            state, acc = state * lax.rsqrt(n2), acc + jnp.log(n2)
        return (state, acc), None

    return lax.scan(body, (psi, logs), idx)[0]


def _substeps(time, steps: int, order: int) -> tuple[jax.Array, jax.Array]:
    """Start times and lengths of the order-2 sub-steps (three per step for order 4)."""
    dt = time / steps
    t = jnp.arange(steps, dtype=jnp.float64) * dt
    if order == 2:
        return t, jnp.broadcast_to(dt, t.shape)
    t0 = jnp.stack([t, t + _W1 * dt, t + (_W1 + _W0) * dt], axis=1).reshape(-1)
    h = jnp.tile(jnp.stack([_W1 * dt, _W0 * dt, _W1 * dt]), steps)
    return t0, h


def schedule_pairs(a: Callable, b: Callable, time, steps: int,
                   order: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Pairs ``(cp, ck)`` and trailing ``tail`` of the order-1/2/4 formula for ``a``, ``b``.

    The same formulas as :func:`qdq.evolution.iter_strang` (order 1: left-end weights;
    order 2: midpoint Strang with merged potential halves; order 4: Yoshida's triple jump),
    written with array operations so ``a``, ``b``, ``time`` may be traced (gradients).

    Args:
        a: Kinetic weight, a JAX-traceable scalar function of ``t`` (vmapped over times).
        b: Potential weight, likewise.
        time: Total time (a float or a traced scalar).
        steps: Number of steps (static).
        order: 1, 2 or 4 (static).

    Returns:
        ``(cp, ck, tail)``: ``cp``/``ck`` of shape ``(steps,)`` (``(3·steps,)`` for order 4).
    """
    va, vb = jax.vmap(a), jax.vmap(b)
    if order == 1:
        dt = time / steps
        t = jnp.arange(steps, dtype=jnp.float64) * dt
        return vb(t) * dt, va(t) * dt, jnp.zeros((), dtype=jnp.float64)
    t0, h = _substeps(time, steps, order)
    tm = t0 + h / 2
    half = vb(tm) * h / 2
    cp = half + jnp.concatenate([jnp.zeros(1, dtype=half.dtype), half[:-1]])
    return cp, va(tm) * h, half[-1]
