"""Bits -> grid: register order, multi-dimensional grids, postselection."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.primitives import BitArray

from qdq.engines.readout import histogram_counts
from qdq.errors import BackendError, PostselectionError
from qdq.grid import Grid
from qdq.hardware.decode import decode_bitarrays, to_result


def _info(grid: Grid, values=None):
    vals = np.zeros(grid.shape) if values is None else values
    return {"grid": grid.to_dict(), "values": vals.tolist(), "D": 0.5, "method": "real-time",
            "evolution": {"method": "real-time", "problem": {"name": "demo"}}}


def test_two_dimensional_grid_order():
    """Qubits 0-1 are dimension 0 (LSB first), qubit 2 is dimension 1."""
    grid = Grid([(-1, 1), (0, 1)], qubits=[2, 1])
    # bitstring is big-endian: "1 01" -> qubit2=1, qubits1..0 = 0,1 -> j0=1, j1=1
    m = BitArray.from_samples(["101", "101", "010"], num_bits=3)
    hist, acc, tot = decode_bitarrays({"m": m}, 3)
    r = to_result(hist, acc, tot, _info(grid), backend="fake")
    assert r.probabilities.shape == (4, 2)
    assert r.probabilities[1, 1] == pytest.approx(2 / 3)
    assert r.probabilities[2, 0] == pytest.approx(1 / 3)
    assert r.problem == {"name": "demo"} and r.success_probability == 1.0


def test_counts_and_bitarrays_agree(rng):
    samples = ["".join(rng.choice(["0", "1"], size=4)) for _ in range(200)]
    post = ["".join(rng.choice(["0", "1"], size=2, p=[0.8, 0.2])) for _ in range(200)]
    h1, a1, t1 = decode_bitarrays({"m": BitArray.from_samples(samples, 4),
                                   "post": BitArray.from_samples(post, 2)}, 4)
    counts: dict[str, int] = {}
    for s, p in zip(samples, post, strict=True):
        counts[f"{p} {s}"] = counts.get(f"{p} {s}", 0) + 1
    h2, a2, t2 = histogram_counts(counts, 4, post_bits=2)
    np.testing.assert_array_equal(h1, h2)
    assert (a1, t1) == (a2, t2) and t1 == 200 and a1 < 200


def test_missing_or_wrong_register():
    with pytest.raises(BackendError, match="no classical register 'm'"):
        decode_bitarrays({"c": BitArray.from_samples(["0"], 1)}, 1)
    with pytest.raises(BackendError, match="has 2 bits, the grid 3 qubits"):
        decode_bitarrays({"m": BitArray.from_samples(["01"], 2)}, 3)


def test_nothing_accepted():
    grid = Grid([(-1, 1)], qubits=1)
    with pytest.raises(PostselectionError, match="no shot of 5 survived"):
        to_result(np.zeros(2), 0, 5, _info(grid), backend="fake")
