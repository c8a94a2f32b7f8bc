r"""Readout shared by every engine: shots → grid histogram, exact sampling, the Result.

* :func:`histogram_counts` / :func:`histogram_bits` — a Qiskit counts dict or a
  ``(shots, bits)`` boolean array → accepted counts per flat grid index, postselecting on
  the ancilla bits (a shot is kept iff every ancilla bit is 0);
* :func:`shot_distribution` — accepted counts → grid-shaped probabilities and the
  accepted fraction ``success_probability = A / shots``;
* :func:`sample_exact` — shots of an exact distribution: ``A ~ Binomial(shots, P_success)``
  accepted (postselected runs), then ``Multinomial(A, p)`` outcomes;
* :func:`success_from_log` / :func:`final_state_readout` — an exact final state (the
  emulator's, the JAX engines') → ``P_success``, ``|ψ|²``, optional exact shots;
* :func:`make_result` — the one constructor of an engine's :class:`~qdq.Result`.

Example:
    >>> from qdq.grid import Grid
    >>> hist, accepted, total = histogram_counts({"0 01": 30, "1 11": 10}, 2, post_bits=1)
    >>> hist.tolist(), accepted, total
    ([0.0, 30.0, 0.0, 0.0], 30, 40)
    >>> probs, success = shot_distribution(Grid([(-1, 1)], qubits=2), hist, accepted, total)
    >>> probs.tolist(), success
    ([0.0, 1.0, 0.0, 0.0], 0.75)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdq.errors import BackendError, PostselectionError
from qdq.grid import Grid, layout_from_dict
from qdq.results import Result
from qdq.validate import check_finite_distribution

__all__ = ["LOG_SUCCESS_FLOOR", "RunInfo", "final_state_readout", "histogram_bits",
           "histogram_counts", "make_result", "sample_counts", "sample_exact",
           "shot_distribution", "success_from_log"]

#: Below this log success probability (natural log) imaginary-time results are refused.
LOG_SUCCESS_FLOOR = np.log(1e-300)


def histogram_counts(counts: Mapping[str, int], num_grid_qubits: int, *,
                     post_bits: int = 0) -> tuple[np.ndarray, int, int]:
    """Histogram a Qiskit counts dict (big-endian bitstrings, registers space-separated).

    Args:
        counts: ``{"<post> <m>": n}`` or ``{"<m>": n}`` (the rightmost characters are the
            grid register, bit 0 last, as ``Result.get_counts`` prints them).
        num_grid_qubits: Width of the grid register.
        post_bits: Number of ancilla bits to the left of the grid bits (0 for none).

    Returns:
        ``(hist, accepted, total)``: accepted-shot counts per flat grid index (length
        ``2**num_grid_qubits``, qubit order), accepted shots, all shots.
    """
    hist = np.zeros(1 << num_grid_qubits)
    accepted = total = 0
    mask = (1 << num_grid_qubits) - 1
    for key, n in counts.items():
        bits = key.replace(" ", "")
        value = int(bits, 2) if bits else 0
        total += int(n)
        if post_bits and value >> num_grid_qubits:
            continue
        hist[value & mask] += n
        accepted += int(n)
    return hist, accepted, total


def _bits_to_ints(bools: np.ndarray) -> np.ndarray:
    """``(shots, nbits)`` little-endian booleans → integers (object-free for ≤ 62 bits)."""
    nbits = bools.shape[-1]
    if nbits == 0:
        return np.zeros(bools.shape[0], dtype=np.int64)
    if nbits > 62:
        raise BackendError(f"cannot decode a {nbits}-bit register to a grid index; "
                           "grids above 62 qubits are not supported")
    weights = (np.int64(1) << np.arange(nbits, dtype=np.int64))
    return bools.astype(np.int64) @ weights


def histogram_bits(grid_bits: np.ndarray, post_bits: np.ndarray | None = None
                   ) -> tuple[np.ndarray, int, int]:
    """Histogram per-shot bits (little-endian: column ``j`` is grid qubit ``j``).

    Args:
        grid_bits: ``(shots, num_grid_qubits)`` booleans (or 0/1 integers).
        post_bits: ``(shots, num_ancillas)`` ancilla bits, or ``None``; a shot is kept
            iff all its ancilla bits are 0.

    Returns:
        ``(hist, accepted, total)`` as :func:`histogram_counts`.

    Example:
        >>> import numpy as np
        >>> m = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
        >>> hist, acc, tot = histogram_bits(m, np.array([[0], [1], [0]], dtype=bool))
        >>> hist.tolist(), acc, tot
        ([0.0, 1.0, 1.0, 0.0], 2, 3)
    """
    grid_bits = np.asarray(grid_bits)
    total = grid_bits.shape[0]
    keep = np.ones(total, dtype=bool)
    if post_bits is not None:
        post = np.asarray(post_bits, dtype=bool)
        keep = ~(post if post.ndim == 2 else post.reshape(total, -1)).any(axis=1)
    idx = _bits_to_ints(grid_bits[keep])
    hist = np.bincount(idx, minlength=1 << grid_bits.shape[-1]).astype(float)
    return hist, int(keep.sum()), int(total)


def shot_distribution(grid: Grid, hist: np.ndarray, accepted: int,
                      shots: int) -> tuple[np.ndarray, float]:
    """Accepted counts → ``(grid-shaped probabilities, accepted fraction)``.

    Raises:
        PostselectionError: No shot survived postselection.
    """
    if accepted <= 0:
        raise PostselectionError(
            f"no shot of {shots} survived postselection (every shot measured an ancilla "
            "in |1⟩); use more shots, fewer imaginary-time steps, or a smaller time step"
        )
    probs = grid.to_grid(np.asarray(hist, dtype=float) / accepted)
    return probs, accepted / int(shots)


def sample_counts(probabilities: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Multinomial shot counts of a (grid-shaped) distribution, same shape.

    Example:
        >>> import numpy as np
        >>> sample_counts(np.array([0.0, 1.0]), 5, np.random.default_rng(0)).tolist()
        [0, 5]
    """
    flat = probabilities.reshape(-1)
    flat = np.clip(flat, 0, None)
    return rng.multinomial(shots, flat / flat.sum()).reshape(probabilities.shape)


