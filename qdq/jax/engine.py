r"""The ``backend="jax"`` engine: the product formula as jit-compiled ``lax.scan`` chunks.

A third interpreter of the same ``(term, c)`` sequence as the circuit builder and the numpy
emulator (:mod:`qdq.engines.emulator`). The formula is streamed host-side into *pairs*
``(c_potential, c_kinetic)`` (see :mod:`qdq.jax.evolve`) in chunks of at most
:data:`CHUNK_PAIRS`, each chunk one jitted ``lax.scan`` (compiled once per shape: a run
compiles at most two chunk lengths), so 10⁶ steps cost time, not memory. Imaginary time
applies ``e^{−c(X − s)}`` with the emulator's shift ``s``
(:func:`~qdq.engines.emulator.imaginary_potential_shift`), renormalizes after each pair and
reports the same ``log P_success``. Anneals use the formula's time-dependent coefficients.

When the formula has at most :data:`TABLE_ENTRIES` distinct pairs (constant weights:
real and imaginary time) the phases are precomputed once as tables and the scan indexes
them; otherwise (anneals) the phases are computed inside the scan.

With ``observe_every = m`` the trace records, every ``m`` kinetic factors and at the end,
the same keys as the emulator: ``kinetic_factors``, ``energy`` (``⟨−D∇² + ζ⟩`` with the
spec's ``D``), ``potential`` (``⟨ζ⟩``), ``p_global_min`` and, in imaginary time, ``norm``
(the running ``P_success``: ``‖ψ‖²`` of the un-renormalized state). Orders 2 and 4 are
observed at step boundaries (half of the next merged potential factor applied to a copy).

Example:
    >>> import qdq
    >>> from qdq.engines.emulator import run_emulator
    >>> p = qdq.Problem("x**2", bounds=[(-4, 4)], qubits=6)
    >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=20)
    >>> r = run_jax(s)
    >>> import numpy as np
    >>> fid = abs(np.vdot(r.statevector, run_emulator(s).statevector)) ** 2
    >>> bool(fid > 1 - 1e-12), r.backend
    (True, 'jax')
"""

from __future__ import annotations

import functools
import itertools
import time as _time
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from qdq.engines.emulator import imaginary_potential_shift
from qdq.engines.readout import final_state_readout, make_result
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec, ProductFormula
from qdq.grid import check_memory
from qdq.jax.evolve import (
    FFT,
    HADAMARD,
    NUMPY_FFT,
    four_step_fft,
    four_step_order,
    four_step_twiddle,
    pair_step,
    phase,
    xy_pair_indices,
    xy_rotate,
)
from qdq.jax.observables import observe
from qdq.jax.trig import EXACT_LIMIT
from qdq.kinetic import FourierLaplacian
from qdq.problem import global_min_mask
from qdq.results import Result
from qdq.validate import check_seed, check_shots

__all__ = ["CHUNK_PAIRS", "TABLE_ENTRIES", "check_supported", "engine", "iter_pairs", "run_jax"]

#: Pairs per jitted scan (the host streams the formula in chunks of this many).
CHUNK_PAIRS = 1000
#: Phase tables are used when a formula has at most this many distinct pairs...
TABLE_ENTRIES = 8
#: ...and its tables fit in this many bytes.
TABLE_BYTES = 512 << 20
#: Pairs looked at to decide whether tables pay off (streamed formulas).
PREFIX_PAIRS = 1 << 12
#: Declared working memory per grid point, beyond tables: state, FFT buffers, ζ, D|k|², mask
#: and (1-D grids from FOUR_STEP_POINTS up) the four-step twiddle.
BYTES_PER_POINT = 112
#: 1-D grids with at least this many points use :func:`~qdq.jax.evolve.four_step_fft`
#: (XLA's single long 1-D FFT is 2.5× slower than its 2-D one on the same points).
FOUR_STEP_POINTS = 1 << 18


