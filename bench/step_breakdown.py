"""Where one split-step step's time goes: the transforms and the phases, per engine.

Single thread, one grid (default 256², the QHD protocol's), timed side by side in one run:

* **FFTW** — one 2-D FFT pair (``bench/fftw_pair.c``, ``FFTW_MEASURE``): the transform
  floor the C loops of ``bench/qhd_vs_c.py`` stand on;
* **numpy emulator** — scipy.fft's pair (what the emulator calls), the potential phase
  ``e^{−icζ}`` as the emulator fills it (``fill_phase``: half-angle ``tan``) and as
  ``cos``/``sin`` would;
* **JAX** (when installed; XLA restricted to one thread) — ``jnp.fft`` pair, the potential
  phase (``qdq.jax.trig.expi`` with its run-time range test, and ``expi_bounded``, fused,
  as the engine runs it when the host has checked the range), the separable kinetic
  phase, and the whole step, each as a ``lax.scan`` of the step's part.

It explains the issue-21 ratios: a step cannot be cheaper than its FFT pair, so an engine
whose own pair costs more than the C loop's whole step cannot reach a ratio near 1.

Usage::

    OPENBLAS_NUM_THREADS=1 python bench/step_breakdown.py [--n 256] [--steps 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _per_call(fn, repeats: int) -> float:
    for _ in range(max(3, repeats // 10)):
        fn()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t0) / repeats * 1e6


def fftw_pair(n: int, repeats: int) -> str:
    """µs per FFTW pair, or why it is not available."""
    if shutil.which("cc") is None:
        return "no C compiler"
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "fftw_pair"
        done = subprocess.run(["cc", "-O3", "-march=native", str(HERE / "fftw_pair.c"),
                               "-lfftw3", "-lm", "-o", str(exe)], capture_output=True, text=True)
        if done.returncode != 0:
            return "FFTW not installed (apt-get install libfftw3-dev)"
        out = subprocess.run(["taskset", "-c", "0", str(exe), str(n), str(repeats)]
                             if shutil.which("taskset") else [str(exe), str(n), str(repeats)],
                             capture_output=True, text=True, check=True)
        return f"{float(out.stdout):.0f}"


def numpy_rows(n: int, repeats: int) -> list[tuple[str, str]]:
    import scipy.fft as sfft

    from qdq.engines.emulator_phases import fill_phase

    rng = np.random.default_rng(0)
    psi = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    zeta = rng.uniform(0, 30, (n, n))
    out = np.empty((n, n), dtype=np.complex128)

    def pair():
        sfft.ifftn(sfft.fftn(psi, overwrite_x=False, workers=1), overwrite_x=True, workers=1)

    def cos_sin():
        theta = zeta * -1e-3
        np.cos(theta, out=out.real)
        np.sin(theta, out=out.imag)

    return [("scipy.fft pair", f"{_per_call(pair, repeats):.0f}"),
            ("potential phase, half-angle tan (emulator)",
             f"{_per_call(lambda: fill_phase(out, zeta, 1e-3, False), repeats):.0f}"),
            ("potential phase, cos + sin", f"{_per_call(cos_sin, repeats):.0f}")]


def jax_rows(n: int, steps: int) -> list[tuple[str, str]]:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    try:
        import jax
        import jax.numpy as jnp
        from jax import lax
    except ImportError:
        return [("JAX", "not installed")]
    jax.config.update("jax_enable_x64", True)
    from qdq.jax.trig import expi, expi_bounded

    rng = np.random.default_rng(0)
    psi0 = jnp.asarray(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    zeta, k2 = jnp.asarray(rng.uniform(0, 30, (n, n))), jnp.asarray(rng.uniform(0, 1, n))
    cs = jnp.asarray(rng.uniform(0, 1e-3, (steps, 2)))

    def timed(body) -> str:
        f = jax.jit(lambda p: lax.scan(body, p, cs)[0])
        f(psi0).block_until_ready()
        t0 = time.perf_counter()
        f(psi0).block_until_ready()
        return f"{(time.perf_counter() - t0) / steps * 1e6:.0f}"

    def kinetic(p, c):  # expi, not expi_bounded: fused, the 1-D phase would be per point
        return p * expi(-c * k2)[None, :] * expi(-c * k2)[:, None]

    parts = {
        "jnp.fft pair": lambda p, x: (jnp.fft.ifftn(jnp.fft.fftn(p)), None),
        "potential phase (expi: run-time range test)":
            lambda p, x: (p * expi(-x[0] * zeta), None),
        "potential phase (expi_bounded: fused, as the engine runs)":
            lambda p, x: (p * expi_bounded(-x[0] * zeta), None),
        "kinetic phase (separable)": lambda p, x: (kinetic(p, x[1]), None),
        "whole step (as the engine runs)": lambda p, x: (jnp.fft.ifftn(kinetic(jnp.fft.fftn(
            p * expi_bounded(-x[0] * zeta)), x[1])), None),
    }
    return [(f"JAX {name}", timed(body)) for name, body in parts.items()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256, help="points per axis (2-D grid)")
    ap.add_argument("--steps", type=int, default=2000, help="steps per JAX timing")
    ap.add_argument("--repeats", type=int, default=300, help="calls per numpy/FFTW timing")
    args = ap.parse_args(argv)
    rows = [("FFTW 2-D pair (C)", fftw_pair(args.n, args.repeats * 5))]
    rows += numpy_rows(args.n, args.repeats)
    rows += jax_rows(args.n, args.steps)
    print(f"# step_breakdown  {args.n}x{args.n}, one thread, numpy {np.__version__}")
    print("| part | µs per step |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
