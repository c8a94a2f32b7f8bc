"""The QHD two-dimensional protocol (docs/benchmarks.md; Leng et al. 2023) via qdq.Anneal.

Every row: the benchmark rescaled to the unit square, ``V(u) = (f(a + L u) − f*)/L``, on a
256 × 256 periodic grid (8 qubits per dimension), D = ½, kinetic weight ``2/(1e−3 + t³)``,
potential weight ``2t³``, T = 10, dt = 1e−3 (10⁴ first-order steps, potential first,
weights at each step's left end), uniform initial state, on the FFT emulator. Success is
what the published QHD256 column counts: the final mass strictly within ``r = 0.1`` of the
unit square (``‖u − u*‖ < 0.1``) around the authors' rounded minimizer ``u*``
(``BenchmarkFunction.success_center`` of the rescaled function, radius ``QHD_RADIUS``).

Two grids (``--grid``):

- ``periodic``: qdq's grid ``u_j = j/N``;
- ``interior``: the authors' sampling ``u_j = (j + 1)/(N + 1)`` of the potential, while
  the kinetic term keeps the momenta of the unit period, ``k = 2π·fftfreq(N, d=1/N)``.
  It is the periodic problem of the callable ``V(u_interior(u))`` with
  ``u_interior(j/N) = (j + 1)/(N + 1)``, and success is measured at the interior points.

Each row prints the published value, the success on each grid and the uniform-sampling
baseline (the share of periodic grid points inside the success disk).

The script also times a bare ``scipy.fft`` loop doing the same FFT pairs and phase
exponentials on one function and prints emulator time / bare time (target ≤ 1.5).

Usage::

    python bench/qhd_protocol.py                       # all 14 rows, both grids
    python bench/qhd_protocol.py --grid interior --functions ackley,rosenbrock
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
from qdq.errors import ParameterError

D = 0.5
T_FINAL = 10.0
STEPS = 10_000
GRIDS = ("periodic", "interior")


def u_interior(u, n: int):
    """Map the periodic grid point ``u = j/n`` to the interior point ``(j + 1)/(n + 1)``.

    ``u·n`` is the integer ``j`` exactly (``n`` a power of two), so the result is the
    correctly rounded ``(j + 1)/(n + 1)``.
    """
    return (np.asarray(u, dtype=float) * n + 1) / (n + 1)


def problem_for(name: str, qubits: int = 8, grid: str = "periodic") -> qdq.Problem:
    """The rescaled unit-square problem of one table row on ``grid`` (see the module doc).

    For ``grid="interior"`` the Problem lives on the periodic unit-box grid (so the FFT
    kinetic term has ``k = 2π·fftfreq(N, d=1/N)``) but its values are ``V`` at the
    interior points ``(j + 1)/(N + 1)``.
    """
    f = get(name, dims=2).rescaled()
    if grid == "periodic":
        return qdq.Problem(f, qubits=qubits)
    if grid != "interior":
        raise ParameterError(f"grid must be one of {GRIDS}, got {grid!r}")
    n = 2**qubits
    return qdq.Problem(lambda *u: f(*(u_interior(c, n) for c in u)), bounds=f.bounds,
                       qubits=qubits, name=f"{name} (interior grid)")


def sample_points(problem: qdq.Problem, grid: str = "periodic") -> tuple[np.ndarray, ...]:
    """The unit-square coordinates where the potential of ``problem`` was sampled."""
    if grid == "interior":
        return tuple(u_interior(p, n) for p, n in zip(problem.grid.points, problem.grid.shape,
                                                      strict=True))
    return problem.grid.points


def disk_mask(points, center, radius: float) -> np.ndarray:
    """Grid points strictly within Euclidean ``radius`` of ``center`` (``‖u − c‖ < r``)."""
    axes = np.ix_(*points)
    sq = np.zeros(tuple(len(p) for p in points))
    for ax, c in zip(axes, center, strict=True):
        sq = sq + (ax - float(c)) ** 2
    return sq < radius**2


def success_mass(probabilities, points, center, radius: float) -> float:
    """The published metric: probability mass strictly within ``radius`` of ``center``."""
    return float(np.asarray(probabilities)[disk_mask(points, center, radius)].sum())


def anneal_spec(problem: qdq.Problem, *, steps: int = STEPS, time: float = T_FINAL) -> qdq.Anneal:
    """The QHD anneal: order 1, left-end weights 2/(1e−3 + t³) and 2t³, uniform start."""
    return qdq.Anneal(problem, D=D, schedule="qhd-cubic", time=time, steps=steps, order=1,
                      initial="uniform")


def uniform_baseline(points, center, radius: float) -> float:
    """Success of uniform random sampling of the grid: the disk's share of grid points."""
    return float(disk_mask(points, center, radius).mean())