def _fft(consts: dict) -> FFT:
    """The transform pair: Walsh–Hadamard on the hypercube, four-step with a twiddle table."""
    if "hadamard" in consts:
        return HADAMARD
    return four_step_fft(consts["twiddle"]) if "twiddle" in consts else NUMPY_FFT


def iter_pairs(formula: ProductFormula, counts: dict) -> Iterator[tuple[float, float]]:
    """Stream a merged formula as ``(c_p, c_k)`` pairs; the trailing potential goes to counts.

    The merged sequence alternates terms, so it is pairs plus at most one trailing potential
    factor (``counts["tail"]``, else 0.0); a leading kinetic factor gets ``c_p = 0``.
    ``counts`` also receives the factor counts (``potential``, ``kinetic``).

    Example:
        >>> f = ProductFormula("real", (("potential", 0.5), ("kinetic", 1.0),
        ...                             ("potential", 1.0), ("kinetic", 1.0),
        ...                             ("potential", 0.5)), 2)
        >>> counts = {}
        >>> list(iter_pairs(f, counts)), counts
        ([(0.5, 1.0), (1.0, 1.0)], {'potential': 3, 'kinetic': 2, 'tail': 0.5})
    """
    counts.update(potential=0, kinetic=0, tail=0.0)
    cp = None
    for term, c in formula:
        counts[term] += 1
        if term == "potential":
            cp = c if cp is None else cp + c
        else:
            yield (0.0 if cp is None else cp), c
            cp = None
    counts["tail"] = 0.0 if cp is None else cp


def _body(mode: str, imaginary: bool, consts: dict, bounded: bool = False):
    if "xy" in consts:  # the XY mixer: pair rotations, no transform (real time only)
        def body_xy(carry, x):
            psi, logs = carry
            psi = psi * phase(consts["vdiag"], x[0], False)
            return (xy_rotate(psi, consts["xy"], x[1] * consts["D"]), logs), None
        return body_xy
    fft = _fft(consts)
    if mode == "direct" and "kaxes" in consts:
        # d >= 2 with changing weights: the kinetic phase is a product of 1-D phases
        # broadcast over the grid (Σ N_d exponentials instead of Π N_d), as the emulator.
        nd = len(consts["kaxes"])

        def body_separable(carry, x):
            psi, logs = carry
            psi = fft.forward(psi * phase(consts["vdiag"], x[0], imaginary, bounded))
            for d, kax in enumerate(consts["kaxes"]):
                shape = [-1 if a == d else 1 for a in range(nd)]
                # Not bounded: fused, XLA would evaluate the 1-D phase at every grid
                # point of the broadcast (N instead of N_d polynomials: 4x slower).
                psi = psi * phase(kax, x[1], imaginary).reshape(shape)
            psi = fft.inverse(psi)
            if imaginary:
                n2 = jnp.sum(jnp.real(psi) ** 2 + jnp.imag(psi) ** 2)
                psi, logs = psi * lax.rsqrt(n2), logs + jnp.log(n2)
            return (psi, logs), None
        return body_separable
    if mode == "direct":
        def body(carry, x):
            psi, logs = carry
            psi, dlog = pair_step(psi, x[0], x[1], consts["vdiag"], consts["kdiag"],
                                  imaginary=imaginary, fft=fft, bounded=bounded)
            return (psi, logs + dlog), None
        return body

    def body_tables(carry, i):
        psi, logs = carry
        psi = fft.inverse(fft.forward(psi * consts["ptables"][i]) * consts["ktables"][i])
        if imaginary:
            n2 = jnp.sum(jnp.real(psi) ** 2 + jnp.imag(psi) ** 2)
            psi, logs = psi * lax.rsqrt(n2), logs + jnp.log(n2)
        return (psi, logs), None
    return body_tables


@functools.partial(jax.jit, static_argnames=("mode", "imaginary", "every", "bounded"),
                   donate_argnums=(0,))
