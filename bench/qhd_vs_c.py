"""qdq's engines vs two C/FFTW split-step loops on one QHD protocol row (issues 10, 21).

The C loop (``bench/fftw_loop.c``) is built twice from the same source: the minimal loop
(``-O3 -march=native``, scalar glibc cos/sin) and the same loop with vectorized sin/cos
(``-O3 -march=native -ffast-math``: GCC calls glibc's libmvec ``_ZGV*_cos/_sin`` in the
potential loop), the practical limit on this CPU that targets refer to. Both apply the
same first-order factor sequence as qdq's own ``spec.product_formula()`` (potential factor
``e^{−i c_V V}``, then kinetic ``F⁻¹ e^{−i c_K D|k|²} F``), FFTW plans made with
``FFTW_MEASURE`` as separable 1-D transforms, ``fftw3_threads`` (and OpenMP for the phase
loops when the compiler has it, ``OMP_WAIT_POLICY=passive`` unless set) with the given
thread count. The script writes the inputs (potential, momenta, the per-step coefficients
iterated from the formula, the uniform start), runs the C loop, qdq's FFT emulator
(``workers=threads``) and, when installed, the JAX engine (in a child process restricted to
``threads`` CPUs), side by side for each thread count, checks that the final states agree
(fidelity ≥ 1 − 1e−10 against each C loop; the vectorized loop against the minimal one
too) and prints a Markdown table: wall and CPU seconds, the wall-clock ratio to each C loop,
``1 − fidelity`` and the largest amplitude difference (after aligning the global phase)
against each C loop.

The spec is the protocol's (``bench/qhd_protocol.py``): the rescaled function on the
unit box, 256 × 256, D = ½, schedule ``qhd-cubic``, order 1, dt = 10⁻³ (``--steps`` other
than 10⁴ keep dt and shorten T). Target (issue 10): the fastest qdq engine ≤ 1.3 × the C
loop at the same thread count; issue 21 measures against the vectorized loop.

When ``fftw3.h`` cannot be compiled against, the script prints why and exits 0. When only
the ``-ffast-math`` build fails, its columns read ``-`` and the header says why.

Usage::

    python bench/qhd_vs_c.py                          # rastrigin, 10⁴ steps, threads 1 and 2
    python bench/qhd_vs_c.py --steps 2000 --threads 1 --no-jax
    python bench/qhd_vs_c.py --function ackley --threads 2
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time as _time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import qhd_protocol as qp  # noqa: E402  (the protocol's spec, shared with that bench)

import qdq  # noqa: E402
from qdq.benchmarks import get  # noqa: E402
from qdq.errors import ParameterError  # noqa: E402

FIDELITY_TOL = 1e-10
SKIP_MESSAGE = "skipped: FFTW not installed (apt-get install libfftw3-dev)"
PROBE = "#include <fftw3.h>\nint main(void) { fftw_init_threads(); return 0; }\n"
LIBS = ["-lfftw3_threads", "-lfftw3", "-lm", "-lpthread"]

JAX_CHILD = r"""
import json, os, sys, time
threads, name, qubits, steps, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5]
cpus = sorted(os.sched_getaffinity(0))
if len(cpus) > threads:
    os.sched_setaffinity(0, cpus[:threads])
sys.path.insert(0, sys.argv[6])
import numpy as np
import qhd_protocol as qp
import qdq
spec = qp.anneal_spec(qp.problem_for(name, qubits), steps=steps,
                      time=qp.T_FINAL * steps / qp.STEPS)
w, c = time.perf_counter(), time.process_time()
result = qdq.run(spec, backend="jax")
w, c = time.perf_counter() - w, time.process_time() - c
np.save(out, np.asarray(result.statevector).reshape(-1))
print(json.dumps({"wall": w, "cpu": c, "timing": {k: float(v) for k, v in
                  (result.timing or {}).items()}}))
