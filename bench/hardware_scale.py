"""Max-Cut QAOA at hardware scale, and its quality under simulated device noise vs depth.

1. Scale table (:func:`qdq.hardware.binary_scale.scale_table`): random 3-regular Max-Cut,
   n = 20, 50, 100, 126, 130, 150 (127 is odd: no 3-regular graph), p = 1, 2, 3, on
   FakeSherbrooke (ECR), FakeTorino and FakeFez (CZ), optimization level 2, plus Max-Cut
   on each device's own usable heavy-hex graph (no SWAP); native 2q gates, 2q depth, depth,
   estimated fidelity Π(1 − ε), transpile time; then the per-layer fit a + b·p.
2. Noisy depth scans (:func:`qdq.hardware.binary_noise.noisy_depth_scan`, FakeTorino's noise
   model on a compact region of n qubits, angles trained with JAX when available):
   n = 8 (density matrix, exact noisy distribution) and n = 16 (statevector trajectories,
   one per shot), p = 1…4: ideal vs white-noise estimate vs noisy vs readout-mitigated
   ratio, P(optimum), and the best p under noise.
3. MPS trajectories on a 20-node path (low entanglement), p = 1.
4. Error suppression in qiskit-ibm-runtime's local testing mode: the n = 8 circuit at the
   best p submitted through :func:`qdq.hardware.submit` with no suppression, dynamical
   decoupling (XY4), Pauli twirling, both.
5. ``--submit ibm_torino`` sends the n = 8 scan's circuits to that device instead (needs a
   saved IBM account; the same call as for a fake backend).

Run:
    .venv/bin/python bench/hardware_scale.py            # ~6 min on 2 cores
    .venv/bin/python bench/hardware_scale.py --quick    # ~1 min (CI-sized)
    .venv/bin/python bench/hardware_scale.py --submit ibm_torino --dd XY4 --twirling
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from qdq.binary.instances import maxcut, random_regular_maxcut
from qdq.hardware.binary_noise import (
    ideal_qaoa,
    noisy_depth_scan,
    noisy_qaoa,
    submit_depth_scan,
)
from qdq.hardware.binary_scale import scale_table
from qdq.qaoa import ramp_for


def _fit_table(fits) -> str:
    lines = ["| family | n | backend | 2q gates / layer | 2q offset | 2q depth / layer | "
             "F per layer |", "|---|---:|---|---:|---:|---:|---:|"]
    for f in fits:
        lines.append(f"| {f['family']} | {f['n']} | {f['backend']} | {f['2q_per_layer']:.0f} | "
                     f"{f['2q_offset']:.0f} | {f['2q_depth_per_layer']:.1f} | "
                     f"{f['fidelity_per_layer']:.3g} |")
    return "\n".join(lines)


def _scan(label, problem, ps, shots, args, angles):
    t = time.perf_counter()
    scan = noisy_depth_scan(problem, ps=ps, backend=args.backend, shots=shots, seed=args.seed,
                            angles=angles)
    wall = time.perf_counter() - t
    print(f"\n### {label}: {problem.name}, {shots} shots, {args.backend} ({wall:.0f} s)\n")
    print(scan.to_markdown())
    print(f"\nbest p: ideal {max(scan, key=lambda r: r['ratio_ideal'])['p']}, "
          f"noisy raw {scan.optimal('ratio_raw')}, mitigated {scan.optimal()}")
    return scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    parser.add_argument("--backend", default="fake_torino", help="fake device of the scans")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--submit", default=None, help="also submit the n = 8 scan here "
                        "(ibm_torino: a real device, needs an account)")
    parser.add_argument("--dd", default=None, help="dynamical decoupling for --submit (XY4…)")
    parser.add_argument("--twirling", action="store_true", help="Pauli twirling for --submit")
    parser.add_argument("--store", default=None, help="job store for --submit (default: qdq's)")
    args = parser.parse_args()
    t_all = time.perf_counter()

    if args.quick:
        table = scale_table(ns=(20, 50), ps=(1, 2), backends=("fake_torino",), seed=args.seed)
    else:
        table = scale_table(seed=args.seed)
    print("## Max-Cut QAOA transpiled for heavy-hex fake backends (optimization level 2)\n")
    print(table.to_markdown())
    print("\n### Per layer: least squares count(p) = a + b·p\n")
    print(_fit_table(table.per_layer()))

    try:
        import qdq.jax.qaoa  # noqa: F401 - only to say which angles the scans use
        angles = "trained"
    except ImportError:
        angles = "ramp"
    small = random_regular_maxcut(6 if args.quick else 8, 3, args.seed)
    ps = (1, 2, 3) if args.quick else (1, 2, 3, 4)
    scan = _scan("density matrix", small, ps, 1000 if args.quick else 4000, args, angles)
    if not args.quick:
        _scan("statevector trajectories", random_regular_maxcut(16, 3, args.seed), ps, 200,
              args, angles)
        path = maxcut([(i, i + 1) for i in range(19)])
        print(f"\n### MPS trajectories: {path.name}, ramp angles, 200 shots\n")
        print("| p | 2q gates | est. F | ratio ideal | ratio raw | ratio mitigated | sim s |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for p in (1,):  # p = 2 took 105 s in one run: trajectories × growing bond dimension
            g, b = ramp_for(path, p)
            r = noisy_qaoa(path, g, b, args.backend, shots=200, seed=args.seed,
                           method="matrix_product_state")
            print(f"| {p} | {r['two_qubit_gates']} | {r['est_fidelity']:.3g} | "
                  f"{ideal_qaoa(path, g, b)['ratio_ideal']:.3f} | {r['ratio_raw']:.3f} | "
                  f"{r['ratio_mitigated']:.3f} | {r['sim_s']:.1f} |")

    best = [r for r in scan if r["p"] == scan.optimal()]
    shots = 1000 if args.quick else 4000
    print(f"\n### Error suppression in local testing mode: {small.name}, p = {best[0]['p']}, "
          f"{shots} shots, qdq.hardware.submit on {args.backend} (executor sampler)\n")
    print("| options | 2q gates | ratio | P(opt) | s |\n|---|---:|---:|---:|---:|")
    store = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    settings = [("none", None, None), ("DD XY4", "XY4", None), ("twirling", None, True),
                ("DD + twirling", "XY4", True)]
    for label, dd, tw in settings[:2] if args.quick else settings:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (row,) = submit_depth_scan(best, small, args.backend, shots=shots, seed=args.seed,
                                       dynamical_decoupling=dd, twirling=tw, store=store)
        print(f"| {label} | {row['two_qubit_gates']} | {row['ratio']:.4f} | "
              f"{row['p_opt']:.4f} | {time.perf_counter() - t:.1f} |")

    if args.submit:
        out = submit_depth_scan(scan, small, args.submit, shots=4000, seed=args.seed,
                                dynamical_decoupling=args.dd, twirling=args.twirling or None,
                                store=args.store)
        print(f"\n### Submitted to {args.submit}\n")
        for r in out:
            print(f"p = {r['p']}: job {r['job']}, {r['two_qubit_gates']} 2q gates, est. F "
                  f"{r['est_fidelity']:.3g}, ratio {r['ratio']}")
    print(f"\ntotal wall time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
