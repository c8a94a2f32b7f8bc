"""Learned vs preset schedules on QHD's two-dimensional table (docs/learned_schedules.md).

Per row: a schedule family (default: a 6-term Chebyshev correction of ``qhd-cubic``) is
trained with ``qdq.optimize_schedule`` on the row itself, minimizing the final ``⟨V⟩`` (no
knowledge of the minimizer), at a REDUCED cost (default 64² grid, 10³ steps, same T = 10);
then the learned schedule and the ``qhd-cubic`` preset are evaluated at the FULL QHD
protocol (256², T = 10, 10⁴ first-order steps, D = ½, uniform start) on the JAX engine
(``--backend emulator`` for the numpy one; they agree to 1e−12).
Success is the final mass within r = 0.1 of the authors' rounded unit-square minimizer u*
(the published column's metric; ``Result.success_within(0.1, f.success_center)``). The
training cost (emulated evolutions, gradient evaluations, wall time) is printed beside
every gain, with the potential values read (every evolution applies ζ on all its grid
points: evolutions × points), ``k`` (the learned method's wall time in full-size runs) and
the preset's success over ``k`` runs, ``1 − (1 − p)^k``: the learned schedule wins only
where it beats that. The uniform-sampling baseline is beside every row.

Selection (``--select``, default): after training, the learned schedule and the preset are
compared by final ``⟨V⟩`` — the training loss, minimizer-free — in two forward JAX
evolutions of the row at the evaluation size, and the lower is kept (marked "preset kept");
those evolutions are part of the printed training cost.

Fidelity check (minimizer-free): if the preset's final ``⟨V⟩`` at the training size differs
from its value at the evaluation size by more than ``--fidelity`` (×2), the coarse time step
misrepresents the row's dynamics (e.g. rastrigin, ackley2 at 10³ steps), and the row is
trained at ``--fine-steps`` (10⁴: the protocol's dt) instead, with
``--fine-iterations`` Adam steps. The check costs one training-size evolution.

``--transfer A,B,...`` trains ONE schedule on rows A, B, ... and evaluates it on every
requested row not among them.

Usage::

    python bench/learned_schedules.py                                   # all 14 rows
    python bench/learned_schedules.py --functions easom,xinsheyang3 --json out.json
    python bench/learned_schedules.py --transfer ackley,rastrigin,levy --functions easom
    python bench/learned_schedules.py --eval-qubits 6 --eval-steps 1000 --iterations 10

Output is a Markdown table on stdout (and, with ``--json``, every number and schedule).
"""

from __future__ import annotations

import argparse
import sys
import time as _time

import qdq
from qdq.benchmarks import QHD_TABLE, get
from qdq.files import atomic_write_json
from qdq.learn import optimize_schedule

D, T_FINAL, RADIUS = 0.5, 10.0, 0.1
HARD = ("styblinski_tang", "easom", "xinsheyang3", "defl_corr_spring")


def problem(name: str, qubits: int) -> qdq.Problem:
    """The rescaled unit-square problem of one table row."""
    return qdq.Problem(get(name, dims=2).rescaled(), qubits=qubits)


def evaluate(name: str, schedule, *, qubits: int, steps: int, backend: str = "jax") -> dict:
    """Success within r = 0.1 of u* for ``schedule`` at the given size.

    ``backend``: ``"jax"`` (default; training needs JAX anyway, and it is ~2× faster here)
    or ``"emulator"`` — the two agree to fidelity 1 − 1e−12.
    """
    f = get(name, dims=2).rescaled()
    t0 = _time.perf_counter()
    spec = qdq.Anneal(problem(name, qubits), D=D, schedule=schedule, time=T_FINAL,
                      steps=steps, order=1, initial="uniform")
    r = qdq.run(spec, backend=backend)
    return {"success": r.success_within(RADIUS, f.success_center),
            "energy": r.expected_potential, "seconds": _time.perf_counter() - t0}