"""


def build_c(out: Path, cc: str = "cc", fast_math: bool = False) -> tuple[Path | None, str]:
    """Compile ``fftw_loop.c`` to ``out``; returns (path or None, the command or why not).

    A tiny probe program is compiled first; if it fails, FFTW (or a C compiler) is missing.
    OpenMP (``-fopenmp``) is used for the phase loops when the compiler accepts it.
    ``fast_math`` adds ``-ffast-math``: with it glibc declares cos/sin SIMD-callable and GCC
    vectorizes the potential loop through libmvec (see :func:`vector_trig`).
    """
    if shutil.which(cc) is None:
        return None, f"no C compiler {cc!r} on PATH"
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.c"
        probe.write_text(PROBE)
        ok = subprocess.run([cc, str(probe), *LIBS, "-o", str(Path(tmp) / "probe")],
                            capture_output=True, text=True)
        if ok.returncode != 0:
            return None, ok.stderr.strip().splitlines()[0] if ok.stderr.strip() else "probe failed"
    base = [cc, "-O3", "-march=native", *(["-ffast-math"] if fast_math else []),
            str(HERE / "fftw_loop.c")]
    for extra in (["-fopenmp"], []):
        cmd = [*base, *extra, *LIBS, "-o", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode == 0:
            return out, " ".join(cmd)
    return None, f"compiling fftw_loop.c failed: {done.stderr.strip()[:500]}"


def vector_trig(exe: Path) -> str:
    """The libmvec routines ``exe`` calls (``_ZGV…cos/sin``), by ``nm``; "none" if it calls
    none (its trig is scalar), "unknown" without ``nm``."""
    if shutil.which("nm") is None:
        return "unknown (no nm)"
    done = subprocess.run(["nm", "-u", str(exe)], capture_output=True, text=True)
    names = sorted({ln.split()[-1].split("@")[0] for ln in done.stdout.splitlines()
                    if "_ZGV" in ln})
    return ", ".join(names) or "none"


def step_coefficients(formula) -> tuple[np.ndarray, np.ndarray]:
    """Per-step ``(c_V, c_K)`` from a first-order product formula, in its exact order.

    Consecutive potential factors are summed (they commute); a step closes at each kinetic
    factor. A zero coefficient means "no factor" (the formula drops the ``t = 0`` potential).
    """
    if formula.order != 1:
        raise ParameterError(f"the C loop applies first-order steps, got order {formula.order}")
    cv, ck, pending = [], [], 0.0
    for term, c in formula:
        if term == "potential":
            pending += c
        elif term == "kinetic":
            cv.append(pending)
            ck.append(c)
            pending = 0.0
        else:
            raise ParameterError(f"unexpected factor term {term!r} in the formula")
    if pending:
        cv.append(pending)
        ck.append(0.0)
    return np.asarray(cv, dtype=np.float64), np.asarray(ck, dtype=np.float64)


def write_input(path: Path, spec) -> None:
    """Write the C loop's binary input (see the header of ``fftw_loop.c``), atomically."""
    grid = spec.grid
    if grid.dims != 2:
        raise ParameterError(f"the C loop is 2-D, got a {grid.dims}-D grid")
    n0, n1 = grid.shape
    cv, ck = step_coefficients(spec.product_formula())
    psi0 = np.ascontiguousarray(spec.initial_state(), dtype=np.complex128)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as f:
        np.asarray([n0, n1, len(cv)], dtype=np.int64).tofile(f)
        np.asarray([spec.D], dtype=np.float64).tofile(f)
        for arr in (*grid.momenta, spec.problem.values, cv, ck):
            np.ascontiguousarray(arr, dtype=np.float64).tofile(f)
        psi0.tofile(f)
    os.replace(tmp, path)


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    """``|⟨a|b⟩|²/(‖a‖²‖b‖²)`` (global phase ignored)."""
    a, b = a.reshape(-1), b.reshape(-1)
    return float(abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real))


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a e^{iφ} − b|`` with the global phase ``φ`` of ``⟨a|b⟩`` removed."""
    a, b = a.reshape(-1), b.reshape(-1)
    ov = np.vdot(a, b)
    ph = ov / abs(ov) if abs(ov) > 0 else 1.0
    return float(np.max(np.abs(a * ph - b)))


def run_c(exe: Path, inp: Path, out: Path, threads: int, shape) -> dict:
    """Run the C loop; its own timers cover the loop only (planning reported apart)."""
    # Spinning OpenMP workers fight FFTW's threads for the cores on a shared machine
    # (measured: 2 threads 4-6x slower than 1 at load ~3); passive waiting unless set.
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive")}
    w = _time.perf_counter()
    done = subprocess.run([str(exe), str(inp), str(out), str(threads)], capture_output=True,
                          text=True, check=False, env=env)
    total = _time.perf_counter() - w
    if done.returncode != 0:
        raise RuntimeError(f"fftw_loop failed ({done.returncode}): {done.stderr.strip()}")
    stats = dict(kv.split("=") for kv in done.stdout.split())
    psi = np.fromfile(out, dtype=np.complex128).reshape(shape)
    return {"wall": float(stats["loop_wall_s"]), "cpu": float(stats["loop_cpu_s"]),
            "plan": float(stats["plan_s"]), "process_wall": total, "psi": psi}


def run_emulator(spec, threads: int) -> dict:
    """qdq's FFT emulator with ``workers=threads``: wall and process CPU of ``qdq.run``."""
    w, c = _time.perf_counter(), _time.process_time()
    result = qdq.run(spec, backend="emulator", workers=threads, progress=False)
    return {"wall": _time.perf_counter() - w, "cpu": _time.process_time() - c,
            "psi": np.asarray(result.statevector)}


