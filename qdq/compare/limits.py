"""Limits of a comparison, checked before any cell runs: repeats, seeds, budgets.

A report keeps one row per (function, method, seed), and a cell holds its whole budget of
samples at once, so both are bounded up front with a message naming the value and the
limit, instead of a ``MemoryError`` (or a 7 PiB allocation attempt) later.

Example:
    >>> check_repeats(10)
    10
    >>> check_repeats(10**9)
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: repeats must be <= 100,000 (every repeat is a row per function and method, kept in memory), got 1000000000; ...
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qdq.errors import ParameterError
from qdq.grid import check_memory
from qdq.validate import check_seed

#: Most repeats (seeds) one report holds: each is a row per (function, method) kept in
#: memory and in the report, so 10⁹ would exhaust memory long before it finished.
MAX_REPEATS = 100_000
#: Bytes one objective evaluation or shot of a cell may hold at once (float64 coordinates
#: per dimension, the value and a sample index): the uniform baseline draws the whole
#: budget as one ``(budget, dims)`` array, and quantum methods sample ``budget`` shots.
BYTES_PER_EVALUATION = 8


def check_repeats(repeats: Any) -> int:
    """Validate ``repeats``: an integer ``1 <= repeats <=`` :data:`MAX_REPEATS`."""
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 1:
        raise ParameterError(f"repeats must be an integer >= 1, got {repeats!r}")
    if repeats > MAX_REPEATS:
        raise ParameterError(f"repeats must be <= {MAX_REPEATS:,} (every repeat is a row per "
                             f"function and method, kept in memory), got {repeats!r}; split "
                             "the study into several runs with different --seed")
    return int(repeats)


def check_first_seed(seed: Any, repeats: int) -> int:
    """The first seed; seeds ``seed … seed+repeats−1`` must all pass :func:`check_seed`."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer, got {seed!r}")
    check_seed(seed)
    check_seed(int(seed) + repeats - 1, name=f"the last seed (seed + repeats − 1 = {seed} + "
                                             f"{repeats} − 1)")
    return int(seed)


def check_budget_memory(budgets: Mapping[str, int], functions: Sequence[Any],
                         workers: Any) -> None:
    """Refuse budgets whose per-cell arrays cannot fit (before any cell runs).

    A cell holds ``budget × (dims + 2)`` float64 values at once (samples, values, indices;
    the uniform baseline draws them in one array), and ``workers`` cells run at once.
    """
    dims = max(len(f.box()) for f in functions) if functions else 1
    parallel = workers if isinstance(workers, int) and not isinstance(workers, bool) \
        and workers > 0 else 1
    label, biggest = max(budgets.items(), key=lambda kv: kv[1])
    need = biggest * BYTES_PER_EVALUATION * (dims + 2) * parallel
    check_memory(need, f"budget={biggest!r} of method {label!r} ({dims}-D, {parallel} "
                       "cells at once)",
                 hint="pass a smaller budget (evaluations / shots per repeat) or fewer workers")
