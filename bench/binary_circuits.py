"""Binary circuits at hardware scale: colouring, routing a dense cost layer, heavy-hex QAOA.

0. A random 3-regular Max-Cut (n = 20, seed 1): one cost layer's CX count and depth (CX form,
   ASAP) with its ZZ phases in edge-colour classes beside the same groups in term order.
1. Sherrington–Kirkpatrick n = 20 (±1 couplings, seed 0): one cost layer routed on a line
   with Qiskit's commuting-gate swap strategy (:func:`qdq.hardware.binary_routing.
   route_cost_layer`) beside SABRE (three transpiler seeds): CX and two-qubit depth.
2. A 3-regular Max-Cut QAOA p = 1 on ``--n`` qubits (default 100, seed 1) transpiled for
   fake heavy-hex backends (Sherbrooke: ECR; Torino, Fez: CZ) at optimization levels 1 and 3:
   native two-qubit gates, two-qubit depth, depth and the fidelity estimate ``Π(1 − ε)``
   from the backend's reported gate and readout errors.

Run:
    .venv/bin/python bench/binary_circuits.py            # ~1 min
    .venv/bin/python bench/binary_circuits.py --n 50
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

import qdq
from qdq.hardware.binary_routing import hardware_report, line_routing_counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="Max-Cut qubits for heavy-hex")
    args = parser.parse_args()
    from qdq.circuits.binary_layers import layer_costs, schedule_groups
    from qdq.circuits.factors import phase_groups

    groups = phase_groups(qdq.benchmarks.random_regular_maxcut(20, 3, seed=1))
    cx_c, depth_c = layer_costs(schedule_groups(groups))
    cx_t, depth_t = layer_costs(groups)
    print(f"3-regular Max-Cut n = 20, one cost layer: colour-scheduled {cx_c} CX, depth "
          f"{depth_c}; term order {cx_t} CX, depth {depth_t}\n")
    n = 20
    rng = np.random.default_rng(0)
    sk = qdq.BinaryProblem({p: float(rng.choice([-1.0, 1.0]))
                            for p in itertools.combinations(range(n), 2)}, num_bits=n)
    print(f"SK n = {n}, one cost layer on a line (basis cx/rz/sx/x, optimization level 1)")
    for seed in (0, 1, 2):
        t = time.perf_counter()
        print(f"  seed {seed}: {line_routing_counts(sk, gamma=0.3, seed=seed)} "
              f"({time.perf_counter() - t:.1f} s)")
    big = qdq.benchmarks.random_regular_maxcut(args.n, 3, seed=1)
    spec = qdq.QAOA(big, [0.3], [0.2])
    print(f"\n3-regular Max-Cut n = {args.n}, QAOA p = 1, heavy-hex fake backends")
    for name in ("FakeSherbrooke", "FakeTorino", "FakeFez"):
        for level in (1, 3):
            t = time.perf_counter()
            r = hardware_report(spec, name, optimization_level=level, seed=7)
            two = {k: v for k, v in r.ops.items() if k in ("cx", "cz", "ecr")}
            print(f"  {name} opt={level}: 2q={two} 2q-depth={r.two_qubit_depth} "
                  f"depth={r.depth} F={r.estimated_fidelity:.2e} "
                  f"({time.perf_counter() - t:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
