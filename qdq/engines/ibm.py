"""IBM engine: ``qdq.run(spec, backend="ibm", device=..., shots=...)``, submit and wait.

The spec's circuit is submitted through :func:`qdq.hardware.submit` (transpiled to the
device, recorded durably in the store, run by the executor sampler) and the call waits
for :meth:`qdq.hardware.Job.result`, which decodes the bits with
:mod:`qdq.engines.readout` like every other engine. For asynchronous use — submit now,
fetch later, across processes — call :func:`qdq.submit` and keep the :class:`~qdq.Job`.

A fake backend (``device="fake_torino"``, …) runs locally with the device's noise model.
Needs ``pip install -e '.[ibm]'``.

Example:
    >>> import qdq, tempfile
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
    >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=1)
    >>> r = qdq.run(s, backend="ibm", device="fake_torino", shots=200, seed=1,
    ...             store=tempfile.mkdtemp() + "/jobs.db")       # doctest: +SKIP
    >>> r.shots, r.accepted_shots                                # doctest: +SKIP
    (200, 200)
"""

from __future__ import annotations

from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.results import Result


def engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
           options: dict) -> Result:
    """Submit ``spec`` to ``options["device"]`` and wait for its decoded result.

    Args:
        spec: The evolution spec.
        shots: Shots (required: hardware samples).
        seed: Transpiler seed, and the simulator seed on fake backends.
        options: ``device`` (required) plus the options of :func:`qdq.hardware.submit`
            (``mode``, ``dynamical_decoupling``, ``twirling``, ``optimization_level``,
            ``primitive``, ``store``, ``service``) and ``timeout`` (seconds to wait for a
            remote job; ``None``: as long as it takes).

    Returns:
        The job's :class:`~qdq.Result` (``backend`` is the device name).

    Raises:
        ParameterError: No ``device``, or no ``shots``.
        BackendError, DependencyError: As :func:`qdq.hardware.submit`.
    """
    options = dict(options)
    device = options.pop("device", None)
    if not isinstance(device, str) or not device:
        raise ParameterError(f"backend 'ibm' needs device=<name>, e.g. device='fake_torino' "
                             f"(local, noisy) or device='ibm_torino', got {device!r}")
    if shots is None:
        raise ParameterError("backend 'ibm' samples: pass shots=N (e.g. 4000)")
    timeout = options.pop("timeout", None)
    from qdq.hardware import submit

    job = submit(spec, device, shots, seed=seed, **options)
    return job.result(timeout=timeout)
