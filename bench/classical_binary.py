"""Classical solvers on instances with published optima: OR-Library bqp50 and TSPLIB.

Part 1 (bqp50.1–10, n = 50, Beasley 1998): every quadratic solver of
:mod:`qdq.classical.binary` at its best scanned setting (:func:`qdq.compare.compare_binary`,
the published optimum as the target), 100 reads each: success per read, TTS99 in
evaluations and CPU seconds; HiGHS's proven optimum and its time beside them.

Part 2 (TSPLIB, 14–52 cities): 2-opt descent, simulated annealing with 2-opt moves at Seok &
Cho's settings (T₀ = 1000, α = 0.9995) and quantization-based optimization with 2-opt moves
(:mod:`qdq.classical.binary.permutation`), at equal proposal budgets, over seeds: mean and
best gap to the published optimal tour, how often the optimum and 1 % of it are reached,
and Held–Karp's exact optimum (n ≤ 16) with its time. Random restarts of 2-opt descent are
charged the proposals they score.

Part 3 (the quantum side of TSP, 4–5 cities): one-hot on positions, (n−1)² bits, XY mixer;
QAOA with trained angles and the linear anneal from the one-hot subspace, beside uniform
sampling of that subspace.

    .venv/bin/python bench/classical_binary.py                   # all parts, ~10 min
    .venv/bin/python bench/classical_binary.py --quick           # bqp50.1, burma14, 4 cities
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qdq.binary.benchsets import instance
from qdq.classical.binary.permutation import (
    held_karp,
    qbo_two_opt,
    sa_two_opt,
    two_opt_descent,
)
from qdq.compare.binary_study import compare_binary
from qdq.compare.tts import bootstrap_tts, format_tts

BQP_METHODS = ["sa", "tabu", "steepest", "pimc", "sa-poly", "qbo", "population", "greedy",
               "mip"]
TSPLIB = ["burma14", "ulysses16", "gr17", "gr21", "ulysses22", "gr24", "att48", "berlin52"]


def bqp_part(ks, reads: int) -> None:
    print("\n## OR-Library bqp50 (n = 50; published optima, proven)\n")
    rows: dict[str, list] = {}
    for k in ks:
        problem, meta = instance(f"bqp50.{k}")
        t0 = time.perf_counter()
        study = compare_binary(problem, methods=BQP_METHODS, optimum=meta["optimum"],
                               reads=reads, seed=k)
        for p in study.points():
            rows.setdefault(p["method"], []).append(p)
        print(f"bqp50.{k}: optimum {meta['optimum']:g}, {time.perf_counter() - t0:.0f} s",
              flush=True)
    print("\n| method | instances solved (p > 0) | median p per read | median TTS99 | unit | "
          "median TTS99 in CPU s |", "|---|---|---|---|---|---|", sep="\n")
    for m, pts in rows.items():
        solved = sum(p["p"] > 0 for p in pts)
        med = float(np.median([p["tts"] for p in pts]))
        cpu = float(np.median([p["units"]["cpu_s"] for p in pts]))
        print(f"| {m} | {solved}/{len(pts)} | {np.median([p['p'] for p in pts]):.3g} | "
              f"{med:.3g} | {pts[0]['unit']} | {cpu:.3g} |")


def _tour_row(name, label, results, opt, budget) -> str:
    gaps = np.array([(r.length - opt) / opt * 100 for r in results])
    hits = [1.0 if r.length <= opt + 1e-9 else 0.0 for r in results]
    within = [1.0 if r.length <= 1.01 * opt else 0.0 for r in results]
    costs = [float(r.evals) for r in results]
    tts = bootstrap_tts(hits, costs).to_dict()
    tts1 = bootstrap_tts(within, costs).to_dict()
    cpu = float(np.mean([r.cpu_s for r in results]))
    return (f"| {name} | {label} | {budget} | {gaps.mean():.2f} | {gaps.min():.2f} | "
            f"{np.mean(hits):.2f} | {np.mean(within):.2f} | {format_tts(tts, spec='.3g')} | "
            f"{format_tts(tts1, spec='.3g')} | {cpu:.3g} |")


def _restarts(d, seed: int, budget: int):
    """2-opt descent from random tours until ``budget`` proposals are spent; the best kept."""
    rng = np.random.default_rng(seed)
    best, spent, cpu = None, 0, 0.0
    while spent < budget:
        r = two_opt_descent(d, seed=int(rng.integers(2**31)),
                            tour=list(rng.permutation(d.shape[0])))
        spent += r.evals
        cpu += r.cpu_s
        if best is None or r.length < best.length:
            best = r
    return type(best)(best.tour, best.length, spent, cpu)


def _tour_methods(d, budget: int):
    return (("2-opt descent, restarts", lambda s: _restarts(d, s, budget)),
            ("SA 2-opt (T₀ = 1000, α = 0.9995)",
             lambda s: sa_two_opt(d, seed=s, iterations=budget)),
            ("QbO 2-opt", lambda s: qbo_two_opt(d, seed=s, iterations=budget)))


def tsp_part(names, seeds: int, budgets) -> None:
    print("\n## TSPLIB (published optimal tour lengths)\n")
    print("| instance | method | proposals | mean gap % | best gap % | P(optimum) | "
          "P(within 1 %) | TTS99 to optimum (proposals) | TTS99 to 1 % | CPU s per run |",
          "|---|---|---|---|---|---|---|---|---|---|", sep="\n")
    for name in names:
        inst, meta = instance(f"tsplib:{name}")
        d, opt = inst.distances, float(meta["optimum"])
        n = d.shape[0]
        if n <= 16:
            t0 = time.process_time()
            hk = held_karp(d)
            print(f"| {name} | Held–Karp (exact) | – | {(hk.length - opt) / opt * 100:.2f} | – "
                  f"| 1.00 | 1.00 | – | – | {time.process_time() - t0:.3g} |", flush=True)
        for budget in budgets:
            for label, run in _tour_methods(d, budget):
                results = [run(s) for s in range(seeds)]
                print(_tour_row(name, label, results, opt, budget), flush=True)


def quantum_tsp_part(cities, reads: int) -> None:
    from qdq.binary.tsp import tsp
    from qdq.binary.xy import one_hot_mask

    print("\n## TSP on qubits (one-hot positions, XY mixer, random cities on a 200 × 200 "
          "grid)\n")
    for n in cities:
        rng = np.random.default_rng(n)
        pts = rng.integers(0, 200, (n, 2))
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        b = tsp(d)
        exact = b.exact()
        mask = one_hot_mask(b.num_bits, b.kinetic_term.groups)
        feasible = int(mask.sum())
        print(f"{n} cities: {b.num_bits} bits, optimum {exact.energy:.2f} "
              f"({exact.count} optimal bitstrings); uniform over the one-hot start space: "
              f"p = {exact.count}/{feasible} = {exact.count / feasible:.4f} per sample")
        study = compare_binary(b, methods=["sa-poly", "greedy", "qbo", "qaoa:p=1/4",
                                           "anneal"], reads=reads)
        print(study.to_markdown().split("### Set-up cost")[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="bqp,tsp,quantum")
    ap.add_argument("--reads", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=20, help="seeds per TSP method")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    t0 = time.perf_counter()
    if "bqp" in parts:
        bqp_part([1] if args.quick else range(1, 11), 20 if args.quick else args.reads)
    if "tsp" in parts:
        tsp_part(["burma14"] if args.quick else TSPLIB, 5 if args.quick else args.seeds,
                 [10_000] if args.quick else [10_000, 100_000])
    if "quantum" in parts:
        quantum_tsp_part([4] if args.quick else [4, 5], 20 if args.quick else args.reads)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
