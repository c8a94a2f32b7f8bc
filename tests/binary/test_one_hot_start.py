"""initial="one-hot": a W state per group of an XY-mixer problem, prepared group by group."""

import numpy as np
import pytest

import qdq
from qdq.binary.tsp import tsp
from qdq.binary.xy import one_hot_uniform
from qdq.circuits.ops import Prepare
from qdq.circuits.program import program
from qdq.errors import ParameterError

D4 = np.array([[0, 2, 9, 10], [2, 0, 6, 4], [9, 6, 0, 3], [10, 4, 3, 0.0]])


@pytest.mark.parametrize("backend", ["emulator", "aer", "jax"])
def test_one_hot_start_equals_the_feasible_uniform_array(backend):
    if backend == "jax":
        pytest.importorskip("jax")
    b = tsp(D4)
    by_name = qdq.Anneal(b, schedule="linear", time=3.0, steps=30, initial="one-hot")
    by_array = qdq.Anneal(b, schedule="linear", time=3.0, steps=30,
                          initial=one_hot_uniform(b.layout, b.kinetic_term.groups))
    got = qdq.run(by_name, backend=backend).probabilities
    want = qdq.run(by_array, backend="emulator").probabilities
    assert np.max(np.abs(got - want)) < 1e-10
    assert np.max(np.abs(want - np.abs(by_array.initial) ** 2)) > 0.02  # it moved
    assert by_name.to_dict()["initial"] == "one-hot"


def test_circuits_prepare_each_group_alone():
    b = tsp(D4)                                       # 3 groups of 3 bits
    spec = qdq.QAOA(b, [0.01], [-0.3], initial="one-hot")
    preps = [op for op in program(spec) if isinstance(op, Prepare)]
    assert [len(op.qubits) for op in preps] == [3, 3, 3]
    for op in preps:                                  # a W state: 1/√3 on |001>, |010>, |100>
        assert np.allclose(np.abs(op.amplitudes) ** 2, [0, 1 / 3, 1 / 3, 0, 1 / 3, 0, 0, 0])


def test_free_bits_start_in_plus():
    from qdq.binary.xy import XYMixer

    b = qdq.BinaryProblem({(0, 1): 1.0, (2,): -1.0}, num_bits=3,
                          mixer=XYMixer(3, [[0, 1]]))
    psi = qdq.RealTime(qdq.Hamiltonian(b), time=0.1, steps=1, initial="one-hot").initial_state()
    assert np.allclose(np.abs(psi) ** 2, [0, .25, .25, 0, 0, .25, .25, 0])


def test_one_hot_needs_groups():
    b = qdq.BinaryProblem({(0, 1): 1.0}, num_bits=2)
    with pytest.raises(ParameterError, match="one-hot"):
        qdq.QAOA(b, [0.1], [0.1], initial="one-hot")
