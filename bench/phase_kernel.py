"""The potential-phase kernel ``e^{−icζ}`` on a grid: half-angle ``tan`` vs ``cos`` + ``sin``.

The numpy emulator's real-time potential factor writes ``e^{iθ}``, ``θ = −c·ζ``, for every
grid point at every step (time-dependent schedules; issue 21). This bench times, on one
thread and side by side in one run, the two ways to fill it — ``cos θ``/``sin θ``, and the
half-angle form ``((1 − t²) + 2it)/(1 + t²)`` with ``t = tan(θ/2)`` that
:func:`qdq.engines.emulator_phases.fill_phase` uses — and measures the error of both
against an extended-precision reference (``np.longdouble`` cos/sin of the same float64
``θ``), in units of ε = 2⁻⁵².

``--state-check`` also runs the QHD protocol's rastrigin and ackley rows (256², 10⁴ steps)
through the emulator with each kernel and prints the largest final-amplitude difference
(issue 21: a shortcut must keep the final state within 1e−12 of the exact-trig one).

Usage::

    OPENBLAS_NUM_THREADS=1 python bench/phase_kernel.py            # 256², |θ| up to 1, 30, 1e3
    python bench/phase_kernel.py --points 1048576 --repeats 50
    OPENBLAS_NUM_THREADS=1 python bench/phase_kernel.py --state-check   # + ~1 min
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from qdq.engines.emulator_phases import fill_phase


def _time(fn, repeats: int) -> float:
    for _ in range(max(3, repeats // 10)):  # warm up: first touches of the buffers
        fn()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t0) / repeats


def cos_sin_phase(out: np.ndarray, base: np.ndarray, c: float, imaginary: bool) -> None:
    """The kernel before the half-angle form: ``cos``/``sin`` of ``θ = −c·base``."""
    if imaginary:
        np.multiply(base, -c, out=out)
        np.exp(out, out=out)
        return
    theta = base * -c
    np.cos(theta, out=out.real)
    np.sin(theta, out=out.imag)


def state_check() -> None:
    """Final states of two protocol rows with each kernel; prints the largest difference."""
    import qdq
    import qdq.engines.emulator as emulator
    import qdq.engines.emulator_phases as phases

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import qhd_protocol as qp

    half_angle = phases.fill_phase
    print("\n| function | max abs(ψ_half-angle − ψ_cos/sin) |\n|---|---|")
    for name in ("rastrigin", "ackley"):
        spec = qp.anneal_spec(qp.problem_for(name, 8), steps=qp.STEPS, time=qp.T_FINAL)
        states = []
        for kernel in (half_angle, cos_sin_phase):
            emulator.fill_phase = phases.fill_phase = kernel  # both call sites
            try:
                result = qdq.run(spec, backend="emulator", workers=1, progress=False)
            finally:
                emulator.fill_phase = phases.fill_phase = half_angle
            states.append(np.asarray(result.statevector))
        print(f"| {name} | {float(np.max(np.abs(states[0] - states[1]))):.1e} |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=256 * 256)
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--state-check", action="store_true",
                    help="also compare the protocol rows' final states (~1 min)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    eps = np.finfo(np.float64).eps
    print(f"# phase_kernel  {args.points} points, {args.repeats} repeats, numpy {np.__version__}")
    print("| max abs θ | cos+sin (µs) | half-angle tan (µs) | speed-up | "
          "max err cos+sin (ε) | max err half-angle (ε) |")
    print("|---|---|---|---|---|---|")
    warm = np.empty(args.points, dtype=np.complex128)
    t_end = time.perf_counter() + 1.0  # a second of work first: clocks and pages settle
    while time.perf_counter() < t_end:
        fill_phase(warm, rng.uniform(-1, 1, args.points), 1.0, False)
    for scale in (1.0, 30.0, 1e3):
        base = rng.uniform(-scale, scale, args.points)
        out = np.empty(args.points, dtype=np.complex128)
        c_s = np.empty(args.points, dtype=np.complex128)

        t_direct = _time(lambda base=base, c_s=c_s: cos_sin_phase(c_s, base, 1.0, False),
                         args.repeats)
        t_half = _time(lambda base=base, out=out: fill_phase(out, base, 1.0, False),
                       args.repeats)
        theta = (-base).astype(np.longdouble)
        ref_c, ref_s = np.cos(theta), np.sin(theta)
        err_direct = max(np.max(np.abs(c_s.real - ref_c)), np.max(np.abs(c_s.imag - ref_s)))
        err_half = max(np.max(np.abs(out.real - ref_c)), np.max(np.abs(out.imag - ref_s)))
        print(f"| {scale:g} | {t_direct * 1e6:.0f} | {t_half * 1e6:.0f} | "
              f"{t_direct / t_half:.2f} | {float(err_direct) / eps:.2f} | "
              f"{float(err_half) / eps:.2f} |")
    if args.state_check:
        state_check()


if __name__ == "__main__":
    main()