def run_jax(name: str, qubits: int, steps: int, threads: int, tmp: Path, shape) -> dict:
    """The JAX engine in a child process pinned to ``threads`` CPUs (XLA single-threaded
    for 1); the time includes jit compilation, as a user pays it."""
    env = dict(os.environ)
    if threads == 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false "
                            "intra_op_parallelism_threads=1").strip()
    out = tmp / f"jax_{threads}.npy"
    done = subprocess.run([sys.executable, "-c", JAX_CHILD, str(threads), name, str(qubits),
                           str(steps), str(out), str(HERE)], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"JAX child failed: {done.stderr.strip()[-800:]}")
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    psi = np.load(out, allow_pickle=False).reshape(shape)
    return {"wall": stats["wall"], "cpu": stats["cpu"], "psi": psi}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--function", default="rastrigin", help="QHD table row (default rastrigin)")
    ap.add_argument("--steps", type=int, default=qp.STEPS,
                    help="first-order steps, dt = 1e-3 (default 10000)")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--qubits", type=int, default=8, help="qubits per dimension (default 8)")
    ap.add_argument("--no-jax", action="store_true", help="skip the JAX engine")
    ap.add_argument("--cc", default="cc", help="C compiler (default cc)")
    args = ap.parse_args(argv)
    get(args.function)  # fail fast on a bad name, with the registry's message
    if args.steps < 1:
        raise ParameterError(f"--steps must be >= 1, got {args.steps}")
    try:
        threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        raise ParameterError(f"--threads must be comma-separated integers, got "
                             f"{args.threads!r}") from None
    if not threads or min(threads) < 1:
        raise ParameterError(f"--threads must list integers >= 1, got {args.threads!r}")
    jax_ok = not args.no_jax and importlib.util.find_spec("jax") is not None

    with tempfile.TemporaryDirectory(prefix="qdq_qhd_vs_c_") as tmpdir:
        tmp = Path(tmpdir)
        exe, how = build_c(tmp / "fftw_loop", args.cc)
        if exe is None:
            print(f"{SKIP_MESSAGE}: {how}")
            return 0
        vexe, vhow = build_c(tmp / "fftw_loop_vec", args.cc, fast_math=True)
        vtrig = vector_trig(vexe) if vexe is not None else "-"
        problem = qp.problem_for(args.function, args.qubits)
        spec = qp.anneal_spec(problem, steps=args.steps,
                              time=qp.T_FINAL * args.steps / qp.STEPS)
        shape = spec.grid.shape
        inp = tmp / "input.bin"
        write_input(inp, spec)
        n0, n1 = shape
        print(f"# qhd_vs_c  {_time.strftime('%Y-%m-%d %H:%M')}  {args.function} "
              f"{n0}x{n1}, {args.steps} first-order steps (dt=1e-3), D={spec.D:g}, qhd-cubic")
        print(f"# cpus={os.cpu_count()}  load average at start {os.getloadavg()[0]:.2f}  "
              f"numpy {np.__version__}")
        print(f"# C loop: {how}")
        print(f"# C vec loop: {vhow if vexe is not None else 'not built: ' + vhow}"
              f"  (libmvec calls: {vtrig})")
        print("# seconds: wall clock (CPU = process CPU time); C = its step loop only "
              "(FFTW_MEASURE planning apart); qdq = the whole qdq.run call; 1-F = 1 - "
              "fidelity; max|d| = largest amplitude difference, global phase aligned\n")
        print("| engine | threads | wall (s) | CPU (s) | wall / C loop | wall / C vec | "
              "1-F vs C | 1-F vs C vec | max\\|d\\| vs C | max\\|d\\| vs C vec |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        worst = 1.0
        for t in threads:
            c = run_c(exe, inp, tmp / f"c_{t}.bin", t, shape)
            rows = [(f"C/FFTW loop (plan {c['plan']:.1f} s)", c)]
            v = None
            if vexe is not None:
                v = run_c(vexe, inp, tmp / f"v_{t}.bin", t, shape)
                rows.append((f"C/FFTW vec sin/cos (plan {v['plan']:.1f} s)", v))
            rows.append(("qdq emulator", run_emulator(spec, t)))
            if jax_ok:
                rows.append(("qdq jax (incl. jit)",
                             run_jax(args.function, args.qubits, args.steps, t, tmp, shape)))
            for label, r in rows:
                cells = [f"{r['wall'] / c['wall']:.2f}",
                         f"{r['wall'] / v['wall']:.2f}" if v is not None else "-"]
                fids, diffs = [], []
                for ref in (c, v):
                    if ref is None or ref is r:
                        fids.append("-")
                        diffs.append("-")
                        continue
                    fid = fidelity(ref["psi"], r["psi"])
                    worst = min(worst, fid)
                    fids.append(f"{1 - fid:.1e}")
                    diffs.append(f"{max_abs_diff(ref['psi'], r['psi']):.1e}")
                print(f"| {label} | {t} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                      f"{' | '.join(cells + fids + diffs)} |", flush=True)
        print(f"\n# load average at end {os.getloadavg()[0]:.2f}")
    if worst < 1 - FIDELITY_TOL:
        print(f"FAIL: two final states differ (fidelity {worst:.12f} < 1 - {FIDELITY_TOL:g})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
