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

# public name -> "module:attribute", or "module" for a submodule; loaded on first access.
_EXPORTS = {
    "Problem": "qdq.problem:Problem",
    "Grid": "qdq.grid:Grid",
    "Hamiltonian": "qdq.hamiltonian:Hamiltonian",
    "RealTime": "qdq.evolution:RealTime",
    "ImaginaryTime": "qdq.evolution:ImaginaryTime",
    "Anneal": "qdq.evolution:Anneal",
    "ProductFormula": "qdq.evolution:ProductFormula",
    "GaussianPacket": "qdq.states:GaussianPacket",
    "Result": "qdq.results:Result",
    "run": "qdq.api:run",
    "build_circuit": "qdq.api:build_circuit",
    "TwoLoop": "qdq.twoloop:TwoLoop",
    "TwoLoopResult": "qdq.twoloop:TwoLoopResult",
    "submit": "qdq.hardware:submit",
    "jobs": "qdq.hardware:jobs",
    "Job": "qdq.hardware:Job",
    "compare": "qdq.compare",  # the package; calling it runs qdq.compare.compare
    "estimate": "qdq.estimate",  # the package; calling it runs qdq.estimate.estimate
    "Report": "qdq.compare:Report",
    "minimize": "qdq.minimize",  # the package; calling it runs qdq.minimize.minimize
    "read_qp": "qdq.minimize:read_qp",
    "benchmarks": "qdq.benchmarks",
    "schedules": "qdq.schedules",
    "optimize_schedule": "qdq.learn:optimize_schedule",
    "theory": "qdq.theory",
    "errors": "qdq.errors",
    "BinaryProblem": "qdq.binary.problem:BinaryProblem",
    "QAOA": "qdq.qaoa:QAOA",
    "Layout": "qdq.layout:Layout",
}

__all__ = ["QdqError", "__version__", *_EXPORTS]


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'qdq' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    mod = importlib.import_module(module)
    value = getattr(mod, attr) if attr else mod
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
