r"""Noise versus depth on (fake) hardware: the optimal number of Trotter steps.

More Trotter steps follow the ideal evolution more closely but accumulate gate noise, so
the per-shot success ``p(s)`` of a real-time or anneal circuit first rises with the
number of steps ``s`` and then falls. :func:`depth_scan` runs one circuit per ``s`` through
the ordinary submission path (:func:`qdq.hardware.submit.submit`; a fake backend runs
locally on Aer with the device's noise model) and reports, per depth,

* ``p_raw`` — P(grid-argmin cell) from the raw counts;
* ``p_mitigated`` — the same after readout mitigation with ``mthree`` (IBM's recommended
  correction for Sampler counts: the assignment matrices of the measured physical qubits
  are calibrated on the backend, the counts corrected to quasi-probabilities and projected
  onto the nearest probability distribution); extra ``qdq[mitigation]``;
* ``p_ideal`` — the noiseless value of the same product formula (FFT emulator), and the
  total-variation distances of both distributions to it.

:func:`optimal_depth` picks the depth with the most success per shot, or with the least
time-to-solution ``TTS(s) = t_shot(s)·ln(1−0.99)/ln(1−p(s))`` when a shot-time model is
given; hardware TTS uses that depth.

May import :mod:`qdq.hardware.submit`, :mod:`qdq.hardware.runtime`, the engines and the
store; never the package ``qdq.hardware`` itself.

Example:
    >>> optimal_depth([{"steps": 1, "p_mitigated": 0.2}, {"steps": 2, "p_mitigated": 0.35},
    ...                {"steps": 4, "p_mitigated": 0.3}])
    2
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qdq.errors import ParameterError, require

__all__ = ["DepthScan", "depth_scan", "mitigate_counts", "optimal_depth", "tvd"]


def tvd(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance ``½ Σ |p − q|`` of two distributions.

    Example:
        >>> tvd(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
        0.5
    """
    return 0.5 * float(np.abs(np.asarray(p, float) - np.asarray(q, float)).sum())


def counts_from_probabilities(flat: np.ndarray, shots: int) -> dict[str, int]:
    """Bitstring counts (grid index in qubit order, Qiskit's big-endian strings).

    Example:
        >>> counts_from_probabilities(np.array([0.25, 0.0, 0.75, 0.0]), 4)
        {'00': 1, '10': 3}
    """
    flat = np.asarray(flat, dtype=float).reshape(-1)
    width = int(round(math.log2(flat.size)))
    ints = np.rint(flat * shots).astype(np.int64)
    return {format(int(i), f"0{width}b"): int(c) for i, c in enumerate(ints) if c > 0}


def mitigate_counts(counts: dict[str, int], physical_qubits: Sequence[int], mitigator: Any
                    ) -> np.ndarray:
    """Readout-mitigated distribution (flat, qubit order) of ``counts`` with ``mthree``.

    Args:
        counts: Bitstring counts (bit ``i`` from the right = classical bit ``i``).
        physical_qubits: Physical qubit measured into classical bit ``i``.
        mitigator: A calibrated ``mthree.M3Mitigation``.

    Returns:
        The nearest probability distribution to the corrected quasi-probabilities.
    """
    width = len(physical_qubits)
    quasi = mitigator.apply_correction(counts, list(physical_qubits))
    probs = quasi.nearest_probability_distribution()
    out = np.zeros(1 << width)
    for key, value in probs.items():
        out[int(key, 2)] = float(value)
    return out / out.sum()


def _physical_qubits(isa: Any, width: int) -> list[int]:
    """Physical qubit measured into each classical bit ``0 … width−1`` of register ``m``."""
    mapping = {}
    for inst in isa.data:
        if inst.operation.name == "measure":
            bit = isa.find_bit(inst.clbits[0])
            if any(reg.name == "m" for reg, _ in bit.registers):
                mapping[bit.index] = isa.find_bit(inst.qubits[0]).index
    missing = [i for i in range(width) if i not in mapping]
    if missing:
        raise ParameterError(f"the transpiled circuit measures no qubit into m{missing}; "
                             "depth_scan needs a measured grid register")
    return [mapping[i] for i in range(width)]


class DepthScan(list):
    """Rows of :func:`depth_scan` (dicts), with :meth:`optimal` and :meth:`to_markdown`."""

    def optimal(self, key: str = "p_mitigated",
                shot_seconds: Callable[[int], float] | None = None) -> int:
        """:func:`optimal_depth` of these rows."""
        return optimal_depth(self, key=key, shot_seconds=shot_seconds)

    def to_markdown(self) -> str:
        """A table: steps, CX after transpilation, p ideal / raw / mitigated, TVDs."""
        lines = ["| steps | 2q gates | p ideal | p raw | p mitigated | TVD raw | TVD mitigated |",
                 "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in self:
            lines.append(f"| {r['steps']} | {r['two_qubit_gates']} | {r['p_ideal']:.3f} | "
                         f"{r['p_raw']:.3f} | {_fmt(r.get('p_mitigated'))} | "
                         f"{r['tvd_raw']:.3f} | {_fmt(r.get('tvd_mitigated'))} |")
        return "\n".join(lines)


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.3f}"


