r"""Closed-form predictions for ``H = −D∂² + ζ`` and helpers that measure them on the emulator.

Conventions: ``ħ = 1`` and ``H = −D∂²`` is ``p²/2m`` with ``m = 1/(2D)``. A Gaussian packet
of ``|ψ|²`` standard deviation ``σ₀`` is ``ψ₀ ∝ e^{−x²/(4σ₀²)}``, i.e. ``ψ̂₀(k) ∝ e^{−σ₀²k²}``.

**Real time (dispersion).** ``ψ̂(k,t) = e^{−iDk²t} ψ̂₀ ∝ e^{−(σ₀² + iDt)k²}``, so
``ψ ∝ e^{−x²/(4(σ₀² + iDt))}`` and ``|ψ|² ∝ e^{−x²σ₀²/(2(σ₀⁴ + D²t²))}``:

    σ(t)² = σ₀² (1 + (D t / σ₀²)²)             (= σ₀²(1 + (ħt/(2mσ₀²))²) with ħ/2m = D)

which is the form quoted in docs/theory.md.

**Imaginary time (diffusion).** ``∂_τψ = D∂²ψ``: ``ψ̂ ∝ e^{−(σ₀² + Dτ)k²}``. Read as a
Gaussian profile ``e^{−x²/(2s²)}``, ψ has ``s² = 2σ₀² + 2Dτ`` (its own variance ``2σ₀²``
plus the heat-kernel variance ``2Dτ``; kernel ``(4πDτ)^{−1/2} e^{−x²/(4Dτ)}``), and
``|ψ|²`` has variance ``σ₀² + Dτ`` — half of ψ's, because squaring halves a Gaussian's
variance.

**Harmonic well** ``ζ = c x²``: ``E_n = 2√(cD)(n + ½)``, ground ``|ψ|²`` variance
``½√(D/c)``. A well of curvature ``K = ζ''`` (``c = K/2``) has zero-point energy
``√(DK/2)``.

**Imaginary-time populations.** ``ψ(τ) ∝ Σ c_n e^{−E_nτ} φ_n``, so
``P_n(τ) = |c_n|² e^{−2E_nτ} / Σ_m |c_m|² e^{−2E_mτ}`` — a softmax of ``−2E_nτ + log|c_n|²``;
two levels give a sigmoid, ``P_1 = 1/(1 + (|c_0|²/|c_1|²) e^{2ΔEτ})``. Once ``P_0 ≈ 1``
the excited weight ``1 − P_0 ≈ (|c_1|²/|c_0|²) e^{−2(E_1 − E_0)τ}``: the log-slope is
``−2·gap``.

**Two-well crossover.** Wells at depths ``V_deep < V_shallow`` (difference ``ΔV``) with
curvatures ``K_deep, K_shallow``: the lowest state of each well sits at
``V_i + √(DK_i/2)``. They cross when ``ΔV = √(D/2)(√K_deep − √K_shallow)``:

    D* = 2 ΔV² / (√K_deep − √K_shallow)²

(a crossover needs ``K_deep > K_shallow``: the deeper well is the narrower one). For
``D < D*`` the ground state sits in the deeper well; for ``D > D*`` in the wider one.

Example:
    >>> round(free_packet_width(2.0, sigma0=0.5, D=0.5), 6)    # 0.5·√(1 + 4²)
    2.061553
    >>> round(crossover_D(0.1, 8.0, 2.0), 12)                 # 2·0.01 / (√8 − √2)²
    0.01
    >>> imaginary_populations([0.0, 1.0], [0.5, 0.5], tau=0.0).tolist()
    [0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qdq.errors import ParameterError
from qdq.evolution import ImaginaryTime, RealTime
from qdq.hamiltonian import Hamiltonian
from qdq.states import resolve_initial
from qdq.validate import check_positive

__all__ = [
    "crossover_D",
    "deep_well_weight",
    "evolve_snapshots",
    "fit_log_slope",
    "free_packet_width",
    "gap_decay_rate",
    "harmonic_ground_variance",
    "harmonic_levels",
    "heat_kernel",
    "imaginary_amplitude_width",
    "imaginary_packet_width",
    "imaginary_populations",
    "locate_crossover",
    "moments",
    "populations",
    "two_level_excited_population",
    "two_parabola_well",
    "zero_point_energy",
]


# ----------------------------------------------------------------------------- formulas
def _out(value):
    """Plain ``float`` for scalar input, an array otherwise."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def free_packet_width(t, sigma0: float, D: float):
    r"""``|ψ|²`` standard deviation of a free Gaussian packet: ``σ₀√(1 + (Dt/σ₀²)²)``.

    Args:
        t: Time(s).
        sigma0: Initial ``|ψ|²`` standard deviation ``> 0``.
        D: Kinetic constant ``> 0``.

    Example:
        >>> free_packet_width(0.0, 0.3, 1.0)
        0.3
    """
    sigma0, D = check_positive("sigma0", sigma0), check_positive("D", D)
    return _out(sigma0 * np.sqrt(1.0 + (D * np.asarray(t, dtype=float) / sigma0**2) ** 2))


