"""LABS QAOA at QOKit's best-known angles: qdq's overlap beside QOKit's, and the two times.

QOKit (Shaydulin et al.) ships the best-known QAOA angles for LABS and the ground-state
overlaps they reach. Its numpy simulator applies the phase ``e^{−i(γ/2)(E − E₀)}`` and the
mixer ``e^{−iβX}`` per qubit (``qokit/fur/python/qaoa_fur.py``: ``exp(-0.5j*gamma*hc_diag)``,
``furx_all(sv, beta)``), while :class:`qdq.QAOA` is ``Π e^{−iβΣX} e^{−iγζ}`` with ζ = E; so the
same circuit is ``qdq.QAOA(qdq.benchmarks.labs(N), γ/2, β)`` (the offset ``E₀`` is a global
phase). For each ``N`` and ``p`` the script prints QOKit's overlap, qdq's probability of the
ground states (emulator and JAX), their difference (target ≤ 1e-10) and the times.

Times: QOKit's column is its ``python`` simulator, the only one its registry wheel offers
here (``qokit.fur.get_available_simulator_names`` lists no C or GPU simulator), so it is not
QOKit's fastest; qdq's columns include building the ``Result``.

QOKit 0.1.4 pins numpy 2.1.3 and qiskit 2.2.3 and imports pytket, so it does not install
beside qdq; give its interpreter with ``--qokit-python`` (it is run as a subprocess with an
argument list — no shell — and answers in JSON):

    python3.11 -m venv /tmp/qk && /tmp/qk/bin/pip install qokit
    .venv/bin/python bench/qokit_labs.py --qokit-python /tmp/qk/bin/python
    .venv/bin/python bench/qokit_labs.py --qokit-python /tmp/qk/bin/python --sizes 8,12,16 --p 1,4,8
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

import qdq

QOKIT_SIDE = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
from qokit.parameter_utils import get_best_known_parameters_for_LABS_wrt_overlap_for_p
from qokit.qaoa_objective_labs import get_qaoa_labs_objective
out = []
for N, p in json.loads(sys.argv[1]):
    try:
        g, b = get_best_known_parameters_for_LABS_wrt_overlap_for_p(N, p)
    except ValueError:  # QOKit has no angles for this (N, p)
        continue
    f = get_qaoa_labs_objective(N, p, parameterization="gamma beta", objective="overlap",
                                simulator="python")
    f(np.array(g), np.array(b))  # warm-up (precomputed energies loaded)
    t0 = time.perf_counter()
    v = f(np.array(g), np.array(b))
    out.append({"N": N, "p": p, "gammas": list(g), "betas": list(b),
                "overlap": 1.0 - float(v), "seconds": time.perf_counter() - t0})
print(json.dumps(out))
"""


def _ints(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise SystemExit(f"expected positive integers, got {text!r}")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qokit-python", default=sys.executable,
                        help="an interpreter where `import qokit` works")
    parser.add_argument("--sizes", default="8,10,12,14")
    parser.add_argument("--p", default="1,4,8")
    args = parser.parse_args()
    cases = [(N, p) for N in _ints(args.sizes) for p in _ints(args.p)]
    run = subprocess.run([args.qokit_python, "-c", QOKIT_SIDE, json.dumps(cases)],
                         capture_output=True, text=True, timeout=3600, check=False)
    if run.returncode != 0:
        print("the QOKit side failed in", args.qokit_python, "- nothing to compare:")
        print(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no output)")
        return
    rows = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"{'N':>3} {'p':>3} {'QOKit overlap':>14} {'qdq P(ground)':>14} {'|diff|':>9} "
          f"{'QOKit s':>9} {'emulator s':>11} {'jax s':>9}")
    for row in rows:
        b = qdq.benchmarks.labs(row["N"])
        spec = qdq.QAOA(b, np.asarray(row["gammas"]) / 2, row["betas"])
        t0 = time.perf_counter()
        emu = qdq.run(spec, backend="emulator")
        t_emu = time.perf_counter() - t0
        qdq.run(spec, backend="jax")  # warm-up: compile
        t0 = time.perf_counter()
        jx = qdq.run(spec, backend="jax")
        t_jax = time.perf_counter() - t0
        diff = max(abs(emu.p_global_min - row["overlap"]), abs(jx.p_global_min - row["overlap"]))
        print(f"{row['N']:>3} {row['p']:>3} {row['overlap']:14.10f} {emu.p_global_min:14.10f} "
              f"{diff:9.1e} {row['seconds']:9.4f} {t_emu:11.4f} {t_jax:9.4f}")


if __name__ == "__main__":
    main()
