r"""FFT split-operator emulator: the product-formula sequence applied with numpy/scipy.

For each ``(term, c)`` of a :class:`~qdq.evolution.ProductFormula` the emulator applies

* ``potential``: ``ψ ← e^{−icζ} ψ`` (real) or ``ψ ← e^{−c(ζ−ζ_min)} ψ`` (imaginary),
* ``kinetic``: ``ψ ← F⁻¹ e^{−icD|k|²} F ψ`` (real) or ``F⁻¹ e^{−cD|k|²} F ψ`` (imaginary),

with ``F`` the n-D FFT. Imaginary-time factors are shifted so their largest entry is 1,
exactly like the probabilistic circuit blocks; the state is renormalized after every
factor and ``log P_success = Σ log ‖F_j ψ_{j−1}‖²`` accumulated, so the reported
success probability is the one the postselected circuit has.

Memory is bounded and declared (:mod:`~qdq.engines.emulator_memory`): the state (16 B), the
FFT's line buffer and plan (≤ 32 B), phase tables only while they fit :data:`CACHE_BYTES`;
otherwise phases are computed block by block into small buffers. The product formula is
streamed, so the number of steps costs time, not memory. No Qiskit is imported here.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-4, 4)], qubits=6)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=20),
    ...             backend="emulator")
    >>> round(float(r.probabilities.sum()), 12)
    1.0
"""

from __future__ import annotations

import collections
import itertools
import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.fft as sfft

from qdq.engines.emulator_memory import (  # noqa: F401 - re-exported: the run's memory model
    BLOCK,
    CACHE_BYTES,
    FIXED_BYTES,
    OBSERVE_BYTES_PER_AMP,
    PEAK_BYTES_PER_AMP,
    check_run_memory,
    peak_bytes,
)
from qdq.engines.emulator_phases import (
    ArrayDiag,
    AxisSumDiag,
    SumDiag,
    check_angle,
    fill_phase,
    phase_blocks,
)
from qdq.engines.progress import rich_progress as _rich_progress
from qdq.engines.readout import final_state_readout, make_result
from qdq.errors import ParameterError, PostselectionError
from qdq.evolution import EvolutionSpec, ProductFormula
from qdq.kinetic import FourierLaplacian
from qdq.results import Result
from qdq.validate import check_seed, check_shots

#: At most this many distinct factors are cached (constant-weight formulas have <= 8).
CACHE_ENTRIES = 16
#: A progress bar is shown (in a terminal) when factors × grid points exceed this.
PROGRESS_WORK = 5e8
#: The progress callback is called at least every this many factors (long runs).
PROGRESS_EVERY = 1 << 10
#: A product formula whose first this many factors hold more than CACHE_ENTRIES distinct
#: coefficients is treated as time-dependent (separable kinetic phases, no tables).
PREFIX_FACTORS = 1 << 12


@dataclass
class Evolution:
    """Raw outcome of :func:`evolve`."""

    psi: np.ndarray
    log_success: float = 0.0
    trace: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


def imaginary_potential_shift(problem) -> float:
    """Shift ``s`` of the imaginary-time potential factor ``e^{−c(ζ − s)}``.

    Circuits apply one probabilistic block per additive term group ``g`` of ζ, each
    shifted by its own minimum, so their product is ``e^{−c(ζ − Σ_g min ζ_g)}``; the
    emulator uses the same shift so both report the same success probability. For a
    separable objective ``Σ_g min ζ_g = min ζ`` (no loss); cross terms minimized at
    different points cost a factor ``e^{−c(min ζ − Σ_g min ζ_g)}`` per step.

    Example:
        >>> import qdq
        >>> imaginary_potential_shift(qdq.Problem("x**2 + 1", bounds=[(-1, 1)], qubits=2))
        1.0
    """
    return float(sum(np.min(t.values) for t in problem.terms))


