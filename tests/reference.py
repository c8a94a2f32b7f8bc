"""Independent references for tests, written without qdq's engines."""

import numpy as np


def dft_matrix(n: int) -> np.ndarray:
    """Unitary-free DFT matrix F with (F psi) = numpy.fft.fft(psi), built from its definition."""
    j = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(j, j) / n)


def dense_hamiltonian(values: np.ndarray, bounds, D: float) -> np.ndarray:
    """H = D k^2 (via explicit DFT matrices, one per dimension, Kronecker-combined) + diag(values).

    Acts on grid-shaped states flattened in C order. Written independently of qdq.hamiltonian.
    """
    shape = values.shape
    H = np.diag(values.reshape(-1)).astype(complex)
    for d, n in enumerate(shape):
        lo, hi = bounds[d]
        h = (hi - lo) / n
        m = np.array([j if j < n // 2 else j - n for j in range(n)])
        k = 2 * np.pi * m / (n * h)
        F = dft_matrix(n)
        T1 = np.linalg.inv(F) @ np.diag(D * k**2) @ F
        ops = [np.eye(s) for s in shape]
        ops[d] = T1
        full = ops[0]
        for op in ops[1:]:
            full = np.kron(full, op)
        H = H + full
    return H


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a).reshape(-1)
    b = np.asarray(b).reshape(-1)
    return float(abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real))
