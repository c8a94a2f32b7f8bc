"""The measured table of docs/minimize.md: accuracy and evaluations of ``qdq.minimize``.

Runs four smooth 2-D problems with known optima (Rosenbrock; a disc constraint active on the
boundary; a linear equality; the unit circle as a nonlinear equality) with both quantum
methods on the emulator and seeds 1-3, and prints per problem the worst ``max|x - x*|``, the
worst ``fun - f*`` and the range of ``nfev`` (every grid point of every stage, the pole probe
and the polish), beside ``baselines["uniform_polished"]`` (the same polish from the best of
as many uniform samples) and its evaluations.

    .venv/bin/python bench/minimize_table.py              # the docs' table, ~2-5 min
    .venv/bin/python bench/minimize_table.py --seeds 1    # quick
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from scipy.optimize import LinearConstraint, NonlinearConstraint

from qdq.minimize import minimize

R2 = 1 / math.sqrt(2)
PROBLEMS = {
    "rosenbrock": ("100*(y - x**2)**2 + (1 - x)**2", [(-2, 2), (-1, 3)], (),
                   (1.0, 1.0), 0.0),
    "(x-1)^2+(y-2)^2, x+y<=1": ("(x - 1)**2 + (y - 2)**2", [(-2, 2), (-2, 2.5)],
                                {"type": "ineq", "fun": lambda v: 1 - v[0] - v[1]},
                                (0.0, 1.0), 2.0),
    "x^2+y^2, x+2y=1": ("x**2 + y**2", [(-2, 2), (-2, 2)], LinearConstraint([[1, 2]], 1, 1),
                        (0.2, 0.4), 0.2),
    "x+y on the unit circle": ("x + y", [(-2, 2), (-2, 2)],
                               NonlinearConstraint(lambda v: v[0] ** 2 + v[1] ** 2, 1, 1),
                               (-R2, -R2), -math.sqrt(2)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--max-stages", type=int, default=4)
    args = ap.parse_args()
    options = {"steps": args.steps, "max_stages": args.max_stages}
    print(f"emulator, options={options}, seeds {args.seeds}, methods anneal and imaginary-time")
    print("| problem | max abs(x - x*) | max fun - f* | nfev | uniform+polish fun - f* "
          "| its nfev |")
    print("|---|---|---|---|---|---|")
    for name, (fun, bounds, cons, xstar, fstar) in PROBLEMS.items():
        errs, gaps, nfev, ugaps, unfev = [], [], [], [], []
        for seed in args.seeds:
            for method in ("anneal", "imaginary-time"):
                res = minimize(fun, bounds, method=method, seed=seed, constraints=cons,
                               options=options)
                errs.append(float(np.max(np.abs(np.asarray(res.x) - xstar))))
                gaps.append(float(res.fun) - fstar)
                nfev.append(int(res.nfev))
                u = res.baselines["uniform_polished"]
                ugaps.append(float(u["fun"]) - fstar)
                unfev.append(int(u["nfev"]))
        print(f"| {name} | {max(errs):.2g} | {max(gaps):.2g} | {min(nfev)}–{max(nfev)} | "
              f"{max(ugaps):.2g} | {min(unfev)}–{max(unfev)} |")


if __name__ == "__main__":
    main()