def sample_exact(probabilities: np.ndarray, shots: int, rng: np.random.Generator, *,
                 success_probability: float = 1.0,
                 postselected: bool = False) -> tuple[np.ndarray, int]:
    r"""Shots of an exact (postselected) distribution.

    A postselected run keeps each shot independently with probability ``P_success``, so
    the accepted count is ``A ~ Binomial(shots, P_success)`` and the accepted outcomes
    ``~ Multinomial(A, p)`` — the law of running the circuit ``shots`` times.

    Args:
        probabilities: Grid-shaped distribution (postselected, normalized).
        shots: Shots taken.
        rng: The generator (the binomial is drawn first, then the multinomial).
        success_probability: ``P_success`` (postselected runs).
        postselected: Whether shots are rejected with probability ``1 − P_success``.

    Returns:
        ``(sampled probabilities counts/A, A)``.

    Raises:
        PostselectionError: No shot was accepted.

    Example:
        >>> import numpy as np
        >>> probs, accepted = sample_exact(np.array([0.5, 0.5]), 100, np.random.default_rng(1))
        >>> accepted, float(probs.sum())
        (100, 1.0)
    """
    accepted = int(rng.binomial(int(shots), success_probability)) if postselected \
        else int(shots)
    if accepted == 0:
        raise PostselectionError(
            f"no shot of {shots} survived postselection (P_success = "
            f"{success_probability:.3g}); use more shots, fewer steps, or shots=None for "
            "exact results"
        )
    return sample_counts(probabilities, accepted, rng) / accepted, accepted


def success_from_log(log_success: float) -> float:
    """``P_success = e^{log P}``, refusing a probability a circuit would never reach.

    Raises:
        PostselectionError: ``log P`` is not finite or below :data:`LOG_SUCCESS_FLOOR`.

    Example:
        >>> success_from_log(0.0)
        1.0
    """
    if not np.isfinite(log_success) or log_success < LOG_SUCCESS_FLOOR:
        raise PostselectionError(
            f"postselection probability underflows: log P = {log_success:.1f}; a circuit "
            "would never succeed — use fewer steps, a shorter time, or a smaller D")
    return float(np.exp(log_success))


