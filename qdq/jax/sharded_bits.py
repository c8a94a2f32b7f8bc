r"""The hypercube split across JAX devices: the flat ``2ⁿ`` state sharded on its top bits.

With ``P = 2^d`` devices, device ``p`` holds the amplitudes whose top ``d`` bits read ``p``
(flat indices ``p·2^{n−d} … (p+1)·2^{n−d} − 1``) and the matching slice of ζ, so every
potential factor is local. A kinetic factor ``e^{−icD L}`` is one symmetric 2×2 rotation
``(a, b) ← (αa + βb, βa + αb)`` per qubit: on the ``n − d`` low qubits it is a butterfly
inside each device; on a top qubit ``t`` the partner amplitude lives on device
``p ⊕ 2^{t−(n−d)}``, and because the rotation is symmetric each device computes
``α·ψ + β·ψ_partner`` from one ``ppermute`` of its shard — no gather, no transpose.
Imaginary time renormalizes with a ``psum``; the phases, shift and ``log P_success`` are the
emulator's, so results agree with it to round-off.

Example:
    >>> import qdq
    >>> from qdq.engines.emulator import run_emulator
    >>> b = qdq.BinaryProblem({(0, 1): -1.0, (2,): 0.5}, num_bits=3)
    >>> s = qdq.QAOA(b, [0.4, 0.2], [-0.3, -0.1])
    >>> r = run_sharded_bits(s, devices=1)
    >>> float(abs(r.probabilities - run_emulator(s).probabilities).max()) < 1e-13
    True
"""

from __future__ import annotations

import functools
import time as _time

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as P

from qdq.engines.emulator import imaginary_potential_shift
from qdq.engines.readout import final_state_readout, make_result
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.jax.evolve import phase
from qdq.jax.sharded import FormulaPairs, _put, finish, make_mesh
from qdq.jax.slab import AXIS, _normalize
from qdq.results import Result
from qdq.validate import check_seed, check_shots

__all__ = ["run_sharded_bits"]


def _coefficients(c, imaginary: bool):
    """``(α, β)`` of one qubit's factor ``e^{−ic(1−X)}`` (real) or ``e^{−c(1−X)}`` (imag.)."""
    if imaginary:
        e = jnp.exp(-2.0 * c)
        return 0.5 * (1.0 + e), 0.5 * (1.0 - e)
    ph = jnp.exp(-1j * c)
    return ph * jnp.cos(c), ph * 1j * jnp.sin(c)


@functools.lru_cache(maxsize=32)
def _chunk_fn(mesh: Mesh, low: int, high: int, imaginary: bool):
    """Jitted ``(ψ, logp, ζ, D, c_p[], c_k[]) -> (ψ, logp)`` over the mesh."""
    devices = 1 << high
    perms = [[(p, p ^ (1 << t)) for p in range(devices)] for t in range(high)]

    def local(psi, logp, zeta, D, cps, cks):
        def body(carry, cs):
            psi, logp = carry
            psi = psi * phase(zeta, cs[0], imaginary)
            alpha, beta = _coefficients(cs[1] * D, imaginary)
            size = psi.shape[0]
            for i in range(low):  # qubits inside the shard
                v = psi.reshape(-1, 2, 1 << i)
                a, b = v[:, 0, :], v[:, 1, :]
                psi = jnp.stack([alpha * a + beta * b, beta * a + alpha * b],
                                axis=1).reshape(size)
            for perm in perms:    # qubits across shards: the partner's shard, one ppermute
                psi = alpha * psi + beta * jax.lax.ppermute(psi, AXIS, perm)
            if imaginary:
                psi, logp = _normalize(psi, logp)
            return (psi, logp), None

        return jax.lax.scan(body, (psi, logp), (cps, cks))[0]

    fn = jax.shard_map(local, mesh=mesh, in_specs=(P(AXIS), P(), P(AXIS), P(), P(), P()),
                       out_specs=(P(AXIS), P()))
    return jax.jit(fn, donate_argnums=(0,))


def run_sharded_bits(spec: EvolutionSpec, *, devices=None, shots: int | None = None,
                     seed: int | None = None, chunk: int | None = None) -> Result:
    """Run a spec on a binary problem (hypercube Laplacian) split across JAX devices.

    Args:
        spec: A spec on a :class:`~qdq.BinaryProblem` whose kinetic term is the hypercube
            Laplacian (``QAOA``, ``Anneal``, ``RealTime``, ``ImaginaryTime``).
        devices: ``None`` (every device), ``N`` or a list of devices; the count must be a
            power of two below ``2ⁿ``.
        shots: ``None`` (exact) or a number of samples.
        seed: Sampling seed.
        chunk: Pairs per compiled scan.

    Raises:
        ParameterError: Not the hypercube, or a device count that is not a power of two
            (or too large for the bits).
    """
    shots, seed = check_shots(shots), check_seed(seed)
    if spec.kinetic_term.basis != "hadamard":
        raise ParameterError(f"run_sharded_bits runs the hypercube Laplacian, got "
                             f"{spec.kinetic_term.name}; use devices=1")
    t0 = _time.perf_counter()
    mesh = make_mesh(devices)
    count = int(mesh.shape[AXIS])
    n = spec.problem.num_bits
    high = count.bit_length() - 1
    if count != 1 << high or high >= n:
        raise ParameterError(f"{n} bits split over devices={count}: the device count must be a "
                             f"power of two below 2^{n}; use 1, 2, 4, … devices")
    imaginary = spec.time_axis == "imaginary"
    zeta = np.asarray(spec.problem.values, dtype=np.float64)
    if imaginary:
        zeta = zeta - imaginary_potential_shift(spec.problem)
    pairs = FormulaPairs(spec.product_formula(), max_potential=float(np.max(np.abs(zeta))),
                         max_kinetic=spec.D * 2.0 * n, chunk=chunk)
    t1 = _time.perf_counter()
    with jax.enable_x64(True):
        psi = _put(mesh, np.asarray(spec.initial_state(), dtype=np.complex128), P(AXIS))
        zeta_d = _put(mesh, zeta, P(AXIS))
        logp = jnp.zeros((), dtype=jnp.float64)
        D_d = jnp.asarray(spec.D, dtype=jnp.float64)
        step = _chunk_fn(mesh, n - high, high, imaginary)
        for cps, cks in pairs:
            psi, logp = step(psi, logp, zeta_d, D_d, cps, cks)
        out, log_success = finish(mesh, psi, logp, zeta_d, pairs, imaginary)
    t2 = _time.perf_counter()
    readout = final_state_readout(
        out, log_success, shots=shots, seed=seed, postselected=imaginary,
        what="the sharded JAX engine", hint="a phase overflowed; reduce D, time/steps or the "
        "objective's scale")
    return make_result(
        spec, backend="jax", **readout, factors=dict(pairs.counts),
        timing={"build": t1 - t0, "run": t2 - t1},
        extra={"devices": count, "processes": int(jax.process_count()),
               "platform": mesh.devices.flat[0].platform, "layout": "top-bits"})
