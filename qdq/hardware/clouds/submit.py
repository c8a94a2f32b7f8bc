r"""Submit a spec's circuit to a cloud backend (``braket:…``, ``ionq:…``, ``iqm:…``).

The same steps, store and :class:`~qdq.hardware.Job` as IBM submissions
(:mod:`qdq.hardware.submit`), with the provider record doing the cloud-specific parts:

1. resolve the device and check the credentials (:meth:`CloudProvider.get_device
   <qdq.hardware.clouds.base.CloudProvider.get_device>`; read at submit time, never
   stored);
2. build the measured circuit — imaginary time takes **fresh ancillas measured at the end**
   on a device without mid-circuit measurement and reset (IonQ, Braket's simulators), the
   same postselection as the reused ancillas of IBM devices;
3. transpile for the device's target, compute the resource report (two-qubit gates,
   depth, estimated fidelity from the device's reported error rates) and the cost
   (:mod:`~qdq.hardware.clouds.pricing`); refuse above ``max_cost`` — all before anything
   is recorded;
4. record the job (status ``created``) before submitting, submit, attach the provider's id.

Example:
    >>> import os, tempfile
    >>> import qdq
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    >>> spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)
    >>> job = submit_cloud(spec, "braket:local", 400, store=store, seed=1)
    >>> job.backend, job.params["cost_usd"], job.result().shots
    ('braket:local', 0.0, 400)
"""

from __future__ import annotations

import logging
import time as _time
from typing import Any

import qdq.hardware.runtime as runtime
from qdq.engines.circuit_memory import check_circuit_memory
from qdq.errors import BackendError
from qdq.hardware.clouds import cloud_for
from qdq.hardware.clouds.base import shown
from qdq.hardware.clouds.pricing import attach_cost, device_price, guard_cost
from qdq.hardware.job import Job
from qdq.hardware.launch import (
    check_hardware_shots,
    job_description,
    open_store,
    provider_job_id,
    remember_local,
)
from qdq.hardware.transpile import resource_report, transpile_for
from qdq.redact import redact

__all__ = ["build_for_device", "plan_cloud", "submit_cloud"]

logger = logging.getLogger("qdq.hardware")


def build_for_device(spec: Any, mid_circuit: bool) -> Any:
    """The measured circuit; imaginary time with fresh ancillas unless ``mid_circuit``."""
    from qdq.circuits.imaginary import build_imaginary_circuit
    from qdq.circuits.trotter import build_circuit

    if spec.method == "imaginary-time" and not mid_circuit:
        return build_imaginary_circuit(spec, measure=True, ancillas="fresh")
    return build_circuit(spec, measure=True)


def plan_cloud(spec: Any, backend: str, *, optimization_level: int = 2,
               seed: int | None = None, shots: int | None = None,
               check_credentials: bool = True) -> dict[str, Any]:
    """Resolve, build, transpile and report (cost included); nothing is recorded.

    With ``check_credentials=False`` (a preview) a device whose target is known offline
    (IonQ's) is reported without an account; one that must be read from the cloud
    (Braket's QPUs) still needs it.

    Returns:
        ``{"cloud", "device", "isa", "report", "timing"}``; ``report.cost_usd`` and
        ``report.cost_note`` hold the price for ``shots``.
    """
    from qdq.evolution import EvolutionSpec

    EvolutionSpec.require(spec, "submit")
    cloud = cloud_for(backend)
    if cloud is None:  # pragma: no cover - callers dispatch on the prefix
        raise BackendError(f"{shown(backend)} is not a cloud backend")
    t0 = _time.perf_counter()
    device = cloud.get_device(backend, check_credentials=check_credentials)
    fresh = spec.method == "imaginary-time" and not device.mid_circuit
    check_circuit_memory(spec, who="submit", target="hardware",
                         ancillas="fresh" if fresh else "reuse", copies=4)
    backend_obj = device.qiskit_backend()
    t1 = _time.perf_counter()
    circuit = build_for_device(spec, device.mid_circuit)
    isa = transpile_for(circuit, backend_obj, optimization_level=optimization_level, seed=seed)
    isa = cloud.prepare(device, isa)
    report = resource_report(isa, backend_obj, logical_qubits=circuit.num_qubits,
                             optimization_level=optimization_level)
    report.backend = device.name
    if shots is not None:
        attach_cost(report, shots, device_price(device))
    t2 = _time.perf_counter()
    return {"cloud": cloud, "device": device, "isa": isa, "report": report,
            "timing": {"backend": t1 - t0, "build_and_transpile": t2 - t1}}


