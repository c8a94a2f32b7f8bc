r"""Run a comparison or a benchmark suite: the scheduler and its entry points.

:func:`compare` (one problem) and :func:`run_suite` (benchmark functions, the QHD 2-D
protocol by default) resolve their functions (:mod:`qdq.compare.recipes`) and methods
(:mod:`qdq.compare.methods`), then :func:`run_cells` loads the finished cells from the local
experiment store (:class:`qdq.store.Store`), schedules the missing ones as tasks
(:mod:`qdq.compare.cells`) on an executor (:mod:`qdq.compare.executors`), stores every cell
as it completes — so an interrupted suite resumes without redoing finished cells — and
returns a :class:`~qdq.compare.report.Report`. :func:`load_report` rebuilds the report of
a stored suite.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.25)**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.25],
    ...                 minimum=0.0)
    >>> rep = compare(p, methods=["random"], repeats=3, budget=20, radius=0.1,
    ...               progress=False)
    >>> [(row["method"], row["n"]) for row in rep.table]
    [('random', 3), ('grid-argmin', 1)]
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from qdq.compare.cells import Task, execute_task, fingerprint
from qdq.compare.executors import (
    SerialExecutor,
    cancel_all,
    finished_ok,
    iter_completed,
    make_executor,
)
from qdq.compare.limits import check_budget_memory, check_first_seed, check_repeats
from qdq.compare.methods import MethodSetting, check_budget, resolve_methods
from qdq.compare.metrics import SuccessCriterion
from qdq.compare.recipes import FunctionRecipe, function_spec_from_problem
from qdq.compare.report import Report
from qdq.errors import ParameterError
from qdq.store import resolve_store

__all__ = ["BUDGET_TEXT", "compare", "load_report", "run_cells", "run_suite"]

#: Default budget of :func:`compare` (evaluations / shots) and of :func:`run_suite`.
DEFAULT_BUDGET = 1000
SUITE_BUDGET = 10_000

_META_FUNCTION, _META_METHOD = "__suite__", "__meta__"


def _budgets(budget: Any, specs: Sequence[MethodSetting], default: int) -> dict[str, int]:
    """Budget per method label from an int or a mapping (label, name, category or "default")."""
    if budget is None:
        budget = default
    if isinstance(budget, Mapping):
        unknown = set(budget) - {s.label for s in specs} - {s.name for s in specs} \
            - {"default", "quantum", "classical", "baseline"}
        if unknown:
            raise ParameterError(f"budget has entries for unknown methods {sorted(unknown)}; "
                                 f"methods: {', '.join(s.label for s in specs)} (or 'default', "
                                 "'quantum', 'classical', 'baseline')")
        out = {}
        for s in specs:
            for key in (s.label, s.name, s.category, "default"):
                if key in budget:
                    out[s.label] = check_budget(budget[key], s.label)
                    break
            else:
                out[s.label] = check_budget(default, s.label)
        return out
    return {s.label: check_budget(budget, s.label) for s in specs}


def run_cells(functions: Sequence[FunctionRecipe], specs: Sequence[MethodSetting], *,
              repeats: int, seed: int, budget: Any, default_budget: int, suite_name: str,
              executor: Any = None, workers: int = 2, store: Any = None,
              progress: bool = True, settings: Mapping[str, Any] | None = None):
    """Compute (or load) every cell and return the :class:`~qdq.compare.report.Report`.

    This is the engine of :func:`compare` and :func:`run_suite`.
    """
    repeats = check_repeats(repeats)
    seed = check_first_seed(seed, repeats)
    if not isinstance(suite_name, str) or not suite_name.strip():
        raise ParameterError(f"suite_name must be a non-empty string, got {suite_name!r}")
    labels = [f.label for f in functions]
    if len(set(labels)) != len(labels):
        raise ParameterError(f"function labels must be unique, got {labels}")
    budgets = _budgets(budget, specs, default_budget)
    if budgets:
        check_budget_memory(budgets, functions, workers)
    seeds = tuple(int(seed) + i for i in range(repeats))
    db = resolve_store(store)
    metas = {f.label: f.meta() for f in functions}
    crits = {f.label: SuccessCriterion.from_dict(metas[f.label]["criterion"]) for f in functions}
    prints = {f"{f.label}|{s.label}": [fingerprint(f, s, budgets[s.label], crits[f.label]),
                                        fingerprint(f, s, None, crits[f.label])]
              for f in functions for s in specs}
    meta = {"suite": suite_name, "functions": [metas[f.label] for f in functions],
            "methods": [s.to_dict() for s in specs], "repeats": repeats, "seeds": list(seeds),
            "budgets": budgets, "settings": dict(settings or {}), "fingerprints": prints}

    stored: dict[tuple[str, str, int | None], dict] = {}
    if db is not None:
        for row in db.list_cells(suite_name):
            stored[(row["function"], row["method"], row["seed"])] = row["result"]
        db.put_cell(suite_name, _META_FUNCTION, _META_METHOD, None, meta)

    cells: dict[tuple[str, str, int | None], dict] = {}
    tasks: list[Task] = []
    for f in functions:
        for s in specs:
            fp = fingerprint(f, s, budgets[s.label], crits[f.label])
            fp0 = fingerprint(f, s, None, crits[f.label])

            def have(sd, f=f, s=s, fp=fp, fp0=fp0):
                hit = stored.get((f.label, s.label, sd))
                if hit is not None and hit.get("fingerprint") == (fp if sd is not None else fp0):
                    cells[(f.label, s.label, sd)] = hit
                    return True
                return False

            common = {"function": f, "method": s, "budget": budgets[s.label],
                      "criterion": crits[f.label], "fingerprint": fp,
                      "seedless_fingerprint": fp0}
            if s.deterministic:
                if not have(None):
                    tasks.append(Task(seeds=(None,), **common))
                continue
            missing = tuple(sd for sd in seeds if not have(sd))
            if s.category == "quantum":
                dist = stored.get((f.label, s.label, None)) if have(None) else None
                if missing or dist is None:
                    if dist is None:
                        cells.pop((f.label, s.label, None), None)
                    tasks.append(Task(seeds=missing, distribution=dist, **common))
            else:
                tasks += [Task(seeds=(sd,), **common) for sd in missing]

    total = sum(len([x for x in t.seeds if x is not None]) + (t.distribution is None
                and (t.method.category == "quantum" or t.method.deterministic)) for t in tasks)
    t_start = time.perf_counter()
    if tasks:
        _execute(tasks, cells, db, suite_name, executor, workers, progress, total)
    elapsed = time.perf_counter() - t_start
    rows = [{"function": fn, "method": m, "seed": sd, "result": payload}
            for (fn, m, sd), payload in cells.items()]
    info = {"computed_tasks": len(tasks), "computed_cells": total,
            "reused_cells": len(rows) - total, "elapsed": elapsed}
    return Report(rows, meta=meta, run_info=info)


def _execute(tasks, cells, db, suite_name, executor, workers, progress, total) -> None:
    if isinstance(workers, int) and not isinstance(workers, bool) and workers > len(tasks):
        workers = max(1, len(tasks))  # idle workers cost a process (and its memory) each
    ex, shutdown = make_executor(executor, workers)
    if isinstance(executor, str) and executor in ("process", "dask"):
        _check_picklable(tasks, executor)
    bar = task_id = None
    if progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        bar = Progress("[progress.description]{task.description}", BarColumn(),
                       MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                       console=Console(stderr=True))
    futures: list = []
    by_future: dict = {}
    collected: set = set()

    def collect(fut) -> None:
        if fut in collected:
            return
        collected.add(fut)
        task = by_future[fut]
        for sd, payload in fut.result():
            key = (task.function.label, task.method.label, sd)
            cells[key] = payload
            if db is not None:
                db.put_cell(suite_name, key[0], key[1], sd, payload)
            if bar is not None:
                bar.advance(task_id)

    try:
        # Longest work first: quantum evolutions, then the rest in order.
        order = sorted(tasks, key=lambda t: t.method.category != "quantum")
        serial = isinstance(ex, SerialExecutor)
        # Forked workers must start before the progress bar's refresh thread does.
        submit_first = isinstance(ex, cf.ProcessPoolExecutor)
        if submit_first:
            futures = [ex.submit(execute_task, t) for t in order]
        if bar is not None:
            bar.start()
            task_id = bar.add_task(suite_name, total=total)
        if serial:  # one task at a time: every finished cell is stored at once
            for t in order:
                fut = ex.submit(execute_task, t)
                futures.append(fut)
                by_future[fut] = t
                collect(fut)
            return
        if not submit_first:
            futures = [ex.submit(execute_task, t) for t in order]
        by_future.update(zip(futures, order, strict=True))
        for fut in iter_completed(futures):
            try:
                collect(fut)
            except BaseException:
                # Keep what other workers already finished, then fail.
                cancel_all(futures)
                for other in futures:
                    if other is not fut and finished_ok(other):
                        collect(other)
                raise
    except BaseException:
        cancel_all(futures)
        if shutdown is not None:
            shutdown(wait=False)
            shutdown = None
        raise
    finally:
        if bar is not None:
            bar.stop()
        if shutdown is not None:
            shutdown()


def _check_picklable(tasks: Sequence[Task], executor: str) -> None:
    import pickle

    seen = set()
    for t in tasks:
        f = t.function
        if f.label in seen:
            continue
        seen.add(f.label)
        if f.problem is not None and f.objective is None:
            try:
                pickle.dumps(f.problem)
            except Exception as exc:  # noqa: BLE001 - any pickling failure
                raise ParameterError(
                    f"the objective of {f.label!r} is a Python callable that cannot be sent "
                    f"to {executor} workers ({type(exc).__name__}); use executor='thread' or "
                    "'serial', or give the objective as a string"
                ) from exc


# ====================================================================== public entry points
def compare(problem, methods: Iterable[Any] | str | None = None, repeats: int = 20,
            seed: int = 1, budget: int | Mapping[str, int] | None = None,
            radius: float | None = None, epsilon: float | None = None, store: Any = None,
            executor: Any = None, progress: bool = True, *,
            center: Sequence[float] | None = None, workers: int = 2,
            suite_name: str | None = None):
    """Compare methods on one problem under stated budgets, repeated with seeds.

    Every method gets the same problem and ``repeats`` seeds (``seed, seed+1, …``). The
    budget counts **objective evaluations** for classical methods and the ``random``
    baseline, and **shots** for quantum-dynamics methods: each repeat draws ``budget``
    shots of the method's circuit (rejected postselection shots count), evaluates ζ at the
    surviving samples and keeps the best — that point and value are its outcome. The
    exact grid argmin (``N`` evaluations) and uniform random sampling (same budget) are
    always added as baselines. Success: the outcome lies within ``radius`` of the known
    minimizer (or, with ``epsilon``, its value within ``epsilon`` of the known minimum);
    rates come with Wilson 95 % intervals.

    Args:
        problem: A :class:`~qdq.Problem` (its grid is what quantum methods and the grid
            argmin use; classical methods see the continuous objective on its box).
        methods: Method names or ``(name, options)`` pairs (see
            :func:`qdq.compare.methods.resolve_methods`); default: anneal + every installed
            classical method.
        repeats: Seeds per method.
        seed: First seed.
        budget: Evaluations / shots per repeat: an int, or a mapping from method label,
            name or category (``"quantum"``, ``"classical"``, ``"baseline"``) or ``"default"``
            to an int. Default 1000.
        radius: Success radius (default: the benchmark's radius when the problem is a
            registered benchmark on its box or its rescaled unit box; otherwise, without
            ``epsilon``, one grid-cell diagonal).
        epsilon: Success tolerance on the value: a second success column beside the
            radius one, or the only criterion when no radius applies.
        store: A :class:`~qdq.store.Store` or path to keep (and resume) the cells;
            ``None`` keeps them in memory only.
        executor: ``"serial"`` (default), ``"thread"``, ``"process"``, ``"dask"`` or an
            executor object.
        progress: Show a rich progress bar on stderr.
        center: Override of the known minimizer (must lie in the box).
        workers: Worker count of a named executor.
        suite_name: Store key (default ``"compare:<problem name>"``).

    Returns:
        A :class:`~qdq.compare.report.Report`.

    Raises:
        ParameterError: Unknown methods (valid names listed), budgets or repeats ``<= 0``,
            a non-positive radius.
        ProblemError: A known minimizer or ``center`` outside the box.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1), (-1, 1)], qubits=4,
        ...                 minimizer=[0, 0], minimum=0.0)
        >>> rep = qdq.compare(p, methods=["random"], repeats=5, budget=50, radius=0.3,
        ...                   progress=False)
        >>> rep.row("random")["n"], rep.row("grid-argmin")["success_rate"]
        (5, 1.0)

    A :class:`~qdq.BinaryProblem` goes to :func:`qdq.compare.binary_study.compare_binary`
    (``repeats`` become its reads per setting; settings are scanned per method, so
    ``budget``, ``radius``, ``epsilon`` and ``center`` do not apply and are refused).
    """
    if getattr(problem, "is_binary", False):
        return _compare_binary(problem, methods, repeats, seed, store, progress, suite_name,
                               budget=budget, radius=radius, epsilon=epsilon, center=center)
    fspec = function_spec_from_problem(problem, radius=radius, epsilon=epsilon, center=center)
    specs = resolve_methods(methods)
    name = suite_name or f"compare:{fspec.label}"
    settings = {"mode": "compare", "budget_semantics": BUDGET_TEXT}
    return run_cells([fspec], specs, repeats=repeats, seed=seed, budget=budget,
                     default_budget=DEFAULT_BUDGET, suite_name=name, executor=executor,
                     workers=workers, store=store, progress=progress, settings=settings)


def _compare_binary(problem, methods, repeats, seed, store, progress, suite_name, **unused):
    from qdq.compare.binary_study import compare_binary

    given = [k for k, v in unused.items() if v is not None]
    if given:
        raise ParameterError(f"{', '.join(given)} do not apply to a binary problem: success is "
                             "reaching the optimum, and each method scans its own setting "
                             "(e.g. methods=['sa:sweeps=10/100/1000']); leave them out")
    return compare_binary(problem, methods=methods or ("sa", "greedy", "qaoa:p=1", "anneal"),
                          reads=repeats, seed=seed, store=store, progress=progress,
                          suite_name=suite_name)


#: How budgets are counted (printed in every report).
BUDGET_TEXT = ("classical methods and the random baseline: objective evaluations of the "
               "continuous function on the box; quantum-dynamics methods: shots per repeat "
               "(rejected postselection shots count; ζ is evaluated at the surviving samples "
               "and the best is the outcome); grid-argmin: N evaluations (exhaustive)")


def run_suite(functions: Iterable[Any] | str | None = None, methods: Iterable[Any] | str | None
              = None, repeats: int = 20, *, suite_name: str = "qhd-2d",
              executor: Any = "process", workers: int = 2, store: Any = True,
              progress: bool = True, grid_qubits: int = 8, steps: int | None = None,
              budget: int | Mapping[str, int] | None = None, seed: int = 1,
              protocol: str | None = "qhd", dims: int = 2, epsilon: float | None = None):
    """Run a benchmark suite: (function × method × seed) cells in parallel, resumably.

    With ``protocol="qhd"`` (the QHD 2-D protocol of docs/benchmarks.md) each function is
    rescaled to the unit box ``V(u) = (f(a + Lu) − f*)/L``, the grid has
    ``2**grid_qubits`` points per dimension, the ``anneal`` method runs the QHD cubic
    schedule (``D = ½``, ``T = 10``, ``steps`` first-order steps, ``dt = T/steps``), and
    success is the mass within r = 0.1 of the unit box around the authors' rounded
    minimizer (docs/benchmarks.md); classical methods
    optimize the same rescaled function with ``budget`` evaluations (default 10⁴).
    ``protocol=None`` keeps the original boxes and radii.

    Args:
        functions: Benchmark names (a comma-separated string works), :class:`FunctionRecipe`
            objects or Problems; ``None``/``"all"``: the 14 rows of the QHD table.
        methods: As for :func:`compare` (baselines are added).
        repeats: Seeds per cell.
        suite_name: Store key of the suite (resuming uses the same name).
        executor: ``"process"`` (default), ``"thread"``, ``"serial"``, ``"dask"`` or an
            executor object with ``submit``.
        workers: Workers of a named executor.
        store: A Store, a path, ``True`` (the default store, ``$QDQ_STORE``) or ``None``
            (in memory, not resumable).
        progress: Rich progress bar on stderr.
        grid_qubits: Qubits per dimension.
        steps: Anneal steps (default 10⁴, i.e. ``dt = 10⁻³``); applied to ``anneal``
            methods that do not set ``steps`` themselves.
        budget: Evaluations / shots per repeat (default 10⁴); see :func:`compare`.
        seed: First seed.
        protocol: ``"qhd"`` or ``None``.
        dims: Dimensions of the benchmarks.
        epsilon: Optional value tolerance (reported beside the radius criterion).

    Returns:
        A :class:`~qdq.compare.report.Report`.

    Raises:
        ParameterError: Unknown methods / executors / protocol, bad budgets or repeats.
        ProblemError: Unknown benchmark names.

    Example:
        >>> rep = run_suite("sumofsquares", ["random"], 2, suite_name="doc", store=None,
        ...                 executor="serial", grid_qubits=4, budget=10, progress=False)
        >>> [row["method"] for row in rep.table]
        ['random', 'grid-argmin']
    """
    import qdq.benchmarks as benchmarks

    if protocol not in ("qhd", None):
        raise ParameterError(f"unknown protocol {protocol!r}; use 'qhd' or None")
    if functions is None or functions == "all":
        functions = list(benchmarks.QHD_TABLE)
    if isinstance(functions, str):
        functions = [f.strip() for f in functions.split(",") if f.strip()]
    fspecs: list[FunctionRecipe] = []
    for f in functions:
        if isinstance(f, FunctionRecipe):
            fspecs.append(f)
        elif isinstance(f, str):
            benchmarks.get(f, dims)  # validates the name (lists valid ones)
            name = f.strip().lower().replace("-", "_")
            fspecs.append(FunctionRecipe(name, benchmark=name, dims=dims,
                                       rescale=protocol == "qhd", qubits=grid_qubits,
                                       epsilon=epsilon))
        else:
            fspecs.append(function_spec_from_problem(f, epsilon=epsilon))
    specs = resolve_methods(methods)
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ParameterError(f"steps must be an integer >= 1, got {steps!r}")
        specs = [MethodSetting(s.name, {**s.options, "steps": int(steps)}, label=s.label)
                 if s.name == "anneal" and "steps" not in s.options else s for s in specs]
    settings = {"mode": "suite", "protocol": protocol, "grid_qubits": grid_qubits,
                "steps": steps, "budget_semantics": BUDGET_TEXT}
    return run_cells(fspecs, specs, repeats=repeats, seed=seed, budget=budget,
                     default_budget=SUITE_BUDGET, suite_name=suite_name, executor=executor,
                     workers=workers, store=store, progress=progress, settings=settings)


def load_report(store: Any, suite_name: str):
    """Rebuild the report of a stored suite without recomputing anything.

    Raises:
        ParameterError: If the store has no such suite.
    """
    db = resolve_store(store if store is not None else True)
    rows = db.list_cells(suite_name)
    meta = next((r["result"] for r in rows
                 if r["function"] == _META_FUNCTION and r["method"] == _META_METHOD), None)
    if meta is None:
        raise ParameterError(f"no suite {suite_name!r} in the store {db.path}; run it first")
    for m in meta.get("methods", []):  # suites stored before the rename said "kind"
        if "category" not in m and "kind" in m:
            m["category"] = m.pop("kind")
    prints = meta.get("fingerprints", {})

    def current(r) -> bool:  # a cell of these settings (not left over from other runs)
        want = prints.get(f"{r['function']}|{r['method']}")
        return want is not None and r["result"].get("fingerprint") in want

    cells = [{"function": r["function"], "method": r["method"], "seed": r["seed"],
              "result": r["result"]} for r in rows
             if r["function"] != _META_FUNCTION and current(r)]
    return Report(cells, meta=meta, run_info={"loaded": True})
