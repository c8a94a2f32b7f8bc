r"""Slab-decomposed split-step kernels: jitted ``shard_map`` functions over a 1-D mesh.

The state ``ψ`` (shape ``(N₀, N₁, …)``) and ζ are split along axis 0 over the mesh axis
:data:`AXIS`. A kinetic factor ``F⁻¹ e^{−icD|k|²} F`` is

1. FFT along the local axes ``1 … d−1``;
2. ``all_to_all``: the split moves from axis 0 to axis 1;
3. FFT along axis 0, the kinetic phase on this *transposed* momentum slab, inverse FFT
   along axis 0 (so a factor costs two transposes, not four);
4. ``all_to_all`` back, inverse FFT along axes ``1 … d−1``.

The forward half (steps 1–2 and the axis-0 FFT) and its inverse are :func:`slab_fft` /
:func:`slab_ifft`: the one place a distributed FFT library would replace (see
``docs/jax_sharding.md``). Imaginary time renormalizes with a global norm
(``lax.psum``) once per pair.

Two scan kernels, each one ``lax.scan`` over a chunk of ``(c_potential, c_kinetic)`` pairs
inside one ``shard_map``: :func:`chunk_fn` computes phases on the fly (any schedule);
:func:`table_chunk_fn` indexes phase tables built once on the devices by
:func:`tables_fn` (constant weights: a handful of distinct pairs, no ``sin``/``cos`` per
step). May import ``jax`` and ``numpy`` only.

Example:
    >>> psi, zeta, k2 = specs(3)
    >>> tuple(psi), tuple(zeta), [tuple(s) for s in k2]
    (('slab',), ('slab',), [(), ('slab',), ()])
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as P

from qdq.jax.evolve import phase

__all__ = ["AXIS", "chunk_fn", "potential_fn", "slab_fft", "slab_ifft", "specs",
           "table_chunk_fn", "tables_fn"]

#: Name of the mesh axis the grid's axis 0 (and, transposed, axis 1) is split over.
AXIS = "slab"


def specs(nd: int):
    """``(ψ, ζ, (k₀², k₁², …))`` partition specs: ψ, ζ split on axis 0, k₁² on its only axis."""
    return P(AXIS), P(AXIS), tuple(P(AXIS) if d == 1 else P() for d in range(nd))


def kinetic_base(k2s, D, nd: int):
    """``D|k|²`` on the transposed momentum slab, summed as the emulator sums it."""
    base = k2s[0].reshape((-1,) + (1,) * (nd - 1))
    for d in range(1, nd):  # ((k0² + k1²) + k2²) …
        base = base + k2s[d].reshape((1,) * d + (-1,) + (1,) * (nd - d - 1))
    return D * base


def slab_fft(psi):
    """Local ``(N₀/P, N₁, …)`` position slab → transposed ``(N₀, N₁/P, …)`` momentum slab."""
    psi = jnp.fft.fftn(psi, axes=tuple(range(1, psi.ndim)))
    psi = jax.lax.all_to_all(psi, AXIS, 1, 0, tiled=True)  # split axis 0 -> axis 1
    return jnp.fft.fft(psi, axis=0)


def slab_ifft(phi):
    """Inverse of :func:`slab_fft` (numpy's ``ifftn`` normalization)."""
    phi = jnp.fft.ifft(phi, axis=0)
    phi = jax.lax.all_to_all(phi, AXIS, 0, 1, tiled=True)  # and back
    return jnp.fft.ifftn(phi, axes=tuple(range(1, phi.ndim)))


def _normalize(psi, logp):
    n2 = jax.lax.psum(jnp.sum(jnp.real(psi) ** 2 + jnp.imag(psi) ** 2), AXIS)
    return psi * (1.0 / jnp.sqrt(n2)), logp + jnp.log(n2)


@functools.lru_cache(maxsize=32)
def chunk_fn(mesh: Mesh, nd: int, imaginary: bool):
    """Jitted ``(ψ, logp, ζ, k²s, D, c_p[], c_k[]) -> (ψ, logp)``: phases on the fly."""
    psi_spec, zeta_spec, k2_spec = specs(nd)

    def local(psi, logp, zeta, k2s, D, cps, cks):
        base = kinetic_base(k2s, D, nd)

        def body(carry, cs):
            psi, logp = carry
            psi = psi * phase(zeta, cs[0], imaginary)
            psi = slab_ifft(slab_fft(psi) * phase(base, cs[1], imaginary))
            if imaginary:
                psi, logp = _normalize(psi, logp)
            return (psi, logp), None

        return jax.lax.scan(body, (psi, logp), (cps, cks))[0]

    fn = jax.shard_map(local, mesh=mesh,
                       in_specs=(psi_spec, P(), zeta_spec, k2_spec, P(), P(), P()),
                       out_specs=(psi_spec, P()))
    return jax.jit(fn, donate_argnums=(0,))


@functools.lru_cache(maxsize=32)
def tables_fn(mesh: Mesh, nd: int, imaginary: bool):
    """Jitted ``(ζ, k²s, D, c_p[M], c_k[M]) -> (potential tables, kinetic tables)``.

    The ``M`` potential tables are split like ψ (``(M, N₀/P, …)`` per device), the kinetic
    ones like the transposed momentum slab (``(M, N₀, N₁/P, …)``).
    """
    _, zeta_spec, k2_spec = specs(nd)

    def local(zeta, k2s, D, cps, cks):
        base = kinetic_base(k2s, D, nd)
        return (jax.vmap(lambda c: phase(zeta, c, imaginary))(cps),
                jax.vmap(lambda c: phase(base, c, imaginary))(cks))

    fn = jax.shard_map(local, mesh=mesh, in_specs=(zeta_spec, k2_spec, P(), P(), P()),
                       out_specs=(P(None, AXIS), P(None, None, AXIS)))
    return jax.jit(fn)


@functools.lru_cache(maxsize=32)
def table_chunk_fn(mesh: Mesh, nd: int, imaginary: bool):
    """Jitted ``(ψ, logp, ptables, ktables, index[]) -> (ψ, logp)``: phases from tables."""
    psi_spec = specs(nd)[0]

    def local(psi, logp, ptab, ktab, index):
        def body(carry, i):
            psi, logp = carry
            psi = slab_ifft(slab_fft(psi * ptab[i]) * ktab[i])
            if imaginary:
                psi, logp = _normalize(psi, logp)
            return (psi, logp), None

        return jax.lax.scan(body, (psi, logp), index)[0]

    fn = jax.shard_map(local, mesh=mesh,
                       in_specs=(psi_spec, P(), P(None, AXIS), P(None, None, AXIS), P()),
                       out_specs=(psi_spec, P()))
    return jax.jit(fn, donate_argnums=(0,))


@functools.lru_cache(maxsize=32)
def potential_fn(mesh: Mesh, imaginary: bool):
    """Jitted trailing potential factor ``(ψ, logp, ζ, c) -> (ψ, logp)``."""

    def local(psi, logp, zeta, c):
        psi = psi * phase(zeta, c, imaginary)
        if imaginary:
            psi, logp = _normalize(psi, logp)
        return psi, logp

    fn = jax.shard_map(local, mesh=mesh, in_specs=(P(AXIS), P(), P(AXIS), P()),
                       out_specs=(P(AXIS), P()))
    return jax.jit(fn, donate_argnums=(0,))
