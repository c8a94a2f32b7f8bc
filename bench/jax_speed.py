"""JAX engine vs numpy emulator: time per step at 2^16 and 2^20 points, and gradient memory.

Speed. For each grid (2^16 and 2^20 points, 1-D and 2-D (256², 1024²); ``--grids``/``--dims``)
and each variant

* ``real``      -- RealTime, order 2: constant weights, phase tables on both engines;
* ``imaginary`` -- ImaginaryTime, order 2: real damping factors + renormalization;
* ``anneal``    -- Anneal, order 1, QHD-cubic weights: every phase computed at every step;

the script runs ``qdq.engines.emulator.run_emulator`` and ``qdq.jax.engine.run_jax`` on the
same spec, interleaved, ``--repeats`` rounds, and prints the best time per step of each,
side by side, with the ratio ``jax / numpy`` (< 1: JAX faster). The JAX run is warmed up
once first (compilation is reported separately, not counted). Both final states are
checked to agree (fidelity >= 1 - 1e-12).

Memory (``--grad``). A 10^4-step order-1 anneal gradient (``qdq.jax.value_and_grad`` of
⟨ζ⟩ with respect to D, time and two schedule parameters) at 256 x 256 points runs in a
fresh subprocess, with and without √M checkpointing (``block=None`` vs ``block=0``, the
latter only with ``--no-checkpoint`` since it needs ~M states); its peak resident memory
(``ru_maxrss`` of the child) is printed next to the state size.

Run:
    .venv/bin/python bench/jax_speed.py                 # 2^16 and 2^20, three variants
    .venv/bin/python bench/jax_speed.py --quick         # 2^12 and 2^16, real only
    .venv/bin/python bench/jax_speed.py --grad          # peak memory of the gradient
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

import qdq
from qdq.engines.emulator import run_emulator
from qdq.jax.engine import run_jax


def make_spec(variant: str, qubits: int, steps: int, dims: int = 1):
    expr = "0.3*x**4 - x**2 + 0.2*x" if dims == 1 else "0.3*x**4 - x**2 + 0.2*x + y**2"
    p = qdq.Problem(expr, bounds=[(-6, 6)] * dims, qubits=qubits // dims)
    H = qdq.Hamiltonian(p, D=0.05)
    if variant == "real":
        return qdq.RealTime(H, time=0.5, steps=steps, order=2)
    if variant == "imaginary":
        return qdq.ImaginaryTime(H, time=0.5, steps=steps, order=2)
    return qdq.Anneal(p, D=0.05, schedule="qhd-cubic", time=0.5, steps=steps, order=1)


def speed(args) -> None:
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numpy emulator (workers=None) vs JAX {__import__('jax').__version__} CPU")
    print(f"{'points':>8} {'dims':>4} {'variant':>10} {'steps':>6} {'numpy ms/step':>14} "
          f"{'jax ms/step':>12} {'jax/numpy':>10} {'compile s':>10} {'1-fidelity':>11}")
    for q, dims in ((q, d) for q in args.grids for d in args.dims):
        steps = max(4, int(args.work / 2**q))
        for variant in args.variants:
            spec = make_spec(variant, q, steps, dims)
            t = time.perf_counter()
            run_jax(spec)                                        # compile (cached by shape)
            compile_s = time.perf_counter() - t
            best_np = best_jax = np.inf
            for _ in range(args.repeats):
                r_np = run_emulator(spec, progress=False)
                best_np = min(best_np, r_np.timing["run"])
                r_jax = run_jax(spec)
                best_jax = min(best_jax, r_jax.timing["run"])
            fid = abs(np.vdot(r_np.statevector, r_jax.statevector)) ** 2
            print(f"{2**q:>8} {dims:>4} {variant:>10} {steps:>6} {1e3 * best_np / steps:>14.3f} "
                  f"{1e3 * best_jax / steps:>12.3f} {best_jax / best_np:>10.2f} "
                  f"{compile_s - best_jax:>10.2f} {1 - fid:>11.1e}")


CHILD = r"""
import time, jax.numpy as jnp, qdq
from qdq.jax import value_and_grad, energy
p = qdq.Problem("x**2 + y**2 - 0.5*x*y", bounds=[(-4, 4), (-4, 4)], qubits=8)
a = lambda th, t: th[0] / (1e-3 + (t / th[1]) ** 3)
b = lambda th, t: (t / th[1]) ** 3
c = {"D": 0.05, "time": 10.0, "params": jnp.array([1.0, 5.0])}
t0 = time.perf_counter()
v, g = value_and_grad(energy, p, c, steps=STEPS, order=1, kinetic_weight=a,
                      potential_weight=b, block=BLOCK)
v.block_until_ready()
print(f"loss {float(v):.6f} dL/dD {float(g['D']):.4g} in {time.perf_counter() - t0:.1f} s")
"""


def grad_memory(args) -> None:
    state_mib = 16 * 256 * 256 / 2**20
    print(f"# gradient of <zeta> after a {args.grad_steps}-step anneal at 256 x 256 "
          f"(one state = {state_mib:.0f} MiB)")
    blocks = ["None"] + (["0"] if args.no_checkpoint else [])
    for block in blocks:
        code = CHILD.replace("STEPS", str(args.grad_steps)).replace("BLOCK", block)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=False)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        label = "sqrt(M) checkpoints" if block == "None" else "no checkpointing"
        msg = out.stdout.strip() or out.stderr.strip().splitlines()[-1]
        note = "" if peak > before else " (not above an earlier child's peak)"
        print(f"{label:>20}: peak RSS {peak / 1024:.0f} MiB{note}; {msg}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grids", type=int, nargs="+", default=[16, 20], help="log2 points")
    ap.add_argument("--dims", type=int, nargs="+", default=[1, 2], help="grid dimensions")
    ap.add_argument("--variants", nargs="+", default=["real", "imaginary", "anneal"])
    ap.add_argument("--work", type=float, default=2**26, help="steps x points per run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--grad", action="store_true", help="peak memory of a long gradient")
    ap.add_argument("--grad-steps", type=int, default=10_000)
    ap.add_argument("--no-checkpoint", action="store_true",
                    help="with --grad: also run without checkpointing (needs ~M states)")
    args = ap.parse_args()
    if args.quick:
        args.grids, args.variants, args.work, args.repeats = [12, 16], ["real"], 2**22, 2
    if args.grad:
        grad_memory(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
