r"""Fault-tolerant cost of one quantum shot: the plug for :mod:`qdq.estimate`.

:func:`ft_runtime_per_shot` asks the fault-tolerant resource estimator
(``qdq.estimate.estimate(spec).runtime_seconds``) for the wall-clock seconds of one shot's
circuit. The estimator is an optional part of qdq (its own optional dependency); where the
module or its dependency is missing, the answer is ``None`` and time-to-solution tables
leave the fault-tolerant column out with a note (:data:`FT_NOTE`). :func:`evolution_spec`
rebuilds the evolution spec a comparison's quantum method runs, from its name and options.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> type(evolution_spec(p, "anneal", {"D": 2.0, "time": 1.0, "steps": 4})).__name__
    'Anneal'
    >>> evolution_spec(p, "two-loop", {}) is None     # a sequence of specs, not one
    True
    >>> ft_runtime_per_shot(None) is None
    True
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from typing import Any

from qdq.errors import QdqError

__all__ = ["FT_NOTE", "evolution_spec", "ft_available", "ft_runtime_per_shot"]

#: What a table says when the fault-tolerant column is absent.
FT_NOTE = ("fault-tolerant runtime per shot: not available (needs the qdq.estimate module "
           "and its optional dependency); the column is left out")


def ft_available() -> bool:
    """True when :mod:`qdq.estimate` can be imported (its dependency is checked on use).

    Example:
        >>> isinstance(ft_available(), bool)
        True
    """
    try:
        return importlib.util.find_spec("qdq.estimate") is not None
    except (ImportError, ValueError):
        return False


def evolution_spec(problem, method: str, options: Mapping[str, Any]):
    """The :class:`~qdq.evolution.EvolutionSpec` of a quantum method, or ``None``.

    ``anneal``, ``real-time`` and ``imaginary-time`` are one spec each (``D`` goes into the
    Hamiltonian for the constant-``D`` ones); ``two-loop`` runs a sequence of imaginary-time
    specs and has no single spec (``None``).
    """
    from qdq.methods import spec_from_options

    if method == "two-loop":
        return None
    return spec_from_options(problem, method, options)


def ft_runtime_per_shot(spec) -> float | None:
    """Estimated fault-tolerant wall-clock seconds of one shot of ``spec``, or ``None``.

    ``None`` when ``spec`` is ``None``, when :mod:`qdq.estimate` or its optional dependency
    is missing, or when the estimator declines the spec (a :class:`~qdq.errors.QdqError`);
    a time-to-solution table then leaves the column out rather than guess.
    """
    if spec is None or not ft_available():
        return None
    try:
        from qdq.estimate import estimate
    except ImportError:
        return None
    try:
        seconds = float(estimate(spec).runtime_seconds)
    except (ImportError, QdqError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
