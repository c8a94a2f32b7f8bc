r"""Submit evolution circuits to IBM Quantum (or a local fake backend) and track the jobs.

:func:`submit` builds the spec's circuit (measured), transpiles it to the backend's
target, computes a :class:`~qdq.hardware.transpile.ResourceReport` (2-qubit gates, depth,
qubits, estimated success fidelity; :func:`preview` returns it alone) and refuses circuits
wider than the backend — all *before* anything is recorded or submitted. It then

1. writes a job row to the :class:`~qdq.store.Store` (status ``created``) — committed
   before submission, so a crash can never lose a paid job;
2. submits through ``qiskit_ibm_runtime.executor_sampler.Sampler`` (``SamplerV2`` as the
   fallback, see :mod:`qdq.hardware.runtime`) in job, batch or session mode, with the
   local id in the runtime job tags (``["qdq", "qdq-…"]``);
3. attaches the provider's job id to the row (status ``submitted``).

The returned :class:`~qdq.hardware.job.Job` polls, fetches, decodes, cancels and
recovers it (see :mod:`qdq.hardware.job`; :func:`~qdq.hardware.job.jobs` lists them).
This module validates the options, plans (build, width-check, transpile) and submits; it
may import :mod:`~qdq.hardware.job`, :mod:`~qdq.hardware.launch`,
:mod:`~qdq.hardware.runtime` and :mod:`~qdq.hardware.transpile`, never the package itself.

Recovery after a crash between steps 2 and 3 (the row is ``created`` with no provider id)
is :meth:`Job.recover <qdq.hardware.job.Job.recover>`: by job tag on IBM, or by re-running
a local fake job from the ISA circuit and seed stored in the row.

Network calls (service, status, result, cancel, tag lookup) retry transient failures with
exponential backoff; a submission is retried only after the tag lookup shows that the
failed attempt did not create a job. Credentials are never read or written by qdq; every
stored or raised message passes through :func:`qdq.redact.redact`.

Example:
    >>> import os, tempfile
    >>> import qdq
    >>> from qdq.hardware.job import jobs
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    >>> spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)
    >>> job = submit(spec, backend="fake_manila", shots=500, store=store, seed=1)
    >>> job.backend, job.resource_report.logical_qubits
    ('fake_manila', 2)
    >>> r = job.result()
    >>> r.probabilities.shape, r.shots, job.status()
    ((4,), 500, 'done')
    >>> [j.id for j in jobs(backend="fake_manila", store=store)] == [job.id]
    True
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Mapping
from typing import Any

import qdq.hardware.runtime as runtime
from qdq.engines.circuit_memory import check_circuit_memory
from qdq.errors import BackendError, ParameterError
from qdq.hardware.job import Job
from qdq.hardware.launch import (  # job_description is re-exported: its historic home
    TAG,
    check_hardware_shots,
    find_by_tag,
    job_description,
    launch,
    launch_local,
    open_store,
    provider_job_id,
    remember_local,
    sampler_options,
)
from qdq.hardware.transpile import ResourceReport, resource_report, transpile_for
from qdq.redact import redact

__all__ = ["MODES", "job_description", "preview", "submit"]

logger = logging.getLogger("qdq.hardware")

#: Execution modes accepted by :func:`submit`.
MODES = ("job", "batch", "session")
_DD_SEQUENCES = ("XX", "XpXm", "XY4")


# --------------------------------------------------------------------------- validation


#: Circuit copies a submission holds at peak (declared, not measured): the built circuit,
#: and the transpiler's DAG and ISA circuit, each gate expanded to the basis (~3×).
SUBMIT_COPIES = 4


def _check_seed(seed: Any) -> int | None:
    # One rule for every seed qdq accepts (qdq.validate.check_seed).
    from qdq.validate import check_seed

    return check_seed(seed)


def _dd_options(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return {"enable": value}
    if isinstance(value, str):
        if value not in _DD_SEQUENCES:
            raise ParameterError(
                f"dynamical_decoupling sequence must be one of {', '.join(_DD_SEQUENCES)}, "
                f"got {redact(repr(value))}; or pass True / False / a dict of "
                "DynamicalDecouplingOptions"
            )
        return {"enable": True, "sequence_type": value}
    if isinstance(value, Mapping):
        return {"enable": True, **dict(value)}
    raise ParameterError(
        f"dynamical_decoupling must be None, a bool, a sequence name ({', '.join(_DD_SEQUENCES)})"
        f" or a dict of options, got {type(value).__name__}"
    )


def _twirling_options(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return {"enable_gates": value, "enable_measure": value}
    if isinstance(value, Mapping):
        return dict(value)
    raise ParameterError(
        f"twirling must be None, a bool (gates and measurements) or a dict of "
        f"TwirlingOptions, got {type(value).__name__}"
    )


def _validate_options(primitive: str, options: dict[str, Any]) -> None:
    """Build the primitive's option model once so bad option names fail before any row."""
    if not options:
        return
    try:
        if primitive == "executor":
            from qiskit_ibm_runtime.options_models.sampler import SamplerOptions
        else:
            from qiskit_ibm_runtime.options import SamplerOptions
        SamplerOptions(**options)
    except ImportError:  # pragma: no cover - resolved earlier
        return
    except Exception as exc:
        raise ParameterError(
            f"invalid error-suppression options {redact(repr(options))} for the {primitive} "
            "sampler: "
            f"{redact(str(exc)).splitlines()[0]} … see DynamicalDecouplingOptions / "
            "TwirlingOptions in qiskit_ibm_runtime"
        ) from None



