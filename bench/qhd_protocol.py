"""The QHD two-dimensional protocol (docs/benchmarks.md; Leng et al. 2023) via qdq.Anneal.

Every row: the benchmark rescaled to the unit square, ``V(u) = (f(a + L u) − f*)/L``, on a
256 × 256 periodic grid (8 qubits per dimension), D = ½, kinetic weight ``2/(1e−3 + t³)``,
potential weight ``2t³``, T = 10, dt = 1e−3 (10⁴ first-order steps, potential first,
weights at each step's left end), uniform initial state, on the FFT emulator. Success is
the final mass within radius r/L of the rescaled minimizer (``Result.success_within``),
printed next to the published QHD256 column and the uniform-sampling baseline (the
fraction of grid points inside that disk).

The script also times a bare ``scipy.fft`` loop doing the same FFT pairs and phase
exponentials on one function and prints emulator time / bare time (target ≤ 1.5).

Usage::

    python bench/qhd_protocol.py                       # all 14 rows, full protocol
    python bench/qhd_protocol.py --functions rastrigin,levy --steps 2000
    python bench/qhd_protocol.py --no-ratio --qubits 6 --steps 1000

Output is a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import sys
import time as _time

import numpy as np
import scipy.fft as sfft

import qdq
from qdq.benchmarks import QHD_TABLE, get

D = 0.5
T_FINAL = 10.0
STEPS = 10_000


def problem_for(name: str, qubits: int = 8) -> qdq.Problem:
    """The rescaled unit-square problem of one table row."""
    return qdq.Problem(get(name, dims=2).rescaled(), qubits=qubits)


def anneal_spec(problem: qdq.Problem, *, steps: int = STEPS, time: float = T_FINAL) -> qdq.Anneal:
    """The QHD anneal: order 1, left-end weights 2/(1e−3 + t³) and 2t³, uniform start."""
    return qdq.Anneal(problem, D=D, schedule="qhd-cubic", time=time, steps=steps, order=1,
                      initial="uniform")


def disk_mask(problem: qdq.Problem, center, radius: float) -> np.ndarray:
    """Grid points within Euclidean ``radius`` of ``center`` (the success_within region)."""
    sq = np.zeros(problem.grid.shape)
    for ax, c in zip(problem.grid.mesh(), center, strict=True):
        sq = sq + (ax - float(c)) ** 2
    return sq <= radius**2 + 1e-12


def uniform_baseline(problem: qdq.Problem, center, radius: float) -> float:
    """Success of uniform random sampling of the grid: the disk's share of grid points."""
    return float(disk_mask(problem, center, radius).mean())


def run_row(name: str, *, qubits: int = 8, steps: int = STEPS, time: float = T_FINAL,
            workers: int | None = None) -> dict:
    """Run one row on the emulator; returns success, baselines and the run time."""
    f = get(name, dims=2).rescaled()
    problem = problem_for(name, qubits)
    t0, c0 = _time.perf_counter(), _time.process_time()
    result = qdq.run(anneal_spec(problem, steps=steps, time=time), backend="emulator",
                     workers=workers)
    elapsed, cpu = _time.perf_counter() - t0, _time.process_time() - c0
    return {
        "function": name,
        "success": result.success_within(f.radius, f.minimizer),
        "published": f.qhd_success,
        "uniform": uniform_baseline(problem, f.minimizer, f.radius),
        "p_global_min": result.p_global_min,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "result": result,
    }


def bare_loop(problem: qdq.Problem, *, steps: int, time: float = T_FINAL,
              workers: int | None = None) -> tuple[np.ndarray, float]:
    """The same anneal as a plain scipy.fft loop (no qdq engine); returns (ψ, seconds).

    Per step k (t = k·dt): ψ ← e^{−i b(t) dt V} ψ, then ψ ← F⁻¹ e^{−i a(t) dt D|k|²} F ψ.
    """
    V = np.asarray(problem.values)
    k2 = problem.grid.k_squared
    dt = time / steps
    psi = np.full(problem.grid.shape, 1 / np.sqrt(V.size), dtype=complex)
    t0 = _time.process_time()
    for k in range(steps):
        t = k * dt
        psi *= np.exp(-1j * (2 * t**3 * dt) * V)
        psi = sfft.fft2(psi, overwrite_x=True, workers=workers)
        psi *= np.exp(-1j * (2 / (1e-3 + t**3) * dt * D) * k2)
        psi = sfft.ifft2(psi, overwrite_x=True, workers=workers)
    return psi, _time.process_time() - t0


