"""Emulator speed: qdq's FFT split-operator loop vs a bare scipy.fft loop.

For each grid (1-D 2^12, 2^16, 2^20; 2-D 2^8 x 2^8, 2^10 x 2^10) and each variant

* ``real``      -- RealTime, order 2 (Strang): cached phases, one FFT pair per step;
* ``imaginary`` -- ImaginaryTime, order 2: real damping factors + renormalization;
* ``anneal``    -- Anneal, order 1, time-dependent weights: every factor recomputed
                   (``exp`` of a full grid array) at every step, in both loops;

the script times ``qdq.engines.emulator.evolve`` on the spec's product formula and a
bare loop written here that does the same FFT pair and phase multiplies (phases
precomputed where the weights are constant, in-place multiplies, ``overwrite_x``
FFTs). The two are measured interleaved in one process (``--repeats`` rounds, best
time kept, since the best is the least disturbed by other load on the machine) and
the ratio ``emulator / bare`` is printed. Target: <= 1.3 at 2^16 and 2^20.

Run:
    .venv/bin/python bench/emulator_speed.py            # full table (~1-2 min on 2 cores)
    .venv/bin/python bench/emulator_speed.py --quick    # small grids only, a few seconds
    .venv/bin/python bench/emulator_speed.py --workers 2 --variants real
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
    """Strang with constant weights: e^{-iVc} factors precomputed, in-place multiplies."""
    seq = steps
    axes = tuple(range(psi0.ndim))
    cache = {}
    for term, c in seq:
        if (term, c) not in cache:
            base = V if term == "potential" else K
            cache[(term, c)] = np.exp(-1j * c * base)
    t0 = time.perf_counter()
    psi = psi0.copy()
    for term, c in seq:
        f = cache[(term, c)]
        if term == "potential":
            psi *= f
        else:
            psi = sfft.fftn(psi, axes=axes, overwrite_x=True, workers=workers)
            psi *= f
            psi = sfft.ifftn(psi, axes=axes, overwrite_x=True, workers=workers)
    return time.perf_counter() - t0, psi


def bare_imaginary(steps, psi0, V, K, workers, shift):
    """Imaginary time: real factors e^{-c(X - min X)}, renormalized once per kinetic factor."""
    axes = tuple(range(psi0.ndim))
    Vs = V - shift
    cache = {}
    for term, c in steps:
        if (term, c) not in cache:
            cache[(term, c)] = np.exp(-c * (Vs if term == "potential" else K))
    t0 = time.perf_counter()
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
            norm2 = float(np.vdot(psi, psi).real)
            log_success += np.log(norm2)
            psi *= 1.0 / np.sqrt(norm2)
    norm2 = float(np.vdot(psi, psi).real)
    log_success += np.log(norm2)
    psi *= 1.0 / np.sqrt(norm2)
    return time.perf_counter() - t0, psi


def bare_anneal(steps, psi0, V, K, workers):
    """Time-dependent weights: every phase array recomputed (multiply + exp) at each factor."""
    axes = tuple(range(psi0.ndim))
    buf = np.empty(psi0.shape, dtype=np.complex128)
    t0 = time.perf_counter()
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
    return time.perf_counter() - t0, psi


# ----------------------------------------------------------------------------- timing
def steps_for(size: int, quick: bool) -> int:
    """Enough steps that one timed run takes ~0.1-0.5 s."""
    target = 2**21 if quick else 2**23
    return int(min(200, max(4, target // size)))


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
        t0 = time.perf_counter()
        ev = evolve(formula, psi0, V, K, potential_shift=shift, workers=workers)
        t_emu.append(time.perf_counter() - t0)
        psi_e = ev.psi
        if variant == "real":
            tb, psi_b = bare_real(formula.steps, psi0, V, K, workers)
        elif variant == "imaginary":
            tb, psi_b = bare_imaginary(formula.steps, psi0, V, K, workers, shift)
        else:
            tb, psi_b = bare_anneal(formula.steps, psi0, V, K, workers)
        t_bare.append(tb)
    err = float(np.max(np.abs(psi_e - psi_b)))
    if err > 1e-8:
        raise AssertionError(f"emulator and bare loop disagree: max |dpsi| = {err:.3g}")
    te, tb = min(t_emu) / n_kin, min(t_bare) / n_kin
    return {"grid": "x".join(f"2^{q}" for q in qubits), "points": size, "variant": variant,
            "steps": n_kin, "emu_ms": 1e3 * te, "bare_ms": 1e3 * tb, "ratio": te / tb,
            "emu_med_ms": 1e3 * float(np.median(t_emu)) / n_kin,
            "bare_med_ms": 1e3 * float(np.median(t_bare)) / n_kin, "err": err}


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
    print(f"# emulator_speed  {time.strftime('%Y-%m-%d %H:%M')}  {platform.machine()}  "
          f"cpus={os.cpu_count()}  workers={args.workers}  repeats={repeats}  "
          f"numpy {np.__version__}  scipy {__import__('scipy').__version__}")
    print("# time per step (one kinetic factor + its potential factor), best of repeats")
    hdr = (f"{'variant':<10}{'grid':>10}{'points':>10}{'steps':>7}{'emulator ms':>13}"
           f"{'bare ms':>10}{'ratio':>8}{'(median ratio)':>16}")
    print(hdr)
    print("-" * len(hdr))
    for variant in variants:
        for qubits in cases:
            r = measure(qubits, variant, repeats, args.workers, args.quick)
            med = r["emu_med_ms"] / r["bare_med_ms"]
            print(f"{variant:<10}{r['grid']:>10}{r['points']:>10}{r['steps']:>7}"
                  f"{r['emu_ms']:>13.4f}{r['bare_ms']:>10.4f}{r['ratio']:>8.2f}{med:>16.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