def run_row(name: str, *, qubits: int = 8, steps: int = STEPS, time: float = T_FINAL,
            grid: str = "periodic", workers: int | None = None,
            backend: str = "emulator") -> dict:
    """Run one row on one grid; returns success, baseline and run time.

    ``backend`` is ``"emulator"`` (numpy; ``workers`` scipy.fft threads) or ``"jax"`` (the
    same product formula, about 2× faster on this protocol; ``pip install -e '.[jax]'``).
    """
    f = get(name, dims=2).rescaled()
    problem = problem_for(name, qubits, grid)
    points = sample_points(problem, grid)
    t0, c0 = _time.perf_counter(), _time.process_time()
    options = {"workers": workers} if backend == "emulator" else {}
    result = qdq.run(anneal_spec(problem, steps=steps, time=time), backend=backend, **options)
    elapsed, cpu = _time.perf_counter() - t0, _time.process_time() - c0
    return {
        "function": name,
        "grid": grid,
        "success": success_mass(result.probabilities, points, f.success_center, f.radius),
        "published": f.qhd_success,
        "uniform": uniform_baseline(points, f.success_center, f.radius),
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
    points = problem.grid.points
    return {"function": name, "steps": steps, "emulator_s": emu, "bare_s": bare,
            "ratio": emu / bare, "fidelity": float(fid),
            "bare_success": success_mass(np.abs(psi) ** 2, points, f.success_center, f.radius),
            "emulator_success": success_mass(result.probabilities, points, f.success_center,
                                             f.radius)}


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
    ap.add_argument("--grid", default="both", choices=[*GRIDS, "both"],
                    help="potential sampling grid (default: both)")
    ap.add_argument("--workers", type=int, default=None, help="scipy.fft worker threads")
    ap.add_argument("--backend", default="emulator", choices=["emulator", "jax"],
                    help="engine for the rows (jax: ~2x faster; needs the jax extra)")
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
    grids = GRIDS if args.grid == "both" else (args.grid,)
    head = " | ".join(f"{g} r=0.1 | diff" for g in grids)
    print(f"| function | QHD256 (published) | {head} | uniform baseline | CPU (s) |")
    print("|---|---|" + "---|---|" * len(grids) + "---|---|")
    total, runs = 0.0, 0
    for n in names:
        cells, cpu, uniform = [], 0.0, None
        for g in grids:
            row = run_row(n, qubits=args.qubits, steps=args.steps, time=args.time, grid=g,
                          workers=args.workers, backend=args.backend)
            total, runs, cpu = total + row["seconds"], runs + 1, cpu + row["cpu_seconds"]
            pub = row["published"]
            diff = "—" if pub is None else f"{row['success'] - pub:+.4f}"
            cells.append(f"{row['success']:.4f} | {diff}")
            if g == "periodic" or uniform is None:
                uniform = row["uniform"]
        print(f"| {n} | {_fmt_pub(row['published'])} | {' | '.join(cells)} | {uniform:.4f} | "
              f"{cpu:.1f} |", flush=True)
    print(f"\nTotal emulator time: {total:.1f} s for {runs} run(s) "
          f"({1e3 * total / max(1, runs * args.steps):.2f} ms/step)")
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
