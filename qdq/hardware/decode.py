r"""Decode sampler output (``BitArray``\ s or count dicts) to a grid-shaped :class:`~qdq.Result`.

The histograms, postselection and the :class:`~qdq.Result` itself come from
:mod:`qdq.engines.readout` (shared with the Aer and PennyLane engines); this module reads
the sampler's registers and a stored job description.

Circuits from :func:`qdq.build_circuit` measure the grid registers ``x0, x1, …`` into
the classical register ``"m"`` (bit ``j`` = grid qubit ``j``, so the measured integer is
the flat grid index in qubit order) and, for imaginary time, the ancillas into
``"post"``. A shot is accepted when every ``post`` bit is 0; the histogram of accepted
shots, normalized, is the output distribution, and the accepted fraction is the
``success_probability`` (as for Aer with shots).

Example:
    >>> import numpy as np
    >>> from qdq.engines.readout import histogram_counts
    >>> from qdq.grid import Grid
    >>> grid = Grid([(-1, 1)], qubits=2)
    >>> hist, accepted, total = histogram_counts({"01": 30, "11": 10}, grid.num_qubits)
    >>> hist.tolist(), accepted, total
    ([0.0, 30.0, 0.0, 10.0], 40, 40)
    >>> hist, accepted, total = histogram_counts({"1 01": 5, "0 01": 15}, 2, post_bits=1)
    >>> hist.tolist(), accepted, total
    ([0.0, 15.0, 0.0, 0.0], 15, 20)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qdq.engines.readout import (
    RunInfo,
    histogram_bits,
    make_result,
    shot_distribution,
)
from qdq.errors import BackendError

__all__ = ["GRID_REGISTER", "POST_REGISTER", "decode_bitarrays", "to_result"]

#: Classical register holding the grid measurement.
GRID_REGISTER = "m"
#: Classical register holding the ancilla (postselection) measurements.
POST_REGISTER = "post"


def decode_bitarrays(data: Any, num_grid_qubits: int, *, grid_register: str = GRID_REGISTER,
                     post_register: str | None = POST_REGISTER) -> tuple[np.ndarray, int, int]:
    """Histogram the grid register of a sampler pub result, postselecting on ``post``.

    Args:
        data: A pub result's ``.data`` (``DataBin`` of ``BitArray``), or a mapping of
            register name to ``BitArray``.
        num_grid_qubits: Width of the grid register.
        grid_register: Name of the grid register.
        post_register: Name of the ancilla register (ignored when absent).

    Returns:
        ``(hist, accepted, total)``: accepted-shot counts per flat grid index (length
        ``2**num_grid_qubits``, qubit order), accepted shots, all shots.

    Raises:
        BackendError: The grid register is missing or has the wrong width.

    Example:
        >>> import numpy as np
        >>> from qiskit.primitives import BitArray
        >>> m = BitArray.from_samples(["01", "01", "10"], num_bits=2)
        >>> post = BitArray.from_samples(["0", "1", "0"], num_bits=1)
        >>> hist, acc, tot = decode_bitarrays({"m": m, "post": post}, 2)
        >>> hist.tolist(), acc, tot
        ([0.0, 1.0, 1.0, 0.0], 2, 3)
    """
    regs = dict(data) if not isinstance(data, Mapping) else dict(data.items())
    if grid_register not in regs:
        raise BackendError(
            f"sampler result has no classical register {grid_register!r} (registers: "
            f"{sorted(regs)}); the circuit must come from qdq.build_circuit(spec, measure=True)"
        )
    grid_ba = regs[grid_register]
    if grid_ba.num_bits != num_grid_qubits:
        raise BackendError(
            f"register {grid_register!r} has {grid_ba.num_bits} bits, the grid "
            f"{num_grid_qubits} qubits; the job was not built from this spec"
        )
    grid_bits = np.asarray(grid_ba.to_bool_array(order="little")).reshape(-1, num_grid_qubits)
    post_bits = None
    if post_register and post_register in regs:
        post_ba = regs[post_register]
        post_bits = np.asarray(post_ba.to_bool_array(order="little")).reshape(
            -1, post_ba.num_bits)
    return histogram_bits(grid_bits, post_bits)


def to_result(hist: np.ndarray, accepted: int, total: int, info: Mapping[str, Any], *,
              backend: str, extra: Mapping[str, Any] | None = None,
              timing: Mapping[str, float] | None = None) -> Any:
    """Build the :class:`~qdq.Result` of a hardware job from its decoded histogram.

    Args:
        hist: Accepted counts per flat grid index (qubit order).
        accepted: Accepted shots.
        total: All shots.
        info: The job's stored description: ``{"grid", "values", "D", "method",
            "evolution"}`` (see :func:`qdq.hardware.submit.job_description`).
        backend: Backend name for ``Result.backend``.
        extra: Extra fields for ``Result.extra``.
        timing: Seconds per phase.

    Returns:
        The result; ``probabilities`` grid-shaped, ``success_probability = accepted/total``.

    Raises:
        PostselectionError: No shot survived postselection.

    Example:
        >>> import numpy as np
        >>> info = {"grid": {"bounds": [[-1, 1]], "qubits": [2]}, "values": [1, 0, 1, 4],
        ...         "D": 0.5, "method": "real-time", "evolution": {}}
        >>> r = to_result(np.array([0, 30, 10, 0.]), 40, 50, info, backend="fake_manila")
        >>> r.probabilities.tolist(), r.success_probability, r.best_point
        ([0.0, 0.75, 0.25, 0.0], 0.8, (-0.5,))
    """
    run = RunInfo.from_description(info)
    probs, success = shot_distribution(run.grid, hist, accepted, total)
    return make_result(run, backend=backend, probabilities=probs, success_probability=success,
                       shots=total, accepted_shots=accepted, timing=timing, extra=extra)