# --------------------------------------------------------------------------- descriptions


def _has_mid_circuit_measurement(circuit: Any) -> bool:
    """Whether a qubit is measured and then acted on again (or reset) in ``circuit``."""
    measured: set[int] = set()
    for inst in circuit.data:
        name = inst.operation.name
        if name in ("barrier", "delay"):
            continue
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "reset" or (name != "measure" and measured.intersection(qubits)):
            return True
        if name == "measure":
            if measured.intersection(qubits):
                return True
            measured.update(qubits)
    return False


# --------------------------------------------------------------------------- submit


def _plan(spec: Any, backend: str, *, optimization_level: int, seed: int | None,
          service: Any) -> dict[str, Any]:
    """Resolve the backend, build, width-check and transpile; nothing is recorded."""
    from qdq.circuits.trotter import build_circuit
    from qdq.evolution import EvolutionSpec

    EvolutionSpec.require(spec, "submit")
    # The whole circuit is built and transpiled: refuse one that cannot fit before building
    # it (the transpiled copy expands each gate to the backend's basis and adds routing).
    check_circuit_memory(spec, who="submit", target="hardware", ancillas="reuse",
                         copies=SUBMIT_COPIES)
    t0 = _time.perf_counter()
    backend_obj, name, local = runtime.get_backend(backend, service=service)
    t1 = _time.perf_counter()
    circuit = build_circuit(spec, measure=True)
    isa = transpile_for(circuit, backend_obj, optimization_level=optimization_level, seed=seed)
    report = resource_report(isa, backend_obj, logical_qubits=circuit.num_qubits,
                             optimization_level=optimization_level)
    report.backend = name
    t2 = _time.perf_counter()
    return {"backend": backend_obj, "name": name, "local": local, "isa": isa,
            "report": report, "timing": {"backend": t1 - t0, "build_and_transpile": t2 - t1}}


def preview(spec: Any, backend: str, *, optimization_level: int = 2, seed: int | None = None,
            service: Any = None, shots: int | None = None) -> ResourceReport:
    """The resource report :func:`submit` would compute — nothing is recorded or submitted.

    Args:
        spec: The evolution spec.
        backend: Backend name (real names need an account, fake names do not; cloud names
            ``braket:…``/``ionq:…``/``iqm:…`` need the cloud's credentials except for
            its local simulator).
        optimization_level: Transpiler level 0–3.
        seed: Transpiler seed.
        service: An existing ``QiskitRuntimeService`` for real backends.
        shots: With shots, the report also carries the job's price
            (``cost_usd``, ``cost_note``; :mod:`qdq.hardware.clouds.pricing`).

    Returns:
        The :class:`~qdq.hardware.transpile.ResourceReport`.

    Raises:
        BackendError: Unknown backend, no account, or a circuit wider than the backend.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
        >>> spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)
        >>> preview(spec, "fake_manila", seed=1).logical_qubits
        2
    """
    from qdq.hardware.clouds import cloud_for

    seed = _check_seed(seed)
    if shots is not None:
        shots = check_hardware_shots(shots)
    if cloud_for(backend) is not None:
        from qdq.hardware.clouds.submit import plan_cloud

        return plan_cloud(spec, backend, optimization_level=optimization_level, seed=seed,
                          shots=shots, check_credentials=False)["report"]
    report = _plan(spec, backend, optimization_level=optimization_level, seed=seed,
                   service=service)["report"]
    if shots is not None:
        _add_cost(report, shots)
    return report