def timing_ratio(name: str, *, qubits: int = 8, steps: int = 1000,
                 workers: int | None = None) -> dict:
    """Emulator vs bare-loop CPU time on the same anneal (same steps, same function).

    CPU (process) time rather than wall time, so other load on the machine does not skew
    the ratio; both sides use the same scipy.fft ``workers``.
    """
    f = get(name, dims=2).rescaled()
    problem = problem_for(name, qubits)
    time = T_FINAL * steps / STEPS  # keep dt = 1e-3
    psi, bare = bare_loop(problem, steps=steps, time=time, workers=workers)
    spec = anneal_spec(problem, steps=steps, time=time)
    t0 = _time.process_time()
    result = qdq.run(spec, backend="emulator", workers=workers)
    emu = _time.process_time() - t0
    fid = abs(np.vdot(psi.reshape(-1), result.statevector.reshape(-1))) ** 2
    mask = disk_mask(problem, f.minimizer, f.radius)
    return {"function": name, "steps": steps, "emulator_s": emu, "bare_s": bare,
            "ratio": emu / bare, "fidelity": float(fid),
            "bare_success": float((np.abs(psi) ** 2)[mask].sum()),
            "emulator_success": result.success_within(f.radius, f.minimizer)}


def _fmt_pub(v: float | None) -> str:
    if v is None:
        return "—"
    return ">0.999" if v >= 0.999 else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--functions", default=",".join(QHD_TABLE),
                    help="comma-separated rows (default: all 14)")
    ap.add_argument("--steps", type=int, default=STEPS, help="first-order steps (default 10000)")
    ap.add_argument("--time", type=float, default=T_FINAL, help="total time T (default 10)")
    ap.add_argument("--qubits", type=int, default=8, help="qubits per dimension (default 8)")
    ap.add_argument("--workers", type=int, default=None, help="scipy.fft worker threads")
    ap.add_argument("--ratio-function", default="rastrigin",
                    help="function for the bare-loop timing comparison")
    ap.add_argument("--ratio-steps", type=int, default=1000,
                    help="steps (dt = 1e-3) of the timing comparison")
    ap.add_argument("--no-ratio", action="store_true", help="skip the timing comparison")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.functions.split(",") if n.strip()]
    for n in names:
        get(n)  # fail fast on a bad name, with the registry's message
    print(f"QHD protocol: {args.qubits} qubits/dim ({2**args.qubits}x{2**args.qubits}), D={D}, "
          f"T={args.time:g}, steps={args.steps} (dt={args.time / args.steps:g}), order 1, "
          "kinetic 2/(1e-3+t^3), potential 2t^3, uniform start\n")
    print("| function | success | QHD256 (published) | diff | uniform baseline | P_gm "
          "| wall (s) | CPU (s) |")
    print("|---|---|---|---|---|---|---|---|")
    total = 0.0
    for n in names:
        row = run_row(n, qubits=args.qubits, steps=args.steps, time=args.time,
                      workers=args.workers)
        total += row["seconds"]
        diff = "—" if row["published"] is None else f"{row['success'] - row['published']:+.3f}"
        print(f"| {n} | {row['success']:.3f} | {_fmt_pub(row['published'])} | {diff} | "
              f"{row['uniform']:.4f} | {row['p_global_min']:.4f} | {row['seconds']:.1f} | "
              f"{row['cpu_seconds']:.1f} |",
              flush=True)
    print(f"\nTotal emulator time: {total:.1f} s for {len(names)} run(s) "
          f"({1e3 * total / max(1, len(names) * args.steps):.2f} ms/step)")
    if not args.no_ratio:
        r = timing_ratio(args.ratio_function, qubits=args.qubits, steps=args.ratio_steps,
                         workers=args.workers)
        print(f"\nTiming vs a bare scipy.fft loop ({r['function']}, {r['steps']} steps, "
              f"dt=1e-3): emulator {r['emulator_s']:.2f} s, bare {r['bare_s']:.2f} s CPU, "
              f"ratio {r['ratio']:.2f}x (target <= 1.5x); final-state fidelity "
              f"{r['fidelity']:.12f}, success {r['emulator_success']:.4f} vs bare "
              f"{r['bare_success']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
