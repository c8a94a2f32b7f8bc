"""Emulator speed: qdq's FFT split-operator loop vs a bare scipy.fft loop.

For each grid (1-D 2^12, 2^16, 2^20; 2-D 2^8 x 2^8, 2^10 x 2^10) and each variant

* ``real``      -- RealTime, order 2 (Strang): cached phases, one FFT pair per step;
* ``imaginary`` -- ImaginaryTime, order 2: real damping factors + renormalization;
* ``anneal``    -- Anneal, order 1, time-dependent weights: every factor recomputed
                   (``exp`` of a full grid array) at every step, in both loops;

the script times ``qdq.engines.emulator.evolve`` on the spec's product formula and a
bare loop written here that does the same FFT pair and phase multiplies (the few distinct
phase arrays precomputed where the weights are constant -- inside the timer, since the
emulator computes them too -- in-place multiplies, ``overwrite_x`` FFTs, the same
``workers``). Imaginary time renormalizes once per step with a BLAS-free ``‖ψ‖²``.
Both loops run interleaved in one process, ``--repeats`` rounds; the best time is kept
(least disturbed by other load) and the ratio ``emulator / bare`` printed for wall-clock
and for process CPU time (steadier when other processes compete for the cores); the
wall-clock median ratio is shown too. Both results are checked equal (``|Δψ| < 1e-8``).
Target: ratio <= 1.3 at 2^16 and 2^20.

Run:
    .venv/bin/python bench/emulator_speed.py            # full table (~5-10 min on 2 busy cores)
    .venv/bin/python bench/emulator_speed.py --quick    # small grids only, a few seconds
    .venv/bin/python bench/emulator_speed.py --workers 2 --variants real
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/emulator_speed.py   # single-threaded BLAS
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy.fft as sfft

import qdq
from qdq.engines.emulator import evolve, imaginary_potential_shift

OBJECTIVE_1D = "0.3*x**4 - x**2 + 0.2*x"
OBJECTIVE_2D = "x**2 + y**2 + 0.5*x*y"
CASES_FULL = [(12,), (16,), (20,), (8, 8), (10, 10)]
CASES_QUICK = [(12,), (16,), (8, 8)]
VARIANTS = ("real", "imaginary", "anneal")


def make_spec(qubits: tuple[int, ...], variant: str, steps: int):
    """The spec whose product formula both loops apply."""
    if len(qubits) == 1:
        p = qdq.Problem(OBJECTIVE_1D, bounds=[(-3, 3)], qubits=list(qubits))
    else:
        p = qdq.Problem(OBJECTIVE_2D, bounds=[(-3, 3)] * len(qubits), qubits=list(qubits))
    H = qdq.Hamiltonian(p, D=0.5)
    dt = 1e-3
    if variant == "real":
        return qdq.RealTime(H, time=steps * dt, steps=steps, order=2)
    if variant == "imaginary":
        return qdq.ImaginaryTime(H, time=steps * dt, steps=steps, order=2)
    T = steps * dt
    return qdq.Anneal(p, D=0.5, kinetic_weight=lambda t: 1.0 - 0.9 * t / T,
                      potential_weight=lambda t: 0.1 + 0.9 * t / T,
                      time=T, steps=steps, order=1)


# ----------------------------------------------------------------------------- bare loops
def bare_real(steps, psi0, V, K, workers):
    """Strang with constant weights: the few distinct e^{-icX} factors precomputed (inside the
    timer: the emulator has to compute them too), in-place multiplies."""
    seq = steps
    axes = tuple(range(psi0.ndim))
    t0, c0 = time.perf_counter(), time.process_time()
    cache = {}
    for term, c in seq:
        if (term, c) not in cache:
            base = V if term == "potential" else K
            cache[(term, c)] = np.exp(-1j * c * base)
    psi = psi0.copy()
    for term, c in seq:
        f = cache[(term, c)]
        if term == "potential":
            psi *= f
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            psi *= f
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
    return (time.perf_counter() - t0, time.process_time() - c0), psi


def norm2(psi) -> float:
    """``‖ψ‖²`` without BLAS: a threaded BLAS dot (np.vdot) between FFTs can cost more than
    the FFT pair on a small, busy machine (see bench/README.md)."""
    v = psi.reshape(-1).view(np.float64)
    return float(np.einsum("i,i->", v, v))


def bare_imaginary(steps, psi0, V, K, workers, shift):
    """Imaginary time: real factors e^{-c(X - min X)}, renormalized once per kinetic factor.

    ``log P_success`` telescopes, so one renormalization per step gives the same value as
    one per factor.
    """
    axes = tuple(range(psi0.ndim))
    t0, c0 = time.perf_counter(), time.process_time()
    Vs = V - shift
    cache = {}
    for term, c in steps:
        if (term, c) not in cache:
            cache[(term, c)] = np.exp(-c * (Vs if term == "potential" else K))
    psi = psi0.copy()
    log_success = 0.0
    for term, c in steps:
        f = cache[(term, c)]
        if term == "potential":
            psi *= f
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            psi *= f
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
            nn = norm2(psi)
            log_success += np.log(nn)
            psi *= 1.0 / np.sqrt(nn)
    nn = norm2(psi)
    log_success += np.log(nn)
    psi *= 1.0 / np.sqrt(nn)
    return (time.perf_counter() - t0, time.process_time() - c0), psi


def bare_anneal(steps, psi0, V, K, workers):
    """Time-dependent weights: every phase array recomputed (multiply + exp) at each factor."""
    axes = tuple(range(psi0.ndim))
    buf = np.empty(psi0.shape, dtype=np.complex128)
    t0, c0 = time.perf_counter(), time.process_time()
    psi = psi0.copy()
    for term, c in steps:
        np.multiply(V if term == "potential" else K, -1j * c, out=buf)
        np.exp(buf, out=buf)
        if term == "potential":
            psi *= buf
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            psi *= buf
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
    return (time.perf_counter() - t0, time.process_time() - c0), psi


# ----------------------------------------------------------------------------- timing
def steps_for(size: int, quick: bool) -> int:
    """Enough steps that one timed run takes ~0.1-2 s and setup is amortized."""
    target = 2**21 if quick else 2**24
    return int(min(200, max(16, target // size)))


def measure(qubits, variant, repeats, workers, quick):
    size = 1 << sum(qubits)
    nsteps = steps_for(size, quick)
    spec = make_spec(qubits, variant, nsteps)
    formula = spec.product_formula()
    H = spec.hamiltonian
    V = np.asarray(spec.problem.values, dtype=float)
    K = np.asarray(H.kinetic, dtype=float)
    psi0 = spec.initial_state()
    shift = imaginary_potential_shift(spec.problem)
    n_kin = formula.counts()["kinetic"]
    t_emu, t_bare = [], []
    psi_e = psi_b = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ev = evolve(formula, psi0, V, K, potential_shift=shift, workers=workers)
        t_emu.append((time.perf_counter() - t0, time.process_time() - c0))
        psi_e = ev.psi
        if variant == "real":
            tb, psi_b = bare_real(formula.factors, psi0, V, K, workers)
        elif variant == "imaginary":
            tb, psi_b = bare_imaginary(formula.factors, psi0, V, K, workers, shift)
        else:
            tb, psi_b = bare_anneal(formula.factors, psi0, V, K, workers)
        t_bare.append(tb)
    err = float(np.max(np.abs(psi_e - psi_b)))
    if err > 1e-8:
        raise AssertionError(f"emulator and bare loop disagree: max |dpsi| = {err:.3g}")
    emu, bare = np.array(t_emu) / n_kin, np.array(t_bare) / n_kin   # (repeats, wall|cpu)
    return {"grid": "x".join(f"2^{q}" for q in qubits), "points": size, "variant": variant,
            "steps": n_kin, "emu_ms": 1e3 * emu[:, 0].min(), "bare_ms": 1e3 * bare[:, 0].min(),
            "ratio": emu[:, 0].min() / bare[:, 0].min(),
            "ratio_median": float(np.median(emu[:, 0]) / np.median(bare[:, 0])),
            "emu_cpu_ms": 1e3 * emu[:, 1].min(), "bare_cpu_ms": 1e3 * bare[:, 1].min(),
            "ratio_cpu": emu[:, 1].min() / bare[:, 1].min(), "err": err}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small grids, fewer repeats")
    ap.add_argument("--repeats", type=int, default=None, help="timed rounds (default 7; 3 quick)")
    ap.add_argument("--workers", type=int, default=1,
                    help="scipy.fft threads for both loops (default 1)")
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="comma-separated subset of real,imaginary,anneal")
    ap.add_argument("--grids", default=None,
                    help="e.g. '12,16,8x8' (qubits per dim; default: all 5 grids, 3 quick)")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    if args.grids:
        cases = [tuple(int(v) for v in g.split("x")) for g in args.grids.split(",")]
    else:
        cases = CASES_QUICK if args.quick else CASES_FULL
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v!r}; choose from {', '.join(VARIANTS)}")
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"# emulator_speed  {time.strftime('%Y-%m-%d %H:%M')}  {platform.machine()}  "
          f"cpus={os.cpu_count()}  workers={args.workers}  OPENBLAS_NUM_THREADS={blas}  "
          f"repeats={repeats}  "
          f"numpy {np.__version__}  scipy {__import__('scipy').__version__}")
    print("# ms per step (one kinetic factor + its potential factor); best of repeats, wall "
          "clock and process CPU time (CPU time is the steadier one on a busy machine)")
    hdr = (f"{'variant':<10}{'grid':>10}{'points':>9}{'steps':>6}{'emu wall':>10}"
           f"{'bare wall':>10}{'ratio':>7}{'(median)':>9}{'emu cpu':>10}{'bare cpu':>10}"
           f"{'ratio':>7}")
    print(hdr)
    print("-" * len(hdr))
    for variant in variants:
        for qubits in cases:
            r = measure(qubits, variant, repeats, args.workers, args.quick)
            print(f"{variant:<10}{r['grid']:>10}{r['points']:>9}{r['steps']:>6}"
                  f"{r['emu_ms']:>10.4f}{r['bare_ms']:>10.4f}{r['ratio']:>7.2f}"
                  f"{r['ratio_median']:>9.2f}{r['emu_cpu_ms']:>10.4f}{r['bare_cpu_ms']:>10.4f}"
                  f"{r['ratio_cpu']:>7.2f}", flush=True)

if __name__ == "__main__":
    main()