def submit_cloud(spec: Any, backend: str, shots: int = 4000, *, optimization_level: int = 2,
                 store: Any = None, seed: int | None = None, max_cost: float | None = None
                 ) -> Job:
    """Submit ``spec`` to a cloud device; see the module docstring for the steps.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        backend: ``"braket:<device>"``, ``"ionq:<device>"`` or ``"iqm:<device>"``.
        shots: Shots (``>= 1``).
        optimization_level: Transpiler level 0–3.
        store: A :class:`~qdq.store.Store`, a path or ``None`` (default store).
        seed: Transpiler seed (and the simulator seed where the cloud takes one).
        max_cost: Refuse if the job would cost more than this many USD, or if its price
            is not in qdq's table (:mod:`~qdq.hardware.clouds.pricing`).

    Returns:
        The recorded, submitted :class:`~qdq.hardware.Job`.

    Raises:
        ParameterError: Bad shots, seed, cost above ``max_cost`` or an unknown price under
            a guard (nothing recorded).
        DependencyError: The provider's package is not installed (install hint).
        BackendError: Unknown device, no credentials, a circuit wider than the device, or a
            failed submission (the row is then marked ``error``).
    """
    from qdq.validate import check_seed

    shots = check_hardware_shots(shots)
    seed = check_seed(seed)
    cloud = cloud_for(backend)
    named = cloud.get_device(backend, check_credentials=False)
    guard_cost(device_price(named), named.name, shots, max_cost=max_cost)  # before any network
    st = open_store(store)
    plan = plan_cloud(spec, backend, optimization_level=optimization_level, seed=seed,
                      shots=shots)
    device, isa, report = plan["device"], plan["isa"], plan["report"]
    params = {
        "shots": shots, "optimization_level": optimization_level, "seed": seed,
        "local": device.local, "cloud": cloud.prefix, "max_cost": max_cost,
        "cost_usd": report.cost_usd, "resource_report": report.to_dict(),
        "timing": plan["timing"],
    }
    local_id = st.create_job(device.name, job_description(spec, isa), params)
    logger.info("job %s: submitting to %s (%d shots); %d two-qubit gates, estimated "
                "fidelity %.3g; %s", local_id, device.name, shots, report.two_qubit_gates,
                report.estimated_fidelity, report.cost_note)
    try:
        tries = {"n": 0}

        def attempt() -> Any:
            # A submission is retried only once the cloud has been searched and holds no
            # job of this local id: a blind retry could pay for the same job twice.
            tries["n"] += 1
            if tries["n"] > 1:
                found = cloud.find(device, local_id, None)
                if found is NotImplemented:
                    raise BackendError(f"the first submission of {local_id} failed and "
                                       f"{cloud.title} jobs cannot be searched, so it is not "
                                       "retried")
                if found is not None:
                    return found
            return cloud.run(device, isa, shots, local_id=local_id, seed=seed)

        provider_job = attempt() if device.local else runtime.with_retries(
            attempt, what=f"submit job {local_id}", account_help=cloud.credentials_help)
        provider_id = provider_job_id(provider_job)
    except Exception as exc:
        text = redact(f"{type(exc).__name__}: {exc}")
        st.update_job(local_id, status="error", error=f"submission failed: {text}")
        hint = "" if device.local else (
            f"; if a job of {local_id} shows up at {cloud.title}, run "
            f"qdq.hardware.Job({local_id!r}).recover()")
        raise BackendError(f"submitting job {local_id} to {device.name!r} failed: "
                           f"{text}{hint}") from None
    if device.local:
        remember_local(local_id, provider_id, provider_job)
    st.attach_provider_job(local_id, provider_id)
    logger.info("job %s: provider job id %s", local_id, provider_id)
    job = Job(local_id, store=st)
    job._provider_job = provider_job
    return job
