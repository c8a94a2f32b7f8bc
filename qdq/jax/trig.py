r"""``e^{iθ}`` for float64 arrays in a form XLA vectorizes: the real-time phase kernel.

XLA's CPU ``cos``/``sin`` for float64 are scalar calls (about 10 ns a point each on this
project's reference machine), so on an anneal, where every step needs a fresh phase
``e^{−i c_s ζ}`` on the whole grid, they cost more than the FFTs. :func:`expi` computes
``cos θ + i sin θ`` with polynomials only, which XLA fuses into the surrounding multiply
and vectorizes (about 5× faster at 256², measured by ``bench/jax_speed.py``):

1. **Reduction** (Cody–Waite): ``k = round(2θ/π)``, ``r = θ − k·π/2`` with ``π/2`` split
   into four parts whose first three have 26 significant bits, so every ``k·P_j`` is exact
   for ``|k| < 2²⁶`` and ``r ∈ [−π/4, π/4]`` is accurate to an ulp of ``θ``'s size.
2. **Kernel**: Cephes' minimax polynomials for ``sin r`` (degree 13) and ``cos r``
   (degree 14) on ``[−π/4, π/4]``, each accurate to about 1 ulp.
3. **Quadrant**: ``(cos θ, sin θ) = i^k (cos r + i sin r)``.

Against numpy's ``cos``/``sin`` the error is at most 2.3e−16 per component for
``|θ| ≤`` :data:`EXACT_LIMIT` (tested over that whole range). Beyond it — phases of 10⁸
radians per factor, a step size no simulation should take — :func:`expi` switches to
XLA's ``cos``/``sin`` (``lax.cond`` on ``max|θ|``), so the result is never wrong, only
slower. The derivative is exact: ``d e^{iθ} = i e^{iθ} dθ`` (a custom JVP).

Example:
    >>> import jax.numpy as jnp, numpy as np
    >>> theta = jnp.array([0.0, 1.0, -2.5, 1e6])
    >>> z = np.asarray(expi(theta))
    >>> bool(np.abs(z - np.exp(1j * np.asarray(theta))).max() < 1e-15)
    True
"""

from __future__ import annotations

import math
from fractions import Fraction

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402 - after enabling x64
from jax import lax  # noqa: E402

__all__ = ["EXACT_LIMIT", "expi", "expi_bounded"]

def _split() -> tuple[float, float, float, float]:
    """π/2 as four doubles, the first three with 26 significant bits (exact k·P_j)."""
    # π/2 to 60 digits; Fraction arithmetic makes the split exact.
    half_pi = Fraction("1.57079632679489661923132169163975144209858469968755291048747")
    parts = []
    rest = half_pi
    for _ in range(3):
        m, e = math.frexp(float(rest))
        p = Fraction(math.ldexp(math.floor(math.ldexp(m, 26)), e - 26))
        parts.append(float(p))
        rest -= p
    parts.append(float(rest))
    return tuple(parts)


# π/2 = P1 + P2 + P3 + P4; P1–P3 carry 26 significant bits each, so k·P_j is exact for
# |k| < 2**26 (26 + 26 < 53) and the subtractions lose nothing.
_P1, _P2, _P3, _P4 = _split()

#: ``|θ|`` below which the polynomial path is exact to about an ulp (``2²⁵·π/2``).
EXACT_LIMIT = float(2**25) * 1.5707963267948966

# Cephes sin/cos coefficients on [−π/4, π/4] (sin: r + r³·S(r²); cos: 1 − r²/2 + r⁴·C(r²)).
_SIN = (1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
        -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1)
_COS = (-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
        2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2)


def _horner(z, coefficients):
    p = coefficients[0]
    for c in coefficients[1:]:
        p = p * z + c
    return p


def _poly_expi(theta):
    k = jnp.round(theta * (2.0 / 3.141592653589793))
    r = (((theta - k * _P1) - k * _P2) - k * _P3) - k * _P4
    z = r * r
    s = r + r * z * _horner(z, _SIN)
    c = 1.0 - 0.5 * z + z * z * _horner(z, _COS)
    q = k.astype(jnp.int64) & 3
    cos = jnp.where(q == 0, c, jnp.where(q == 1, -s, jnp.where(q == 2, -c, s)))
    sin = jnp.where(q == 0, s, jnp.where(q == 1, c, jnp.where(q == 2, -s, -c)))
    return lax.complex(cos, sin)


def _libm_expi(theta):
    return lax.complex(jnp.cos(theta), jnp.sin(theta))


@jax.custom_jvp
def expi(theta: jax.Array) -> jax.Array:
    """``cos θ + i sin θ`` of a float64 array (complex128), vectorizable by XLA.

    Args:
        theta: Real angles (any shape).

    Returns:
        ``e^{iθ}``, within 2.3e−16 of numpy's per component.
    """
    theta = jnp.asarray(theta, dtype=jnp.float64)
    return lax.cond(jnp.max(jnp.abs(theta), initial=0.0) <= EXACT_LIMIT, _poly_expi,
                    _libm_expi, theta)


@expi.defjvp
def _expi_jvp(primals, tangents):
    (theta,), (dtheta,) = primals, tangents
    z = expi(theta)
    return z, z * lax.complex(jnp.zeros_like(dtheta), jnp.asarray(dtheta, jnp.float64))


def expi_bounded(theta: jax.Array) -> jax.Array:
    """:func:`expi` for angles the caller knows satisfy ``|θ| ≤`` :data:`EXACT_LIMIT`.

    The polynomial path alone: no ``lax.cond`` on ``max|θ|``, so XLA fuses the whole
    phase into the surrounding multiply (one pass instead of a reduction, a materialized
    ``θ`` and a second pass: 239 → 138 µs a step at 256², ``bench/step_breakdown.py``).
    Its values are :func:`expi`'s polynomial path's to 2.3e−16 (not always bit for bit:
    fused, XLA may contract multiply-adds differently). The JAX engine uses it after
    checking ``max|c|·max|diag| ≤ EXACT_LIMIT`` on the host for each chunk of steps.

    Example:
        >>> import numpy as np
        >>> theta = jnp.array([0.0, 1.0, -2.5, 1e6])
        >>> bool(np.abs(np.asarray(expi_bounded(theta)) - np.asarray(expi(theta))).max() < 3e-16)
        True
    """
    return _poly_expi(jnp.asarray(theta, dtype=jnp.float64))