def final_state_readout(psi: np.ndarray, log_success: float, *, shots: int | None,
                        seed: int | None, postselected: bool, what: str,
                        hint: str | Callable[[], str]) -> dict[str, Any]:
    """:func:`make_result`'s readout fields from an exact (renormalized) final state.

    ``P_success`` from :func:`success_from_log`; ``p = |ψ|²/Σ|ψ|²``, refused if not finite
    (``what`` and ``hint`` name the engine and the fix); with ``shots``, exact sampling
    (:func:`sample_exact`) replaces ``p`` and the state, and ``P_success`` becomes the
    accepted fraction.

    Returns:
        ``probabilities``, ``statevector``, ``success_probability``, ``shots``,
        ``accepted_shots``.

    Example:
        >>> import numpy as np
        >>> out = final_state_readout(np.array([3, 4j]) / 5, 0.0, shots=None, seed=None,
        ...                           postselected=False, what="toy", hint="")
        >>> out["probabilities"].round(2).tolist(), out["success_probability"]
        ([0.36, 0.64], 1.0)
    """
    success = success_from_log(log_success)
    probs = np.empty(psi.shape)
    np.abs(psi, out=probs)
    np.square(probs, out=probs)
    probs /= probs.sum()
    check_finite_distribution(probs, what, hint)
    statevector: np.ndarray | None = psi
    accepted = None
    if shots is not None:
        statevector = None
        probs, accepted = sample_exact(probs, shots, np.random.default_rng(seed),
                                       success_probability=success, postselected=postselected)
        success = accepted / int(shots)
    return {"probabilities": probs, "statevector": statevector,
            "success_probability": success, "shots": shots, "accepted_shots": accepted}


@dataclass(frozen=True)
class RunInfo:
    """What a :class:`~qdq.Result` records about the spec that ran.

    Attributes:
        method: ``"real-time"``, ``"imaginary-time"``, ``"anneal"``, …
        grid: The problem grid.
        values: Grid-shaped ζ.
        final_D: ``D`` of the final Hamiltonian (see ``EvolutionSpec.final_D``).
        problem: JSON description of the problem.
        spec: JSON description of the spec.
    """

    method: str
    grid: Grid
    values: np.ndarray
    final_D: float  # noqa: N815 - the physics name, as EvolutionSpec.final_D
    problem: dict
    spec: dict

    @classmethod
    def of(cls, spec: Any) -> RunInfo:
        """From an evolution spec (:class:`~qdq.RealTime`, …)."""
        return cls(method=spec.method, grid=spec.grid, values=spec.problem.values,
                   final_D=spec.final_D, problem=spec.problem.to_dict(), spec=spec.to_dict())

    @classmethod
    def from_description(cls, info: Mapping[str, Any]) -> RunInfo:
        """From a stored job description (``{"grid", "values", "D", "method", "evolution"}``)."""
        grid = layout_from_dict(info["grid"])  # a Grid, or the flat layout of bits
        evolution = dict(info.get("evolution") or {})
        return cls(method=str(info.get("method", evolution.get("method", "evolution"))),
                   grid=grid,
                   values=np.asarray(info["values"], dtype=float).reshape(grid.shape),
                   final_D=float(info["D"]), problem=dict(evolution.get("problem") or {}),
                   spec=evolution)


def make_result(spec: Any, *, backend: str, probabilities: np.ndarray,
                statevector: np.ndarray | None = None, success_probability: float = 1.0,
                shots: int | None = None, accepted_shots: int | None = None,
                factors: Mapping[str, int] | None = None,
                timing: Mapping[str, float] | None = None, trace: Mapping[str, Any] | None = None,
                extra: Mapping[str, Any] | None = None) -> Result:
    """Build an engine's :class:`~qdq.Result` (the only place engines construct one).

    Args:
        spec: The evolution spec that ran, or its :class:`RunInfo`.
        backend: Engine (or device) name.
        probabilities: Grid-shaped output distribution.
        statevector: Grid-shaped amplitudes (exact modes), else ``None``.
        success_probability: Exact ``P_success``, or the accepted fraction with shots.
        shots: Shots taken (``None``: exact).
        accepted_shots: Shots that survived postselection (shots modes).
        factors: Product-formula factors applied, e.g. ``{"potential": 41, "kinetic": 40}``.
        timing: Seconds per phase.
        trace: Per-step observables.
        extra: Engine-specific details.

    Example:
        >>> import numpy as np, qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
        >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2)
        >>> r = make_result(s, backend="toy", probabilities=np.full(4, 0.25))
        >>> r.method, r.final_D, r.p_global_min
        ('real-time', 0.5, 0.25)
    """
    info = spec if isinstance(spec, RunInfo) else RunInfo.of(spec)
    return Result(
        method=info.method, backend=backend, grid=info.grid, values=info.values,
        final_D=info.final_D, probabilities=probabilities, statevector=statevector,
        success_probability=success_probability, shots=None if shots is None else int(shots),
        accepted_shots=None if accepted_shots is None else int(accepted_shots),
        factors={k: int(v) for k, v in (factors or {}).items()},
        problem=info.problem, spec=info.spec, timing=dict(timing or {}),
        trace=dict(trace or {}), extra=dict(extra or {}),
    )
