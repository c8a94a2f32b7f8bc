r"""OR-Tools' routing solver on a TSP distance matrix: the strong classical TSP reference.

Google OR-Tools (Perron & Furnon, *OR-Tools*, https://developers.google.com/optimization;
routing library ``ortools.constraint_solver.pywrapcp``) builds a first tour
(``PATH_CHEAPEST_ARC`` by default) and improves it by local search (2-opt, Or-opt,
relocate, exchange, LNS, …) under a metaheuristic, by default guided local search (GLS;
Voudouris & Tsang, *Guided local search*, EJOR 113 (1999) 469–499): local optima are escaped
by penalizing their edges of high utility ``D_e / (1 + p_e)``. GLS does not stop by itself;
``time_limit`` (wall seconds, OR-Tools' own limit) ends it.

**Integer arc costs.** OR-Tools minimizes integer arc costs. A matrix whose entries are all
integers (every TSPLIB instance) is used as is; otherwise the costs are
``round(scale · D)`` (``scale = 1000`` by default), so the search optimizes a tour length
rounded per edge — at most ``n/(2·scale)`` from the float length. The returned
``length`` is always recomputed from the float ``D`` with
:func:`~qdq.classical.binary.permutation.tour_length`.

**Evaluations.** OR-Tools does not expose how many candidate tours it scored, so
``evals = 0`` means *not counted*, not *free*; compare it by CPU seconds (``cpu_s``, this
process's CPU time — OR-Tools runs single-threaded here).

**Seeds.** The routing search is deterministic. ``seed`` relabels the cities by a seeded
random permutation (the depot is then a random city), so independent seeds give independent
first tours and searches; ``seed=None`` keeps the labels (depot = city 0).

Example:
    >>> import numpy as np
    >>> D = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], float)
    >>> r = ortools_tsp(D, time_limit=0.2, seed=0)   # doctest: +SKIP
    >>> r.tour, r.length, r.evals                      # doctest: +SKIP
    ([0, 1, 2, 3], 4.0, 0)
"""

from __future__ import annotations

import math
import time

import numpy as np

from qdq.classical.binary.permutation import TourResult, _canonical, check_distances, tour_length
from qdq.errors import BackendError, ParameterError, require
from qdq.validate import check_positive, check_seed

__all__ = ["METAHEURISTICS", "FIRST_SOLUTIONS", "integer_costs", "ortools_tsp"]

#: Accepted ``metaheuristic`` names (OR-Tools ``LocalSearchMetaheuristic`` values, lower case).
METAHEURISTICS = ("guided_local_search", "simulated_annealing", "tabu_search",
                  "greedy_descent", "generic_tabu_search", "automatic")
#: Accepted ``first_solution`` names (OR-Tools ``FirstSolutionStrategy`` values, lower case).
FIRST_SOLUTIONS = ("path_cheapest_arc", "savings", "christofides", "local_cheapest_insertion",
                   "global_cheapest_arc", "automatic")

_INT_MAX = 2 ** 62


def integer_costs(D, scale: float = 1000.0) -> tuple[np.ndarray, float]:
    """Integer arc costs for OR-Tools and the factor used: ``(C, s)`` with ``C = round(s·D)``.

    ``s = 1`` when every entry of ``D`` is already an integer, else ``s = scale``.

    Example:
        >>> integer_costs([[0, 1.5, 2], [1.5, 0, 1], [2, 1, 0]])[0].tolist()
        [[0, 1500, 2000], [1500, 0, 1000], [2000, 1000, 0]]
        >>> integer_costs([[0, 3, 4], [3, 0, 5], [4, 5, 0]])[1]
        1.0
    """
    d = check_distances(D)
    s = 1.0 if np.array_equal(d, np.round(d)) else check_positive("scale", scale)
    c = np.round(d * s)
    if c.max(initial=0.0) * d.shape[0] >= _INT_MAX:
        raise ParameterError(f"scaled distances overflow 64-bit tour costs (max {c.max():.3g} "
                             f"× n = {d.shape[0]}); rescale D or lower scale (got {scale!r})")
    return c.astype(np.int64), s


