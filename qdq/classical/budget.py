"""Evaluation budgets shared by every classical method.

Every classical counterpart in :mod:`qdq.classical` evaluates the objective only
through a :class:`CountedObjective`, so that "budget" means the same thing for all of
them: the number of points at which ζ was evaluated. A batch ``X`` of shape ``(m, d)``
costs ``m``; the wrapper stops *exactly* at the budget (a batch that would overshoot is
evaluated on its leading points only, then :class:`BudgetExhausted` is raised), and it
records the best point seen and the best-so-far curve ``(nfev, min f)``.

Example:
    >>> import numpy as np
    >>> from qdq.classical.budget import BudgetExhausted, CountedObjective
    >>> obj = CountedObjective(lambda x, y: x**2 + y**2, [(-1, 1), (-1, 1)], budget=3)
    >>> obj(np.array([[0.5, 0.0], [0.1, 0.0]]))
    array([0.25, 0.01])
    >>> try:
    ...     obj(np.array([[0.0, 0.0], [0.2, 0.2]]))   # only one evaluation is left
    ... except BudgetExhausted:
    ...     print(obj.nfev, obj.best_fun, obj.best_x)
    3 0.0 [0. 0.]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from qdq.errors import ParameterError

__all__ = [
    "BudgetExhausted",
    "CountedObjective",
    "check_budget",
    "check_bounds",
    "check_count",
]


class BudgetExhausted(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :class:`CountedObjective` once the evaluation budget is spent.

    It is internal control flow: every solver in :mod:`qdq.classical` catches it and
    returns the best point seen so far. It deliberately does not derive from
    :class:`qdq.errors.QdqError`, because nothing went wrong.
    """


