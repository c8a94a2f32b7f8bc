"""qdq: quantum dynamics for optimization, as circuits that run.

An objective ζ(x) becomes the potential of ``H = −D∇² + ζ`` on qubit registers; qdq
evolves it in real time, imaginary time, or under an annealing schedule, as Qiskit
circuits (Aer, IBM hardware, PennyLane) and on a fast FFT emulator.

Example:
    >>> import qdq
    >>> p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=6)
    >>> H = qdq.Hamiltonian(p, D=0.05)
    >>> r = qdq.run(qdq.RealTime(H, time=2.0, steps=40), backend="emulator")
    >>> r.probabilities.shape
    (64,)

Heavy or optional packages (Qiskit, PennyLane, the IBM runtime) load on first use.
"""

from __future__ import annotations

import importlib

from qdq.errors import QdqError

__version__ = "0.1.0"

_EXPORTS = {
    "Problem": "qdq.problem",
    "Grid": "qdq.grid",
    "Hamiltonian": "qdq.hamiltonian",
    "RealTime": "qdq.evolution",
    "ImaginaryTime": "qdq.evolution",
    "Anneal": "qdq.evolution",
    "ProductFormula": "qdq.evolution",
    "GaussianPacket": "qdq.states",
    "Result": "qdq.results",
    "run": "qdq.api",
    "build_circuit": "qdq.api",
    "benchmarks": "qdq.benchmarks",
    "errors": "qdq.errors",
    "submit": "qdq.hardware", "jobs": "qdq.hardware", "Job": "qdq.hardware",  # hardware API
    "compare": "qdq.compare",
    "Report": "qdq.compare",
}

__all__ = ["QdqError", "__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qdq' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