def _chunk(psi, logs, xs, halves, consts, *, mode: str, imaginary: bool, every: int,
           bounded: bool = False):
    """One chunk of pairs; with ``every``, a trace row after each block of ``every`` pairs.

    ``bounded``: every phase angle of the chunk is within the polynomial range (checked
    on the host), so the phases skip :func:`~qdq.jax.trig.expi`'s run-time range test.
    """
    body = _body(mode, imaginary, consts, bounded)
    carry = (psi, logs)
    length = jax.tree_util.tree_leaves(xs)[0].shape[0]
    if not every:
        return lax.scan(body, carry, xs)[0], jnp.zeros((0, 4))
    nb = length // every
    head = jax.tree_util.tree_map(lambda a: a[:nb * every].reshape(nb, every, *a.shape[1:]),
                                  xs)

    def block(c, inp):
        xb, half = inp
        c = lax.scan(body, c, xb)[0]
        row = observe(c[0] * phase(consts["vdiag"], half, imaginary), consts["zeta"],
                      consts["kdiag"], consts["mask"], _fft(consts))
        return c, jnp.append(row, c[1])

    carry, rows = lax.scan(block, carry, (head, halves))
    rest = jax.tree_util.tree_map(lambda a: a[nb * every:], xs)
    return lax.scan(body, carry, rest)[0], rows


@jax.jit
def _observe_final(psi, consts):
    return observe(psi, consts["zeta"], consts["kdiag"], consts["mask"], _fft(consts))


@functools.partial(jax.jit, static_argnames=("imaginary",))
def _tail(psi, logs, c, vdiag, *, imaginary: bool):
    psi = psi * phase(vdiag, c, imaginary)
    if not imaginary:
        return psi, logs
    n2 = jnp.sum(jnp.real(psi) ** 2 + jnp.imag(psi) ** 2)
    return psi * lax.rsqrt(n2), logs + jnp.log(n2)


def _tables(formula: ProductFormula, size: int) -> list | None:
    """The distinct pairs of a formula, or ``None`` when tables do not pay off."""
    seen: dict = {}
    limit = None if not formula.streamed else PREFIX_PAIRS
    for pair in itertools.islice(iter_pairs(formula, {}), limit):
        seen.setdefault(pair, len(seen))
        if len(seen) > TABLE_ENTRIES:
            return None
    if len(seen) * size * 32 > TABLE_BYTES:
        return None
    return list(seen)


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_supported(spec: EvolutionSpec, observe_every: int = 0) -> None:
    """Raise :class:`~qdq.errors.ParameterError` when this engine cannot run ``spec``.

    It runs kinetic terms diagonal in the Fourier or Hadamard basis, and the XY mixer in
    real time without a trace. ``backend="local"`` asks this before choosing JAX.
    """
    term = spec.kinetic_term
    xy = term.name == "xy-mixer"
    if term.basis not in ("fourier", "hadamard") and not xy:
        raise ParameterError(f"the JAX engine applies kinetic terms diagonal in the Fourier or "
                             f"Hadamard basis, or the XY mixer; {term.name} is neither — use "
                             "backend='emulator' or 'aer'")
    if xy and (observe_every or spec.time_axis == "imaginary"):
        raise ParameterError("the XY mixer runs on the JAX engine in real time without a "
                             "trace (observe_every=0); use backend='emulator' for these")