def check_count(name: str, value: object, *, minimum: int = 1) -> int:
    """Validate an integer option (``budget``, ``walkers``, ...) and return it as ``int``.

    Args:
        name: Option name, used in the message.
        value: The value given by the user.
        minimum: Smallest admissible value.

    Returns:
        ``int(value)``.

    Raises:
        ParameterError: If ``value`` is not an integer (bools are rejected) or is
            below ``minimum``.

    Example:
        >>> check_count("walkers", 10)
        10
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(
            f"{name} must be an integer >= {minimum}, got {value!r}; pass a whole number"
        )
    if value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value!r}; pass a larger value")
    return int(value)


def check_budget(budget: object) -> int:
    """Validate an evaluation budget (an ``int`` >= 1).

    Args:
        budget: Maximum number of objective evaluations.

    Returns:
        The budget as ``int``.

    Raises:
        ParameterError: If the budget is not an integer >= 1.

    Example:
        >>> check_budget(100)
        100
    """
    return check_count("budget", budget, minimum=1)


def check_bounds(bounds: object) -> np.ndarray:
    """Validate a box given as a sequence of ``(low, high)`` pairs.

    Args:
        bounds: One ``(low, high)`` pair per dimension, finite, ``low < high``.

    Returns:
        Float array of shape ``(d, 2)``.

    Raises:
        ParameterError: If the box is empty, not made of pairs, non-finite, or has a
            dimension with ``low >= high``.

    Example:
        >>> check_bounds([(-1, 1), (0, 2)]).shape
        (2, 2)
    """
    try:
        b = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f"bounds must be a sequence of (low, high) pairs, got {bounds!r}; "
            "pass e.g. [(-1.0, 1.0), (-2.0, 2.0)]"
        ) from None
    if b.ndim != 2 or b.shape[1] != 2 or b.shape[0] == 0:
        raise ParameterError(
            f"bounds must be a sequence of (low, high) pairs, got {bounds!r}; "
            "pass e.g. [(-1.0, 1.0), (-2.0, 2.0)]"
        )
    if not np.all(np.isfinite(b)):
        raise ParameterError(f"bounds must be finite, got {bounds!r}; pass a finite box")
    bad = np.flatnonzero(b[:, 0] >= b[:, 1])
    if bad.size:
        i = int(bad[0])
        raise ParameterError(
            f"bounds[{i}] must have low < high, got {tuple(b[i].tolist())!r}; "
            "swap or widen the interval"
        )
    return b


class CountedObjective:
    """Budgeted, counting wrapper of a vectorized objective ``f(*coords)``.

    Calling the wrapper on a batch ``X`` (shape ``(m, d)``) evaluates ``f(*X.T)``.
    The running minimum is tracked point by point, so the history is exact:
    ``history[i] = (n_i, f_i)`` means the ``n_i``-th evaluation produced a new best
    value ``f_i``. NaN values never become the best.

    Args:
        f: Vectorized objective; ``f(*X.T)`` must broadcast to shape ``(m,)``.
        bounds: ``(low, high)`` per dimension.
        budget: Maximum number of point evaluations, an ``int`` >= 1.

    Attributes:
        lows: Lower box corner, shape ``(d,)``.
        highs: Upper box corner, shape ``(d,)``.
        dim: Number of dimensions ``d``.
        budget: The evaluation budget.
        nfev: Points evaluated so far.
        best_x: Best point seen (``None`` before the first evaluation).
        best_fun: Best value seen (``inf`` before the first evaluation).

    Raises:
        ParameterError: For a budget that is not an int >= 1 or an invalid box.

    Example:
        >>> import numpy as np
        >>> obj = CountedObjective(lambda x: (x - 0.3) ** 2, [(0, 1)], budget=10)
        >>> _ = obj(np.array([[0.0], [0.25], [1.0]]))
        >>> obj.nfev, obj.remaining, obj.best_x
        (3, 7, array([0.25]))
        >>> obj.history_array()
        array([[1.    , 0.09  ],
               [2.    , 0.0025]])
    """

    def __init__(self, f: Callable[..., object], bounds: Sequence, budget: int) -> None:
        if not callable(f):
            raise ParameterError(
                f"objective must be callable as f(*coords), got {f!r}; pass a function"
            )
        b = check_bounds(bounds)
        self.f = f
        self.lows = b[:, 0].copy()
        self.highs = b[:, 1].copy()
        self.dim = b.shape[0]
        self.budget = check_budget(budget)
        self.nfev = 0
        self.best_x: np.ndarray | None = None
        self.best_fun = float("inf")
        self._history: list[tuple[int, float]] = []

    @property
    def remaining(self) -> int:
        """Evaluations left in the budget."""
        return self.budget - self.nfev

    @property
    def widths(self) -> np.ndarray:
        """Box side lengths ``high - low``, shape ``(d,)``."""
        return self.highs - self.lows

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Evaluate a batch of points, shape ``(m, d)``; return values of shape ``(m,)``.

        Raises:
            BudgetExhausted: After evaluating the points that still fit in the budget,
                if the batch did not fit entirely (or at once if nothing is left).
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ParameterError(
                f"batch must have shape (m, {self.dim}), got {X.shape}; stack one point per row"
            )
        m = X.shape[0]
        overshoot = m > self.remaining
        if overshoot:
            X = X[: self.remaining]
        if X.shape[0] > 0:
            values = self._evaluate(X)
        else:
            values = np.empty(0)
        if overshoot:
            raise BudgetExhausted(f"budget of {self.budget} evaluations spent")
        return values

    def scalar(self, x: np.ndarray) -> float:
        """Evaluate one point (the calling convention of :mod:`scipy.optimize`).

        Args:
            x: Point of shape ``(d,)``.

        Returns:
            ``f(x)`` as a Python float.
        """
        return float(self(np.asarray(x, dtype=float).reshape(1, self.dim))[0])

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        m = X.shape[0]
        # broadcast_to lets objectives that ignore some coordinates (or are constant)
        # still return one value per point.
        values = np.asarray(self.f(*X.T), dtype=float)
        try:
            values = np.array(np.broadcast_to(values, (m,)), dtype=float)
        except ValueError:
            raise ParameterError(
                f"objective must return one value per point (shape ({m},)), got shape "
                f"{values.shape}; make f(*coords) elementwise in its coordinate arrays"
            ) from None
        start = self.nfev
        self.nfev += m
        masked = np.where(np.isnan(values), np.inf, values)
        i = int(np.argmin(masked))
        if masked[i] < self.best_fun:
            # Record every improvement inside the batch, not only the batch minimum,
            # so the best-so-far curve does not depend on how points were batched.
            # Running minimum seeded with the previous best, so a batch that starts
            # worse than it records only true improvements.
            running = np.minimum.accumulate(np.concatenate(([self.best_fun], masked)))
            for j in np.flatnonzero(running[1:] < running[:-1]):
                self._history.append((start + int(j) + 1, float(running[j + 1])))
            self.best_fun = float(masked[i])
            self.best_x = X[i].copy()
        return values

    def history_array(self, *, close: bool = False) -> np.ndarray:
        """Best-so-far curve as a ``(k, 2)`` array of ``[nfev, best value]`` rows.

        Args:
            close: Append a final row at the current ``nfev`` (if it is not already the
                last row), so that plots extend to the end of the run.

        Returns:
            Float array of shape ``(k, 2)``.
        """
        rows = list(self._history)
        if close and self.nfev > 0 and (not rows or rows[-1][0] != self.nfev):
            rows.append((self.nfev, self.best_fun))
        return np.asarray(rows, dtype=float).reshape(-1, 2)
