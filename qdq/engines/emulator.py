r"""FFT split-operator emulator: the product-formula sequence applied with numpy/scipy.

For each ``(term, c)`` of a :class:`~qdq.evolution.ProductFormula` the emulator applies

* ``potential``: ``ψ ← e^{−icζ} ψ`` (real) or ``ψ ← e^{−c(ζ−ζ_min)} ψ`` (imaginary),
* ``kinetic``: ``ψ ← F⁻¹ e^{−icD|k|²} F ψ`` (real) or ``F⁻¹ e^{−cD|k|²} F ψ`` (imaginary),

with ``F`` the n-D FFT. Imaginary-time factors are shifted so their largest entry is 1,
exactly like the probabilistic circuit blocks; the state is renormalized after every
factor and ``log P_success = Σ log ‖F_j ψ_{j−1}‖²`` accumulated, so the reported
success probability is the one the postselected circuit has.

No Qiskit is imported here. Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-4, 4)], qubits=6)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=20),
    ...             backend="emulator")
    >>> round(float(r.probabilities.sum()), 12)
    1.0
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.fft as sfft

from qdq.errors import ParameterError, PostselectionError
from qdq.evolution import EvolutionSpec, ProductFormula
from qdq.results import Result

#: Below this log success probability (natural log) imaginary-time results are refused.
LOG_SUCCESS_FLOOR = np.log(1e-300)


@dataclass
class Evolution:
    """Raw outcome of :func:`evolve`."""

    psi: np.ndarray
    log_success: float = 0.0
    trace: dict = field(default_factory=dict)


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


def evolve(formula: ProductFormula, psi0: np.ndarray, potential: np.ndarray,
           kinetic: np.ndarray, *, potential_shift: float | None = None,
           kinetic_axes: tuple[np.ndarray, ...] | None = None,
           workers: int | None = None,
           observe: Callable[[int, np.ndarray], None] | None = None,
           observe_every: int = 0,
           progress: Callable[[int, int], None] | None = None) -> Evolution:
    """Apply a product formula to a grid-shaped state.

    Args:
        formula: The sequence to apply.
        psi0: Grid-shaped initial state (copied).
        potential: Grid-shaped ζ.
        kinetic: Grid-shaped kinetic diagonal ``D|k|²`` (momentum space, FFT order).
        potential_shift: Imaginary time only: ``s`` in ``e^{−c(ζ − s)}`` (default ``min ζ``;
            see :func:`imaginary_potential_shift`).
        kinetic_axes: Optional 1-D terms ``D k_d²`` with ``kinetic = Σ_d`` of them. When
            coefficients change every step (annealing), the kinetic factor is then built as
            a product of 1-D exponentials broadcast over the grid — ``Σ N_d`` exponentials
            instead of ``Π N_d``.
        workers: scipy.fft worker threads (``None``: scipy's default).
        observe: Called as ``observe(kinetic_factors_done, psi)`` every ``observe_every``
            kinetic factors (and at the end) with the state at a step boundary: for
            orders 2 and 4, whose steps end inside a merged potential factor, half of the
            next potential factor is applied to a copy first (exact for constant weights).
        observe_every: Observation period in kinetic factors (0: never).
        progress: Called as ``progress(done, total)`` about 100 times.

    Returns:
        The final (normalized) state and, for imaginary time, ``log P_success``.

    Raises:
        PostselectionError: If the imaginary-time success probability underflows.
    """
    psi = np.array(psi0, dtype=np.complex128, copy=True)
    imaginary = formula.kind == "imaginary"
    if potential_shift is None:
        potential_shift = float(potential.min())
    steps = formula.steps
    distinct = {s for s in steps}
    cache: dict[tuple[str, float], np.ndarray] | None = {} if len(distinct) <= 16 else None
    vshift = potential - potential_shift if imaginary else potential
    buf = np.empty(potential.shape, dtype=np.float64 if imaginary else np.complex128)
    axes = tuple(range(psi.ndim))
    log_success = 0.0
    report = max(1, len(steps) // 100)
    done_kin = 0

    theta = np.empty(potential.shape) if not imaginary and cache is None else None

    def factor(term: str, c: float):
        if term == "kinetic" and cache is None and kinetic_axes is not None:
            # Separable: a tuple of broadcastable 1-D factors, applied one after another.
            scale = -c if imaginary else -1j * c
            return tuple(np.exp(scale * k).reshape([-1 if a == d else 1 for a in axes])
                         for d, k in enumerate(kinetic_axes))
        base = vshift if term == "potential" else kinetic
        out = np.empty_like(buf) if cache is not None else buf
        if imaginary:
            np.multiply(base, -c, out=out)
            np.exp(out, out=out)
        elif theta is not None:
            # cos/sin of a real angle is cheaper than a complex exp of an imaginary array.
            np.multiply(base, -c, out=theta)
            np.cos(theta, out=out.real)
            np.sin(theta, out=out.imag)
        else:
            np.multiply(base, -1j * c, out=out)
            np.exp(out, out=out)
        return out

    def apply(state: np.ndarray, f) -> None:
        for part in f if isinstance(f, tuple) else (f,):
            state *= part

    def at_step_boundary(i: int) -> np.ndarray:
        # Orders 2 and 4 end a step halfway through the next (merged) potential factor.
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        if formula.order == 1 or nxt is None or nxt[0] != "potential":
            return psi
        half = np.exp(vshift * (-nxt[1] / 2 if imaginary else -0.5j * nxt[1]))
        out = psi * half
        return out / np.sqrt(_norm2(out)) if imaginary else out

    for i, (term, c) in enumerate(steps):
        if cache is not None:
            f = cache.get((term, c))
            if f is None:
                f = cache[(term, c)] = factor(term, c)
        else:
            f = factor(term, c)
        if term == "potential":
            apply(psi, f)
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            apply(psi, f)
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
        if imaginary:
            norm2 = _norm2(psi)
            if norm2 <= 0 or not np.isfinite(norm2):
                raise PostselectionError(
                    f"imaginary-time state vanished at factor {i} ({term}, c={c:g}); "
                    "use fewer or smaller steps"
                )
            log_success += np.log(norm2)
            psi *= 1.0 / np.sqrt(norm2)  # a multiply is several times cheaper than a divide
        if term == "kinetic":
            done_kin += 1
            if (observe is not None and observe_every and done_kin % observe_every == 0
                    and i + 2 < len(steps)):
                observe(done_kin, at_step_boundary(i))
        if progress is not None and (i % report == 0 or i == len(steps) - 1):
            progress(i + 1, len(steps))
    if observe is not None and observe_every:
        observe(done_kin, psi)
    return Evolution(psi=psi, log_success=float(log_success))


def _norm2(psi: np.ndarray) -> float:
    # einsum on the float view avoids BLAS: np.vdot wakes OpenBLAS threads between FFTs,
    # which costs more than the FFT itself on small machines.
    v = psi.reshape(-1).view(np.float64)
    return float(np.einsum("i,i->", v, v))


def sample_counts(probabilities: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Multinomial shot counts, grid-shaped."""
    flat = probabilities.reshape(-1)
    flat = np.clip(flat, 0, None)
    return rng.multinomial(shots, flat / flat.sum()).reshape(probabilities.shape)


def run_emulator(spec: EvolutionSpec, *, shots: int | None = None, seed: int | None = None,
                 workers: int | None = None, observe_every: int = 0,
                 progress: Callable[[int, int], None] | None = None) -> Result:
    """Run a spec on the FFT emulator.

    Args:
        spec: A :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        shots: ``None`` for the exact distribution, or a number of samples (imaginary
            time rejects each shot with probability ``1 − P_success``).
        seed: Seed for sampling.
        workers: scipy.fft threads.
        observe_every: Record ``energy``/``potential`` every this many kinetic factors.
        progress: Progress callback ``(done, total)``.

    Returns:
        A :class:`~qdq.Result`.
    """
    if shots is not None and (isinstance(shots, bool) or int(shots) != shots or shots < 1):
        raise ParameterError(f"shots must be None (exact) or an integer >= 1, got {shots!r}")
    t0 = _time.perf_counter()
    formula = spec.product_formula()
    H = spec.hamiltonian
    kinetic = H.kinetic
    potential = spec.problem.values
    psi0 = spec.initial_state()
    trace: dict[str, list] = {"kinetic_factors": [], "energy": [], "potential": []}

    def observe(k: int, psi: np.ndarray) -> None:
        trace["kinetic_factors"].append(k)
        trace["energy"].append(H.energy(psi))
        trace["potential"].append(H.potential_energy(psi))

    t1 = _time.perf_counter()
    kinetic_axes = tuple(spec.D * k**2 for k in spec.grid.momenta)
    ev = evolve(formula, psi0, potential, kinetic, workers=workers, kinetic_axes=kinetic_axes,
                potential_shift=imaginary_potential_shift(spec.problem),
                observe=observe if observe_every else None, observe_every=observe_every,
                progress=progress)
    t2 = _time.perf_counter()
    if ev.log_success < LOG_SUCCESS_FLOOR:
        raise PostselectionError(
            f"postselection probability underflows: log P = {ev.log_success:.1f}; "
            "a circuit would never succeed — use fewer steps, a shorter time, or a smaller D"
        )
    success = float(np.exp(ev.log_success))
    probs = np.abs(ev.psi) ** 2
    probs /= probs.sum()
    extra: dict = {"factors": formula.counts()}
    statevector: np.ndarray | None = ev.psi
    if shots is not None:
        rng = np.random.default_rng(seed)
        accepted = int(rng.binomial(int(shots), success)) if spec.kind == "imaginary" \
            else int(shots)
        if accepted == 0:
            raise PostselectionError(
                f"no shot of {shots} survived postselection (P_success = {success:.3g}); "
                "use more shots, fewer steps, or shots=None for exact results"
            )
        counts = sample_counts(probs, accepted, rng)
        probs = counts / accepted
        extra["accepted_shots"] = accepted
        success = accepted / int(shots)
        statevector = None
    return Result(
        method=spec.method, backend="emulator", grid=spec.grid, values=potential,
        D=spec.final_D,
        probabilities=probs, statevector=statevector, success_probability=success,
        shots=None if shots is None else int(shots), problem=spec.problem.to_dict(),
        spec=spec.to_dict(), timing={"build": t1 - t0, "run": t2 - t1},
        trace={k: np.asarray(v) for k, v in trace.items() if v}, extra=extra,
    )
