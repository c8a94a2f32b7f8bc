"""Binary problems: time per QAOA layer, qdq's engines beside a bare numpy loop.

A QAOA layer on ``n`` bits is one diagonal multiply ``ψ ← e^{−iγζ}ψ`` (ζ precomputed over
the ``2ⁿ`` assignments) and ``n`` butterflies (``e^{−iβΣX}`` is one 2×2 rotation per
qubit). For a random 3-regular Max-Cut at n = 16, 20, 24 (``--quick``: 12, 16) the script
times, interleaved in one process, best of ``--repeats``:

* ``emulator`` — :func:`qdq.engines.emulator.evolve` on the QAOA product formula with the
  hypercube's in-place butterflies (:meth:`qdq.kinetic.HypercubeLaplacian.exp_inplace`);
* ``bare`` — the same arithmetic written here in plain numpy (``np.exp`` of the diagonal,
  strided 2×2 updates), the practical limit for numpy on one core;
* ``jax`` — ``qdq.run(spec, backend="jax")`` after a warm-up call (compile excluded; the
  readout of the final state included), when JAX is installed.

It prints seconds per layer and the ratio to the bare loop, and checks that the emulator's
final state equals the bare loop's to 1e-10. Target: emulator ≤ 1.3× bare.

QOKit (``qokit``) is compared only when it imports beside qdq; its 0.1.4 release pins
numpy 2.1.3 and qiskit 2.2.3 and imports pytket at package import, so it is skipped here.

Run:
    .venv/bin/python bench/binary_speed.py            # n = 16, 20, 24 (~1-2 min)
    .venv/bin/python bench/binary_speed.py --quick    # n = 12, 16 (seconds)
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np

import qdq
from qdq.engines.emulator import evolve

LAYERS = 4


def maxcut_problem(n: int, seed: int = 7) -> qdq.BinaryProblem:
    """ζ = −cut of a random 3-regular graph (edges by a seeded pairing, no networkx)."""
    rng = np.random.default_rng(seed)
    while True:
        stubs = rng.permutation(np.repeat(np.arange(n), 3))
        edges = {tuple(sorted(map(int, stubs[i:i + 2]))) for i in range(0, 3 * n, 2)}
        if len(edges) == 3 * n // 2 and all(i != j for i, j in edges):
            break
    poly: dict = {}
    for i, j in edges:
        poly[(i, j)] = poly.get((i, j), 0.0) + 2.0
        poly[(i,)] = poly.get((i,), 0.0) - 1.0
        poly[(j,)] = poly.get((j,), 0.0) - 1.0
    return qdq.BinaryProblem(poly, num_bits=n, name=f"maxcut3reg(n={n})")


def bare_loop(values: np.ndarray, gammas, betas, n: int) -> np.ndarray:
    """The same arithmetic in plain numpy: diagonal multiply, then one rotation per qubit."""
    psi = np.full(values.size, values.size ** -0.5, dtype=complex)
    for g, b in zip(gammas, betas, strict=True):
        psi *= np.exp(-1j * g * values)
        c = -b  # the kinetic coefficient: e^{−iβΣX} = e^{−iβn} e^{+iβL}
        alpha, beta = np.exp(-1j * c) * np.cos(c), np.exp(-1j * c) * 1j * np.sin(c)
        for i in range(n):
            v = psi.reshape(-1, 2, 1 << i)
            a = v[:, 0, :].copy()
            v[:, 0, :] *= alpha
            v[:, 0, :] += beta * v[:, 1, :]
            v[:, 1, :] *= alpha
            v[:, 1, :] += beta * a
    return psi


def emulator_loop(spec) -> np.ndarray:
    """qdq's interpreter of the product formula (no readout)."""
    term, n = spec.kinetic_term, spec.problem.num_bits
    psi0 = np.full(1 << n, (1 << n) ** -0.5, dtype=complex)
    ev = evolve(spec.product_formula(), psi0, spec.problem.values, overwrite_psi0=True,
                kinetic_exp=lambda psi, c: term.exp_inplace(psi, c, False),
                kinetic_max=term.max_abs())
    return ev.psi


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-jax", action="store_true", help="skip the JAX engine")
    args = parser.parse_args()
    sizes = (12, 16) if args.quick else (16, 20, 24)
    has_jax = importlib.util.find_spec("jax") is not None and not args.no_jax
    rng = np.random.default_rng(0)
    gammas, betas = rng.uniform(0.1, 0.8, LAYERS), rng.uniform(0.1, 0.8, LAYERS)
    print(f"QAOA p = {LAYERS}, random 3-regular Max-Cut; seconds per layer (best of "
          f"{args.repeats})")
    print(f"{'n':>3} {'bare':>10} {'emulator':>10} {'emu/bare':>9} {'jax':>10} {'jax/bare':>9}")
    for n in sizes:
        b = maxcut_problem(n)
        values = np.asarray(b.values)
        spec = qdq.QAOA(b, gammas, betas)
        t_bare, psi_bare = best_of(lambda v=values, n=n: bare_loop(v, gammas, betas, n),
                                   args.repeats)
        t_emu, psi_emu = best_of(lambda s=spec: emulator_loop(s), args.repeats)
        err = float(np.max(np.abs(psi_bare - psi_emu)))
        if err > 1e-10:
            raise SystemExit(f"emulator and bare loop disagree at n={n}: {err:.3g}")
        jax_txt = ratio_txt = "-"
        if has_jax:
            qdq.run(spec, backend="jax")  # warm-up: compile
            t_jax, _ = best_of(lambda s=spec: qdq.run(s, backend="jax"), args.repeats)
            jax_txt, ratio_txt = f"{t_jax / LAYERS:10.4f}", f"{t_jax / t_bare:9.2f}"
        print(f"{n:>3} {t_bare / LAYERS:10.4f} {t_emu / LAYERS:10.4f} {t_emu / t_bare:9.2f} "
              f"{jax_txt:>10} {ratio_txt:>9}")


if __name__ == "__main__":
    main()
