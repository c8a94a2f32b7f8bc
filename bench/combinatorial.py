"""TTS99 scaling on binary families: docs/combinatorial.md's tables come from this script.

Runs :func:`qdq.compare.binary_study.binary_scaling` on LABS, random 3-regular Max-Cut and
Sherrington–Kirkpatrick with every applicable classical solver of
:mod:`qdq.classical.binary` (each at its best scanned setting), QAOA at fixed depths with
angles trained at the smallest size and transferred, and the textbook linear quantum
anneal; uniform sampling and exhaustive search are always in the table. Cells are stored in
``--store`` as they finish, so a killed run resumes where it stopped. Prints Markdown per
family and writes strict JSON (points and fits) to ``--out``.

    .venv/bin/python bench/combinatorial.py --store combinatorial.sqlite3 --out combinatorial.json
    .venv/bin/python bench/combinatorial.py --quick          # n = 6, 8, 20 reads, ~1 min
    .venv/bin/python bench/combinatorial.py --families labs --sizes 8-14
"""

from __future__ import annotations

import argparse
import time

from qdq.compare.binary_study import binary_scaling
from qdq.files import atomic_write_text
from qdq.jsonable import strict_json_text

#: Methods per family (quadratic-only dwave solvers are left out of LABS, which is quartic).
#: Scans start low enough that the cheapest setting is not already always successful at the
#: smallest n (else the floor of the scan flattens the fitted base); mts stops at the known
#: optimum (time to target), so one large budget is its whole scan.
_SWEEPS = "1/3/10/30/100/300/1000"
_COMMON = ("qbo:iterations=10/30/100/300/1000/3000,population:steps=3/10/30/100/300,greedy,"
           "anneal:tau=1/4/16/64/256")
METHODS = {
    "labs": f"sa-poly:sweeps={_SWEEPS}/3000,mts:max_evals=1000000,{_COMMON},qaoa:p=1/4/12",
    "maxcut3": f"sa:sweeps={_SWEEPS},tabu:timeout_ms=1/10/100,steepest,pimc:sweeps={_SWEEPS},"
               f"sa-poly:sweeps={_SWEEPS},{_COMMON},mip,qaoa:p=1/4",
    "sk": f"sa:sweeps={_SWEEPS},tabu:timeout_ms=1/10/100,pimc:sweeps={_SWEEPS},{_COMMON},"
          f"qaoa:p=1/4",
}
SIZES = {"labs": "8-18", "maxcut3": "8,10,12,14,16,18,20", "sk": "8,10,12,14,16,18"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default="labs,maxcut3,sk")
    ap.add_argument("--sizes", default=None, help="sizes for every family (default: per family)")
    ap.add_argument("--reads", type=int, default=100)
    ap.add_argument("--train-steps", type=int, default=300)
    ap.add_argument("--store", default=None, help="SQLite store (resumable); default: memory")
    ap.add_argument("--out", default=None, help="write points and fits as JSON here")
    ap.add_argument("--quick", action="store_true", help="n = 6, 8, 20 reads, short training")
    args = ap.parse_args()
    out = {}
    for family in [f.strip() for f in args.families.split(",") if f.strip()]:
        sizes = "6,8" if args.quick else (args.sizes or SIZES[family])
        reads = 20 if args.quick else args.reads
        methods = METHODS[family].replace("/12", "") if args.quick else METHODS[family]
        t0 = time.perf_counter()
        study = binary_scaling(family, sizes, methods=methods, reads=reads,
                               store=args.store, progress=True,
                               train_steps=30 if args.quick else args.train_steps)
        wall = time.perf_counter() - t0
        print(f"\n## {family}: n = {sizes}, {reads} reads per classical setting "
              f"({wall:.0f} s; {study.info['computed_cells']} cells computed, "
              f"{study.info['reused_cells']} reused)\n")
        print(study.to_markdown())
        out[family] = {"sizes": sizes, "reads": reads, "methods": methods, "wall_s": wall,
                       "points": [{k: v for k, v in p.items() if k != "estimate"}
                                  for p in study.points()],
                       "fits": study.fits(), "angles": study.info["angles"]}
    if args.out:
        atomic_write_text(args.out, strict_json_text(out, indent=1))
        print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
