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

Beside them, a C loop doing the same work (``bench/qaoa_loop.c``: the phase layer from the
ζ table, then the mixer qubit by qubit as 2×2 rotations on amplitude pairs; the factors
iterated from qdq's own ``spec.product_formula()``), built twice from the same source:
``C`` (``-O3 -march=native``, scalar glibc cos/sin) and ``C vec`` (``… -ffast-math``: GCC
calls glibc's libmvec vector cos/sin in the phase loop — the limit on this CPU). Both use
``--c-threads`` OpenMP threads (default 1; JAX uses its default threads) and report their
own best-of-``--repeats`` loop time. The script prints each engine's ratio to both, and
checks that the emulator's and JAX's final states have fidelity ≥ 1 − 1e−10 against both
C loops (``1-F``: the worst; ``max|d|``: the largest amplitude difference, global phase
aligned). Without a C compiler the C columns read ``-``.

QOKit (``qokit``) is compared only when it imports beside qdq; its 0.1.4 release pins
numpy 2.1.3 and qiskit 2.2.3 and imports pytket at package import, so it is skipped here.

Run:
    .venv/bin/python bench/binary_speed.py            # n = 16, 20, 24 (~1-2 min)
    .venv/bin/python bench/binary_speed.py --quick    # n = 12, 16 (seconds)
    .venv/bin/python bench/binary_speed.py --c-threads 2
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from qhd_vs_c import fidelity, max_abs_diff, step_coefficients, vector_trig  # noqa: E402

import qdq  # noqa: E402
from qdq.engines.emulator import evolve  # noqa: E402

LAYERS = 4
FIDELITY_TOL = 1e-10


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


def build_c(out: Path, cc: str = "cc", fast_math: bool = False) -> tuple[Path | None, str]:
    """Compile ``qaoa_loop.c`` (with ``-fopenmp`` when accepted); (path or None, the command
    or why not). ``fast_math`` adds ``-ffast-math`` (libmvec cos/sin in the phase loop)."""
    if shutil.which(cc) is None:
        return None, f"no C compiler {cc!r} on PATH"
    base = [cc, "-O3", "-march=native", *(["-ffast-math"] if fast_math else []),
            str(HERE / "qaoa_loop.c")]
    for extra in (["-fopenmp"], []):
        cmd = [*base, *extra, "-lm", "-o", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode == 0:
            return out, " ".join(cmd)
    return None, f"compiling qaoa_loop.c failed: {done.stderr.strip()[:300]}"


def write_input(path: Path, spec) -> None:
    """The C loop's input (see the header of ``qaoa_loop.c``): n, S, D, the uniform
    amplitude, ζ and the per-step coefficients of ``spec.product_formula()``."""
    n = spec.problem.num_bits
    cv, ck = step_coefficients(spec.product_formula())
    with open(path, "wb") as f:
        np.asarray([n, len(cv)], dtype=np.int64).tofile(f)
        np.asarray([spec.D, (1 << n) ** -0.5], dtype=np.float64).tofile(f)
        for arr in (spec.problem.values, cv, ck):
            np.ascontiguousarray(arr, dtype=np.float64).reshape(-1).tofile(f)


def run_c(exe: Path, inp: Path, out: Path, threads: int, repeats: int) -> tuple[float, np.ndarray]:
    """Best-of-``repeats`` loop wall time (its own timer) and the final state."""
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive")}
    done = subprocess.run([str(exe), str(inp), str(out), str(threads), str(repeats)],
                          capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"qaoa_loop failed ({done.returncode}): {done.stderr.strip()}")
    stats = dict(kv.split("=") for kv in done.stdout.split())
    return float(stats["loop_wall_s"]), np.fromfile(out, dtype=np.complex128)


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
    parser.add_argument("--c-threads", type=int, default=1, help="C loops' OpenMP threads")
    parser.add_argument("--cc", default="cc", help="C compiler (default cc)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qdq_binary_speed_") as tmpdir:
        run_all(args, Path(tmpdir))


def ratio(a: float | None, b: float | None) -> str:
    """``a / b`` to two decimals, ``-`` when either is missing."""
    return f"{a / b:.2f}" if a is not None and b is not None else "-"


def run_all(args, tmp: Path) -> None:
    """The table (one row per size)."""
    sizes = (12, 16) if args.quick else (16, 20, 24)
    has_jax = importlib.util.find_spec("jax") is not None and not args.no_jax
    rng = np.random.default_rng(0)
    gammas, betas = rng.uniform(0.1, 0.8, LAYERS), rng.uniform(0.1, 0.8, LAYERS)
    builds = {}
    for key, fm in (("C", False), ("C vec", True)):
        exe, how = build_c(tmp / ("qaoa_loop_vec" if fm else "qaoa_loop"), args.cc, fm)
        builds[key] = exe
        trig = f"  (libmvec calls: {vector_trig(exe)})" if exe is not None else ""
        print(f"# {key}: {how if exe else 'not built: ' + how}{trig}")
    print(f"# C threads {args.c_threads}; load average at start {os.getloadavg()[0]:.2f}")
    print(f"QAOA p = {LAYERS}, random 3-regular Max-Cut; seconds per layer (best of "
          f"{args.repeats})")
    print(f"{'n':>3} {'bare':>10} {'emulator':>10} {'emu/bare':>9} {'jax':>10} {'jax/bare':>9}"
          f" {'C':>9} {'C vec':>9} {'emu/C':>6} {'emu/Cvec':>8} {'jax/C':>6} {'jax/Cvec':>8}"
          f" {'1-F':>8} {'max|d|':>8}")
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
        t_jax = psi_jax = None
        if has_jax:
            qdq.run(spec, backend="jax")  # warm-up: compile
            t_jax, res = best_of(lambda s=spec: qdq.run(s, backend="jax"), args.repeats)
            psi_jax = np.asarray(res.statevector).reshape(-1)
            jax_txt, ratio_txt = f"{t_jax / LAYERS:10.4f}", f"{t_jax / t_bare:9.2f}"
        del psi_bare
        inp = tmp / "input.bin"
        write_input(inp, spec)
        t_c, worst_f, worst_d = {}, 0.0, 0.0
        for key, exe in builds.items():
            if exe is None:
                t_c[key] = None
                continue
            t_c[key], psi_c = run_c(exe, inp, tmp / "out.bin", args.c_threads, args.repeats)
            for psi in (psi_emu, psi_jax):
                if psi is not None:
                    worst_f = max(worst_f, 1 - fidelity(psi_c, psi))
                    worst_d = max(worst_d, max_abs_diff(psi_c, psi))
            del psi_c
        if worst_f > FIDELITY_TOL:
            raise SystemExit(f"a qdq engine and a C loop disagree at n={n}: "
                             f"1 - fidelity = {worst_f:.3g}")
        check_txt = (f"{worst_f:8.1e} {worst_d:8.1e}" if any(t_c.values())
                     else f"{'-':>8} {'-':>8}")
        c_txt = [f"{t / LAYERS:9.2e}" if t is not None else "-" for t in t_c.values()]
        print(f"{n:>3} {t_bare / LAYERS:10.4f} {t_emu / LAYERS:10.4f} {t_emu / t_bare:9.2f} "
              f"{jax_txt:>10} {ratio_txt:>9} {c_txt[0]:>9} {c_txt[1]:>9} "
              f"{ratio(t_emu, t_c['C']):>6} {ratio(t_emu, t_c['C vec']):>8} "
              f"{ratio(t_jax, t_c['C']):>6} {ratio(t_jax, t_c['C vec']):>8} "
              f"{check_txt}", flush=True)
    print(f"# load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