def run_jax(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
            observe_every: int = 0, devices: int = 1, chunk: int = CHUNK_PAIRS) -> Result:
    """Run a spec with the JAX engine (complex128, jit-compiled ``lax.scan``).

    Args:
        spec: A :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        shots: ``None`` (exact) or a number of samples (imaginary time: postselected).
        seed: Sampling seed.
        observe_every: Trace every this many kinetic factors (0: no trace).
        devices: Number of devices; above 1 the grid (``d >= 2``) is split across them
            (:func:`qdq.jax.sharded.run_sharded`, no trace).
        chunk: Pairs per compiled scan (memory of the host-side coefficients).

    Returns:
        A :class:`~qdq.Result` (``backend="jax"``), as every engine returns.

    Raises:
        ParameterError: Bad shots/seed/observe_every/devices/chunk, or a phase overflow.
        PostselectionError: The imaginary-time success probability underflows.
        ResourceError: The run does not fit in memory.
    """
    shots, seed = check_shots(shots), check_seed(seed)
    every = _check_int("observe_every", observe_every, 0)
    chunk = _check_int("chunk", chunk, 1)
    check_supported(spec, every)
    term = spec.kinetic_term
    grid_laplacian = type(term) is FourierLaplacian
    xy = term.name == "xy-mixer"
    if _check_int("devices", devices, 1) > 1 and not grid_laplacian:
        if term.basis == "hadamard":
            if every:
                raise ParameterError(f"observe_every={every} is not available with devices="
                                     f"{devices}; use observe_every=0 or devices=1")
            from qdq.jax.sharded_bits import run_sharded_bits  # the hypercube, top bits split

            return run_sharded_bits(spec, devices=int(devices), shots=shots, seed=seed,
                                    chunk=chunk)
        raise ParameterError(f"devices={devices} splits a grid's FFT or the hypercube across "
                             f"devices; the {term.name} runs on one device (devices=1)")
    if devices > 1:
        if every:
            raise ParameterError(f"observe_every={every} is not available with devices="
                                 f"{devices}; use observe_every=0 or devices=1")
        from qdq.jax.sharded import run_sharded  # the grid split across devices

        return run_sharded(spec, devices=int(devices), shots=shots, seed=seed, chunk=chunk)
    t0 = _time.perf_counter()
    grid, problem = spec.grid, spec.problem
    imaginary = spec.time_axis == "imaginary"
    formula = spec.product_formula()
    table_pairs = None if xy else _tables(formula, grid.size)
    check_memory(BYTES_PER_POINT * grid.size + 32 * grid.size * len(table_pairs or ()),
                 f"the JAX engine's {grid.num_qubits}-qubit {spec.method} run")
    zeta = np.asarray(problem.values, dtype=np.float64)
    shift = imaginary_potential_shift(problem) if imaginary else 0.0
    kdiag = (grid.k_squared if grid_laplacian else np.zeros(grid.size) if xy
             else term.diagonal())  # in the term's basis (XY: unused)
    consts = {"vdiag": jnp.asarray(zeta - shift), "zeta": jnp.asarray(zeta),
              "kdiag": jnp.asarray(spec.D * kdiag),
              "mask": jnp.asarray(global_min_mask(zeta), dtype=jnp.float64)}
    mode = "direct"
    if xy:
        consts["xy"] = xy_pair_indices(term.pairs, grid.num_qubits)
        consts["D"] = jnp.asarray(spec.D, dtype=jnp.float64)
    elif term.basis == "hadamard":
        consts["hadamard"] = jnp.zeros(())  # marks the Walsh–Hadamard transform (_fft)
    elif not grid_laplacian:
        pass  # another Fourier-basis term: its full diagonal, no separable shortcut
    elif grid.dims > 1:
        consts["kaxes"] = tuple(jnp.asarray(spec.D * k**2) for k in grid.momenta)
    elif grid.size >= FOUR_STEP_POINTS:
        # Momentum space in the four-step transform's order; position space is unchanged.
        consts["twiddle"] = jnp.asarray(four_step_twiddle(grid.size)[2])
        consts["kdiag"] = consts["kdiag"][four_step_order(grid.size)]
    if table_pairs is not None:
        mode = "tables"
        index = {p: i for i, p in enumerate(table_pairs)}
        consts["ptables"] = jnp.stack([phase(consts["vdiag"], p[0], imaginary)
                                       for p in table_pairs])
        consts["ktables"] = jnp.stack([phase(consts["kdiag"], p[1], imaginary)
                                       for p in table_pairs])
    psi = jnp.asarray(spec.initial_state(), dtype=jnp.complex128)
    logs = jnp.zeros((), dtype=jnp.float64)
    if every:
        chunk = max(every, chunk // every * every)
    half_factor = 0.0 if formula.order == 1 else 0.5
    # The largest |diagonal| each coefficient multiplies: a chunk whose max|c|·max|X| is
    # within expi's polynomial range takes the fused phase (no run-time range test).
    vmax = float(np.max(np.abs(zeta - shift), initial=0.0))
    kmax = float(max((float(np.max(np.abs(k))) for k in consts["kaxes"]), default=0.0)
                 if "kaxes" in consts else np.max(np.abs(np.asarray(consts["kdiag"])),
                                                   initial=0.0))
    counts: dict = {}
    pairs = iter_pairs(formula, counts)
    rows: list[np.ndarray] = []
    done = 0
    t1 = _time.perf_counter()
    buf = list(itertools.islice(pairs, chunk + 1))
    while buf:
        cur, nxt = buf[:chunk], buf[chunk:]
        arr = np.asarray(cur, dtype=np.float64)
        nb = len(cur) // every if every else 0
        halves = np.zeros(nb)
        for b in range(nb):
            j = (b + 1) * every  # index (in buf) of the pair after the block
            halves[b] = half_factor * (buf[j][0] if j < len(buf) else 0.0)
        if mode == "tables" and all(p in index for p in cur):
            xs = jnp.asarray([index[p] for p in cur], dtype=jnp.int32)
            step_mode = "tables"
        else:
            xs, step_mode = (jnp.asarray(arr[:, 0]), jnp.asarray(arr[:, 1])), "direct"
        bounded = (not imaginary and step_mode == "direct"
                   and float(np.max(np.abs(arr[:, 0]), initial=0.0)) * vmax <= EXACT_LIMIT
                   and float(np.max(np.abs(arr[:, 1]), initial=0.0)) * kmax <= EXACT_LIMIT)
        (psi, logs), out = _chunk(psi, logs, xs, jnp.asarray(halves), consts, mode=step_mode,
                                  imaginary=imaginary, every=every, bounded=bounded)
        if every:
            out = np.asarray(out)
            ks = done + every * np.arange(1, nb + 1)
            keep = ks < done + len(cur) if not nxt else np.ones(nb, dtype=bool)
            rows.extend(np.concatenate([[k], row]) for k, row in zip(ks[keep], out[keep],
                                                                       strict=True))
        done += len(cur)
        buf = nxt + list(itertools.islice(pairs, chunk + 1 - len(nxt)))
    if counts.get("tail", 0.0):
        psi, logs = _tail(psi, logs, counts["tail"], consts["vdiag"], imaginary=imaginary)
    if every:
        final = np.asarray(_observe_final(psi, consts))
        rows.append(np.concatenate([[done], final, [float(logs)]]))
    psi_np = np.asarray(psi)
    t2 = _time.perf_counter()
    readout = final_state_readout(
        psi_np, float(logs), shots=shots, seed=seed, postselected=imaginary,
        what="the JAX engine", hint="a phase overflowed; reduce D, time/steps or the "
        "objective's scale, or widen the box")
    return make_result(
        spec, backend="jax", **readout,
        factors={"potential": counts["potential"], "kinetic": counts["kinetic"]},
        timing={"build": t1 - t0, "run": t2 - t1}, trace=_trace(rows, imaginary),
        extra={"jax": jax.__version__, "devices": 1, "phases": mode,
               "fft": "xy-pairs" if xy else "walsh-hadamard" if "hadamard" in consts
               else "four-step" if "twiddle" in consts else "xla"})


def _trace(rows: list, imaginary: bool) -> dict:
    if not rows:
        return {}
    table = np.asarray(rows)
    out = {"kinetic_factors": table[:, 0].astype(int), "energy": table[:, 1],
           "potential": table[:, 2], "p_global_min": table[:, 3]}
    if imaginary:
        out["norm"] = np.exp(table[:, 4])
    return out


def engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
           options: dict) -> Result:
    """The registry's entry point (:mod:`qdq.engines.registry`): :func:`run_jax`."""
    return run_jax(spec, shots=shots, seed=seed, **options)
