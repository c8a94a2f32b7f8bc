"""Where ``backend="local"`` switches from the numpy emulator to JAX (issue 21).

For a range of grid sizes ``N`` and step counts, times the emulator and the JAX engine
(first call, compile included, and a second call) on the same anneal, single thread, and
prints what ``local`` chooses (:func:`qdq.engines.local.choose`) and the emulator's
estimated time ``steps·(a + b·N)`` beside the measured one. The constants ``a``, ``b`` and
the 1 s threshold in :mod:`qdq.engines.local` come from this table: ``local`` should pick
the engine with the smaller first-call time, except near the threshold.

    OMP_NUM_THREADS=1 .venv/bin/python bench/local_engine.py
"""

from __future__ import annotations

import time

import numpy as np

import qdq
from qdq.engines.local import choose, estimated_emulator_seconds

CASES = ((6, 1000), (8, 1000), (8, 10_000), (12, 1000), (14, 2000), (16, 1000), (16, 4000))


def _spec(qubits: int, steps: int):
    dims = 2 if qubits >= 12 else 1
    names = [f"x{i}" for i in range(dims)]
    p = qdq.Problem(" + ".join(f"{v}**4 - {v}**2" for v in names), bounds=[(-2, 2)] * dims,
                    qubits=qubits // dims)
    return qdq.Anneal(p, D=0.5, time=1.0, steps=steps)


def _timed(spec, backend: str):
    t0 = time.perf_counter()
    r = qdq.run(spec, backend=backend)
    return time.perf_counter() - t0, r


def main() -> None:
    print("| N | steps | emulator s (estimate) | JAX s, first call | JAX s, again | local picks "
          "| max |Δp| |", "|---|---|---|---|---|---|---|", sep="\n")
    for qubits, steps in CASES:
        spec = _spec(qubits, steps)
        te, a = _timed(spec, "emulator")
        tj, b = _timed(spec, "jax")
        tj2, _ = _timed(spec, "jax")
        print(f"| 2^{qubits} | {steps} | {te:.3f} ({estimated_emulator_seconds(spec):.3f}) | "
              f"{tj:.3f} | {tj2:.3f} | {choose(spec)} | "
              f"{np.abs(a.probabilities - b.probabilities).max():.1e} |", flush=True)


if __name__ == "__main__":
    main()