def uniform_baseline(name: str, qubits: int) -> float:
    """Share of grid points within r = 0.1 of u* (uniform random sampling's success)."""
    f = get(name, dims=2).rescaled()
    p = problem(name, qubits)
    sq = sum((ax - c) ** 2 for ax, c in zip(p.grid.mesh(), f.success_center, strict=True))
    return float((sq <= RADIUS**2 + 1e-12).mean())


def train(names: list[str], args, *, fine: bool = False) -> qdq.learn.LearnedSchedule:
    """Train one schedule on the rows ``names`` at the reduced training size.

    With ``--select`` (default), the learned schedule is then compared with the preset by
    final ⟨V⟩ on the same rows at the evaluation size (two forward evolutions each, charged
    to the training cost) and the lower one kept: minimizer-free model selection.
    """
    select = [problem(n, args.eval_qubits) for n in names] if args.select else None
    return optimize_schedule([problem(n, args.train_qubits) for n in names],
                             family=args.family, terms=args.terms, D=D, time=T_FINAL,
                             steps=args.fine_steps if fine else args.train_steps,
                             loss="energy",
                             iterations=args.fine_iterations if fine else args.iterations,
                             restarts=args.restarts,
                             learning_rate=args.fine_lr if fine else args.lr, seed=args.seed,
                             select_on=select, select_steps=args.eval_steps)


def unfaithful(name: str, cubic: dict, args) -> tuple[bool, float]:
    """Whether training-size dynamics misrepresent the evaluation (minimizer-free check).

    Compares the preset's final ⟨V⟩ at the training size with the evaluation size; a ratio
    above ``--fidelity`` means the coarse time step changes the physics, so the row is
    trained at ``--fine-steps`` instead. Costs one training-size evolution.
    """
    small = evaluate(name, "qhd-cubic", qubits=args.train_qubits, steps=args.train_steps,
                     backend=args.backend)
    lo, hi = sorted([small["energy"], cubic["energy"]])
    ratio = hi / max(lo, 1e-12)
    return bool(args.fine_steps) and ratio > args.fidelity, ratio


def _cost(c: dict, check: int) -> str:
    """Training cost to charge: evolutions (steps, grid points), gradients, selection, wall."""
    sel = (f" + {c['selection_evolutions']} selection evol. "
           f"({c['selection_steps']:.2g} steps)" if c.get("selection_evolutions") else "")
    chk = f" + {check} check evol." if check else ""
    return (f"{c['evolutions']} evol. ({c['evolution_steps']:.2g} steps, "
            f"{c['grid_points']} pts), {c['gradient_evaluations']} grads{sel}{chk}, "
            f"{c['wall_seconds']:.0f} s")


def grid_reads(c: dict, *, check: int, train_points: int, eval_points: int) -> dict:
    """Potential values ζ(x) the method read: every evolution applies ζ on its whole grid.

    Training evolutions and the fidelity check use the training grid, selection the
    evaluation grid. Building any one evolution already tabulates ζ on every point of its
    grid, i.e. an exhaustive grid search's worth of evaluations (which knows the argmin).
    """
    parts = [(c["evolutions"], train_points), (c.get("selection_evolutions", 0), eval_points),
             (check, train_points)]
    total = sum(n * pts for n, pts in parts)
    text = " + ".join(f"{n}×{pts}" for n, pts in parts if n)
    return {"total": total, "text": f"{text} = {total:.2g}"}