def imaginary_packet_width(tau, sigma0: float, D: float):
    r"""``|ψ|²`` standard deviation after free imaginary time: ``√(σ₀² + Dτ)``.

    Example:
        >>> imaginary_packet_width(1.0, 1.0, 3.0)
        2.0
    """
    sigma0, D = check_positive("sigma0", sigma0), check_positive("D", D)
    return _out(np.sqrt(sigma0**2 + D * np.asarray(tau, dtype=float)))


def imaginary_amplitude_width(tau, sigma0: float, D: float):
    r"""Standard deviation of ψ itself read as a Gaussian profile: ``√(2σ₀² + 2Dτ)``.

    Example:
        >>> round(imaginary_amplitude_width(0.0, 1.0, 1.0) ** 2, 12)
        2.0
    """
    sigma0, D = check_positive("sigma0", sigma0), check_positive("D", D)
    return _out(np.sqrt(2 * sigma0**2 + 2 * D * np.asarray(tau, dtype=float)))


def heat_kernel(x, tau: float, D: float):
    r"""The 1-D heat kernel of ``∂_τψ = D∂²ψ``: ``(4πDτ)^{−1/2} e^{−x²/(4Dτ)}``.

    Example:
        >>> x = np.linspace(-20, 20, 4001)
        >>> round(float(np.sum(heat_kernel(x, 1.0, 0.5)) * (x[1] - x[0])), 9)   # unit mass
        1.0
    """
    tau, D = check_positive("tau", tau), check_positive("D", D)
    x = np.asarray(x, dtype=float)
    return _out(np.exp(-(x**2) / (4 * D * tau)) / np.sqrt(4 * np.pi * D * tau))


def harmonic_levels(c: float, D: float, n) -> np.ndarray:
    r"""``E_n = 2√(cD)(n + ½)`` for ``H = −D∂² + c x²``.

    Example:
        >>> harmonic_levels(1.0, 1.0, [0, 1, 2]).tolist()
        [1.0, 3.0, 5.0]
    """
    c, D = check_positive("c", c), check_positive("D", D)
    return 2 * np.sqrt(c * D) * (np.asarray(n, dtype=float) + 0.5)


def harmonic_ground_variance(c: float, D: float) -> float:
    r"""``|ψ₀|²`` variance ``½√(D/c)`` of the harmonic ground state.

    Example:
        >>> harmonic_ground_variance(4.0, 1.0)
        0.25
    """
    c, D = check_positive("c", c), check_positive("D", D)
    return 0.5 * float(np.sqrt(D / c))


def zero_point_energy(D: float, K: float) -> float:
    r"""Zero-point energy ``√(DK/2)`` of a well with curvature ``K = ζ''`` (``c = K/2``).

    Example:
        >>> zero_point_energy(0.5, 2.0)
        0.7071067811865476
    """
    D, K = check_positive("D", D), check_positive("K", K)
    return float(np.sqrt(D * K / 2))


def imaginary_populations(energies: Sequence[float], weights: Sequence[float],
                          tau) -> np.ndarray:
    r"""``P_n(τ) = |c_n|² e^{−2E_nτ} / Σ_m |c_m|² e^{−2E_mτ}`` (a softmax; stable in log space).

    Args:
        energies: ``E_n`` (any order).
        weights: Initial populations ``|c_n|² >= 0`` (need not be normalized).
        tau: Imaginary time ``>= 0`` (scalar).

    Returns:
        Populations, same order as ``energies``, summing to 1.

    Example:
        >>> imaginary_populations([0.0, 1.0], [1.0, 1.0], tau=np.log(2) / 2).round(6).tolist()
        [0.666667, 0.333333]
    """
    E = np.asarray(energies, dtype=float)
    w = np.asarray(weights, dtype=float)
    if E.shape != w.shape:
        raise ParameterError(f"energies and weights must have the same shape, got {E.shape} "
                             f"and {w.shape}")
    if np.any(w < 0) or not np.any(w > 0):
        raise ParameterError("weights must be >= 0 with at least one > 0")
    tau = check_positive("tau", tau, allow_zero=True)
    with np.errstate(divide="ignore"):
        logits = np.log(w) - 2 * E * tau
    logits -= logits.max()
    p = np.exp(logits)
    return p / p.sum()


