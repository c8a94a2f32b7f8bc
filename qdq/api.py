"""Top-level entry points: :func:`run` and :func:`build_circuit`.

``run`` dispatches a spec to an engine by name; engines are imported only when used,
so ``import qdq`` stays light.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=5))
    >>> r.backend
    'emulator'
"""

from __future__ import annotations

import difflib
import importlib

from qdq.errors import BackendError
from qdq.evolution import EvolutionSpec
from qdq.results import Result
from qdq.validate import check_finite_distribution, check_seed, check_shots

#: Engine name -> "module:function". Each function takes ``(spec, *, shots, seed, **opts)``.
ENGINES: dict[str, str] = {
    "emulator": "qdq.engines.emulator:run_emulator",
    "aer": "qdq.engines.aer:run_aer",
    "pennylane": "qdq.engines.pennylane:run_pennylane",
}


def _engine(name: str):
    if not isinstance(name, str) or name not in ENGINES:
        close = difflib.get_close_matches(str(name), list(ENGINES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BackendError(
            f"unknown backend {name!r}{hint}; valid backends: {', '.join(ENGINES)}. "
            "For IBM hardware or fake backends use qdq.submit(spec, backend=...)"
        )
    module, func = ENGINES[name].split(":")
    try:
        return getattr(importlib.import_module(module), func)
    except ImportError as exc:
        raise BackendError(f"backend {name!r} is unavailable: {exc}") from exc


def run(spec: EvolutionSpec, backend: str = "emulator", *, shots: int | None = None,
        seed: int | None = None, **options) -> Result:
    """Run an evolution spec on an engine.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`
            (or anything with a ``run(backend=..., ...)`` method, e.g. the two-loop algorithm).
        backend: ``"emulator"`` (FFT, default), ``"aer"`` or ``"pennylane"``.
        shots: ``None`` for exact probabilities, or a number of shots.
        seed: Sampling seed.
        **options: Engine options (e.g. ``device="GPU"`` for Aer, ``observe_every`` for the
            emulator).

    Returns:
        A :class:`~qdq.Result`.

    Raises:
        BackendError: Unknown or unavailable backend, or non-finite output.
        ParameterError: ``shots`` not ``None``/an integer ``>= 1``, or ``seed`` not
            ``None``/an integer ``>= 0``.
    """
    shots, seed = check_shots(shots), check_seed(seed)
    if not isinstance(spec, EvolutionSpec) and hasattr(spec, "run"):
        return spec.run(backend=backend, shots=shots, seed=seed, **options)
    result = _engine(backend)(spec, shots=shots, seed=seed, **options)
    # No engine may report a NaN distribution as a success.
    check_finite_distribution(result.probabilities, f"backend {backend!r}",
                              "reduce D, time/steps or the objective's scale")
    return result


def build_circuit(spec: EvolutionSpec, **options):
    """Build the ``qiskit.QuantumCircuit`` of a spec (see :mod:`qdq.circuits.trotter`)."""
    from qdq.circuits.trotter import build_circuit as _build

    return _build(spec, **options)