def equal_time(p: float, k: float) -> float:
    """Success of the preset given ``k`` runs' time: at least one of k runs within r.

    ``1 − (1 − p)^k`` — each run measured once, the best sample picked by ζ (k evaluations).
    """
    return 1.0 - (1.0 - p) ** max(k, 1.0)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--functions", default=",".join([*HARD, *(n for n in QHD_TABLE
                                                              if n not in HARD)]),
                    help="comma-separated rows (default: the four hard rows, then the rest)")
    ap.add_argument("--family", default="chebyshev")
    ap.add_argument("--terms", type=int, default=6)
    ap.add_argument("--train-qubits", type=int, default=6)
    ap.add_argument("--train-steps", type=int, default=1000)
    ap.add_argument("--iterations", type=int, default=40)
    ap.add_argument("--restarts", type=int, default=0)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--fine-steps", type=int, default=10_000,
                    help="train steps for rows that fail the fidelity check (0: never)")
    ap.add_argument("--fine-iterations", type=int, default=20)
    ap.add_argument("--fine-lr", type=float, default=0.05)
    ap.add_argument("--fidelity", type=float, default=2.0,
                    help="max ratio of the preset's final <V> at training vs evaluation size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-qubits", type=int, default=8)
    ap.add_argument("--eval-steps", type=int, default=10_000)
    ap.add_argument("--transfer", default="", help="train one schedule on these rows")
    ap.add_argument("--backend", default="jax", choices=["jax", "emulator"],
                    help="engine of the evaluation runs (default jax)")
    ap.add_argument("--select", action=argparse.BooleanOptionalAction, default=True,
                    help="keep learned vs preset by final <V> at the evaluation size")
    ap.add_argument("--json", default="", help="write all numbers and schedules here")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.functions.split(",") if n.strip()]
    pool = [n.strip() for n in args.transfer.split(",") if n.strip()]
    for n in names + pool:
        get(n)  # fail fast with the registry's message
    if pool:
        names = [n for n in names if n not in pool]
    print(f"train: {2**args.train_qubits}², {args.train_steps} steps, {args.family} "
          f"(terms={args.terms}), Adam lr={args.lr}, {args.iterations} iterations, "
          f"{args.restarts} restart(s); evaluate: {2**args.eval_qubits}², "
          f"{args.eval_steps} steps, T={T_FINAL:g}, r={RADIUS}"
          + (f"; TRANSFER from {', '.join(pool)}" if pool else "") + "\n", flush=True)
    print("| function | qhd-cubic | learned | gain | training cost (charged) | ζ grid reads "
          "(evolutions × points) | k = learned/preset wall | preset, best of k runs | "
          "published QHD256 | uniform |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    shared = train(pool, args) if pool else None
    rows = []
    for n in names:
        kw = {"qubits": args.eval_qubits, "steps": args.eval_steps, "backend": args.backend}
        cubic = evaluate(n, "qhd-cubic", **kw)
        fine, ratio, check_s = False, None, 0.0
        if shared is None:
            t0 = _time.perf_counter()
            fine, ratio = unfaithful(n, cubic, args)
            check_s = _time.perf_counter() - t0
        check = 0 if shared is not None else 1
        learned = shared if shared is not None else train([n], args, fine=fine)
        mine = evaluate(n, learned.schedule, **kw)
        pub = get(n, dims=2).qhd_success
        reads = grid_reads(learned.cost, check=check, train_points=4**args.train_qubits,
                           eval_points=4**args.eval_qubits)
        # the learned method's whole time (training, selection, check, its own run) in
        # units of one full-size run (the faster of the two: compilation falls on the
        # first), so the preset could have been run k times instead
        run_s = min(cubic["seconds"], mine["seconds"])
        k = (learned.cost["wall_seconds"] + check_s + mine["seconds"]) / run_s
        row = {"function": n, "cubic": cubic, "learned": mine, "published": pub,
               "fidelity_ratio": ratio, "fine": fine, "check_seconds": check_s,
               "gain": mine["success"] - cubic["success"], "grid_reads": reads["total"],
               "k_equal_time": k, "preset_equal_time": equal_time(cubic["success"], k),
               "uniform": uniform_baseline(n, args.eval_qubits), "training": learned.to_dict()}
        rows.append(row)
        kept = (learned.selection or {}).get("kept", "learned")
        print(f"| {n} | {cubic['success']:.4f} | {mine['success']:.4f}"
              f"{' (preset kept)' if kept == 'start' else ''} | {row['gain']:+.4f} | "
              f"{_cost(learned.cost, check)}{' (shared)' if shared else ''}"
              f"{' (fine: dt of the protocol)' if fine else ''} | {reads['text']} | "
              f"{k:.1f} | {row['preset_equal_time']:.4f} | "
              f"{'—' if pub is None else f'{pub:.3f}'} | {row['uniform']:.4f} |", flush=True)
        if args.json:
            atomic_write_json(args.json, {"settings": vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