def two_level_excited_population(gap: float, tau, w0: float, w1: float):
    r"""Two levels: ``P_1(τ) = 1/(1 + (w_0/w_1) e^{2·gap·τ})`` — a sigmoid in ``gap·τ``.

    Example:
        >>> two_level_excited_population(1.0, 0.0, 0.5, 0.5)
        0.5
    """
    gap = check_positive("gap", gap)
    w0, w1 = check_positive("w0", w0), check_positive("w1", w1)
    tau = np.asarray(tau, dtype=float)
    return _out(1.0 / (1.0 + (w0 / w1) * np.exp(2 * gap * tau)))


def gap_decay_rate(E0: float, E1: float) -> float:
    r"""Predicted log-slope of the excited weight ``1 − P_0`` vs τ: ``−2(E_1 − E_0)``.

    Example:
        >>> gap_decay_rate(0.5, 1.5)
        -2.0
    """
    return -2.0 * (float(E1) - float(E0))


def fit_log_slope(taus: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of ``log(values)`` against ``taus``.

    Example:
        >>> t = np.linspace(0, 2, 5)
        >>> round(fit_log_slope(t, 3 * np.exp(-1.5 * t)), 12)
        -1.5
    """
    t = np.asarray(taus, dtype=float)
    v = np.asarray(values, dtype=float)
    if t.shape != v.shape or t.size < 2:
        raise ParameterError(f"need matching arrays of >= 2 points, got {t.shape}, {v.shape}")
    if np.any(v <= 0):
        raise ParameterError("values must be > 0 to take their log")
    return float(np.polyfit(t, np.log(v), 1)[0])


def crossover_D(depth_difference: float, K_deep: float, K_shallow: float) -> float:
    r"""``D* = 2ΔV²/(√K_deep − √K_shallow)²``: where the zero-point energies offset the depths.

    Args:
        depth_difference: ``ΔV = V_shallow − V_deep > 0``.
        K_deep: Curvature of the deeper well (must exceed ``K_shallow``).
        K_shallow: Curvature of the shallower well.

    Raises:
        ParameterError: If ``K_deep <= K_shallow`` (the deeper well then also has the lower
            zero-point energy, so the ground state never leaves it: no crossover).

    Example:
        >>> crossover_D(0.5, 4.0, 1.0)
        0.5
    """
    dv = check_positive("depth_difference", depth_difference)
    Kd, Ks = check_positive("K_deep", K_deep), check_positive("K_shallow", K_shallow)
    if Kd <= Ks:
        raise ParameterError(
            f"no crossover: K_deep={Kd:g} <= K_shallow={Ks:g}; the deeper well must also be "
            "the narrower one (larger curvature) for D to move the ground state"
        )
    return float(2 * dv**2 / (np.sqrt(Kd) - np.sqrt(Ks)) ** 2)


def two_parabola_well(x, *, x_deep: float, x_shallow: float, K_deep: float, K_shallow: float,
                      depth_difference: float):
    r"""``min(½K_d(x − x_d)², ΔV + ½K_s(x − x_s)²)``: an exactly harmonic asymmetric double well.

    Each well is exactly a parabola up to the cusp where they meet, so the zero-point
    energies are the harmonic ones up to exponentially small tunnelling corrections.

    Example:
        >>> two_parabola_well(2.0, x_deep=-2, x_shallow=2, K_deep=8, K_shallow=2,
        ...                   depth_difference=0.1)
        0.1
    """
    x = np.asarray(x, dtype=float)
    return _out(np.minimum(0.5 * K_deep * (x - x_deep) ** 2,
                           depth_difference + 0.5 * K_shallow * (x - x_shallow) ** 2))


# ----------------------------------------------------------------------- measurements
def moments(density: np.ndarray, points: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a 1-D density on grid points (normalized here).

    The density is assumed to lie well inside the box (no periodic wrap-around).

    Example:
        >>> moments(np.array([0.0, 1.0, 0.0, 1.0]), np.arange(4.0))
        (2.0, 1.0)
    """
    p = np.asarray(density, dtype=float)
    p = p / p.sum()
    x = np.asarray(points, dtype=float)
    mean = float(np.sum(p * x))
    return mean, float(np.sqrt(np.sum(p * (x - mean) ** 2)))


def populations(psi: np.ndarray, states: np.ndarray) -> np.ndarray:
    """``|⟨φ_n|ψ⟩|²`` for normalized ``ψ`` and eigenstates ``states[n]`` (grid-shaped).

    Example:
        >>> populations(np.array([0.6, 0.8]), np.eye(2)).round(12).tolist()
        [0.36, 0.64]
    """
    psi = np.asarray(psi).reshape(-1)
    psi = psi / np.linalg.norm(psi)
    S = np.asarray(states).reshape(len(states), -1)
    return np.abs(S.conj() @ psi) ** 2


def evolve_snapshots(H: Hamiltonian, initial, times: Sequence[float], *,
                     time_axis: str = "imaginary", dt: float = 0.01,
                     order: int = 2) -> list[np.ndarray]:
    r"""Grid states at increasing ``times``, evolved on the FFT emulator.

    Consecutive snapshots are chained: each segment is a :class:`~qdq.RealTime` or
    :class:`~qdq.ImaginaryTime` spec from the previous state (imaginary time renormalizes,
    which does not change any normalized observable).

    Args:
        H: The Hamiltonian.
        initial: Initial state (``"uniform"``, a packet, or a grid-shaped array).
        times: Non-decreasing times ``>= 0``.
        time_axis: ``"imaginary"`` or ``"real"``.
        dt: Largest step per segment.
        order: Product-formula order.

    Returns:
        One normalized grid-shaped state per entry of ``times``.

    Example:
        >>> import qdq
        >>> H = qdq.Hamiltonian(qdq.Problem("x**2", bounds=[(-5, 5)], qubits=6), D=1.0)
        >>> s = evolve_snapshots(H, qdq.GaussianPacket(1.0, 0.5), [0.0, 4.0])
        >>> round(H.energy(s[-1]), 3)          # relaxed to E_0 = √(cD) = 1
        1.0
    """
    from qdq.engines.emulator import run_emulator

    if time_axis not in ("imaginary", "real"):
        raise ParameterError(f"time_axis must be 'imaginary' or 'real', got {time_axis!r}")
    dt = check_positive("dt", dt)
    ts = np.asarray(times, dtype=float)
    if ts.ndim != 1 or np.any(ts < 0) or np.any(np.diff(ts) < 0):
        raise ParameterError(f"times must be non-decreasing and >= 0, got {list(times)!r}")
    cls = ImaginaryTime if time_axis == "imaginary" else RealTime
    psi = resolve_initial(initial, H.grid)
    out, now = [], 0.0
    for t in ts:
        seg = float(t) - now
        if seg > 0:
            steps = max(1, int(np.ceil(seg / dt - 1e-9)))
            psi = run_emulator(cls(H, time=seg, steps=steps, order=order,
                                   initial=psi)).statevector
            now = float(t)
        out.append(np.array(psi))
    return out


def deep_well_weight(H: Hamiltonian, split: float) -> float:
    """Ground-state probability on ``x < split`` (1-D): ~1 in the left well, ~0 in the right.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("(x + 1)**2", bounds=[(-4, 4)], qubits=6)
        >>> deep_well_weight(qdq.Hamiltonian(p, D=0.1), split=1.0) > 0.99
        True
    """
    if H.grid.dims != 1:
        raise ParameterError(f"deep_well_weight needs a 1-D problem, got {H.grid.dims}-D")
    if H.grid.size <= 1024:
        import scipy.linalg as sl

        # The spectral kinetic matrix is real symmetric (k² is even), so only the lowest
        # eigenpair of a real matrix is needed: many times cheaper inside a bisection.
        M = H.dense()
        _, v = sl.eigh(M.real, subset_by_index=[0, 0])
        psi = v[:, 0]
    else:
        _, psi = H.ground_state()
    return float(np.sum(np.abs(psi[H.grid.points[0] < split]) ** 2))


def locate_crossover(problem, split: float, D_low: float, D_high: float, *,
                     rtol: float = 1e-5) -> float:
    """The ``D`` where the ground state's weight left of ``split`` crosses ½ (bisection).

    Args:
        problem: A 1-D :class:`~qdq.Problem` with the deeper well left of ``split``.
        split: A point on the barrier between the wells.
        D_low: A ``D`` with the ground state in the left (deeper) well.
        D_high: A ``D`` with the ground state in the right well.
        rtol: Relative tolerance on ``D``.

    Raises:
        ParameterError: If ``D_low``/``D_high`` do not bracket the crossover.
    """
    from scipy.optimize import brentq

    D_low, D_high = check_positive("D_low", D_low), check_positive("D_high", D_high)
    f = lambda D: deep_well_weight(Hamiltonian(problem, D), split) - 0.5  # noqa: E731
    flo, fhi = f(D_low), f(D_high)
    if not (flo > 0 > fhi):
        raise ParameterError(
            f"D_low={D_low:g} and D_high={D_high:g} do not bracket the crossover (left-well "
            f"weights {flo + 0.5:.3g}, {fhi + 0.5:.3g}); widen the bracket"
        )
    # Bisect in log D: the crossover is sharp and D spans decades.
    return float(np.exp(brentq(lambda u: f(np.exp(u)), np.log(D_low), np.log(D_high),
                               rtol=rtol)))
