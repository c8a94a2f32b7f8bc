r"""``qdq.minimize``: a scipy-style minimizer built from quantum stages, refined to precision.

Pipeline: quantum **stages** on a box's grid (:mod:`qdq.minimize.stage`), each box shrunk
around the best candidates of the previous one (:func:`~qdq.minimize.refine.shrink_box`),
under constraints an augmented-Lagrangian outer loop whose multipliers are updated between
stages (:mod:`qdq.minimize.constraints`), then a scipy **polish** from the best points
(:func:`~qdq.minimize.refine.polish`). More than three variables go through coordinate-block
sweeps (:mod:`qdq.minimize.blocks`, a labelled heuristic).

Counting (:attr:`nfev`): every point the objective is evaluated at — the ``N`` grid points
of every stage, the polish's evaluations (finite-difference gradients included), and the
few single-point checks; the baselines count their own. ``ncev`` counts constraint
evaluations the same way. ``nit`` is the number of quantum stages plus the polish's
iterations.

May import the modules of :mod:`qdq.minimize` (never its ``__init__``), numpy, scipy.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult

from qdq.errors import ParameterError, ProblemError
from qdq.minimize.baselines import uniform_baseline
from qdq.minimize.blocks import HEURISTIC, sweep
from qdq.minimize.constraints import ALState, normalize
from qdq.minimize.objective import Objective
from qdq.minimize.refine import least_violation, polish, shrink_box, unbounded_near
from qdq.minimize.stage import METHOD_OPTION_KEYS, quantum_method, run_stage

__all__ = ["DEFAULT_OPTIONS", "DEFAULT_QUBITS", "minimize"]

#: Qubits per variable of a stage's grid, by the number of variables it spans.
DEFAULT_QUBITS = {1: 8, 2: 6, 3: 5}

#: minimize's own options (method options such as ``D``/``steps`` go to the method).
DEFAULT_OPTIONS: dict[str, Any] = {
    "max_stages": 6,        # quantum stages (box refinements) at most
    "xtol": 1e-6,           # stop refining when every side is below xtol × its first side
    "top_k": 8,             # candidates per stage
    "keep": 4,              # candidates the next box spans
    "margin": 2.0,          # grid cells added around them
    "shrink": 0.5,          # largest next side / current side
    "polish": True,         # True, False, or a scipy.optimize.minimize method name
    "polish_starts": 3,     # distinct start points of the polish
    "tol": 1e-10,           # local-method tolerance
    "ctol": 1e-6,           # largest violation that counts as feasible
    "rho": 10.0,            # first augmented-Lagrangian penalty
    "block_size": 2,        # variables per block (more than 3 variables)
    "block_stages": 2,      # stages per block visit
    "max_sweeps": 8,        # block sweeps at most
    "reference": True,      # quadratic programs: solve the classical reference too
}


def _check_options(options: dict | None) -> tuple[dict, dict]:
    opts = dict(DEFAULT_OPTIONS)
    method_opts = {}
    method_keys = {k for keys in METHOD_OPTION_KEYS.values() for k in keys}
    for key, val in (options or {}).items():
        if key in DEFAULT_OPTIONS:
            opts[key] = val
        elif key in method_keys:
            method_opts[key] = val
        else:
            valid = sorted(set(DEFAULT_OPTIONS) | method_keys)
            close = difflib.get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(f"unknown option {key!r}{hint}; minimize takes "
                                 f"{', '.join(valid)}")
    for key in ("max_stages", "top_k", "keep", "polish_starts", "block_size", "block_stages",
                "max_sweeps"):
        v = opts[key]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"options[{key!r}] must be an integer >= 1, got {v!r}")
    for key in ("xtol", "margin", "tol", "ctol", "rho"):
        if not (isinstance(opts[key], (int, float)) and opts[key] > 0):
            raise ParameterError(f"options[{key!r}] must be a number > 0, got {opts[key]!r}")
    if not 0 < opts["shrink"] <= 1:
        raise ParameterError(f"options['shrink'] must be in (0, 1], got {opts['shrink']!r}")
    return opts, method_opts


def _bounds(bounds, fun) -> list[tuple[float, float]]:
    own = getattr(fun, "bounds", None)  # a quadratic program's own box: intersected
    if bounds is None:
        bounds = own
    elif own is not None and len(own) == len(bounds):
        bounds = [(max(float(a), lo), min(float(b), hi))
                  for (a, b), (lo, hi) in zip(bounds, own, strict=True)]
    if bounds is None:
        raise ProblemError("bounds are required: one (low, high) pair per variable")
    try:
        out = [(float(lo), float(hi)) for lo, hi in bounds]
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"bounds must be (low, high) pairs, got {bounds!r}") from exc
    for d, (lo, hi) in enumerate(out):
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ProblemError(f"bounds[{d}] = {(lo, hi)!r} must be finite with low < high; "
                               "qdq searches a box: give finite bounds")
    return out


def _key(ctol: float):
    def key(f: float, viol: float) -> tuple:
        return (viol > ctol, viol if viol > ctol else 0.0, f if np.isfinite(f) else np.inf)
    return key


def _public(rec: dict, index: int, box, free, al) -> dict:
    out = {k: v for k, v in rec.items()
           if k not in ("result", "candidates", "cand_f", "cand_merit", "cand_violation",
                        "cand_probability")}
    out.update(stage=index, operation="quantum", box=[list(b) for b in box], free=list(free),
               x=np.asarray(rec["x"]).tolist())
    if al is not None:
        out["multipliers"] = al.to_dict()
    return out


def minimize(fun, bounds: Sequence[Sequence[float]] | None = None, *, method: str = "anneal",
             constraints=(), qubits: int | None = None, backend: str = "emulator",
             shots: int | None = 1000, refine: bool = True, seed: int | None = None,
             options: dict[str, Any] | None = None, convention: str = "auto") -> OptimizeResult:
    r"""Minimize ``fun`` on a box with quantum stages, box refinement and a local polish.

    Args:
        fun: A callable — qdq's vectorized ``f(*coords)`` or scipy's ``f(x)`` (``x`` of
            shape ``(d,)``, or ``(d, M)`` when vectorized), see ``convention`` — an
            objective string in the safe grammar (:mod:`qdq.expression`: ``x, y, z`` or
            ``x0, x1, …``), or a :class:`~qdq.minimize.qp.QuadraticProgram` (its bounds
            and constraints apply). Values must be real (complex → ProblemError);
            non-finite values are walls, never reported as the minimum.
        bounds: ``(low, high)`` per variable (finite).
        method: Quantum method: ``"anneal"``, ``"imaginary-time"``, ``"two-loop"``,
            ``"real-time"`` (or an alias such as ``"imaginary"``).
        constraints: scipy's forms (``{"type": "eq"|"ineq", "fun": …}``,
            ``LinearConstraint``, ``NonlinearConstraint``) or a sequence of them.
        qubits: Qubits per variable of a stage's grid (default 8, 6, 5 for 1, 2, 3 free
            variables).
        backend: Engine of :func:`qdq.api.run` (``"emulator"``, ``"aer"``, …).
        shots: Accepted samples per stage, or ``None`` for the exact distribution.
        refine: Box refinement and polish; ``False`` runs one stage and reports its best
            sample as is.
        seed: Seed of every random choice (sampling, baselines).
        options: minimize's options (:data:`DEFAULT_OPTIONS`) and the method's (``D``,
            ``time``, ``steps``, ``order``, ``schedule``, two-loop's ``D0``, …; defaults
            from :mod:`qdq.defaults`, scaled to each stage's box).
        convention: How a callable ``fun`` is called: ``"coords"`` (``f(*coords)``),
            ``"scipy"`` (``f(x)``), or ``"auto"``: the signature decides for ``d ≥ 2``
            (``d`` parameters → coords, one → scipy), else a 3-point probe in the box
            (:func:`qdq.minimize.objective.detect`; its evaluations count in ``nfev``);
            an ambiguous callable is refused. Constraints always use scipy's ``fun(x)``.

    Returns:
        A :class:`scipy.optimize.OptimizeResult` with scipy's ``x``, ``fun``, ``nfev``,
        ``nit``, ``success``, ``status`` (0 converged, 1 the polish did not converge or a
        point beside ``x`` is lower,
        2 infeasible, 3 no feasible point reached, 4 the objective is unbounded below or
        not finite near ``x``: a pole, not a minimum) and ``message``, plus ``maxcv`` (the
        constraint violation at ``x``), ``ncev``, ``stages`` (one dict per stage and the
        polish), ``results`` (each stage's :class:`~qdq.Result`), ``shots``, ``raw_shots``
        (postselected methods: expected circuit runs), ``cx_per_shot`` (per stage),
        ``cx_total``, ``baselines``, ``heuristic`` (block sweeps) and ``reference``
        (quadratic programs).

    Raises:
        ProblemError: Bad bounds, objective or constraints.
        ParameterError: An unknown method or option, bad shots or seed.

    Example:
        >>> res = minimize("(x - 0.3)**2 + (y + 0.2)**2", [(-1, 1), (-1, 1)], seed=1,
        ...                options={"steps": 200, "max_stages": 2})
        >>> bool(res.success), res.x.round(6).tolist(), res.fun < 1e-12
        (True, [0.3, -0.2], True)
    """
    from qdq.validate import check_seed, check_shots

    name = quantum_method(method)
    shots, seed = check_shots(shots), check_seed(seed)
    opts, method_opts = _check_options(options)
    if getattr(fun, "is_binary", False):
        raise ParameterError("qdq.minimize works on continuous variables; a binary problem "
                             "runs with qdq.run(qdq.Anneal(problem, ...)) or qdq.QAOA, or "
                             "`qdq solve --binary/--qubo/...`")
    box0 = _bounds(bounds, fun)
    dims = len(box0)
    F = Objective.from_user(fun, dims, convention=convention, box=box0)
    cons = list(fun.constraints()) if hasattr(fun, "constraints") else []
    cons += list(constraints if isinstance(constraints, (list, tuple)) else [constraints])
    cs, box = normalize(cons, box0)
    rng = np.random.default_rng(seed)
    key, ctol = _key(opts["ctol"]), opts["ctol"]
    empty = [d for d, (lo, hi) in enumerate(box) if lo > hi]
    if empty:
        d = empty[0]
        x = np.array([(lo + hi) / 2 for lo, hi in box0])
        return OptimizeResult(
            x=x, fun=F.point(x), nfev=F.nfev, ncev=0, nit=0, success=False, status=2,
            maxcv=float(box[d][0] - box[d][1]), stages=[], results=[], shots=0, raw_shots=0,
            cx_per_shot=[], cx_total=0, baselines={}, heuristic=None, reference=None,
            message=f"infeasible: the linear constraints on x{d} ask {box[d][0]:g} <= x{d} <= "
                    f"{box[d][1]:g} (violation {box[d][0] - box[d][1]:g})")
    box = [(lo, hi) if hi > lo else (lo - 1e-9 * (1 + abs(lo)), hi + 1e-9 * (1 + abs(hi)))
           for lo, hi in box]  # a fixed variable keeps a sliver of a box for its grid
    al = ALState.start(cs, opts["rho"]) if cs else None

    def merit(X):
        f = F(X)
        if not cs:
            return f, f, np.zeros_like(f)
        h, g = cs.values(X)
        viol = np.max([np.zeros(X.shape[1]), *np.abs(h), *np.maximum(0.0, -g)], axis=0)
        return f, al.merit(f, h, g), viol

    stages, results = [], []

    def stage(sbox, free, incumbent):
        n = qubits if qubits is not None else DEFAULT_QUBITS[min(len(free), 3)]
        rec = run_stage(merit, sbox, free, incumbent, n, name, method_opts, backend, shots,
                        rng, top_k=opts["top_k"])
        if al is not None:
            h, g = cs.values(np.asarray(rec["x"])[:, None])
            al.update(h[:, 0], g[:, 0])
        stages.append(_public(rec, len(stages), sbox, free, al))
        results.append(rec["result"])
        return rec

    center = np.array([(lo + hi) / 2 for lo, hi in box])
    heuristic, last = None, None
    if dims <= 3:
        free, sbox, side0 = list(range(dims)), list(box), [hi - lo for lo, hi in box]
        best_x, best_key = None, None
        for _ in range(opts["max_stages"] if refine else 1):
            last = stage(sbox, free, center)
            k = key(last["fun"], last["violation"])
            if best_key is None or k < best_key:
                best_x, best_key = np.asarray(last["x"], dtype=float), k
            sbox = shrink_box(last, free, sbox, box, keep=opts["keep"], margin=opts["margin"],
                              shrink=opts["shrink"])
            if all(hi - lo <= opts["xtol"] * s for (lo, hi), s in zip(sbox, side0, strict=True)):
                break
    else:
        heuristic = HEURISTIC
        x0 = center
        k0 = key(F.point(x0), float(cs.violation(x0[:, None])[0]) if cs else 0.0)
        out = sweep(stage, key, box, x0, k0, block_size=min(opts["block_size"], 3),
                    block_stages=opts["block_stages"] if refine else 1,
                    max_sweeps=opts["max_sweeps"])
        best_x, best_key = out["x"], out["key"]
        stages.append({"stage": len(stages), "operation": "block-sweeps", "sweeps": out["sweeps"],
                       "block_stages": out["stages"], "improved_blocks": out["improved_blocks"],
                       "x": best_x.tolist(), "fun": best_key[-1]})

    x, fx = best_x, F.point(best_x)
    viol = float(cs.violation(x[:, None])[0]) if cs else 0.0
    status, success, message = 0, viol <= ctol, "quantum stages only (refine=False)"
    polish_method = opts["polish"] if isinstance(opts["polish"], str) else None
    if refine and opts["polish"]:
        starts = [x]
        if last is not None:
            for c in np.asarray(last["candidates"]).T:
                if len(starts) >= opts["polish_starts"]:
                    break
                if all(np.abs(c - s).max() > 0 for s in starts):
                    starts.append(c)
        pol = polish(F, cs, np.stack(starts, axis=1), box, method=polish_method,
                     tol=opts["tol"], ctol=ctol)
        if cs and pol["violation"] > ctol:  # phase 1: is any point feasible at all?
            least = least_violation(cs, np.stack(starts, axis=1), box)
            if least["violation"] <= ctol:
                pol = polish(F, cs, least["x"][:, None], box, method=polish_method,
                             tol=opts["tol"], ctol=ctol)
            else:
                pol.update(x=least["x"], fun=F.point(least["x"]),
                           violation=least["violation"], infeasible=True)
        stages.append({"stage": len(stages), "operation": "polish", "method": pol["method"],
                       "x": np.asarray(pol["x"]).tolist(), "fun": pol["fun"],
                       "violation": pol["violation"], "nfev": pol["nfev"], "nit": pol["nit"],
                       "success": pol["success"], "message": pol["message"]})
        if pol.get("infeasible") or key(pol["fun"], pol["violation"]) <= key(fx, viol):
            x, fx, viol = np.asarray(pol["x"]), pol["fun"], pol["violation"]
        success = viol <= ctol and pol["success"]
        message = f"polished with {pol['method']}: {pol['message']}"
        status = 0 if success else 1
        if pol.get("infeasible"):
            status, message = 2, (f"infeasible: the smallest constraint violation found is "
                                  f"{viol:.3g} (> ctol = {ctol:g}) at x = "
                                  f"{np.round(x, 6).tolist()}")
    checked = bool(refine and opts["polish"])
    before = F.nfev
    why = (unbounded_near(F, cs, x, fx, box, ctol=ctol) if checked else None
           if np.isfinite(fx) else (4, f"the objective is not finite at x = {x.tolist()}"))
    q_stages = [s for s in stages if s["operation"] == "quantum"]
    seen_lo = min(s["grid_f_range"][0] for s in q_stages)
    seen_hi = max(s["grid_f_range"][1] for s in q_stages)
    if (why is None or why[0] != 4) and np.isfinite(seen_lo) and fx < seen_lo - 1e3 * (
            seen_hi - seen_lo + abs(seen_lo) + 1):  # far below all the grids saw: a pole
        why = 4, (f"the objective is unbounded below near x = {np.asarray(x).tolist()}: f = "
                  f"{fx:.6g} there, while every grid value lies in [{seen_lo:.6g}, "
                  f"{seen_hi:.6g}]; a pole or a singularity, not a minimum")
    if checked:
        stages[-1]["check_nfev"] = F.nfev - before  # the probe's evaluations
    if why is not None and status != 2:  # never report a pole or a non-minimum as success
        success, status, message = False, why[0], f"{why[1]}; {message}"
    elif viol > ctol and status != 2:
        success, status = False, 3
        message = (f"no feasible point reached: the constraint violation at x is {viol:.3g} "
                   f"(> ctol = {ctol:g}); {message}")
    if heuristic:
        message += f" [{HEURISTIC.split(':')[0]}]"

    total_shots = sum(s["shots"] or 0 for s in q_stages) if shots is not None else None
    raw = sum(s["raw_shots"] or 0 for s in q_stages) if shots is not None else None
    cx_total = sum(s["cx_per_shot"] * (s["raw_shots"] or 0) for s in q_stages)
    first = q_stages[0]
    base = uniform_baseline(F, cs, box, total_shots or first["grid_points"], rng, ctol=ctol,
                            polish_method=polish_method, polish_tol=opts["tol"],
                            do_polish=bool(refine and opts["polish"]))
    base["grid_argmin"] = {**first["grid_argmin"], "nfev": first["grid_points"]}
    ga = [s["grid_argmin"] for s in q_stages]  # free: every stage's grid is already evaluated
    best = min(range(len(ga)), key=lambda i: key(ga[i]["fun"], ga[i]["violation"]))
    base["stage_grid_argmin"] = {**ga[best], "stage": best,
                                 "nfev": sum(s["grid_points"] for s in q_stages)}
    reference = None
    if hasattr(fun, "reference") and opts["reference"]:
        reference = fun.reference(seed=seed)
    polish_nit = sum(s.get("nit", 0) for s in stages if s["operation"] == "polish")
    return OptimizeResult(
        x=np.asarray(x, dtype=float), fun=float(fx), nfev=int(F.nfev), ncev=int(cs.ncev),
        nit=len(q_stages) + polish_nit, success=bool(success), status=status, message=message,
        maxcv=float(viol), stages=stages, results=results, shots=total_shots, raw_shots=raw,
        cx_per_shot=[s["cx_per_shot"] for s in q_stages], cx_total=float(cx_total),
        baselines=base, heuristic=heuristic, reference=reference, method=name,
        backend=backend)
