r"""Run (function × method × seed) cells with a pluggable executor, resumably.

A *cell* is a pure function of ``(function, method, seed, settings)``: the same inputs
give the same numbers whichever process, thread or Dask worker computes them (each
cell's random stream is :func:`~qdq.compare.methods.cell_seed` of its key). Finished
cells go to the local experiment store (:class:`qdq.store.Store`, keyed
``(suite, function, method, seed)``) as they complete, each with a fingerprint of its
settings, so an interrupted suite resumes without redoing finished cells, and a cell
computed under other settings is recomputed rather than reused.

Work units: a classical or ``random`` cell is one task; a quantum method is one task
per function (its evolution runs once, stored as the seed-less *distribution* cell, and
every repeat samples shots from it); ``grid-argmin`` is one seed-less task.

Executors: ``"serial"`` (in this process), ``"thread"``, ``"process"``
(:class:`concurrent.futures.ProcessPoolExecutor`; ``fork`` on Linux when no other thread
runs, else ``forkserver``/``spawn``, which need the usual ``if __name__ == "__main__":``
guard in scripts; workers exit when the parent process dies, see :func:`worker_start`;
never more workers than tasks), ``"dask"``
(a :class:`distributed.LocalCluster` of ``workers`` processes) or any object with
``submit(fn, *args)`` returning futures (a ``concurrent.futures`` executor or a
``distributed.Client``), which is used as is and not shut down.

Example:
    >>> import qdq
    >>> from qdq.compare import compare
    >>> p = qdq.Problem("(x - 0.25)**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.25],
    ...                 minimum=0.0)
    >>> rep = compare(p, methods=["random"], repeats=3, budget=20, radius=0.1,
    ...               progress=False)
    >>> [(row["method"], row["n"]) for row in rep.table]
    [('random', 3), ('grid-argmin', 1)]
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qdq.compare.methods import (
    MethodSpec,
    cell_seed,
    check_budget,
    classical_cell,
    grid_argmin_cell,
    quantum_distribution,
    random_cell,
    resolve_methods,
    sample_shots,
)
from qdq.compare.metrics import SuccessCriterion, area_fraction, check_center_in_box
from qdq.errors import ParameterError, ProblemError

__all__ = ["EXECUTORS", "FunctionSpec", "Task", "compare", "execute_task", "run_suite"]

#: Executor names :func:`run_suite` understands (or pass an object with ``submit``).
EXECUTORS: tuple[str, ...] = ("serial", "thread", "process", "dask")

#: Bumped when a cell's payload or meaning changes (part of every fingerprint).
CELL_VERSION = 1

#: Default budget of :func:`compare` (evaluations / shots) and of :func:`run_suite`.
DEFAULT_BUDGET = 1000
SUITE_BUDGET = 10_000

_META_FUNCTION, _META_METHOD = "__suite__", "__meta__"


# ====================================================================== functions
@dataclass(frozen=True)
class FunctionSpec:
    """A recipe for one objective, cheap to pickle (the worker rebuilds the problem).

    Either ``benchmark`` (a :mod:`qdq.benchmarks` name, optionally QHD-``rescale``-d to the
    unit box), or ``objective`` (a string) with ``bounds``, or an in-process ``problem``
    (any :class:`~qdq.Problem`; only serial/thread executors unless it pickles).

    Attributes:
        label: Name used in tables and the store.
        qubits: Qubits per dimension of the grid (quantum methods, grid-argmin).
        radius: Success radius (default: the benchmark's radius, rescaled with the box).
        epsilon: Value tolerance (optional).
        center: Override of the known minimizer (must lie in the box).
    """

    label: str
    benchmark: str | None = None
    dims: int | None = None
    rescale: bool = False
    qubits: int | tuple[int, ...] = 8
    objective: str | None = None
    bounds: tuple[tuple[float, float], ...] | None = None
    minimizer: tuple[float, ...] | None = None
    minimum: float | None = None
    radius: float | None = None
    epsilon: float | None = None
    center: tuple[float, ...] | None = None
    problem: Any = field(default=None, compare=False, hash=False, repr=False)

    def __getstate__(self) -> dict:
        """Pickle without the in-process problem when the recipe can rebuild it."""
        state = dict(self.__dict__)
        if state.get("objective") is not None or state.get("benchmark") is not None:
            state["problem"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        """Restore a pickled recipe (frozen dataclass)."""
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def key(self) -> str:
        """JSON of the recipe (without an in-process problem object)."""
        d = self.describe()
        return json.dumps(d, sort_keys=True, default=str)

    def describe(self) -> dict:
        """JSON-safe description of the recipe."""
        in_process = self.problem is not None and self.objective is None
        out = {"label": self.label, "benchmark": self.benchmark, "dims": self.dims,
               "rescale": self.rescale, "qubits": self.qubits, "objective": self.objective,
               "bounds": self.bounds, "minimizer": self.minimizer, "minimum": self.minimum,
               "radius": self.radius, "epsilon": self.epsilon, "center": self.center,
               "in_process": in_process}
        if in_process:  # a callable has no text: identify it by its values on the grid
            values = np.ascontiguousarray(self.problem.values, dtype=float)
            out["values_sha256"] = hashlib.sha256(values.tobytes()).hexdigest()[:16]
        return out

    def benchmark_function(self):
        """The (rescaled) :class:`~qdq.benchmarks.BenchmarkFunction`, or ``None``."""
        if self.benchmark is None:
            return None
        return _benchmark(self.benchmark, self.dims, self.rescale)

    def build(self):
        """The :class:`~qdq.Problem` (cached per process)."""
        if self.problem is not None:
            return self.problem
        key = self.key()
        hit = _PROBLEMS.get(key)
        if hit is None:
            from qdq.problem import Problem

            fn = self.benchmark_function()
            if fn is not None:
                hit = Problem(fn, qubits=self.qubits)
            else:
                hit = Problem(self.objective, bounds=self.bounds, qubits=self.qubits,
                              name=self.label, minimizer=self.minimizer, minimum=self.minimum)
            if len(_PROBLEMS) >= 16:
                _PROBLEMS.pop(next(iter(_PROBLEMS)))
            _PROBLEMS[key] = hit
        return hit

    def box(self) -> tuple[tuple[float, float], ...]:
        """The box, without building the grid when the recipe says it."""
        fn = self.benchmark_function()
        if fn is not None:
            return tuple(tuple(b) for b in fn.bounds)
        if self.bounds is not None:
            return tuple(tuple(float(v) for v in b) for b in self.bounds)
        return self.build().grid.bounds

    def criterion(self) -> SuccessCriterion:
        """The success criterion (radius around the known minimizer and/or epsilon).

        Defaults: the benchmark's radius (``r/L`` when rescaled) and minimizer, also when an
        ``epsilon`` is given (then both are reported, the radius first); for other
        problems without ``epsilon``, a radius of one grid-cell diagonal around the known
        minimizer (or the grid argmin when no minimizer is known).

        Raises:
            ProblemError: A known minimizer or ``center`` outside the box.
            ParameterError: A radius ``<= 0``, a negative epsilon.
        """
        fn = self.benchmark_function()
        box = self.box()
        source = "known"
        if self.center is not None:
            center, source = check_center_in_box(self.center, box, "center"), "given"
        elif fn is not None:
            center = check_center_in_box(fn.minimizer, box)
        elif self.problem is not None and self.problem.minimizer is not None:
            center = check_center_in_box(self.problem.minimizer, box)
        elif self.minimizer is not None:
            center = check_center_in_box(self.minimizer, box)
        else:
            center, source = self.build().grid_argmin, "grid-argmin"
        if fn is not None:
            minimum = float(fn.minimum)
        else:
            p = self.problem
            known = p.minimum if p is not None else self.minimum
            minimum = float(known) if known is not None else self.build().grid_minimum
        radius = self.radius
        if radius is None and fn is not None and fn.radius is not None:
            radius = float(fn.radius)
        if radius is None and self.epsilon is None:
            spacing = self.build().grid.spacing
            radius = float(np.sqrt(np.sum(np.square(spacing))))
        return SuccessCriterion(center=center, radius=radius, minimum=minimum,
                                epsilon=self.epsilon, center_source=source)

    def meta(self) -> dict:
        """What a report needs about the function (box, grid, criterion, published)."""
        fn = self.benchmark_function()
        crit = self.criterion()
        box = self.box()
        q = self.qubits if isinstance(self.qubits, int) else list(self.qubits)
        shape = [2**q] * len(box) if isinstance(q, int) else [2**n for n in q]
        out = {"label": self.label, "bounds": [list(b) for b in box], "grid_shape": shape,
               "criterion": crit.to_dict(), "recipe": self.describe(),
               "published_qhd": getattr(fn, "qhd_success", None) if fn is not None else None,
               "area_fraction": None}
        if crit.radius is not None:
            out["area_fraction"] = area_fraction(box, crit.center, crit.radius)
        return out


_PROBLEMS: dict[str, Any] = {}


@functools.lru_cache(maxsize=128)
def _benchmark(name: str, dims: int | None, rescale: bool):
    from qdq import benchmarks

    fn = benchmarks.get(name, dims)
    return fn.rescaled() if rescale else fn


def function_spec_from_problem(problem, *, radius=None, epsilon=None, center=None,
                               label: str | None = None) -> FunctionSpec:
    """Make a :class:`FunctionSpec` for a :class:`~qdq.Problem`.

    String objectives are rebuilt from their text in worker processes; callables stay in
    process (serial or thread executors).

    Raises:
        ProblemError: If the problem's known minimizer or ``center`` lies outside the box.
    """
    from qdq.problem import Problem

    if not isinstance(problem, Problem):
        raise ParameterError(f"compare needs a qdq.Problem, got {type(problem).__name__}; "
                             "build one with qdq.Problem(objective, bounds=..., qubits=...)")
    if problem.minimizer is not None:
        check_center_in_box(problem.minimizer, problem.grid.bounds)
    q = problem.grid.qubits
    common = {"label": label or str(problem.name), "radius": radius, "epsilon": epsilon,
              "center": None if center is None else tuple(float(v) for v in center),
              "qubits": q[0] if len(set(q)) == 1 else tuple(q)}
    if radius is None:
        common["radius"] = _benchmark_radius(problem)
    if problem.objective_text is not None:
        return FunctionSpec(objective=problem.objective_text, bounds=problem.grid.bounds,
                            minimizer=problem.minimizer, minimum=problem.minimum,
                            problem=problem, **common)
    return FunctionSpec(problem=problem, bounds=problem.grid.bounds, **common)


def _benchmark_radius(problem) -> float | None:
    """The registry radius when ``problem`` is a benchmark on its box or rescaled box."""
    from qdq import benchmarks

    name = str(problem.name)
    if name not in benchmarks.names():
        return None
    try:
        fn = benchmarks.get(name, problem.dims)
    except ProblemError:
        return None
    if fn.radius is None:
        return None
    if tuple(map(tuple, fn.bounds)) == tuple(map(tuple, problem.grid.bounds)):
        return float(fn.radius)
    if all(b == (0.0, 1.0) for b in problem.grid.bounds) and len(set(fn.bounds)) == 1:
        return float(fn.rescaled().radius)
    return None


# ====================================================================== tasks
@dataclass(frozen=True)
class Task:
    """One unit of work: the cells of ``(function, method)`` for ``seeds``.

    ``seeds`` holds ``None`` for the seed-less cell (a quantum method's distribution, or
    ``grid-argmin``). ``distribution`` carries a stored distribution to sample from.
    """

    function: FunctionSpec
    method: MethodSpec
    seeds: tuple[int | None, ...]
    budget: int
    criterion: SuccessCriterion
    fingerprint: str
    seedless_fingerprint: str = ""
    distribution: dict | None = None


def fingerprint(function: FunctionSpec, method: MethodSpec, budget: int | None,
                criterion: SuccessCriterion) -> str:
    """Hash of everything a cell's numbers depend on (besides its seed).

    Seed-less cells (a quantum method's distribution, grid-argmin) do not depend on the
    budget and are fingerprinted with ``budget=None``, so changing the budget reuses them.

    Example:
        >>> f = FunctionSpec("rastrigin", benchmark="rastrigin", qubits=5)
        >>> len(fingerprint(f, MethodSpec("dmc"), 100, f.criterion()))
        16
    """
    data = {"v": CELL_VERSION, "function": function.describe(), "method": method.to_dict(),
            "budget": budget, "criterion": criterion.to_dict()}
    text = json.dumps(data, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def execute_task(task: Task) -> list[tuple[int | None, dict]]:
    """Compute the cells of a task (runs in a worker; a pure function of the task).

    Returns:
        ``[(seed, payload), …]``; payloads carry ``fingerprint``, ``kind`` and ``budget``.
    """
    problem = task.function.build()
    m, crit, budget = task.method, task.criterion, task.budget
    fname = task.function.label
    out: list[tuple[int | None, dict]] = []

    def timed(seed: int | None, fn: Callable[..., dict], *args) -> None:
        c0 = time.process_time()
        payload = fn(*args)
        payload["cpu_time"] = time.process_time() - c0
        out.append((seed, payload))

    if m.kind == "quantum":
        dist = task.distribution
        if dist is None:
            timed(None, quantum_distribution, problem, m, crit)
            dist = out[-1][1]
        for s in task.seeds:
            if s is not None:
                timed(s, sample_shots, problem, dist, budget, cell_seed(s, fname, m.label),
                      crit)
    elif m.name == "grid-argmin":
        timed(None, grid_argmin_cell, problem, crit)
    elif m.name == "random":
        for s in task.seeds:
            timed(s, random_cell, problem, budget, cell_seed(s, fname, m.label), crit)
    else:
        for s in task.seeds:
            timed(s, classical_cell, problem, m, budget, cell_seed(s, fname, m.label), crit)
    for sd, payload in out:
        payload["fingerprint"] = task.fingerprint if sd is not None \
            else task.seedless_fingerprint
        payload["kind"] = m.kind
        payload["budget"] = budget if sd is not None else (
            int(problem.grid.size) if m.deterministic else None)
    return out


# ====================================================================== executors
class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in the calling thread (deterministic order)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            fut.set_exception(exc)
        return fut


def make_executor(executor: Any, workers: int) -> tuple[Any, Callable[..., None] | None]:
    """Resolve ``executor`` to an object with ``submit`` and a shutdown hook (if owned).

    Raises:
        ParameterError: An unknown executor name (valid names listed) or ``workers < 1``.
        DependencyError: ``"dask"`` without ``dask.distributed`` installed.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1, got {workers!r}")
    if executor is None or executor == "serial":
        return SerialExecutor(), None
    if hasattr(executor, "submit") and not isinstance(executor, str):
        return executor, None
    if executor == "thread":
        ex = cf.ThreadPoolExecutor(max_workers=workers)
        return ex, lambda wait=True: ex.shutdown(wait=wait, cancel_futures=not wait)
    if executor == "process":
        ctx = _mp_context()
        ex = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                    initializer=worker_start, initargs=(os.getpid(),))

        def close_pool(wait: bool = True) -> None:
            if not wait:  # interrupted: stop running cells now, they are recomputed later
                for proc in list(getattr(ex, "_processes", {}).values()):
                    proc.terminate()
            ex.shutdown(wait=wait, cancel_futures=not wait)

        return ex, close_pool
    if executor == "dask":
        from qdq.errors import require

        distributed = require("distributed", "dask")
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
        client.run(limit_blas_threads)

        def close(wait: bool = True) -> None:
            client.close()
            cluster.close()

        return client, close
    import difflib

    close = difflib.get_close_matches(str(executor), EXECUTORS, n=2)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise ParameterError(f"unknown executor {executor!r}{hint}; use one of "
                         f"{', '.join(EXECUTORS)} or an object with submit()")


def limit_blas_threads(threads: int = 1) -> int:
    """Limit BLAS (OpenBLAS/MKL/OpenMP) threads of this process; best effort.

    Parallel workers that each start one BLAS thread per core oversubscribe the machine:
    on two cores SciPy's L-BFGS-B (small dense BLAS calls per evaluation) runs several
    times slower. Workers of the ``"process"`` and ``"dask"`` executors call this at
    start. Uses :mod:`threadpoolctl` when installed, else the OpenBLAS libraries loaded
    in the process (Linux), and sets the usual environment variables for libraries loaded
    later.

    Returns:
        The number of libraries that were limited.

    Example:
        >>> limit_blas_threads(1) >= 0
        True
    """
    import os

    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:  # pragma: no cover - depends on the environment
        threadpool_limits(threads)
        return 1
    import ctypes

    count = 0
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh
                     if "openblas" in line.lower() and line.split()[-1].startswith("/")}
    except OSError:  # pragma: no cover - not Linux
        return 0
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:  # pragma: no cover
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(threads))
                count += 1
                break
    return count


