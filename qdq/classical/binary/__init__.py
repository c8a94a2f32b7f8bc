r"""Classical solvers for binary problems, in one table: :data:`BINARY_SOLVERS`.

Every solver is ``solver(problem, *, reads, seed, **setting) -> BinaryRuns``: ``reads``
independent attempts at one setting, each ending in one bitstring whose energy is ζ of its
bits (:class:`~qdq.classical.binary.outcome.BinaryRuns`). Run one by name with
:func:`run_binary`; list them with :func:`solver_names`.

The table (name — function — the setting scanned, default values):

- ``sa`` — D-Wave simulated annealing (``samplers:simulated_annealing``), quadratic only;
  ``sweeps`` (10, 100, 1000, 10000).
- ``sa-poly`` — single-bit-flip Metropolis annealing for any degree
  (``samplers:polynomial_annealing``); ``sweeps`` (10, 100, 1000, 10000).
- ``tabu`` — D-Wave multistart tabu search (``samplers:tabu``), quadratic only, stopped by
  wall-clock time; ``timeout_ms`` (1, 10, 100).
- ``steepest`` — D-Wave steepest descent from random starts, quadratic only.
- ``pimc`` — D-Wave path-integral Monte Carlo of transverse-field annealing
  (``samplers:path_integral_annealing``), quadratic only; ``sweeps`` (10, 100, 1000).
- ``qbo`` — QbO with single-bit-flip proposals (``qbo:qbo_bits``); ``iterations``
  (100, 1000, 10000).
- ``population`` — population annealing (``population:population_annealing``); ``steps``
  (10, 100, 1000).
- ``mts`` — memetic tabu search for LABS only (``labs_mts:memetic_tabu``); ``max_evals``
  (1000, 10000, 100000).
- ``uniform`` — best of ``samples`` uniform bitstrings (``baselines:uniform``); ``samples``
  (10, 100, 1000, 10000).
- ``greedy`` — steepest single-flip descent, any degree (``baselines:greedy``).
- ``exact`` — brute force over ``2ⁿ`` (``exact_mip:brute_force_runs``, ``n ≤ 32``).
- ``mip`` — the proven optimum by HiGHS on the linearized polynomial
  (``exact_mip:exact_mip``); ``time_limit`` (1, 10, 60).

Cost units (both recorded per call): ``evals_per_read`` — candidate states whose energy or
energy change was computed (one flip proposal, one uniform sample, one scored neighbour);
``None`` where a library does not say (tabu, mip); and ``cpu_s`` — process CPU seconds of
the call, all reads together. A solver's functions are imported when it is run, so the
optional packages (``pip install 'qdq[binary]'``, ``'qdq[qp]'``) are needed only then.

Example:
    >>> from qdq.binary.instances import sk
    >>> b = sk(8, seed=1)
    >>> r = run_binary("simulated-annealing", b, reads=5, seed=0, sweeps=100)
    >>> r.method, r.reads, r.evals_per_read, r.setting["sweeps"]
    ('sa', 5, 800, 100)
    >>> bool(r.best_energy <= run_binary("exact", b, reads=1, seed=0).best_energy + 1e-9)
    True
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qdq.classical.binary.baselines import greedy, uniform
from qdq.classical.binary.exact_mip import brute_force_runs, exact_mip
from qdq.classical.binary.local_fields import check_count
from qdq.classical.binary.outcome import BinaryRuns
from qdq.classical.binary.samplers import (
    QUADRATIC_HINT,
    path_integral_annealing,
    polynomial_annealing,
    simulated_annealing,
    steepest_descent,
    tabu,
)
from qdq.errors import ParameterError, ProblemError
from qdq.validate import check_seed

__all__ = ["ALIASES", "BINARY_SOLVERS", "BinaryRuns", "SolverInfo", "brute_force_runs",
           "exact_mip", "greedy", "path_integral_annealing", "polynomial_annealing",
           "resolve_solver", "run_binary", "simulated_annealing", "solver_names",
           "steepest_descent", "tabu", "uniform"]

KINDS = ("classical", "baseline", "exact")


@dataclass(frozen=True)
class SolverInfo:
    """One row of :data:`BINARY_SOLVERS`.

    Attributes:
        name: Canonical name (lower case, ``-`` separated).
        target: ``"module:function"``, imported when the solver is run.
        summary: One line for listings.
        scan_key: The setting a cost scan varies (``None``: the solver has none).
        scan_default: Default values of ``scan_key`` for a scan, cheapest first.
        quadratic_only: Refuses objectives of degree > 2.
        kind: ``"classical"``, ``"baseline"`` or ``"exact"``.
        needs: The qdq extra it needs (``"binary"``, ``"qp"``) or ``""``.
    """

    name: str
    target: str
    summary: str
    scan_key: str | None
    scan_default: tuple
    quadratic_only: bool
    kind: str
    needs: str

    def function(self) -> Callable[..., BinaryRuns]:
        """Import and return the solver function (lazily: optional packages load here)."""
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def setting_keys(self) -> list[str]:
        """The keyword-only parameters of the function other than ``reads`` and ``seed``."""
        return [p.name for p in inspect.signature(self.function()).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in ("reads", "seed")]


_P = "qdq.classical.binary."
BINARY_SOLVERS: dict[str, SolverInfo] = {s.name: s for s in (
    SolverInfo("sa", _P + "samplers:simulated_annealing",
               "simulated annealing (dwave-samplers), geometric β", "sweeps",
               (10, 100, 1000, 10000), True, "classical", "binary"),
    SolverInfo("sa-poly", _P + "samplers:polynomial_annealing",
               "single-bit-flip Metropolis annealing, any degree (numpy)", "sweeps",
               (10, 100, 1000, 10000), False, "classical", ""),
    SolverInfo("tabu", _P + "samplers:tabu",
               "multistart tabu search (dwave-samplers), wall-clock limit per read",
               "timeout_ms", (1, 10, 100), True, "classical", "binary"),
    SolverInfo("steepest", _P + "samplers:steepest_descent",
               "steepest descent from random starts (dwave-samplers)", None, (), True,
               "classical", "binary"),
    SolverInfo("pimc", _P + "samplers:path_integral_annealing",
               "path-integral Monte Carlo of transverse-field annealing (dwave-samplers)",
               "sweeps", (10, 100, 1000), True, "classical", "binary"),
    SolverInfo("qbo", _P + "qbo:qbo_bits", "QbO with single-bit-flip proposals",
               "iterations", (100, 1000, 10000), False, "classical", ""),
    SolverInfo("population", _P + "population:population_annealing",
               "population annealing / diffusion Monte Carlo on bits", "steps",
               (10, 100, 1000), False, "classical", ""),
    # a study passes the known optimum as `target`, so one read stops when it finds it:
    # one generous budget is the whole scan (time to target)
    SolverInfo("mts", _P + "labs_mts:memetic_tabu", "memetic tabu search (LABS only)",
               "max_evals", (1_000_000,), False, "classical", ""),
    SolverInfo("uniform", _P + "baselines:uniform", "best of `samples` uniform bitstrings",
               "samples", (10, 100, 1000, 10000), False, "baseline", ""),
    SolverInfo("greedy", _P + "baselines:greedy",
               "steepest single-flip descent from random starts, any degree", None, (),
               False, "baseline", ""),
    SolverInfo("exact", _P + "exact_mip:brute_force_runs", "brute force over 2^n (n <= 32)",
               None, (), False, "exact", ""),
    SolverInfo("mip", _P + "exact_mip:exact_mip",
               "proven optimum by HiGHS on the linearized polynomial", "time_limit",
               (1.0, 10.0, 60.0), False, "exact", "qp"),
)}
"""Canonical name → :class:`SolverInfo`."""

#: Other spellings accepted by :func:`resolve_solver` (after lower-casing, ``_`` → ``-``).
ALIASES: dict[str, str] = {
    "simulated-annealing": "sa", "dwave-sa": "sa", "sa-dwave": "sa",
    "polynomial-annealing": "sa-poly", "sapoly": "sa-poly", "poly-sa": "sa-poly",
    "tabu-search": "tabu", "steepest-descent": "steepest", "descent": "steepest",
    "pathintegral": "pimc", "path-integral": "pimc", "path-integral-annealing": "pimc",
    "sqa": "pimc", "random": "uniform", "uniform-sampling": "uniform",
    "brute-force": "exact", "bruteforce": "exact", "highs": "mip", "milp": "mip",
    "qbo-bits": "qbo", "population-annealing": "population", "pa": "population",
    "memetic-tabu": "mts", "memetic": "mts", "greedy-descent": "greedy",
}


def resolve_solver(name: str) -> SolverInfo:
    """The table row of ``name`` (case, ``_``/``-`` and the :data:`ALIASES` forgiven).

    Raises:
        ParameterError: An unknown name, listing the valid ones and close matches.

    Example:
        >>> resolve_solver("Simulated_Annealing").name, resolve_solver("random").name
        ('sa', 'uniform')
    """
    key = str(name).strip().lower().replace("_", "-")
    key = ALIASES.get(key, key)
    if key in BINARY_SOLVERS:
        return BINARY_SOLVERS[key]
    close = difflib.get_close_matches(key, list(BINARY_SOLVERS) + list(ALIASES), n=3)
    hint = f" Did you mean {close}?" if close else ""
    raise ParameterError(f"unknown binary solver, got {name!r}; valid names are "
                         f"{list(BINARY_SOLVERS)}.{hint}")


def solver_names(kind: str | None = None) -> list[str]:
    """Canonical names, in table order, optionally of one ``kind``.

    Example:
        >>> solver_names("exact")
        ['exact', 'mip']
    """
    if kind is not None and kind not in KINDS:
        raise ParameterError(f"kind must be one of {list(KINDS)} or None, got {kind!r}")
    return [n for n, s in BINARY_SOLVERS.items() if kind is None or s.kind == kind]


def run_binary(name: str, problem, *, reads: int, seed: int | None,
               **setting: Any) -> BinaryRuns:
    """Run the binary solver ``name`` on ``problem``: ``reads`` attempts at one setting.

    Checks, before anything runs: the name (:func:`resolve_solver`), ``reads`` (an integer
    ≥ 1), the seed (:func:`qdq.validate.check_seed`), every setting key against the
    solver's keyword-only parameters, and the degree for a quadratic-only solver. The
    result's ``method`` is the canonical name and its ``setting`` holds the keys given.

    Raises:
        ParameterError: Unknown name or setting key, bad ``reads``/``seed``, or degree > 2
            for a quadratic-only solver (pointing to the solvers that take any degree).
        ProblemError: ``problem`` is not a binary problem.
    """
    info = resolve_solver(name)
    if not getattr(problem, "is_binary", False) or not hasattr(problem, "polynomial"):
        raise ProblemError(f"run_binary needs a qdq.BinaryProblem, got "
                           f"{type(problem).__name__}")
    reads = check_count("reads", reads)
    seed = check_seed(seed)
    valid = info.setting_keys()
    for key in setting:
        if key not in valid:
            close = difflib.get_close_matches(str(key), valid, n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise ParameterError(f"unknown setting for binary solver {info.name!r}, got "
                                 f"{key!r}; valid keys are {valid}.{hint}")
    if info.quadratic_only and problem.degree > 2:
        raise ParameterError(f"binary solver {info.name!r} takes quadratic objectives "
                             f"(degree <= 2), got degree {problem.degree}; {QUADRATIC_HINT}")
    runs = info.function()(problem, reads=reads, seed=seed, **setting)
    runs.method = info.name
    for key, value in setting.items():
        runs.setting.setdefault(key, value)
    return runs
