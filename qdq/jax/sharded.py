r"""The split-step engine with the grid split across JAX devices (slab decomposition).

The state ``ψ`` of shape ``(N₀, N₁, …)`` is split along axis 0 over a 1-D device mesh
(axis name :data:`~qdq.jax.slab.AXIS`): device ``p`` of ``P`` holds rows
``p·N₀/P … (p+1)·N₀/P − 1`` and the matching slab of ζ, so every potential factor is
local; a kinetic factor transposes with ``all_to_all`` around the FFT along axis 0 and
applies its phase on the transposed momentum slab (two transposes per factor). The
kernels are in :mod:`qdq.jax.slab`; this module picks devices, checks the grid, streams
the formula and builds the :class:`~qdq.Result`.

Imaginary time renormalizes with a global norm (``lax.psum``) once per potential+kinetic
pair; ``log P_success = Σ log ‖·‖²`` is the same product of norms the emulator
accumulates factor by factor. The factors of a :class:`~qdq.evolution.ProductFormula` are
streamed host-side into chunks of at most :data:`CHUNK_PAIRS` ``(c_potential, c_kinetic)``
pairs, each chunk one ``lax.scan`` inside one ``shard_map``: the number of steps costs
time, not memory, and at most two chunk lengths are compiled. Formulas with at most
:data:`TABLE_ENTRIES` distinct pairs (constant weights) use phase tables built once on the
devices; anneals compute their phases inside the scan. ``jnp.fft`` on a sharded
array would gather the whole grid onto each device; here every FFT is on local data.

Across processes (``jax.distributed``, see :mod:`qdq.jax.distributed`) every process runs
the same call; the mesh spans all global devices and each process holds only its slabs
on device. The host still builds ζ and ``ψ₀`` and receives the final grid (a
:class:`~qdq.Result` holds whole-grid arrays), so host memory is ``~40 B`` per grid point.

Precision is complex128 (``jax_enable_x64`` is switched on for the run only).

Example:
    >>> import qdq
    >>> from qdq.engines.emulator import run_emulator
    >>> p = qdq.Problem("x**2 + y**2", bounds=[(-2, 2), (-2, 2)], qubits=4)
    >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=10)
    >>> r = run_sharded(s, devices=1)
    >>> float(abs(r.probabilities - run_emulator(s).probabilities).max()) < 1e-13
    True
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding

from qdq.engines.emulator import imaginary_potential_shift
from qdq.engines.readout import final_state_readout, make_result
from qdq.errors import ParameterError, PostselectionError, ResourceError
from qdq.evolution import EvolutionSpec, ProductFormula
from qdq.jax.slab import AXIS, chunk_fn, potential_fn, specs, table_chunk_fn, tables_fn
from qdq.results import Result
from qdq.validate import check_seed, check_shots

__all__ = ["CHUNK_PAIRS", "FormulaPairs", "check_shardable", "evolve_sharded", "finish",
           "make_mesh", "run_sharded"]

#: At most this many ``(c_potential, c_kinetic)`` pairs go into one compiled scan.
CHUNK_PAIRS = 1 << 14
#: Phase tables are used when the first :data:`PREFIX_PAIRS` pairs hold at most this many
#: distinct pairs...
TABLE_ENTRIES = 8
#: ...and the tables take at most this many bytes per device.
TABLE_BYTES = 512 << 20
PREFIX_PAIRS = 1 << 12


# --------------------------------------------------------------------------- devices
def _resolve_devices(devices: int | Sequence[Any] | None) -> list:
    """``devices`` (``None``: all, an int ``N``: the first ``N`` global devices, or a list)."""
    available = jax.devices()
    if devices is None:
        return list(available)
    if isinstance(devices, (bool, str, bytes)) or \
            not isinstance(devices, (int, np.integer, Sequence)):
        raise ParameterError(f"devices must be an integer >= 1, a list of JAX devices or "
                             f"None, got {devices!r}")
    if isinstance(devices, Sequence):
        out = list(devices)
        if not out:
            raise ParameterError("devices is an empty list; give at least one JAX device")
        return out
    n = int(devices)
    if n < 1:
        raise ParameterError(f"devices must be an integer >= 1, got {devices!r}")
    if n > len(available):
        hint = ("; on CPU, set XLA_FLAGS=--xla_force_host_platform_device_count="
                f"{n} before jax is imported" if available[0].platform == "cpu" else "")
        raise ResourceError(f"devices={n} but only {len(available)} JAX device(s) are "
                            f"visible ({available[0].platform}){hint}")
    if jax.process_count() > 1 and n != len(available):
        raise ParameterError(
            f"with {jax.process_count()} processes devices must span every global device "
            f"(devices={len(available)} or None), got devices={n}")
    return list(available[:n])


def make_mesh(devices: int | Sequence[Any] | None = None) -> Mesh:
    """A 1-D :class:`jax.sharding.Mesh` named :data:`AXIS` over ``devices``.

    Args:
        devices: ``None`` (every global device), ``N`` (the first ``N`` of
            ``jax.devices()``) or a sequence of devices.

    Raises:
        ParameterError: A bad ``devices`` value.
        ResourceError: More devices asked for than are visible.

    Example:
        >>> make_mesh(1).shape[AXIS]
        1
    """
    return Mesh(np.array(_resolve_devices(devices)), (AXIS,))


def check_shardable(shape: tuple[int, ...], n: int) -> None:
    """Refuse a grid the slab decomposition cannot split over ``n`` devices.

    Raises:
        ParameterError: A 1-D grid with ``n > 1``, or ``N₀``/``N₁`` not divisible by ``n``.

    Example:
        >>> check_shardable((8, 8), 4)
        >>> check_shardable((256,), 2)
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: a 1-D grid (256 points) cannot be split across devices=2: ...
    """
    if n == 1:
        return
    if len(shape) < 2:
        raise ParameterError(
            f"a 1-D grid ({shape[0]} points) cannot be split across devices={n}: the slab "
            "decomposition transposes between the first two axes, so it needs d >= 2; run "
            "1-D problems with devices=1 (a 2^n-point 1-D grid fits one device far beyond "
            "what its product formula costs)")
    for axis in (0, 1):
        if shape[axis] % n:
            raise ParameterError(
                f"grid axis {axis} has {shape[axis]} points, not divisible by devices={n}; "
                "use a power-of-two device count no larger than the two first axes")


# --------------------------------------------------------------------------- the formula
class FormulaPairs:
    """A product formula regrouped as ``(c_potential, c_kinetic)`` pairs, chunk by chunk.

    Pair ``j`` applies ``e^{−c_p ζ}`` then ``e^{−c_k T}`` (``c_p = 0`` where the formula
    has two kinetic factors in a row or starts with one). A final potential factor with no
    kinetic after it is kept in :attr:`trailing` (known once iteration ends). Every factor
    is validated as it streams by (finite, and no overflowing imaginary-time phase).

    Attributes:
        counts: Factors seen, ``{"potential": …, "kinetic": …}``.
        trailing: Coefficient of a final potential factor, or ``0.0``.

    Example:
        >>> f = ProductFormula("real", (("potential", 0.5), ("kinetic", 1.0),
        ...                             ("potential", 0.5)), 2)
        >>> pairs = FormulaPairs(f, max_potential=1.0, max_kinetic=1.0)
        >>> [[c.tolist() for c in chunk] for chunk in pairs], pairs.trailing
        ([[[0.5], [1.0]]], 0.5)
    """

    def __init__(self, formula: ProductFormula, *, max_potential: float, max_kinetic: float,
                 chunk: int | None = None):
        self.formula = formula
        self.imaginary = formula.time_axis == "imaginary"
        self.maxima = {"potential": max_potential, "kinetic": max_kinetic}
        self.chunk = CHUNK_PAIRS if chunk is None else int(chunk)
        self.counts = {"potential": 0, "kinetic": 0}
        self.trailing = 0.0

    def _check(self, i: int, term: str, c: float) -> None:
        if not math.isfinite(c):
            raise ParameterError(
                f"{term} factor coefficient c = {c!r} at factor {i} is not finite; "
                "time/steps or a schedule weight overflowed — use finite, moderate values")
        extreme = abs(c) * self.maxima[term]
        if not math.isfinite(extreme) or (self.imaginary and c < 0 and extreme > 700):
            raise ParameterError(
                f"the {term} phase c·max|X| = {c:g}·{self.maxima[term]:g} overflows at factor "
                f"{i}; reduce D, time/steps, the objective's scale, or widen the box")

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        cps: list[float] = []
        cks: list[float] = []
        pending = 0.0
        for i, (term, c) in enumerate(self.formula):
            c = float(c)
            self._check(i, term, c)
            self.counts[term] += 1
            if term == "potential":
                pending += c  # two potentials in a row commute: one factor
                continue
            cps.append(pending)
            cks.append(c)
            pending = 0.0
            if len(cks) == self.chunk:
                yield np.asarray(cps), np.asarray(cks)
                cps, cks = [], []
        if cks:
            yield np.asarray(cps), np.asarray(cks)
        self.trailing = pending


# --------------------------------------------------------------------------- running
def _put(mesh: Mesh, host: np.ndarray, spec) -> jax.Array:
    """A global array from a host array each process holds whole (only local shards move)."""
    sharding = NamedSharding(mesh, spec)
    return jax.make_array_from_callback(host.shape, sharding, lambda idx: host[idx])


def _gather(x: jax.Array) -> np.ndarray:
    """The whole global array on this host (an all-gather across processes if needed)."""
    if x.is_fully_addressable:
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))


def _table_index(formula: ProductFormula, pairs: FormulaPairs, local_size: int,
                 imaginary: bool) -> dict:
    """``{(c_p, c_k): i}`` of a formula's distinct pairs when tables pay off, else ``{}``."""
    prefix = FormulaPairs(formula, max_potential=pairs.maxima["potential"],
                          max_kinetic=pairs.maxima["kinetic"], chunk=PREFIX_PAIRS)
    cps, cks = next(iter(prefix), (np.zeros(0), np.zeros(0)))
    index: dict = {}
    for p in itertools.islice(zip(cps.tolist(), cks.tolist(), strict=True), PREFIX_PAIRS):
        index.setdefault(p, len(index))
        if len(index) > TABLE_ENTRIES:
            return {}
    per_entry = 2 * local_size * (8 if imaginary else 16)
    return index if len(index) * per_entry <= TABLE_BYTES else {}