# --------------------------------------------------------------------------- grid blocks
def _positional_arity(func: Callable) -> int:
    """How many positional arguments ``func`` accepts (``*args`` counts as many)."""
    import inspect

    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume the full form
        return 3
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 3
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def evolve(formula: ProductFormula, psi0: np.ndarray, potential: np.ndarray,
           kinetic: np.ndarray | None = None, *, potential_shift: float | None = None,
           kinetic_axes: tuple[np.ndarray, ...] | None = None,
           D: float | None = None, momenta: tuple[np.ndarray, ...] | None = None,
           workers: int | None = None,
           observe: Callable[..., None] | None = None,
           observe_every: int = 0,
           progress: Callable[[int, int], None] | None = None,
           overwrite_psi0: bool = False,
           kinetic_exp: Callable[[np.ndarray, float], None] | None = None,
           kinetic_max: float = 0.0) -> Evolution:
    """Apply a product formula to a grid-shaped state, in bounded memory.

    The formula is iterated (a stream is never materialized). Phase factors are computed
    block by block (:data:`BLOCK` elements) and cached as full-grid tables only for
    constant-weight formulas and within :data:`CACHE_BYTES`; values are the same either way.

    Args:
        formula: The sequence to apply.
        psi0: Grid-shaped initial state (copied unless ``overwrite_psi0``).
        potential: Grid-shaped ζ.
        kinetic: Grid-shaped kinetic diagonal ``D|k|²`` (momentum space, FFT order); or
            ``None`` with ``D`` and ``momenta`` given (computed per block, no grid array).
        potential_shift: Imaginary time only: ``s`` in ``e^{−c(ζ − s)}`` (default ``min ζ``;
            see :func:`imaginary_potential_shift`).
        kinetic_axes: Optional 1-D terms ``D k_d²`` with ``kinetic = Σ_d`` of them. When
            coefficients change every step (annealing), the kinetic factor is then built as
            a product of 1-D exponentials broadcast over the grid — ``Σ N_d`` exponentials
            instead of ``Π N_d``.
        D: Kinetic constant (with ``momenta``, instead of ``kinetic``).
        momenta: 1-D momentum arrays per dimension (with ``D``).
        workers: scipy.fft worker threads (``None``: scipy's default).
        observe: ``observe(kinetic_factors_done, psi)`` — or, if it takes a third argument,
            ``observe(…, log_success)`` — every ``observe_every``
            kinetic factors (and at the end) with the state at a step boundary: for
            orders 2 and 4, whose steps end inside a merged potential factor, half of the
            next potential factor is applied to a copy first (exact for constant weights).
        observe_every: Observation period in kinetic factors (0: never).
        progress: Called as ``progress(done, total)`` about 100 times, at least every
            :data:`PROGRESS_EVERY` factors (``total`` is the formula's size hint, exact for
            materialized formulas), and once at the end. An exception it raises (e.g.
            ``KeyboardInterrupt``, or a caller's cancel) stops the run there and propagates.
        overwrite_psi0: Evolve ``psi0`` in place when it is a complex128 C-contiguous array.
        kinetic_exp: A kinetic term that needs no transform (the hypercube): called as
            ``kinetic_exp(psi, c)`` to apply the whole factor in place (``D`` included);
            ``kinetic``, ``D`` and ``momenta`` are then not needed.
        kinetic_max: With ``kinetic_exp``: ``max |D·L|`` (for the overflow check).

    Returns:
        The final (normalized) state, for imaginary time ``log P_success``, factor counts.

    Raises:
        PostselectionError: If the imaginary-time success probability underflows.
        ParameterError: If a phase ``c·max|X|`` overflows (it would make NaNs).
    """
    psi = np.asarray(psi0, dtype=np.complex128)
    if psi is psi0 and not (overwrite_psi0 and psi.flags.c_contiguous and psi.flags.writeable):
        psi = psi.copy()
    psi = np.ascontiguousarray(psi)
    imaginary = formula.time_axis == "imaginary"
    if potential_shift is None:
        potential_shift = float(potential.min())
    vdiag = ArrayDiag(potential, potential_shift if imaginary else None)
    if kinetic_exp is not None:
        kdiag = _Bound(float(kinetic_max))
    elif kinetic is not None:
        kdiag = ArrayDiag(kinetic)
    elif D is not None and momenta is not None:
        kdiag = SumDiag(float(D), tuple(momenta))
    else:
        raise ParameterError("evolve needs kinetic= (an array) or both D= and momenta=")
    shape = psi.shape
    axes = tuple(range(psi.ndim))
    blocks = phase_blocks(shape)
    bsize = max((idx[-1].stop - idx[-1].start) * math.prod(shape[len(idx):]) for idx in blocks)
    dtype = np.float64 if imaginary else np.complex128
    chunk = np.empty(bsize, dtype=dtype)

    # Constant-weight formulas have few distinct factors: tables pay off. A formula whose
    # prefix already has many distinct ones is time-dependent: separable kinetic phases.
    if formula.streamed:
        counter = collections.Counter(itertools.islice(iter(formula), PREFIX_FACTORS))
    else:
        counter = collections.Counter(formula.factors)
    tables_ok = len(counter) <= CACHE_ENTRIES
    separable = not tables_ok and kinetic_axes is not None
    table_bytes = psi.size * np.dtype(dtype).itemsize
    cacheable: set = set()
    if tables_ok:
        budget = CACHE_BYTES
        for key, _ in counter.most_common():
            if key[0] == "kinetic" and kinetic_exp is not None:
                continue  # applied by kinetic_exp: no table
            if budget >= table_bytes:
                cacheable.add(key)
                budget -= table_bytes
    cache: dict[tuple[str, float], np.ndarray] = {}

    def diag_of(term: str):
        return vdiag if term == "potential" else kdiag

    def apply_diag(state: np.ndarray, term: str, c: float, scale: float = 1.0) -> None:
        key = (term, c)
        table = cache.get(key) if scale == 1.0 else None
        if table is None and key in cacheable and scale == 1.0:
            table = cache[key] = np.empty(shape, dtype=dtype)
            for idx in blocks:
                fill_phase(table[idx], diag_of(term).block(idx), c, imaginary)
        if table is not None:
            state *= table
            return
        diag = diag_of(term)
        cc = c * scale
        for idx in blocks:
            base = diag.block(idx)
            out = chunk[: base.size].reshape(base.shape)
            fill_phase(out, base, cc, imaginary)
            state[idx] *= out

    def apply_separable(state: np.ndarray, c: float) -> None:
        scale = -c if imaginary else -1j * c
        nd = state.ndim
        small = [np.exp(scale * k).reshape([-1 if a == d else 1 for a in axes])
                 if len(k) <= BLOCK else None for d, k in enumerate(kinetic_axes)]
        if len(blocks) == 1:
            for d, f in enumerate(small):
                state *= f if f is not None else np.exp(scale * kinetic_axes[d]).reshape(
                    [-1 if a == d else 1 for a in axes])
            return
        for idx in blocks:
            s = len(idx) - 1
            view = state[idx]
            for d, k in enumerate(kinetic_axes):
                if d < s:
                    f = small[d].reshape(-1)[idx[d]] if small[d] is not None else \
                        np.exp(scale * k[idx[d]:idx[d] + 1])[0]
                elif d == s:
                    f = np.exp(scale * k[idx[s]]).reshape((-1,) + (1,) * (nd - s - 1))
                else:
                    f = small[d].reshape((-1,) + (1,) * (nd - d - 1))
                view *= f

    def normalize(state: np.ndarray, i: int, term: str, c: float) -> float:
        norm2 = _norm2(state)
        if norm2 <= 0 or not np.isfinite(norm2):
            raise PostselectionError(
                f"imaginary-time state vanished at factor {i} ({term}, c={c:g}); "
                "use fewer or smaller steps"
            )
        state *= 1.0 / np.sqrt(norm2)  # a multiply is several times cheaper than a divide
        return float(np.log(norm2))

    def at_step_boundary(nxt) -> np.ndarray:
        # Orders 2 and 4 end a step halfway through the next (merged) potential factor.
        if formula.order == 1 or nxt is None or nxt[0] != "potential":
            return psi
        out = psi.copy()
        apply_diag(out, "potential", nxt[1], 0.5)
        if imaginary:
            out /= np.sqrt(_norm2(out))
        return out

    total = max(1, formula.size_hint)
    # About 100 reports, but at least every PROGRESS_EVERY factors: a 10^12-step run must
    # still show it is moving.
    report = max(1, min(total // 100, PROGRESS_EVERY))
    if observe is not None and _positional_arity(observe) < 3:
        two_argument = observe
        observe = lambda k, psi, _log_success: two_argument(k, psi)  # noqa: E731
    log_success = 0.0
    done_kin = 0
    counts = {"potential": 0, "kinetic": 0}
    # Time-dependent real-time potential of a separable ζ: per-axis phases (Σ N_d of them).
    axis_v = None if tables_ok or imaginary else AxisSumDiag.detect(potential, blocks)
    it = iter(formula)
    ahead = collections.deque(itertools.islice(it, 2))
    i = -1
    while ahead:
        term, c = ahead.popleft()
        nxt = next(it, None)
        if nxt is not None:
            ahead.append(nxt)
        i += 1
        counts[term] += 1
        check_angle(term, c, diag_of(term), imaginary, f"factor {i}")
        if term == "potential" and axis_v is not None:
            axis_v.apply(psi, c)
        elif term == "potential":
            apply_diag(psi, term, c)
        elif kinetic_exp is not None:
            kinetic_exp(psi, c)
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            if separable:
                apply_separable(psi, c)
            else:
                apply_diag(psi, term, c)
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
        if imaginary:
            log_success += normalize(psi, i, term, c)
        if term == "kinetic":
            done_kin += 1
            if (observe is not None and observe_every and done_kin % observe_every == 0
                    and len(ahead) == 2):
                observe(done_kin, at_step_boundary(ahead[0]), log_success)
        if progress is not None and i % report == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(i + 1, i + 1)
    if observe is not None and observe_every:
        observe(done_kin, psi, log_success)
    return Evolution(psi=psi, log_success=float(log_success), counts=counts)


class _Bound:
    """``max|X|`` of a kinetic term applied without a table (for :func:`check_angle`)."""

    def __init__(self, max_abs: float):
        self.max_abs = max_abs


def _norm2(psi: np.ndarray) -> float:
    # einsum on the float view avoids BLAS: np.vdot wakes OpenBLAS threads between FFTs,
    # which costs more than the FFT itself on small machines.
    v = psi.reshape(-1).view(np.float64)
    return float(np.einsum("i,i->", v, v))


def _energy(H, psi: np.ndarray, kdiag: SumDiag, blocks: list[tuple],
            workers: int | None) -> tuple[float, float, float]:
    """``(⟨H⟩, ⟨ζ⟩, P_gm)`` of ``psi`` using one copy of the state, FFT'd in place.

    Sums run block by block; a grid of one block reproduces
    :meth:`~qdq.Hamiltonian.energy` bit for bit.
    """

    def mean(diag_block, state: np.ndarray) -> float:
        num = den = 0.0
        for idx in blocks:
            w = np.abs(state[idx]) ** 2
            num += np.sum(diag_block(idx) * w)
            den += np.sum(w)
        return float(num / den)

    pe = mean(lambda idx: H.potential[idx], psi)
    phi = sfft.fftn(np.array(psi, dtype=np.complex128, copy=True), overwrite_x=True,
                    workers=workers)
    return mean(kdiag.block, phi) + pe, pe, mean(lambda i: H.problem.global_min_mask[i], psi)


def run_emulator(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
                 workers: int | None = None, observe_every: int = 0,
                 progress: Callable[[int, int], None] | bool | None = None) -> Result:
    """Run a spec on the FFT emulator.

    Memory is checked before anything is allocated (:func:`check_run_memory`); the work
    ``factors × grid points`` is estimated and, in a terminal, a progress bar shown when
    it exceeds :data:`PROGRESS_WORK`. The steps are streamed, so ``steps = 10**12`` costs
    time, not memory; Ctrl-C (``KeyboardInterrupt``) stops the run after the current
    factor (one FFT at most), closes the progress bar and propagates — nothing is kept.

    Args:
        spec: A :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        shots: ``None`` for the exact distribution, or a number of samples (imaginary
            time rejects each shot with probability ``1 − P_success``).
        seed: Seed for sampling (an integer ``>= 0``).
        workers: scipy.fft threads.
        observe_every: Trace every this many kinetic factors (norm: running P_success).
        progress: A callback ``(done, total)``; ``None``/``True``: a rich bar on stderr for
            long runs in a terminal; ``False``: none.

    Returns:
        A :class:`~qdq.Result` (trace: kinetic_factors, energy, potential, p_global_min, norm).

    Raises:
        ResourceError: If the run's declared peak memory is not available.
        ParameterError: Bad shots/seed, or phases that overflow (huge ``D``, tiny box).
    """
    shots = check_shots(shots)
    seed = check_seed(seed)
    if isinstance(observe_every, bool) or not isinstance(observe_every, int) or \
            observe_every < 0:
        raise ParameterError(f"observe_every must be an integer >= 0, got {observe_every!r}")
    check_run_memory(spec, observe=bool(observe_every), workers=workers, shots=shots)
    t0 = _time.perf_counter()
    formula = spec.product_formula()
    H = spec.hamiltonian
    potential = spec.problem.values
    grid = spec.grid
    term = spec.kinetic_term
    # The grid's own Laplacian takes the separable FFT path (bit-identical to before the
    # kinetic terms were objects); a term that needs no transform applies itself in place
    # (exp_inplace); any other Fourier-basis term gives its diagonal as a table.
    fourier = type(term) is FourierLaplacian
    in_place = not fourier and hasattr(term, "exp_inplace")  # the hypercube, the XY mixer
    kdiag = SumDiag(spec.D, grid.momenta) if fourier else _Bound(spec.D * term.max_abs())
    blocks = phase_blocks(grid.shape)
    psi0 = spec.initial_state()
    keys = ("kinetic_factors", "energy", "potential", "p_global_min", "norm")
    trace: dict[str, list] = {k: [] for k in keys[:None if spec.time_axis == "imaginary" else 4]}

    def observe(k: int, psi: np.ndarray, log_success: float) -> None:
        if not fourier:
            pe = H.potential_energy(psi)
            row = (k, H.kinetic_energy(psi) + pe, pe,
                   float(np.sum(np.abs(psi[H.problem.global_min_mask]) ** 2)),
                   math.exp(log_success))
        else:
            row = (k, *_energy(H, psi, kdiag, blocks, workers), math.exp(log_success))
        for key, value in zip(trace, row, strict=False):
            trace[key].append(value)

    close = None
    if progress is None or progress is True:
        progress, close = (None, None)
        if formula.size_hint * grid.size > PROGRESS_WORK:
            progress, close = _rich_progress(f"{spec.method} on emulator")
    elif progress is False:
        progress = None
    t1 = _time.perf_counter()
    # In 1-D the separable kinetic phase is the full-grid one (same bits): skip its array.
    if in_place:
        imaginary = spec.time_axis == "imaginary"
        D = spec.D
        space = dict(kinetic_exp=lambda psi, c: term.exp_inplace(psi, c * D, imaginary),
                     kinetic_max=kdiag.max_abs)
    elif fourier:
        kinetic_axes = tuple(spec.D * k**2 for k in grid.momenta) if grid.dims > 1 else None
        space = dict(D=spec.D, momenta=grid.momenta, kinetic_axes=kinetic_axes)
    else:
        space = dict(kinetic=spec.D * term.diagonal())
    try:
        ev = evolve(formula, psi0, potential, workers=workers, **space,
                    potential_shift=imaginary_potential_shift(spec.problem),
                    observe=observe if observe_every else None, observe_every=observe_every,
                    progress=progress, overwrite_psi0=True)
    finally:
        if close is not None:
            close()
    del psi0
    t2 = _time.perf_counter()
    readout = final_state_readout(
        ev.psi, ev.log_success, shots=shots, seed=seed,
        postselected=spec.time_axis == "imaginary", what="the emulator",
        hint=lambda: (f"a phase overflowed (D·max|L| = {kdiag.max_abs:g}, max|ζ| = "
                      f"{float(np.max(np.abs(potential))):g}); reduce D, time/steps or the "
                      "objective's scale, or widen the box"))
    ev.psi = None  # with shots the state is dropped before the Result is built
    return make_result(
        spec, backend="emulator", **readout, factors=ev.counts,
        timing={"build": t1 - t0, "run": t2 - t1},
        trace={k: np.asarray(v) for k, v in trace.items() if v},
    )


def engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
           options: dict) -> Result:
    """The registry's entry point (:mod:`qdq.engines.registry`): :func:`run_emulator`."""
    return run_emulator(spec, shots=shots, seed=seed, **options)