def _add_cost(report: ResourceReport, shots: int) -> None:
    from qdq.hardware.clouds.pricing import attach_cost, price_for

    attach_cost(report, shots, price_for(report.backend))


def submit(spec: Any, backend: str, shots: int = 4000, *, mode: Any = "job",
           dynamical_decoupling: Any = None, twirling: Any = None, optimization_level: int = 2,
           store: Any = None, seed: int | None = None, primitive: str = "auto",
           service: Any = None, max_cost: float | None = None) -> Job:
    """Submit an evolution spec's circuit to IBM, another cloud, or a local simulator.

    Cloud names (``"braket:<device>"``, ``"ionq:<device>"``, ``"iqm:<device>"``) go to
    :func:`qdq.hardware.clouds.submit.submit_cloud` (same store, same :class:`Job`);
    the IBM-only options (``mode``, ``dynamical_decoupling``, ``twirling``,
    ``primitive``, ``service``) are refused there.

    Args:
        spec: :class:`~qdq.RealTime`, :class:`~qdq.ImaginaryTime` or :class:`~qdq.Anneal`.
        backend: ``"ibm_torino"`` (needs an account) or a fake backend name
            (``"fake_torino"``, ``"FakeSherbrooke"``, … — run locally with noise).
        shots: Shots (``>= 1``).
        mode: ``"job"``, ``"batch"`` or ``"session"`` (a batch/session is opened for this
            submission and closed after it; the job still runs), or an open
            ``qiskit_ibm_runtime.Batch``/``Session`` to submit into (real backends; local
            runs ignore it).
        dynamical_decoupling: ``None`` (sampler default: off), ``True``/``False``, a
            sequence name (``"XX"``, ``"XpXm"``, ``"XY4"``) or a dict of
            ``DynamicalDecouplingOptions`` fields.
        twirling: ``None`` (default: off), ``True`` (gates and measurements), ``False`` or a
            dict of ``TwirlingOptions`` fields.
        optimization_level: Transpiler level 0–3.
        store: A :class:`~qdq.store.Store`, a path, or ``None`` (default store).
        seed: Transpiler seed, and simulator seed for fake backends (reproducible counts).
        primitive: ``"auto"`` (executor sampler, else ``SamplerV2``), ``"executor"`` or
            ``"v2"``.
        service: An existing ``QiskitRuntimeService`` (real backends; default: a new one).
        max_cost: Refuse the submission if it would cost more than this many USD, or if
            the backend's price is not in qdq's table (real IBM backends bill usage
            seconds, which are not known before the job runs). Fake backends cost 0.

    Returns:
        The :class:`Job` (already recorded and submitted).

    Raises:
        ParameterError: Bad shots, mode, options, seed or spec.
        BackendError: Unknown backend (close matches listed), no account (how to save one),
            a circuit wider than the backend, or a failed submission (the row is then
            marked ``error``). Nothing is recorded when the circuit is refused.
        DependencyError: qiskit-ibm-runtime is not installed.
    """
    from qdq.hardware.clouds import cloud_for

    if cloud_for(backend) is not None:
        ibm_only = {"mode": (mode, "job"), "dynamical_decoupling": (dynamical_decoupling, None),
                    "twirling": (twirling, None), "primitive": (primitive, "auto"),
                    "service": (service, None)}
        given = [k for k, (v, default) in ibm_only.items() if v != default]
        if given:
            raise ParameterError(
                f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} IBM runtime options;"
                f" backend {redact(backend)!r} takes shots, optimization_level, seed, store "
                "and max_cost")
        from qdq.hardware.clouds.submit import submit_cloud

        return submit_cloud(spec, backend, shots, optimization_level=optimization_level,
                            store=store, seed=seed, max_cost=max_cost)
    shots = check_hardware_shots(shots)
    seed = _check_seed(seed)
    if isinstance(mode, str):
        if mode not in MODES:
            raise ParameterError(f"mode must be one of {', '.join(MODES)} (or an open "
                                 f"Batch/Session), got {redact(repr(mode))}")
        mode_name = mode
    elif hasattr(mode, "_run") and hasattr(mode, "close"):
        mode_name = type(mode).__name__.lower()
    else:
        raise ParameterError(f"mode must be one of {', '.join(MODES)} or an open "
                             f"qiskit_ibm_runtime Batch/Session, got {type(mode).__name__}")
    dd = _dd_options(dynamical_decoupling)
    tw = _twirling_options(twirling)
    primitive = runtime.resolve_primitive(primitive)
    from qdq.hardware.clouds.pricing import check_max_cost

    check_max_cost(backend, shots, max_cost=max_cost)  # before the service is reached
    st = open_store(store)

    plan = _plan(spec, backend, optimization_level=optimization_level, seed=seed,
                 service=service)
    backend_obj, name, local, isa, report = (plan["backend"], plan["name"], plan["local"],
                                             plan["isa"], plan["report"])
    _add_cost(report, shots)
    if not local and service is None:
        service = getattr(backend_obj, "service", None)
    if tw and tw.get("enable_measure") and _has_mid_circuit_measurement(isa):
        raise ParameterError(
            f"twirling={redact(repr(twirling))} twirls measurements, which the executor "
            "sampler cannot do "
            "for circuits with mid-circuit measurements and resets (imaginary-time ancillas);"
            " use twirling={'enable_gates': True} (gate twirling only)"
        )
    error_options = {k: v for k, v in (("dynamical_decoupling", dd), ("twirling", tw))
                     if v is not None}
    _validate_options(primitive, error_options)

    params = {
        "shots": shots, "mode": mode_name, "primitive": primitive,
        "optimization_level": optimization_level, "seed": seed,
        "dynamical_decoupling": dd, "twirling": tw, "local": local,
        "resource_report": report.to_dict(), "max_cost": max_cost,
        "cost_usd": report.cost_usd, "timing": plan["timing"],
    }
    local_id = st.create_job(name, job_description(spec, isa), params)
    tags = [TAG, local_id]
    options = sampler_options(primitive, shots=shots, dd=dd, tw=tw, tags=tags, seed=seed,
                              local=local)
    logger.info("job %s: submitting to %s (%d shots, mode %s, %s sampler); %d two-qubit "
                "gates, estimated fidelity %.3g", local_id, name, shots, mode_name, primitive,
                report.two_qubit_gates, report.estimated_fidelity)
    try:
        if local:
            provider_job = launch_local(isa, backend_obj,
                                        mode=mode if isinstance(mode, str) else "job",
                                        primitive=primitive, options=options, shots=shots)
        else:
            attempts = {"n": 0}

            def attempt() -> Any:
                attempts["n"] += 1
                if attempts["n"] > 1 and service is not None:
                    found = find_by_tag(service, local_id)
                    if found is not None:
                        return found
                return launch(backend_obj, isa, mode=mode, primitive=primitive,
                              options=options, shots=shots)

            provider_job = runtime.with_retries(attempt, what=f"submit job {local_id}")
        provider_id = provider_job_id(provider_job)
    except Exception as exc:
        text = redact(f"{type(exc).__name__}: {exc}")
        st.update_job(local_id, status="error", error=f"submission failed: {text}")
        hint = "" if local else (f"; if a job tagged {local_id} shows up on IBM Quantum, "
                                 f"run qdq.hardware.Job({local_id!r}).recover()")
        raise BackendError(f"submitting job {local_id} to {name!r} failed: {text}{hint}") \
            from None
    if local:
        remember_local(local_id, provider_id, provider_job)
    st.attach_provider_job(local_id, provider_id)
    logger.info("job %s: provider job id %s", local_id, provider_id)
    job = Job(local_id, store=st)
    job._provider_job = provider_job
    job._service = service
    return job