#: How often a pool worker checks that the process that started it is still alive (s).
PARENT_POLL_SECONDS = 0.5


def worker_start(parent_pid: int | None = None) -> None:
    """Initializer of ``"process"`` workers: one BLAS thread, and die with the parent.

    A worker blocked waiting for work never notices on its own that the parent was
    killed (``kill -9``), and would live forever. So on Linux the kernel is asked to
    send it ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and on every
    platform a daemon thread polls ``os.getppid()`` every :data:`PARENT_POLL_SECONDS`
    and calls ``os._exit`` once the worker has been re-parented.

    Args:
        parent_pid: The pid of the process that owns the pool (a forkserver in between
            is fine: the worker then follows the forkserver, which follows the owner).
    """
    import threading

    limit_blas_threads()
    ppid = os.getppid()
    _set_parent_death_signal()
    if parent_pid is not None and ppid != parent_pid and not _alive(parent_pid):
        os._exit(1)  # the owner died before this worker finished starting
    if os.getppid() != ppid:  # the parent died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != ppid or (parent_pid is not None and not _alive(parent_pid)):
                os._exit(1)

    threading.Thread(target=watch, name="qdq-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else, or no signals here
        return True
    return True


def _set_parent_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; ``False`` where unavailable."""
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        return False


def _mp_context():
    """Start method: ``fork`` on Linux while only the main thread runs, else forkserver.

    ``fork`` is fast and needs no ``__main__`` guard in scripts; with other threads
    alive it is unsafe, so ``forkserver`` (or ``spawn``) is used instead.
    """
    import multiprocessing as mp
    import sys
    import threading

    methods = mp.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods \
            and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def _iter_completed(futures: list) -> Iterable:
    """Yield futures as they finish (concurrent.futures, distributed, or anything with done())."""
    if all(isinstance(f, cf.Future) for f in futures):
        yield from cf.as_completed(futures)
        return
    if futures and type(futures[0]).__module__.startswith("distributed"):
        from distributed import as_completed

        yield from as_completed(futures)
        return
    left = list(futures)
    while left:
        done = [f for f in left if f.done()]
        for f in done:
            left.remove(f)
            yield f
        if not done:
            time.sleep(0.02)


def _cancel(futures: Iterable) -> None:
    for f in futures:
        try:
            f.cancel()
        except Exception:  # noqa: BLE001 - best effort
            pass


# ====================================================================== the runner
def _resolve_store(store: Any):
    from qdq.store import Store

    if store is None or store is False:
        return None
    if isinstance(store, Store):
        return store
    if store is True:
        return Store()
    if isinstance(store, (str, Path)):
        return Store(store)
    raise ParameterError(f"store must be a qdq.store.Store, a path, True (the default "
                         f"store) or None, got {store!r}")


def _budgets(budget: Any, specs: Sequence[MethodSpec], default: int) -> dict[str, int]:
    """Budget per method label from an int or a mapping (label, name, kind or "default")."""
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
            for key in (s.label, s.name, s.kind, "default"):
                if key in budget:
                    out[s.label] = check_budget(budget[key], s.label)
                    break
            else:
                out[s.label] = check_budget(default, s.label)
        return out
    return {s.label: check_budget(budget, s.label) for s in specs}


def _check_repeats(repeats: Any) -> int:
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 1:
        raise ParameterError(f"repeats must be an integer >= 1, got {repeats!r}")
    return int(repeats)


def run_cells(functions: Sequence[FunctionSpec], specs: Sequence[MethodSpec], *,
              repeats: int, seed: int, budget: Any, default_budget: int, suite_name: str,
              executor: Any = None, workers: int = 2, store: Any = None,
              progress: bool = True, settings: Mapping[str, Any] | None = None):
    """Compute (or load) every cell and return the :class:`~qdq.compare.report.Report`.

    This is the engine of :func:`compare` and :func:`run_suite`.
    """
    from qdq.compare.report import Report

    repeats = _check_repeats(repeats)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer, got {seed!r}")
    if not isinstance(suite_name, str) or not suite_name.strip():
        raise ParameterError(f"suite_name must be a non-empty string, got {suite_name!r}")
    labels = [f.label for f in functions]
    if len(set(labels)) != len(labels):
        raise ParameterError(f"function labels must be unique, got {labels}")
    budgets = _budgets(budget, specs, default_budget)
    seeds = tuple(int(seed) + i for i in range(repeats))
    db = _resolve_store(store)
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
            if s.kind == "quantum":
                dist = stored.get((f.label, s.label, None)) if have(None) else None
                if missing or dist is None:
                    if dist is None:
                        cells.pop((f.label, s.label, None), None)
                    tasks.append(Task(seeds=missing, distribution=dist, **common))
            else:
                tasks += [Task(seeds=(sd,), **common) for sd in missing]

    total = sum(len([x for x in t.seeds if x is not None]) + (t.distribution is None
                and (t.method.kind == "quantum" or t.method.deterministic)) for t in tasks)
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
        order = sorted(tasks, key=lambda t: t.method.kind != "quantum")
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
        for fut in _iter_completed(futures):
            try:
                collect(fut)
            except BaseException:
                # Keep what other workers already finished, then fail.
                _cancel(futures)
                for other in futures:
                    if other is not fut and _finished_ok(other):
                        collect(other)
                raise
    except BaseException:
        _cancel(futures)
        if shutdown is not None:
            shutdown(wait=False)
            shutdown = None
        raise
    finally:
        if bar is not None:
            bar.stop()
        if shutdown is not None:
            shutdown()


def _finished_ok(fut) -> bool:
    """Whether a future finished normally (done, not cancelled, no exception)."""
    try:
        return bool(fut.done() and not fut.cancelled() and fut.exception() is None)
    except Exception:  # noqa: BLE001 - foreign future types
        return False


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
            :func:`qdq.compare.methods.resolve_methods`); default: anneal + all classical.
        repeats: Seeds per method.
        seed: First seed.
        budget: Evaluations / shots per repeat: an int, or a mapping from method label,
            name or kind (``"quantum"``, ``"classical"``, ``"baseline"``) or ``"default"``
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
    """
    fspec = function_spec_from_problem(problem, radius=radius, epsilon=epsilon, center=center)
    specs = resolve_methods(methods)
    name = suite_name or f"compare:{fspec.label}"
    settings = {"mode": "compare", "budget_semantics": BUDGET_TEXT}
    return run_cells([fspec], specs, repeats=repeats, seed=seed, budget=budget,
                     default_budget=DEFAULT_BUDGET, suite_name=name, executor=executor,
                     workers=workers, store=store, progress=progress, settings=settings)


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
    success is the outcome within ``r/L`` of the rescaled minimizer; classical methods
    optimize the same rescaled function with ``budget`` evaluations (default 10⁴).
    ``protocol=None`` keeps the original boxes and radii.

    Args:
        functions: Benchmark names (a comma-separated string works), :class:`FunctionSpec`
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
    from qdq import benchmarks

    if protocol not in ("qhd", None):
        raise ParameterError(f"unknown protocol {protocol!r}; use 'qhd' or None")
    if functions is None or functions == "all":
        functions = list(benchmarks.QHD_TABLE)
    if isinstance(functions, str):
        functions = [f.strip() for f in functions.split(",") if f.strip()]
    fspecs: list[FunctionSpec] = []
    for f in functions:
        if isinstance(f, FunctionSpec):
            fspecs.append(f)
        elif isinstance(f, str):
            benchmarks.get(f, dims)  # validates the name (lists valid ones)
            name = f.strip().lower().replace("-", "_")
            fspecs.append(FunctionSpec(name, benchmark=name, dims=dims,
                                       rescale=protocol == "qhd", qubits=grid_qubits,
                                       epsilon=epsilon))
        else:
            fspecs.append(function_spec_from_problem(f, epsilon=epsilon))
    specs = resolve_methods(methods)
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ParameterError(f"steps must be an integer >= 1, got {steps!r}")
        specs = [MethodSpec(s.name, {**s.options, "steps": int(steps)}, label=s.label)
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
    from qdq.compare.report import Report

    db = _resolve_store(store if store is not None else True)
    rows = db.list_cells(suite_name)
    meta = next((r["result"] for r in rows
                 if r["function"] == _META_FUNCTION and r["method"] == _META_METHOD), None)
    if meta is None:
        raise ParameterError(f"no suite {suite_name!r} in the store {db.path}; run it first")
    prints = meta.get("fingerprints", {})

    def current(r) -> bool:  # a cell of these settings (not left over from other runs)
        want = prints.get(f"{r['function']}|{r['method']}")
        return want is not None and r["result"].get("fingerprint") in want

    cells = [{"function": r["function"], "method": r["method"], "seed": r["seed"],
              "result": r["result"]} for r in rows
             if r["function"] != _META_FUNCTION and current(r)]
    return Report(cells, meta=meta, run_info={"loaded": True})