def optimal_depth(rows: Sequence[dict], *, key: str = "p_mitigated",
                  shot_seconds: Callable[[int], float] | None = None,
                  target: float = 0.99) -> int:
    """The number of steps with the most success per shot (or the least TTS).

    Args:
        rows: Dicts with ``"steps"`` and ``key`` (a success probability per shot); rows
            whose ``key`` is missing use ``"p_raw"``.
        key: Which success probability to rank by.
        shot_seconds: Optional time of one shot at ``s`` steps; then the depth minimizing
            ``t_shot(s)·ln(1−target)/ln(1−p(s))`` is returned.
        target: Confidence of the TTS.

    Returns:
        The best ``steps`` (ties: the fewer steps).

    Raises:
        ParameterError: No rows, or no row with a positive success probability.

    Example:
        >>> rows = [{"steps": 1, "p_raw": 0.2}, {"steps": 8, "p_raw": 0.3}]
        >>> optimal_depth(rows), optimal_depth(rows, shot_seconds=lambda s: 1e-6 * s)
        (8, 1)
    """
    scored = []
    for r in rows:
        p = r.get(key)
        p = r.get("p_raw") if p is None else p
        if p is None or not p > 0:
            continue
        s = int(r["steps"])
        if shot_seconds is None:
            scored.append((-float(p), s))
        else:
            reps = 1.0 if p >= target else math.log(1 - target) / math.log(1 - float(p))
            scored.append((float(shot_seconds(s)) * reps, s))
    if not scored:
        raise ParameterError(f"no depth has a positive success probability in {len(rows)} "
                             "rows; add shots or fewer steps")
    return min(scored)[1]


def depth_scan(spec_for: Callable[[int], Any], steps: Sequence[int] = (1, 2, 4, 8), *,
               backend: str = "fake_torino", shots: int = 4000, mitigate: bool = True,
               seed: int | None = None, store: Any = None, cal_shots: int | None = None
               ) -> DepthScan:
    """Success per shot versus Trotter steps on a (fake) backend, with and without mitigation.

    Args:
        spec_for: ``steps ↦`` a real-time or anneal spec (the same evolution at each depth).
        steps: Step counts to run.
        backend: Backend name (fake backends run locally with their noise model).
        shots: Shots per depth.
        mitigate: Also report ``mthree``-mitigated values (needs ``qdq[mitigation]``).
        seed: Transpiler and simulator seed.
        store: Job store (default: the default store; jobs are recorded like any other).
        cal_shots: Calibration shots per mthree circuit (default: mthree's).

    Returns:
        A :class:`DepthScan` of rows ``{"steps", "two_qubit_gates", "p_ideal", "p_raw",
        "p_mitigated", "tvd_raw", "tvd_mitigated", "job"}``.

    Raises:
        ParameterError: Empty or non-positive ``steps``, or an imaginary-time spec.
    """
    from qdq.engines.emulator import run_emulator
    from qdq.hardware.runtime import get_backend
    from qdq.hardware.submit import submit

    steps = [int(s) for s in steps]
    if not steps or any(s < 1 for s in steps):
        raise ParameterError(f"steps must be a non-empty list of integers >= 1, got {steps!r}")
    mitigator = None
    rows = DepthScan()
    for s in steps:
        spec = spec_for(s)
        if getattr(spec, "time_axis", None) == "imaginary":
            raise ParameterError("depth_scan takes real-time or anneal specs; imaginary time "
                                 "postselects, so its success is not one readout")
        job = submit(spec, backend=backend, shots=shots, seed=seed, store=store)
        result = job.result()
        grid = spec.grid
        mask = grid.to_flat(spec.problem.global_min_mask)
        raw = grid.to_flat(result.probabilities)
        ideal = grid.to_flat(run_emulator(spec).probabilities)
        row = {"steps": s, "two_qubit_gates": job.resource_report.two_qubit_gates,
               "p_ideal": float(ideal[mask].sum()), "p_raw": float(raw[mask].sum()),
               "tvd_raw": tvd(raw, ideal), "p_mitigated": None, "tvd_mitigated": None,
               "job": job.id}
        if mitigate:
            qubits = _physical_qubits(job.isa_circuit(), grid.num_qubits)
            if mitigator is None:
                mthree = require("mthree", "mitigation")
                mitigator = mthree.M3Mitigation(get_backend(backend)[0])
            mitigator.cals_from_system(qubits, shots=cal_shots, async_cal=False)
            fixed = mitigate_counts(counts_from_probabilities(raw, result.shots), qubits,
                                    mitigator)
            row["p_mitigated"] = float(fixed[mask].sum())
            row["tvd_mitigated"] = tvd(fixed, ideal)
        rows.append(row)
    return rows
