"""Top-level entry points: :func:`run` and :func:`build_circuit`.

``run`` checks its arguments once — ``shots``, ``seed`` and the engine's declared options
(:mod:`qdq.engines.registry`) — and calls the engine named by ``backend``; engines are
imported only when used, so ``import qdq`` stays light. Composite algorithms
(:class:`~qdq.runnable.Runnable`, e.g. :class:`~qdq.TwoLoop`) run themselves.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=5))
    >>> r.backend
    'emulator'
    >>> qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5)), backend="aer", devcie="GPU")
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: unknown option 'devcie' for backend 'aer' (did you mean device?); valid options: device, swap_free, ancillas, noise_model, method, or the options of simulator_options()
"""  # noqa: E501

from __future__ import annotations

from typing import Any

from qdq.engines.registry import get_engine
from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.results import Result
from qdq.runnable import Runnable
from qdq.validate import check_finite_distribution, check_seed, check_shots


def run(spec: EvolutionSpec | Runnable, backend: str = "local", *, shots: int | None = None,
        seed: int | None = None, **options: Any) -> Result | Any:
    """Run an evolution spec on an engine.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`,
            or a :class:`~qdq.runnable.Runnable` algorithm (e.g. :class:`~qdq.TwoLoop`,
            which returns its own result type).
        backend: ``"local"`` (default: the fastest installed engine for the spec — JAX
            when installed and the run repays its compile, else the numpy FFT emulator;
            :mod:`qdq.engines.local`), ``"emulator"``, ``"jax"``, ``"aer"``,
            ``"pennylane"``, ``"ibm"`` (hardware or a fake backend:
            ``device="fake_torino"``, shots only), or any engine registered with
            :func:`qdq.engines.registry.register_engine`. ``Result.backend`` names the
            engine that ran.
        shots: ``None`` for exact probabilities, or a number of shots.
        seed: Sampling seed.
        **options: Engine options, checked against the keys the engine declares (e.g.
            ``device="GPU"`` for Aer, ``observe_every`` for the emulator).

    Returns:
        A :class:`~qdq.Result`.

    Raises:
        BackendError: Unknown or unavailable backend, or non-finite output.
        ParameterError: ``shots`` not ``None``/an integer ``1 <= shots < 2**63``, ``seed``
            not ``None``/an integer ``0 <= seed < 2**63`` (:mod:`qdq.validate`), an option
            the engine does not declare, exact mode on a shots-only engine, or a ``spec``
            that is neither an evolution spec nor a :class:`~qdq.runnable.Runnable`.
        ResourceError: The run cannot fit in memory, refused before allocating: the state
            (every engine), the whole circuit of engines that build one (Aer, PennyLane:
            ``steps ×`` one step's instructions, :mod:`qdq.engines.circuit_memory`) or
            Aer's per-shot records. The emulator streams the steps, so a huge ``steps``
            there is only long: it shows progress in a terminal and stops on Ctrl-C.
    """
    shots, seed = check_shots(shots), check_seed(seed)
    if isinstance(spec, Runnable):
        return spec.run(backend=backend, shots=shots, seed=seed, **options)
    if not isinstance(spec, EvolutionSpec):
        raise ParameterError(
            f"qdq.run needs an evolution spec (qdq.RealTime, qdq.ImaginaryTime, qdq.Anneal) "
            f"or a runnable algorithm such as qdq.TwoLoop, got {type(spec).__name__}"
        )
    engine = get_engine(backend)
    options = engine.check_options(options)
    if shots is None and not engine.supports_exact:
        raise ParameterError(f"backend {backend!r} only samples: pass shots=N (e.g. 4000), "
                             "or use backend='aer' or 'emulator' for exact probabilities")
    if shots is not None and not engine.supports_shots:
        raise ParameterError(f"backend {backend!r} computes exact probabilities only: pass "
                             f"shots=None, got shots={shots}")
    result = engine.load()(spec, shots=shots, seed=seed, options=options)
    # No engine may report a NaN distribution as a success.
    check_finite_distribution(result.probabilities, f"backend {backend!r}",
                              "reduce D, time/steps or the objective's scale")
    return result


def build_circuit(spec: EvolutionSpec, **options):
    """Build the ``qiskit.QuantumCircuit`` of a spec (see :mod:`qdq.circuits.trotter`)."""
    from qdq.circuits.trotter import build_circuit as _build

    return _build(spec, **options)
