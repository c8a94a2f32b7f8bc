r"""Cloud engines: ``qdq.run(spec, backend="braket" | "ionq" | "iqm", device=..., shots=...)``.

Each submits through :func:`qdq.hardware.submit` with the backend name
``"<cloud>:<device>"`` (recorded durably in the store like every hardware job) and waits
for :meth:`qdq.hardware.Job.result`. For asynchronous use — submit now, fetch later,
across processes — call :func:`qdq.submit` with ``backend="braket:<device>"`` and keep the
:class:`~qdq.Job`. The provider records are in :mod:`qdq.hardware.clouds`.

Example:
    >>> import qdq, tempfile
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
    >>> s = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=1)
    >>> r = qdq.run(s, backend="braket", device="local", shots=200,
    ...             store=tempfile.mkdtemp() + "/jobs.db")
    >>> r.backend, r.shots
    ('braket:local', 200)
"""

from __future__ import annotations

from typing import Any

from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.results import Result

__all__ = ["braket_engine", "ionq_engine", "iqm_engine"]


def _run(prefix: str, example: str, spec: EvolutionSpec, shots: int | None,
         seed: int | None, options: dict[str, Any]) -> Result:
    options = dict(options)
    device = options.pop("device", None)
    if not isinstance(device, str) or not device.strip():
        raise ParameterError(f"backend {prefix!r} needs device=<name>, e.g. "
                             f"device={example!r}, got {device!r}")
    if shots is None:
        raise ParameterError(f"backend {prefix!r} samples: pass shots=N (e.g. 4000)")
    timeout = options.pop("timeout", None)
    from qdq.hardware.clouds.submit import submit_cloud

    job = submit_cloud(spec, f"{prefix}:{device.strip()}", shots, seed=seed, **options)
    return job.result(timeout=timeout)


def braket_engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
                  options: dict) -> Result:
    """Run on an Amazon Braket device (``device="local"`` runs offline)."""
    return _run("braket", "local", spec, shots, seed, options)


def ionq_engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
                options: dict) -> Result:
    """Run on IonQ's cloud (``device="simulator"``, ``"qpu.forte-1"``, …)."""
    return _run("ionq", "simulator", spec, shots, seed, options)


def iqm_engine(spec: EvolutionSpec, *, shots: int | None, seed: int | None,
               options: dict) -> Result:
    """Run on an IQM device through Amazon Braket (``device="garnet"``)."""
    return _run("iqm", "garnet", spec, shots, seed, options)
