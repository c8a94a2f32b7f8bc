"""Sampling binary specs without a dense state (Aer matrix product states)."""

import numpy as np
import pytest

import qdq
from qdq.engines.bitstrings import sample_bitstrings
from qdq.errors import ParameterError, ResourceError


def ring(n):
    """ζ = −cut of the n-cycle."""
    return qdq.BinaryProblem({(i, (i + 1) % n): 2.0 for i in range(n)}
                             | {(i,): -2.0 for i in range(n)}, num_bits=n)


def test_samples_follow_the_exact_distribution_and_energies_come_from_the_polynomial():
    b = qdq.BinaryProblem({(0, 1): -2.0, (1, 2, 3): 1.5, (4,): 0.5, (2, 5): -1.0}, num_bits=6)
    spec = qdq.QAOA(b, [0.5, 0.3], [-0.4, -0.2])
    exact = qdq.run(spec, backend="emulator").probabilities
    s = sample_bitstrings(spec, shots=4000, seed=3)
    freq = np.zeros(64)
    for bits, c in s.counts.items():
        idx = sum(int(ch) << i for i, ch in enumerate(bits))  # x0 is the leftmost character
        freq[idx] += c / s.shots
        assert s.energies[bits] == b.values[idx]
    assert 0.5 * np.abs(freq - exact).sum() < 0.05        # total variation
    assert np.max(np.abs(exact - 1 / 64)) > 0.02          # the state moved


def test_bit_order_is_x0_first():
    b = qdq.BinaryProblem({(0,): 1.0, (3,): 1.0}, num_bits=5)
    start = np.zeros(32)
    start[0b00110] = 1.0                                  # x1 = x2 = 1
    s = sample_bitstrings(qdq.RealTime(qdq.Hamiltonian(b, D=1e-9), time=1e-3, steps=1,
                                       initial=start), shots=50, seed=0)
    assert s.counts == {"01100": 50}


def test_forty_bits_by_matrix_product_state_match_the_light_cone():
    # At p = 1 an edge's expectation depends only on its 4-node neighbourhood, the same on
    # every ring of n >= 5 nodes: ⟨ζ⟩ on 40 bits is 5× the exact value on 8.
    g, be = [0.6], [-0.35]
    small = qdq.run(qdq.QAOA(ring(8), g, be), backend="emulator").expected_potential
    s = sample_bitstrings(qdq.QAOA(ring(40), g, be), shots=600, seed=5)
    energies = np.repeat([s.energies[k] for k in s.counts], [s.counts[k] for k in s.counts])
    se = energies.std() / np.sqrt(energies.size)
    assert abs(s.mean_energy - 5 * small) < 5 * se
    assert s.mean_energy < -20 - 10 * se                 # beats uniform sampling's −20
    assert s.best_energy >= -40 and s.num_bits == 40


def test_dense_engines_refuse_forty_bits_and_name_the_sampler():
    with pytest.raises(ResourceError, match="sample_bitstrings"):
        qdq.run(qdq.QAOA(ring(40), [0.4], [-0.3]), backend="aer", shots=10)


@pytest.mark.parametrize("kwargs, match", [
    ({"shots": 0}, "shots"), ({"shots": 5, "method": "density"}, "method"),
    ({"shots": 5, "max_bond_dimension": 0}, "max_bond_dimension"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sample_bitstrings(qdq.QAOA(ring(6), [0.1], [0.1]), **kwargs)


def test_imaginary_time_and_grids_are_refused():
    with pytest.raises(ParameterError, match="imaginary"):
        sample_bitstrings(qdq.ImaginaryTime(qdq.Hamiltonian(ring(4)), time=0.1, steps=1), 5)
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    with pytest.raises(ParameterError, match="binary"):
        sample_bitstrings(qdq.RealTime(qdq.Hamiltonian(p)), 5)


def test_the_emulator_refuses_thirty_bits_before_allocating_and_names_the_sampler(monkeypatch):
    import qdq.grid

    # a 24 GB machine, whatever this one has: 30 bits need 32 GiB
    monkeypatch.setattr(qdq.grid, "MEMORY_READERS", {"fixed": lambda: 23 << 30})
    b = qdq.BinaryProblem({(i, i + 1): 1.0 for i in range(29)}, num_bits=30)
    with pytest.raises(ResourceError, match="30-bit qaoa run .*32 B per amplitude.*"
                                            "sample_bitstrings"):
        qdq.run(qdq.QAOA(b, [0.1], [-0.1]), backend="emulator")