def evolve_sharded(formula: ProductFormula, psi0: np.ndarray, potential: np.ndarray, *,
                   D: float, momenta: Sequence[np.ndarray], mesh: Mesh,
                   potential_shift: float | None = None,
                   chunk: int | None = None) -> tuple[np.ndarray, float, dict]:
    """Apply a product formula to a grid-shaped state split across ``mesh``.

    Args:
        formula: The sequence (iterated once; a stream is never materialized).
        psi0: Grid-shaped initial state (host array).
        potential: Grid-shaped ζ (host array).
        D: Kinetic constant.
        momenta: 1-D momentum arrays per dimension (FFT order).
        mesh: A 1-D mesh named :data:`~qdq.jax.slab.AXIS` (:func:`make_mesh`).
        potential_shift: Imaginary time: ``s`` in ``e^{−c(ζ − s)}`` (default ``min ζ``).
        chunk: Pairs per compiled scan (default :data:`CHUNK_PAIRS`).

    Returns:
        ``(ψ, log P_success, factor counts)`` with ``ψ`` the final host state (normalized
        for imaginary time; ``log P = 0`` for real time).

    Raises:
        ParameterError: A grid the mesh cannot split, or an overflowing phase.
        PostselectionError: The imaginary-time state vanished.
    """
    shape = tuple(np.shape(psi0))
    nd = len(shape)
    check_shardable(shape, mesh.shape[AXIS])
    imaginary = formula.time_axis == "imaginary"
    zeta = np.asarray(potential, dtype=np.float64)
    if imaginary:
        zeta = zeta - (float(zeta.min()) if potential_shift is None else potential_shift)
    k2 = [np.asarray(k, dtype=np.float64) ** 2 for k in momenta]
    max_kin = D * float(sum(np.max(v) for v in k2))
    pairs = FormulaPairs(formula, max_potential=float(np.max(np.abs(zeta))),
                         max_kinetic=max_kin, chunk=chunk)
    index = _table_index(formula, pairs, math.prod(shape) // mesh.shape[AXIS], imaginary)
    with jax.enable_x64(True):
        psi_spec, zeta_spec, k2_spec = specs(nd)
        psi = _put(mesh, np.asarray(psi0, dtype=np.complex128), psi_spec)
        zeta_d = _put(mesh, zeta, zeta_spec)
        k2_d = tuple(_put(mesh, v, s) for v, s in zip(k2, k2_spec, strict=True))
        logp = jnp.zeros((), dtype=jnp.float64)
        D_d = jnp.asarray(D, dtype=jnp.float64)
        if index:
            cp_k = np.asarray(list(index), dtype=np.float64).reshape(-1, 2)
            ptab, ktab = tables_fn(mesh, nd, imaginary)(zeta_d, k2_d, D_d, cp_k[:, 0],
                                                        cp_k[:, 1])
        for cps, cks in pairs:
            idx = [index.get(p) for p in zip(cps.tolist(), cks.tolist(), strict=True)]
            if index and None not in idx:
                psi, logp = table_chunk_fn(mesh, nd, imaginary)(
                    psi, logp, ptab, ktab, np.asarray(idx, dtype=np.int32))
            else:
                psi, logp = chunk_fn(mesh, nd, imaginary)(psi, logp, zeta_d, k2_d, D_d,
                                                          cps, cks)
        out, log_success = finish(mesh, psi, logp, zeta_d, pairs, imaginary)
    return out, log_success, dict(pairs.counts)


def finish(mesh: Mesh, psi: jax.Array, logp: jax.Array, zeta_d: jax.Array,
           pairs: FormulaPairs, imaginary: bool) -> tuple[np.ndarray, float]:
    """After the last chunk: the trailing potential factor, the gather, the vanishing check.

    Shared by the grid (slab) and hypercube (top-bit) layouts; call inside ``enable_x64``.

    Returns:
        ``(ψ on this host, log P_success)``.

    Raises:
        PostselectionError: The imaginary-time state vanished.
    """
    if pairs.trailing != 0.0:
        psi, logp = potential_fn(mesh, imaginary)(psi, logp, zeta_d, jnp.asarray(pairs.trailing))
    out = _gather(psi)
    log_success = float(logp)
    if imaginary and not (math.isfinite(log_success) and np.all(np.isfinite(out))):
        raise PostselectionError(
            f"imaginary-time state vanished (log P = {log_success}); use fewer or smaller steps")
    return out, log_success


def run_sharded(spec: EvolutionSpec, *, devices: int | Sequence[Any] | None = None,
                shots: int | None = None, seed: int | None = None,
                chunk: int | None = None) -> Result:
    """Run a spec with its grid split across JAX devices (and processes).

    The same product formula, phases, imaginary-time shift and success probability as
    :func:`qdq.engines.emulator.run_emulator`; results agree with it to round-off
    (``~1e-14`` on these grids; the tests demand ``1e-12``).

    Args:
        spec: A :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`
            on a grid of dimension ``d >= 2`` when ``devices > 1``.
        devices: ``None`` (every global device), ``N`` (the first ``N`` devices; with
            several processes it must be all of them) or a list of devices.
        shots: ``None`` for the exact distribution, or a number of samples.
        seed: Seed for sampling.
        chunk: Pairs per compiled scan (default :data:`CHUNK_PAIRS`).

    Returns:
        A :class:`~qdq.Result` (backend ``"jax"``; ``extra`` records the device count,
        processes and platform). Every process returns the same result.

    Raises:
        ParameterError: Bad ``devices``/shots/seed, a grid that cannot be split (``d = 1``,
            axes not divisible by the device count) or overflowing phases.
        ResourceError: More devices than are visible.
        PostselectionError: The imaginary-time success probability underflows.
    """
    shots = check_shots(shots)
    seed = check_seed(seed)
    t0 = _time.perf_counter()
    mesh = make_mesh(devices)
    grid = spec.grid
    check_shardable(grid.shape, mesh.shape[AXIS])
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1):
        raise ParameterError(f"chunk must be an integer >= 1, got {chunk!r}")
    t1 = _time.perf_counter()
    psi, log_success, counts = evolve_sharded(
        spec.product_formula(), spec.initial_state(), spec.problem.values, D=spec.D,
        momenta=grid.momenta, mesh=mesh,
        potential_shift=imaginary_potential_shift(spec.problem), chunk=chunk)
    t2 = _time.perf_counter()
    readout = final_state_readout(
        psi, log_success, shots=shots, seed=seed, postselected=spec.time_axis == "imaginary",
        what="the sharded JAX engine", hint="a phase overflowed; reduce D, time/steps or the "
        "objective's scale, or widen the box")
    device = mesh.devices.flat[0]
    return make_result(
        spec, backend="jax", **readout, factors=counts,
        timing={"build": t1 - t0, "run": t2 - t1},
        extra={"devices": int(mesh.size), "processes": int(jax.process_count()),
               "platform": device.platform, "layout": "slab"},
    )
