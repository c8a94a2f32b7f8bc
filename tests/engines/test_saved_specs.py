"""Continuous specs reproduce arrays saved before the kinetic term became an object.

``tests/data/continuous_reference.npz`` was written by commit 47f06e3 (the last one before
the kinetic-term / layout split) running these exact specs on the emulator. On the same
library versions the arrays were bit-identical after the split (44 arrays compared, emulator,
Aer and JAX); here the tolerance is 1e-12, so a newer numpy/scipy FFT that rounds differently
still passes while a changed operator (a wrong kinetic diagonal, a moved factor) fails.
"""

from pathlib import Path

import numpy as np
import pytest

import qdq

SAVED = Path(__file__).resolve().parents[1] / "data" / "continuous_reference.npz"


def specs():
    p1 = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=6)
    p2 = qdq.Problem("x**2 + x*y + 0.5*y**2 + sin(3*x)", bounds=[(-2, 2), (-1, 3)],
                     qubits=[4, 3])
    return {
        "real_1d": qdq.RealTime(qdq.Hamiltonian(p1, D=0.1), time=2.0, steps=40),
        "imaginary_2d": qdq.ImaginaryTime(qdq.Hamiltonian(p2, D=0.3), time=1.0, steps=20),
        "anneal_2d": qdq.Anneal(p2, D=0.5, schedule="qhd-cubic", time=3.0, steps=200),
        "real_2d_order4": qdq.RealTime(qdq.Hamiltonian(p2, D=0.2), time=1.0, steps=10, order=4),
    }


@pytest.mark.parametrize("name", list(specs()))
def test_emulator_reproduces_the_saved_arrays(name):
    saved = np.load(SAVED)
    r = qdq.run(specs()[name], backend="emulator")
    ref = saved[f"{name}.statevector"]
    assert np.max(np.abs(r.statevector - ref)) < 1e-12
    assert abs(r.success_probability / saved[f"{name}.success"][0] - 1) < 1e-12
    assert np.max(np.abs(np.abs(ref) ** 2 - 1 / ref.size)) > 1e-3  # the saved state moved
