r"""Fair comparisons of quantum-dynamics, classical and baseline optimizers.

``qdq.compare`` is both a package and a function: ``qdq.compare(problem, methods=[...])``
calls :func:`compare`; ``qdq.compare.run_suite(...)`` runs a benchmark suite.

* :func:`compare` — one problem, many methods, ``repeats`` seeds each, stated budgets
  (objective evaluations for classical methods, shots for quantum-dynamics methods),
  success rates with Wilson 95 % intervals; uniform random sampling and the exact grid
  argmin are always added as baselines.
* :func:`run_suite` — (function × method × seed) cells over a pluggable executor
  (processes, threads, Dask, serial), stored cell by cell in the local experiment store
  so an interrupted suite resumes where it stopped (the QHD 2-D protocol by default).
* :class:`Report` — tables (Markdown, CSV, HTML) and figures; :meth:`Report.save`.
* :func:`scaling` — time to solution versus dimension or resolution, each method at its
  best scanned setting, fitted exponents with intervals (``qdq scaling``).
* :func:`compare_binary` / :func:`binary_scaling` — the same for binary problems: TTS99 of
  classical solvers (:mod:`qdq.classical.binary`), QAOA with transferred angles and the
  quantum anneal, vs ``n`` with fitted ``a·bⁿ`` (``qdq scaling --family labs``);
  ``qdq.compare(binary_problem)`` goes there.
* :func:`resolve_method` / :func:`method_names` — the one method registry (canonical names,
  categories, defaults, aliases accepted at the boundary); :func:`registered` adds a method.

Modules, lowest first (each imports only those before it, never this package):
:mod:`~qdq.compare.metrics` (criteria, intervals), :mod:`~qdq.compare.quantum` and
:mod:`~qdq.compare.searches` (how each method runs), :mod:`~qdq.compare.registry`,
:mod:`~qdq.compare.methods` (:class:`MethodSetting`), :mod:`~qdq.compare.recipes`
(:class:`FunctionRecipe`), :mod:`~qdq.compare.cells` (tasks, fingerprints, payloads),
:mod:`~qdq.compare.executors`, :mod:`~qdq.compare.table`, :mod:`~qdq.compare.figures`,
:mod:`~qdq.compare.tts` (time to solution with bootstrap intervals),
:mod:`~qdq.compare.ftcost` (fault-tolerant seconds per shot via :mod:`qdq.estimate`),
:mod:`~qdq.compare.ttstable`, :mod:`~qdq.compare.report`, :mod:`~qdq.compare.runner`
(:func:`compare`, :func:`run_suite`), :mod:`~qdq.compare.study` and
:mod:`~qdq.compare.scalingplot` (TTS versus dimension or resolution, fitted exponents).
Outside the package they use :mod:`qdq.problem`, :mod:`qdq.results`, :mod:`qdq.defaults`,
:mod:`qdq.store`, :mod:`qdq.benchmarks`, :mod:`qdq.classical` and the engines.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 1)**2 + y**2", bounds=[(-2, 2), (-2, 2)], qubits=4,
    ...                 minimizer=[1, 0], minimum=0.0)
    >>> rep = qdq.compare(p, methods=["random"], repeats=10, budget=200, radius=0.5,
    ...                   progress=False)
    >>> [r["method"] for r in rep.table], rep.row("grid-argmin")["success_rate"]
    (['random', 'grid-argmin'], 1.0)
"""

from __future__ import annotations

import sys
import types

from qdq.compare.binary_study import BinaryStudy, binary_scaling, compare_binary
from qdq.compare.executors import EXECUTORS
from qdq.compare.methods import MethodSetting, resolve_methods, valid_methods
from qdq.compare.metrics import SuccessCriterion, area_fraction, wilson_interval
from qdq.compare.recipes import FunctionRecipe
from qdq.compare.registry import (
    BASELINES,
    CLASSICAL,
    QUANTUM,
    MethodInfo,
    method_names,
    registered,
    resolve_method,
)
from qdq.compare.report import Report
from qdq.compare.runner import BUDGET_TEXT, compare, load_report, run_suite
from qdq.compare.study import ScalingStudy, scaling

__all__ = [
    "BASELINES",
    "BUDGET_TEXT",
    "BinaryStudy",
    "CLASSICAL",
    "EXECUTORS",
    "QUANTUM",
    "FunctionRecipe",
    "MethodInfo",
    "MethodSetting",
    "Report",
    "SuccessCriterion",
    "area_fraction",
    "binary_scaling",
    "compare",
    "compare_binary",
    "load_report",
    "method_names",
    "registered",
    "resolve_method",
    "resolve_methods",
    "run_suite",
    "scaling",
    "ScalingStudy",
    "valid_methods",
    "wilson_interval",
]


class _CallableModule(types.ModuleType):
    """Makes ``qdq.compare(...)`` call :func:`compare` while staying a package."""

    def __call__(self, *args, **kwargs):
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
