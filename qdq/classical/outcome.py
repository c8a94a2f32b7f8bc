"""The one result type of every classical method.

Example:
    >>> import numpy as np
    >>> out = ClassicalOutcome(method="random", x=np.array([0.1, -0.2]), fun=0.05,
    ...                        nfev=100, nit=1, wall_time=0.001,
    ...                        history=np.array([[1.0, 3.0], [7.0, 0.05]]), extra={})
    >>> out
    ClassicalOutcome(method='random', fun=0.05, x=[0.1, -0.2], nfev=100, nit=1, ...)
    >>> out.to_dict()["x"]
    [0.1, -0.2]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.classical.budget import CountedObjective

__all__ = ["ClassicalOutcome", "outcome_from_counter"]


def _jsonable(value: Any) -> Any:
    # Arrays and numpy scalars become plain Python so the dict can go to json/SQLite.
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(eq=False)
class ClassicalOutcome:
    """Result of a classical optimizer or sampler (cf. :class:`scipy.optimize.OptimizeResult`).

    Attributes:
        method: Method name, e.g. ``"dmc"`` or ``"dual_annealing"``.
        x: Best point found, shape ``(d,)``.
        fun: Objective value at ``x``.
        nfev: Number of objective evaluations (points) spent.
        nit: Number of iterations of the method (its own notion of an iteration).
        wall_time: Wall-clock seconds.
        history: Best-so-far curve, ``(k, 2)`` array of ``[nfev, best value]`` rows.
        extra: Method-specific data (e.g. ``E0`` for DMC, the σ trace for MQHOA).
    """

    method: str
    x: np.ndarray
    fun: float
    nfev: int
    nit: int
    wall_time: float
    history: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        x = np.asarray(self.x)
        xs = (
            "[" + ", ".join(f"{v:.6g}" for v in x.ravel()) + "]"
            if x.size <= 6
            else f"array(shape={x.shape})"
        )
        extra = "{" + ", ".join(self._short(k, v) for k, v in self.extra.items()) + "}"
        return (
            f"ClassicalOutcome(method={self.method!r}, fun={self.fun:.6g}, x={xs}, "
            f"nfev={self.nfev}, nit={self.nit}, wall_time={self.wall_time:.3g}s, "
            f"history={len(self.history)} rows, extra={extra})"
        )

    @staticmethod
    def _short(key: str, value: Any) -> str:
        # Long arrays (walkers, traces) would drown the repr; show only their shape.
        if isinstance(value, np.ndarray) and value.size > 1:
            return f"{key!r}: array(shape={value.shape})"
        if isinstance(value, float | np.floating):
            return f"{key!r}: {float(value):.6g}"
        return f"{key!r}: {value!r}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (arrays become nested lists).

        Returns:
            ``{"method", "x", "fun", "nfev", "nit", "wall_time", "history", "extra"}``.
        """
        return {
            "method": self.method,
            "x": _jsonable(np.asarray(self.x)),
            "fun": float(self.fun),
            "nfev": int(self.nfev),
            "nit": int(self.nit),
            "wall_time": float(self.wall_time),
            "history": _jsonable(np.asarray(self.history)),
            "extra": _jsonable(self.extra),
        }


def outcome_from_counter(
    method: str,
    counter: CountedObjective,
    *,
    nit: int,
    t0: float,
    extra: dict[str, Any] | None = None,
) -> ClassicalOutcome:
    """Build a :class:`ClassicalOutcome` from the state of a :class:`CountedObjective`.

    Args:
        method: Method name.
        counter: The wrapper every evaluation went through.
        nit: Iterations performed.
        t0: ``time.perf_counter()`` at the start of the run.
        extra: Method-specific data.

    Returns:
        The outcome; ``x`` is the best point seen (NaNs if nothing was evaluated).

    Example:
        >>> import time
        >>> import numpy as np
        >>> c = CountedObjective(lambda x: x**2, [(-1, 1)], budget=5)
        >>> _ = c(np.array([[0.5]]))
        >>> outcome_from_counter("demo", c, nit=1, t0=time.perf_counter()).fun
        0.25
    """
    x = counter.best_x if counter.best_x is not None else np.full(counter.dim, np.nan)
    return ClassicalOutcome(
        method=method,
        x=np.array(x, dtype=float),
        fun=float(counter.best_fun),
        nfev=int(counter.nfev),
        nit=int(nit),
        wall_time=time.perf_counter() - t0,
        history=counter.history_array(close=True),
        extra={} if extra is None else dict(extra),
    )
