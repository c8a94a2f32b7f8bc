"""A fair TSP protocol for Seok & Cho's QbO: TSPLIB optima, equal budgets, TTS to 1 %.

The fair sibling of ``bench/seed_tsp.py`` (their own protocol). Shipped TSPLIB instances
with published optimal lengths; every method at equal budgets of 2-opt proposals / tours
scored, ``--repeats`` seeds each: QbO 2-opt, their SA (T₀ 1000, α 0.9995, their early
stop), SA with a schedule fitted to the instance and budget, their GA (≤ 10⁵: ~50 µs per
tour), 2-opt descent with restarts; OR-Tools' routing solver with guided local search at the
slowest method's CPU time (≤ 5 s); Held–Karp for n ≤ 16. See
:mod:`qdq.compare.tsp_study` for the statistics.

Prints two Markdown tables: every (instance, method, budget), then each method at its best
budget (least TTS₉₉ in proposals; CPU s for OR-Tools).

    .venv/bin/python bench/seed_tsp_fair.py --quick        # burma14 + att48, ≤ 10⁴, 3 seeds
    nice -n 10 .venv/bin/python bench/seed_tsp_fair.py     # the full study (~15 min, 1 core)
"""

from __future__ import annotations

import argparse
import math
import time

from qdq.compare.tsp_study import DEFAULT_BUDGETS, DEFAULT_INSTANCES, best_rows, run_study


def _num(x, spec: str = ".3g") -> str:
    return "–" if x is None else format(x, spec)


def _tts(r: dict, unit: str) -> str:
    v, lo, hi = r.get(f"tts_{unit}"), r.get(f"tts_{unit}_low"), r.get(f"tts_{unit}_high")
    if v is None:
        return "–"
    if math.isinf(v):
        return f"∞ (> {lo:.3g})"
    return f"{v:.3g} [{lo:.3g}, {'∞' if math.isinf(hi) else format(hi, '.3g')}]"


HEADER = ("| instance (n, L*) | method | budget | mean gap % ± 95 % CI | best gap % | "
          "p(gap ≤ 1 %) | proposals / run | CPU s / run | TTS₉₉ proposals [95 % CI] | "
          "TTS₉₉ CPU s [95 % CI] |\n|---|---|---|---|---|---|---|---|---|---|")


def line(r: dict) -> str:
    budget = (f"{r['budget']:.0e}" if r.get("budget") is not None
              else f"{r['time_limit_s']:.3g} s" if r.get("time_limit_s") is not None else "–")
    ci = "" if r["ci_gap_pct"] is None else f" ± {r['ci_gap_pct']:.2f}"
    return (f"| {r['instance']} ({r['n']}, {r['optimum']:.0f}) | {r['method']} | {budget} | "
            f"{r['mean_gap_pct']:.2f}{ci} | {r['best_gap_pct']:.2f} | {r['p']:.2f} | "
            f"{_num(r['mean_evals'], '.0f')} | {r['mean_cpu_s']:.3g} | {_tts(r, 'evals')} | "
            f"{_tts(r, 'cpu')} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="burma14 + att48, ≤ 10⁴, 3 seeds")
    ap.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES))
    ap.add_argument("--budgets", type=int, nargs="+", default=list(DEFAULT_BUDGETS))
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--no-ortools", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.instances, args.budgets, args.repeats = ["burma14", "att48"], [1000, 10_000], 3
    t0 = time.time()
    print(f"# Fair TSP study: budgets {args.budgets}, {args.repeats} seeds, success = gap ≤ 1 %"
          "\n\n## Every budget\n", HEADER, sep="\n", flush=True)
    rows = run_study(args.instances, args.budgets, args.repeats, ortools=not args.no_ortools,
                     progress=lambda r: print(line(r), flush=True))
    print("\n## Each method at its best budget (least TTS₉₉)\n", HEADER, sep="\n")
    for r in best_rows(rows):
        print(line(r))
    print(f"\nwall time {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
