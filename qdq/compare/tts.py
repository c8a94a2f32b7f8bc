r"""Time to solution: the cost to reach a 99 % chance of success, with bootstrap intervals.

An *attempt* is one classical run at budget ``B`` (or one ``random`` run of ``B`` uniform
samples), or one quantum shot (plus its one objective evaluation). With per-attempt
success probability ``p`` and cost ``c`` per attempt,

.. math:: \mathrm{TTS}_{99} = c \cdot \max\!\Bigl(1, \frac{\ln(1 - 0.99)}{\ln(1 - p)}\Bigr),

the expected cost of repeating independent attempts until at least one succeeded with
probability 0.99. The edges are finite or flagged, never ``NaN``: ``p = 1`` gives the cost
of one attempt, ``p = 0`` gives ``∞`` (stored JSON-safe as ``None`` with a flag, shown as
``∞ (> low)``). ``max(1, ·)`` because nobody runs a fraction of an attempt.

Intervals are percentile bootstrap intervals over the repeats (:func:`bootstrap_tts`):
repeats are resampled with replacement, jointly with their costs, and the TTS of each
resample is taken. Where every repeat failed (or every one succeeded) the bootstrap is
degenerate; that side of the interval then comes from the Wilson bound on ``p``, so
``p̂ = 0`` reports ``TTS > c·R(p_Wilson_high)`` rather than nothing.

Example:
    >>> round(float(tts99(0.5, 10.0)), 6)            # 10 · ln 0.01 / ln 0.5
    66.438562
    >>> float(tts99(1.0, 10.0)), float(tts99(0.0, 10.0))
    (10.0, inf)
    >>> est = bootstrap_tts([1, 0, 1, 1, 0, 1, 0, 1], [100] * 8, seed=0)
    >>> round(est.value, 1), est.low < est.value < est.high, est.infinite
    (469.5, True, False)
    >>> format_tts(bootstrap_tts([0] * 10, [5] * 10).to_dict())    # 0 of 10 succeeded
    '∞ (> 70.83)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qdq.compare.metrics import wilson_interval
from qdq.errors import ParameterError

__all__ = ["TARGET", "TTS_COLUMNS", "UNITS", "TTSEstimate", "attempts_to_target",
           "bootstrap_tts", "format_tts", "method_tts", "tts99", "tts_columns"]

#: The target probability of at least one success.
TARGET = 0.99


def _check_target(target: float) -> float:
    if not (isinstance(target, (int, float)) and 0.0 < float(target) < 1.0):
        raise ParameterError(f"target must be a probability in (0, 1), got {target!r}; "
                             "e.g. 0.99")
    return float(target)


def attempts_to_target(p, target: float = TARGET) -> np.ndarray:
    r"""Attempts needed for success with probability ``target``: ``max(1, ln(1−t)/ln(1−p))``.

    Vectorized over ``p``; ``p = 0`` gives ``inf``, ``p = 1`` gives 1.

    Raises:
        ParameterError: A probability outside ``[0, 1]`` or a bad target.

    Example:
        >>> attempts_to_target([0.0, 0.5, 0.99, 1.0]).tolist()
        [inf, 6.643856189774724, 1.0, 1.0]
    """
    target = _check_target(target)
    p = np.asarray(p, dtype=float)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ParameterError(f"success probabilities must lie in [0, 1], got {p!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log1p(-target) / np.log1p(-np.minimum(p, 1.0 - 1e-300))
    r = np.where(p <= 0.0, np.inf, r)
    return np.maximum(1.0, np.where(p >= 1.0, 1.0, r))


def tts99(p, cost_per_attempt, target: float = TARGET) -> np.ndarray:
    """``cost_per_attempt · attempts_to_target(p)`` (vectorized; see the module formula).

    Example:
        >>> tts99([0.1, 0.9], 2.0).round(3).tolist()
        [87.417, 4.0]
        >>> tts99([0.0, 0.5], 0.0).tolist()          # free attempts that never succeed
        [inf, 0.0]
    """
    attempts = attempts_to_target(p, target)
    cost = np.asarray(cost_per_attempt, dtype=float)
    # A method that never succeeds never gets there, however cheap its attempts (0·∞ is ∞).
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(attempts), np.inf, cost * attempts)


@dataclass(frozen=True)
class TTSEstimate:
    """A time-to-solution estimate with its interval (in one cost unit).

    Attributes:
        value: TTS (``inf`` when no attempt succeeded).
        low: Lower end of the interval (finite).
        high: Upper end (``inf`` when the data allow ``p = 0``).
        p: Per-attempt success probability used for ``value``.
        cost: Mean cost of one attempt.
        attempts: Number of attempts observed (shots or runs).
        confidence: Interval level.
        replicates: Bootstrap TTS values (for fits; not part of :meth:`to_dict`).
    """

    value: float
    low: float
    high: float
    p: float
    cost: float
    attempts: int
    confidence: float = 0.95
    replicates: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False,
                                   compare=False)

    @property
    def infinite(self) -> bool:
        """True when the TTS is unbounded (no success observed)."""
        return math.isinf(self.value)

    def scaled(self, factor: float) -> TTSEstimate:
        """The same estimate in another unit (``factor`` = new cost / old cost per attempt)."""
        return TTSEstimate(self.value * factor, self.low * factor, self.high * factor, self.p,
                           self.cost * factor, self.attempts, self.confidence,
                           self.replicates * factor)

    def to_dict(self, prefix: str = "tts99") -> dict:
        """JSON-safe fields: infinities become ``None`` with ``<prefix>_inf`` flags.

        Example:
            >>> TTSEstimate(math.inf, 3.0, math.inf, 0.0, 1.0, 10).to_dict()
            {'tts99': None, 'tts99_low': 3.0, 'tts99_high': None, 'tts99_inf': True}
        """
        def safe(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {prefix: safe(self.value), f"{prefix}_low": safe(self.low),
                f"{prefix}_high": safe(self.high), f"{prefix}_inf": self.infinite}


def _as_array(values: Sequence[float], name: str, n: int | None = None) -> np.ndarray:
    a = np.asarray(values, dtype=float).reshape(-1)
    if a.size == 0:
        raise ParameterError(f"{name} is empty; need at least one repeat")
    if n is not None and a.size != n:
        raise ParameterError(f"{name} has {a.size} entries, expected {n} (one per repeat)")
    if np.any(~np.isfinite(a)) or np.any(a < 0):
        raise ParameterError(f"{name} must be finite and >= 0, got {values!r}")
    return a


def bootstrap_tts(hits: Sequence[float], costs: Sequence[float],
                  trials: Sequence[float] | None = None, *, target: float = TARGET,
                  confidence: float = 0.95, n_boot: int = 2000, seed: int = 0,
                  p_exact: float | None = None) -> TTSEstimate:
    r"""TTS from repeats, with a percentile bootstrap interval over the repeats.

    Repeat ``i`` made ``trials[i]`` attempts (1 for a classical run; its shots for a
    quantum method), ``hits[i]`` of which succeeded, at total cost ``costs[i]``. Then
    ``p̂ = Σ hits / Σ trials`` and ``c = Σ costs / Σ trials``; each bootstrap resample of
    the repeats gives its own ``p*, c*`` and ``TTS* = c*·R(p*)``.

    Args:
        hits: Successful attempts per repeat (0/1 for classical runs).
        costs: Total cost per repeat (evaluations, seconds, …).
        trials: Attempts per repeat (default 1 each).
        target: Target success probability (0.99).
        confidence: Two-sided interval level.
        n_boot: Bootstrap resamples.
        seed: Seed of the resampling (the estimate is a pure function of its inputs).
        p_exact: A known per-attempt probability (a quantum method's exact final
            distribution): used for the point value; the interval still comes from the
            repeats and is widened, if needed, to contain the point.

    Returns:
        A :class:`TTSEstimate`.

    Raises:
        ParameterError: Mismatched lengths, negative or non-finite inputs, hits above
            trials, ``n_boot < 100`` or a bad level.
    """
    target = _check_target(target)
    if not 0.0 < confidence < 1.0:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ParameterError(f"n_boot must be an integer >= 100, got {n_boot!r}")
    h = _as_array(hits, "hits")
    n = h.size
    c = _as_array(costs, "costs", n)
    t = np.ones(n) if trials is None else _as_array(trials, "trials", n)
    if np.any(h > t) or np.sum(t) <= 0:
        raise ParameterError(f"hits must not exceed trials per repeat, got hits={hits!r}, "
                             f"trials={trials!r}")
    total_t, total_h = float(t.sum()), float(h.sum())
    p_hat = total_h / total_t
    cost = float(c.sum()) / total_t
    rng = np.random.default_rng(seed)
    if np.all(t == 1) and np.all(c == c[0]):
        # i.i.d. Bernoulli repeats of equal cost: resampling = a binomial draw (exact, fast).
        p_star = rng.binomial(n, p_hat, size=n_boot) / n
        c_star = np.full(n_boot, cost)
    else:
        idx = rng.integers(0, n, size=(n_boot, n))
        tt = t[idx].sum(axis=1)
        p_star = np.divide(h[idx].sum(axis=1), tt, out=np.zeros(n_boot), where=tt > 0)
        c_star = np.divide(c[idx].sum(axis=1), tt, out=np.full(n_boot, cost), where=tt > 0)
    reps = tts99(p_star, c_star, target)
    alpha = (1.0 - confidence) / 2
    low = float(np.quantile(reps, alpha, method="inverted_cdf"))
    high = float(np.quantile(reps, 1.0 - alpha, method="inverted_cdf"))
    w_lo, w_hi = wilson_interval(int(round(total_h)), int(round(total_t)), confidence) \
        if float(total_t).is_integer() and float(total_h).is_integer() else (0.0, 1.0)
    if total_h == 0:   # no success: TTS > c·R(Wilson upper bound of p)
        low, high = float(tts99(w_hi, cost, target)), math.inf
    elif total_h == total_t:   # all succeeded: the upper end from the Wilson lower bound
        high = max(high, float(tts99(w_lo, cost, target)))
    p_point = p_hat if p_exact is None else float(p_exact)
    value = float(tts99(p_point, cost, target))
    low, high = min(low, value), max(high, value)
    return TTSEstimate(value, low, high, p_point, cost, int(total_t), confidence, reps)


def format_tts(fields: dict, prefix: str = "tts99", spec: str = ".4g") -> str:
    """Text of a TTS with its interval: ``"123 [45, 678]"``, ``"∞ (> 85.2)"``, ``"–"``.

    Example:
        >>> format_tts({"tts99": 10.0, "tts99_low": 10.0, "tts99_high": 25.0,
        ...             "tts99_inf": False})
        '10 [10, 25]'
    """
    if fields.get(f"{prefix}_inf"):
        low = fields.get(f"{prefix}_low")
        return "∞" if low is None else f"∞ (> {format(low, spec)})"
    value = fields.get(prefix)
    if value is None:
        return "–"
    low, high = fields.get(f"{prefix}_low"), fields.get(f"{prefix}_high")
    text = format(value, spec)
    if low is None:
        return text
    return f"{text} [{format(low, spec)}, {'∞' if high is None else format(high, spec)}]"


# ------------------------------------------------------------------ per-method rows
#: Columns a report row gains (see :func:`tts_columns`); ``tts99*`` are in ``tts_unit``.
TTS_COLUMNS: tuple[str, ...] = (
    "p_attempt", "tts_unit", "tts99", "tts99_low", "tts99_high", "tts99_inf", "tts99_evals",
    "tts99_cpu_s", "tts99_oracle_calls", "tts99_cx", "tts99_ft_s",
)

#: The unit of ``tts99`` per category: one attempt is a shot, or a run of ``budget`` evaluations.
UNITS = {"quantum": "shots", "classical": "evaluations", "baseline": "evaluations"}


def method_tts(category: str, results: Sequence[dict], distribution: dict | None = None, *,
               deterministic: bool = False, seed: int = 0) -> TTSEstimate | None:
    """TTS of one method on one function from its stored cells, in :data:`UNITS`.

    Classical and ``random`` repeats are attempts of ``evals`` evaluations each; a quantum
    repeat of ``shots`` shots contributes ``shot_hits`` successes out of ``shots`` attempts
    (point value from the exact per-shot probability ``P_s · per-shot success`` of the
    distribution cell; without ``shot_hits``, cells stored by an older qdq, the interval
    is unknown, ``NaN``); ``grid-argmin`` is exact (``N`` evaluations, or ``∞``).

    Returns:
        The estimate, or ``None`` without repeats or when the distribution failed.
    """
    if not results:
        return None
    if deterministic:
        r = results[0]
        value = float(r.get("evals") or 0) if r.get("success") else math.inf
        low = value if math.isfinite(value) else float(r.get("evals") or 0)
        return TTSEstimate(value, low, value, 1.0 if r.get("success") else 0.0,
                           float(r.get("evals") or 0), 1)
    if category == "quantum":
        d = distribution or {}
        if d.get("error") or d.get("shot_success") is None:
            return None
        p_exact = float(d.get("success_probability") or 0.0) * float(d["shot_success"])
        p_exact = min(1.0, max(0.0, p_exact))
        shots = [float(r.get("shots") or 0) for r in results]
        if all("shot_hits" in r for r in results) and sum(shots) > 0:
            hits = [float(r["shot_hits"]) for r in results]
            return bootstrap_tts(hits, shots, shots, p_exact=p_exact, seed=seed)
        value = float(tts99(p_exact, 1.0))
        return TTSEstimate(value, math.nan, math.nan, p_exact, 1.0, int(sum(shots)))
    hits = [1.0 if r.get("success") else 0.0 for r in results]
    costs = [float(r.get("evals") or 0) for r in results]
    return bootstrap_tts(hits, costs, seed=seed)


def tts_columns(category: str, results: Sequence[dict], distribution: dict | None = None, *,
                deterministic: bool = False) -> dict:
    """The :data:`TTS_COLUMNS` of a report row (JSON-safe: ``None`` for ``∞``, with flags).

    ``tts99*`` are in ``tts_unit``; the other units are the same count of attempts times
    that unit's cost per attempt: ``tts99_evals`` (objective evaluations; a quantum shot
    evaluates once if it survives postselection), ``tts99_cpu_s`` (measured CPU seconds of
    classical runs), and for quantum methods ``tts99_oracle_calls`` (potential factors),
    ``tts99_cx`` (CX per shot) and ``tts99_ft_s`` (fault-tolerant seconds per shot, when
    :mod:`qdq.estimate` was available, :mod:`qdq.compare.ftcost`).

    Example:
        >>> cells = [{"success": True, "evals": 10, "cpu_time": 0.5}] * 4
        >>> c = tts_columns("classical", cells)
        >>> c["tts99"], c["tts99_high"] > 10, c["tts99_cpu_s"], c["tts_unit"]
        (10.0, True, 0.5, 'evaluations')
    """
    out: dict = dict.fromkeys(TTS_COLUMNS)
    out["tts_unit"] = UNITS.get(category, "evaluations")
    est = method_tts(category, results, distribution, deterministic=deterministic)
    if est is None:
        return out
    out.update(est.to_dict())
    out["p_attempt"] = est.p
    attempts = est.value / est.cost if est.cost > 0 else math.inf   # attempts to target

    def per(cost_per_attempt: float | None) -> float | None:
        if cost_per_attempt is None or math.isinf(attempts):
            return None
        return float(attempts * cost_per_attempt)

    if category == "quantum":
        d = distribution or {}
        shots = sum(float(r.get("shots") or 0) for r in results)
        evals = sum(float(r.get("evals") or 0) for r in results)
        out["tts99_evals"] = per(evals / shots if shots else None)
        out["tts99_oracle_calls"] = per(d.get("potential_factors"))
        out["tts99_cx"] = per(d.get("cx_per_shot"))
        out["tts99_ft_s"] = per(d.get("ft_runtime_per_shot"))
    else:
        out["tts99_evals"] = out["tts99"]
        cpu = [r.get("cpu_time") for r in results]
        if all(c is not None for c in cpu) and not deterministic:
            out["tts99_cpu_s"] = per(float(np.mean(cpu)))
        elif deterministic and cpu and cpu[0] is not None:
            out["tts99_cpu_s"] = per(float(cpu[0]))
    return out