def _enum(values: tuple[str, ...], name: str, value) -> str:
    if not isinstance(value, str) or value.lower() not in values:
        raise ParameterError(f"{name} must be one of {', '.join(values)}; got {value!r}")
    return value.lower()


def ortools_tsp(D, *, time_limit: float = 1.0, seed: int | None = 0,
                first_solution: str = "path_cheapest_arc",
                metaheuristic: str = "guided_local_search", scale: float = 1000.0,
                trace: list | None = None) -> TourResult:
    """Best tour OR-Tools' routing solver finds within ``time_limit`` wall seconds.

    Args:
        D: Symmetric ``n × n`` distances (``n >= 3``, finite, ``>= 0``).
        time_limit: OR-Tools' wall-clock limit in seconds (``> 0``; GLS uses all of it).
        seed: Seeded relabelling of the cities (module docstring); ``None``: none.
        first_solution: One of :data:`FIRST_SOLUTIONS`.
        metaheuristic: One of :data:`METAHEURISTICS`.
        scale: Factor for non-integer matrices (:func:`integer_costs`).
        trace: If a list, each new best solution appends ``(cpu_s, cost)``: CPU seconds
            since the call and its integer cost ``/ s`` (the length, for integer ``D``).

    Returns:
        A :class:`~qdq.classical.binary.permutation.TourResult`; ``evals = 0`` (not
        exposed by OR-Tools), ``cpu_s`` this process's CPU seconds.

    Raises:
        ProblemError: A bad matrix. ParameterError: Bad limit, names or scale.
        DependencyError: OR-Tools missing (``pip install 'qdq[classical]'``).
        BackendError: OR-Tools returned no tour.
    """
    start = time.process_time()
    d = check_distances(D)
    n = d.shape[0]
    limit = check_positive("time_limit", time_limit)
    if not math.isfinite(limit):
        raise ParameterError(f"time_limit must be finite (GLS never stops by itself), got "
                             f"{time_limit!r}; e.g. 1.0")
    first = _enum(FIRST_SOLUTIONS, "first_solution", first_solution)
    meta = _enum(METAHEURISTICS, "metaheuristic", metaheuristic)
    costs, s = integer_costs(d, scale)
    pywrapcp = require("ortools.constraint_solver.pywrapcp", "classical")
    enums = require("ortools.constraint_solver.routing_enums_pb2", "classical")
    perm = (np.arange(n) if seed is None
            else np.random.default_rng(check_seed(seed)).permutation(n))
    c = costs[np.ix_(perm, perm)]  # node k of the model is city perm[k]
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    # A matrix evaluator runs in C++ (a Python callback per arc is several times slower).
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(c.tolist()))
    if trace is not None:
        if not isinstance(trace, list):
            raise ParameterError(f"trace must be a list or None, got {type(trace).__name__}")

        def record() -> None:  # improvements of the best tour only
            cost = routing.CostVar().Value() / s
            if not trace or cost < trace[-1][1]:
                trace.append((time.process_time() - start, cost))

        routing.AddAtSolutionCallback(record)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(enums.FirstSolutionStrategy, first.upper())
    params.local_search_metaheuristic = getattr(enums.LocalSearchMetaheuristic, meta.upper())
    params.time_limit.FromMilliseconds(max(1, int(round(limit * 1000))))
    sol = routing.SolveWithParameters(params)
    if sol is None:  # pragma: no cover - a complete graph always has a tour
        raise BackendError(f"OR-Tools found no tour for n = {n} within {limit} s; "
                           "raise time_limit")
    idx, nodes = routing.Start(0), []
    while not routing.IsEnd(idx):
        nodes.append(int(perm[manager.IndexToNode(idx)]))
        idx = sol.Value(routing.NextVar(idx))
    return TourResult(_canonical(nodes, d), tour_length(d, nodes), 0,
                      time.process_time() - start)
