"""Seok & Cho's TSP protocol: QbO, their SA, "quantum annealing", GA and a plain 2-opt baseline.

Their protocol (github.com/SDE-AI-00/Quantization-based-Optimization, ``tsp_test_anonymopus``:
``nodes_generator.py``, ``tsp_IO_func.py``, ``tsp_proc.py``): cities at random integer
points of a 200 × 200 grid; 10, 100, 150, 175 and 200 cities (one fixed instance per size,
here drawn from ``default_rng(size)``); a nearest-neighbour start from a random city;
random-segment 2-opt moves; ``stopping_iter = 10⁵``; means over repeated runs (different
seeds). Methods, all from :mod:`qdq.classical.binary.permutation` and
:mod:`qdq.classical.seed_cho`:

* QbO 2-opt — ``qbo_two_opt`` (10⁵ proposals);
* their SA — ``sa_two_opt`` with ``T₀ = 1000``, ``α = 0.9995`` and their stopping
  temperature ``0.1/10⁵``: it stops after 41 437 proposals;
* their "quantum annealing" — ``reweighted_annealing_two_opt`` (``D0=None``: their TSP cost
  ignores the weight, so it is their SA; same seeds, same numbers);
* their GA — ``genetic_tsp``, 10 chromosomes, 5·10⁴ generations (2 children each: 10⁵
  tours scored);
* 2-opt descent with restarts — ``two_opt_restarts`` at 10⁵ proposals (plain baseline);
* SA with a schedule fitted to the instance and the budget — ``fair_sa_two_opt`` (``T₀`` =
  mean uphill move of the start tour, geometric cooling to ``10⁻³·T₀`` at the budget; its
  calibration moves are counted).

Prints a Markdown table: mean tour length ± 95 % CI (Student t over repeats), best, tours
scored per run and CPU seconds per run; Held–Karp's optimum for ``n <= 16``.

    .venv/bin/python bench/seed_tsp.py --quick                     # 10 and 100 cities, 10⁴, 3 runs
    .venv/bin/python bench/seed_tsp.py --sizes 10 100 --repeats 10  # their budget, two sizes
    .venv/bin/python bench/seed_tsp.py                              # all sizes, 10 runs each
    .venv/bin/python bench/seed_tsp.py --sizes 100 --scale 100      # distances in other units

``--scale s`` multiplies every distance by ``s`` (the same instance in other units) and
reports lengths divided by ``s``: a method whose result depends on the units has a fixed
parameter tied to the cost scale (SA's ``T₀ = 1000``; QbO's power-of-two resolution).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qdq.classical.binary.permutation import fair_sa_two_opt, held_karp, qbo_two_opt, sa_two_opt
from qdq.classical.seed_cho import genetic_tsp, reweighted_annealing_two_opt, two_opt_restarts
from qdq.compare.metrics import mean_interval

SIZES = (10, 100, 150, 175, 200)


def instance(n: int, grid: int = 200) -> np.ndarray:
    """Distance matrix of ``n`` random integer cities on ``[0, grid)²`` (seeded by ``n``)."""
    c = np.random.default_rng(n).integers(0, grid, size=(n, 2))
    return np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))


def methods(iterations: int):
    t_min = 0.1 / iterations  # their stopping_temp
    return (
        ("QbO 2-opt", lambda d, s: qbo_two_opt(d, seed=s, iterations=iterations)),
        ("SA 2-opt (T₀ 1000, α 0.9995)",
         lambda d, s: sa_two_opt(d, seed=s, iterations=iterations, T_min=t_min)),
        ('"quantum annealing" (reweighted SA)',
         lambda d, s: reweighted_annealing_two_opt(d, seed=s, iterations=iterations)),
        ("GA (PMX, swap, 10 chromosomes)",
         lambda d, s: genetic_tsp(d, seed=s, generations=iterations // 2)),
        ("2-opt descent, restarts",
         lambda d, s: two_opt_restarts(d, seed=s, iterations=iterations)),
        ("SA 2-opt, fitted schedule",
         lambda d, s: fair_sa_two_opt(d, seed=s, iterations=iterations)),
    )


def row(n: int, name: str, results, scale: float = 1.0) -> str:
    lengths = np.array([r.length for r in results]) / scale
    _, half = mean_interval(lengths)
    half = np.nan if half is None else half
    evals = np.mean([r.evals for r in results])
    cpu = np.mean([r.cpu_s for r in results])
    return (f"| {n} | {name} | {lengths.mean():.1f} ± {half:.1f} | {lengths.min():.1f} | "
            f"{evals:.0f} | {cpu:.3g} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 and 100 cities, 10⁴, 3 runs")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--iterations", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply all distances by this (lengths are reported unscaled)")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.iterations, args.repeats = [10, 100], 10_000, 3
    if not args.scale > 0:
        ap.error(f"--scale must be positive, got {args.scale}")
    print(f"# Seok & Cho TSP protocol: {args.iterations} iterations, {args.repeats} runs, "
          f"distances × {args.scale:g}\n")
    print("| cities | method | mean length ± 95 % CI | best | tours scored per run | "
          "CPU s per run |", "|---|---|---|---|---|---|", sep="\n")
    for n in args.sizes:
        d = instance(n) * args.scale
        if n <= 16:
            t0 = time.process_time()
            hk = held_karp(d)
            opt = hk.length / args.scale
            print(f"| {n} | Held–Karp (exact) | {opt:.1f} | {opt:.1f} | – | "
                  f"{time.process_time() - t0:.3g} |", flush=True)
        for name, run in methods(args.iterations):
            print(row(n, name, [run(d, s) for s in range(args.repeats)], args.scale),
                  flush=True)


if __name__ == "__main__":
    main()
