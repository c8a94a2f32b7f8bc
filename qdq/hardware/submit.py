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

A :class:`Job` polls (``status``), fetches and decodes (``result`` → :class:`~qdq.Result`,
cached in the store, so a second fetch — from any process — is read back with
``Result.from_dict``), cancels (``cancel``) and reconciles (``recover``). :func:`jobs`
lists the store's jobs with filters.

Recovery after a crash between steps 2 and 3 (the row is ``created`` with no provider id):

* real backends: :meth:`Job.recover` asks the service for jobs tagged with the local id
  and attaches the one it finds; if none exists the submission never reached IBM and the
  row is marked ``error`` (submit again);
* fake backends run in-process (``LocalRuntimeJob`` threads): in the submitting process
  the running job is found again; in any other process the job is re-executed from the
  ISA circuit stored in the row with the stored seed (identical counts when a seed was
  given). The same re-execution serves :meth:`Job.result` for a local job whose process
  ended before its result was fetched.

Network calls (service, status, result, cancel, tag lookup) retry transient failures with
exponential backoff; a submission is retried only after the tag lookup shows that the
failed attempt did not create a job. Credentials are never read or written by qdq; every
stored or raised message passes through :func:`qdq.io.redact`.

Example:
    >>> import os, tempfile
    >>> import qdq
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

import base64
import io
import logging
import time as _time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qdq.errors import BackendError, ParameterError, QdqError, ResultError
from qdq.hardware import runtime
from qdq.hardware.transpile import (
    ResourceReport,
    resource_report,
    restrict_to_active,
    transpile_for,
)
from qdq.io import redact

__all__ = ["MODES", "Job", "jobs", "preview", "recover_jobs", "submit"]

logger = logging.getLogger("qdq.hardware")

#: Execution modes accepted by :func:`submit`.
MODES = ("job", "batch", "session")
#: Store statuses after which nothing changes at the provider.
FINAL_STATUSES = ("done", "error", "cancelled")
#: Tag put on every runtime job qdq submits (next to the local id).
TAG = "qdq"
_DD_SEQUENCES = ("XX", "XpXm", "XY4")

# Local (fake-backend) jobs live in this process only: provider id -> LocalRuntimeJob.
_LOCAL_JOBS: dict[str, Any] = {}
# local id -> provider id of its latest local execution.
_LOCAL_BY_LOCAL_ID: dict[str, str] = {}


# --------------------------------------------------------------------------- validation


def _check_shots(shots: Any) -> int:
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise ParameterError(
            f"shots must be an integer >= 1, got {redact(repr(shots))}; hardware always samples "
            "(use qdq.run(spec, shots=None) for exact probabilities)"
        )
    return int(shots)


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


def _store(store: Any):
    from qdq.store import Store

    if isinstance(store, Store):
        return store
    if store is None or isinstance(store, (str, Path)):
        return Store(store)
    raise ParameterError(f"store must be a qdq.store.Store, a path or None, got "
                         f"{type(store).__name__}")


# --------------------------------------------------------------------------- descriptions


def _qpy_dumps(circuit: Any) -> str:
    from qiskit import qpy

    buf = io.BytesIO()
    qpy.dump(circuit, buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _qpy_loads(text: str) -> Any:
    from qiskit import qpy

    return qpy.load(io.BytesIO(base64.b64decode(text)))[0]


def job_description(spec: Any, isa: Any) -> dict[str, Any]:
    """What the store keeps about a submitted spec: enough to decode without the spec.

    Returns:
        ``{"method", "D", "grid", "values", "evolution", "num_grid_qubits",
        "grid_register", "post_register", "isa_qpy"}`` (the ISA circuit as base64 QPY).
    """
    from qdq.hardware.decode import GRID_REGISTER, POST_REGISTER

    creg_names = [c.name for c in isa.cregs]
    return {
        "method": spec.method,
        "D": float(spec.D),
        "grid": spec.grid.to_dict(),
        "values": spec.problem.values.tolist(),
        "evolution": spec.to_dict(),
        "num_grid_qubits": int(spec.grid.num_qubits),
        "grid_register": GRID_REGISTER,
        "post_register": POST_REGISTER if POST_REGISTER in creg_names else None,
        "isa_qpy": _qpy_dumps(isa),
    }


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


def _sampler_options(primitive: str, *, shots: int, dd: dict | None, tw: dict | None,
                     tags: list[str], seed: int | None, local: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"default_shots": shots, "environment": {"job_tags": tags}}
    if dd is not None:
        options["dynamical_decoupling"] = dd
    if tw is not None:
        options["twirling"] = tw
    if local and seed is not None:
        options["simulator"] = {"seed_simulator": seed}
    return options


# --------------------------------------------------------------------------- launching


def _launch(backend_obj: Any, circuit: Any, *, mode: Any, primitive: str,
            options: dict[str, Any], shots: int) -> Any:
    """Create the sampler in the requested mode and run one pub; returns the provider job."""
    import warnings

    cls = runtime.sampler_class(primitive)
    with warnings.catch_warnings():
        if primitive == "v2":  # deprecated in 0.51 in favour of the executor sampler
            warnings.simplefilter("ignore", DeprecationWarning)
        if isinstance(mode, str) and mode in ("batch", "session"):
            ctx = runtime.mode_class(mode)(backend=backend_obj)
            try:
                return cls(mode=ctx, options=options).run([circuit], shots=shots)
            finally:
                try:  # queued jobs still run; the batch/session just takes no new ones
                    ctx.close()
                except Exception as exc:  # pragma: no cover - best effort
                    logger.debug("closing the %s failed: %s", mode, redact(repr(exc)))
        target = backend_obj if isinstance(mode, str) else mode
        return cls(mode=target, options=options).run([circuit], shots=shots)


def _job_id(provider_job: Any) -> str:
    jid = provider_job.job_id() if callable(getattr(provider_job, "job_id", None)) \
        else getattr(provider_job, "job_id", None)
    if not jid:
        raise BackendError("the provider returned a job without an id")
    return str(jid)


def _find_remote_by_tag(service: Any, local_id: str) -> Any | None:
    found = runtime.with_retries(service.jobs, what=f"look up jobs tagged {local_id}",
                                 job_tags=[local_id], limit=5)
    found = list(found or [])
    return found[0] if found else None


# --------------------------------------------------------------------------- submit


def _plan(spec: Any, backend: str, *, optimization_level: int, seed: int | None,
          service: Any) -> dict[str, Any]:
    """Resolve the backend, build, width-check and transpile; nothing is recorded."""
    from qdq.circuits.trotter import build_circuit
    from qdq.evolution import EvolutionSpec

    if not isinstance(spec, EvolutionSpec):
        raise ParameterError(
            f"submit needs an evolution spec (qdq.RealTime, qdq.ImaginaryTime, qdq.Anneal), "
            f"got {type(spec).__name__}"
        )
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
            service: Any = None) -> ResourceReport:
    """The resource report :func:`submit` would compute — nothing is recorded or submitted.

    Args:
        spec: The evolution spec.
        backend: Backend name (real names need an account, fake names do not).
        optimization_level: Transpiler level 0–3.
        seed: Transpiler seed.
        service: An existing ``QiskitRuntimeService`` for real backends.

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
    return _plan(spec, backend, optimization_level=optimization_level,
                 seed=_check_seed(seed), service=service)["report"]


def submit(spec: Any, backend: str, shots: int = 4000, *, mode: Any = "job",
           dynamical_decoupling: Any = None, twirling: Any = None, optimization_level: int = 2,
           store: Any = None, seed: int | None = None, primitive: str = "auto",
           service: Any = None) -> Job:
    """Submit an evolution spec's circuit to an IBM backend or a local fake backend.

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

    Returns:
        The :class:`Job` (already recorded and submitted).

    Raises:
        ParameterError: Bad shots, mode, options, seed or spec.
        BackendError: Unknown backend (close matches listed), no account (how to save one),
            a circuit wider than the backend, or a failed submission (the row is then
            marked ``error``). Nothing is recorded when the circuit is refused.
        DependencyError: qiskit-ibm-runtime is not installed.
    """
    shots = _check_shots(shots)
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
    st = _store(store)

    plan = _plan(spec, backend, optimization_level=optimization_level, seed=seed,
                 service=service)
    backend_obj, name, local, isa, report = (plan["backend"], plan["name"], plan["local"],
                                             plan["isa"], plan["report"])
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
        "resource_report": report.to_dict(),
        "timing": plan["timing"],
    }
    local_id = st.create_job(name, job_description(spec, isa), params)
    tags = [TAG, local_id]
    options = _sampler_options(primitive, shots=shots, dd=dd, tw=tw, tags=tags, seed=seed,
                               local=local)
    logger.info("job %s: submitting to %s (%d shots, mode %s, %s sampler); %d two-qubit "
                "gates, estimated fidelity %.3g", local_id, name, shots, mode_name, primitive,
                report.two_qubit_gates, report.estimated_fidelity)
    try:
        if local:
            small_backend, small_circuit, _ = restrict_to_active(isa, backend_obj)
            provider_job = _launch(small_backend, small_circuit,
                                   mode=mode if isinstance(mode, str) else "job",
                                   primitive=primitive, options=options, shots=shots)
        else:
            attempts = {"n": 0}

            def attempt() -> Any:
                attempts["n"] += 1
                if attempts["n"] > 1 and service is not None:
                    found = _find_remote_by_tag(service, local_id)
                    if found is not None:
                        return found
                return _launch(backend_obj, isa, mode=mode, primitive=primitive,
                               options=options, shots=shots)

            provider_job = runtime.with_retries(attempt, what=f"submit job {local_id}")
        provider_id = _job_id(provider_job)
    except Exception as exc:
        text = redact(f"{type(exc).__name__}: {exc}")
        st.update_job(local_id, status="error", error=f"submission failed: {text}")
        hint = "" if local else (f"; if a job tagged {local_id} shows up on IBM Quantum, "
                                 f"run qdq.hardware.Job({local_id!r}).recover()")
        raise BackendError(f"submitting job {local_id} to {name!r} failed: {text}{hint}") \
            from None
    if local:
        _LOCAL_JOBS[provider_id] = provider_job
        _LOCAL_BY_LOCAL_ID[local_id] = provider_id
    st.attach_provider_job(local_id, provider_id)
    logger.info("job %s: provider job id %s", local_id, provider_id)
    job = Job(local_id, store=st)
    job._provider_job = provider_job
    job._service = service
    return job


# --------------------------------------------------------------------------- Job


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:  # pragma: no cover - the store writes ISO timestamps
        return None


class Job:
    """A hardware job recorded in the local store.

    Args:
        local_id: The id :func:`submit` returned (``"qdq-…"``).
        store: The store holding it (a :class:`~qdq.store.Store`, a path or ``None``).

    Raises:
        StoreError: Unknown id (the message says how to list jobs).

    Attributes:
        id: Local id (``"qdq-<12 hex>"``), also a runtime job tag.
        provider_id: The provider's job id (``None`` until submission is recorded).
        backend: Canonical backend name.
    """

    def __init__(self, local_id: str, *, store: Any = None) -> None:
        self._store = _store(store)
        self._row = self._store.get_job(local_id)
        self._provider_job: Any = None
        self._service: Any = None
        self._poll_error: str | None = None

    # ------------------------------------------------------------------ attributes
    @classmethod
    def _from_row(cls, row: dict[str, Any], store: Any) -> Job:
        job = cls.__new__(cls)
        job._store = store
        job._row = row
        job._provider_job = None
        job._service = None
        job._poll_error = None
        return job

    @property
    def id(self) -> str:
        """Local id."""
        return str(self._row["local_id"])

    @property
    def provider_id(self) -> str | None:
        """Provider job id, ``None`` while the submission is unrecorded."""
        return self._row.get("provider_job_id")

    @property
    def backend(self) -> str:
        """Backend name."""
        return str(self._row["backend"])

    @property
    def params(self) -> dict[str, Any]:
        """Submission parameters (shots, mode, primitive, options, seed, report, …)."""
        return dict(self._row.get("params") or {})

    @property
    def shots(self) -> int:
        """Requested shots."""
        return int(self.params.get("shots", 0))

    @property
    def is_local(self) -> bool:
        """Whether the job runs on a local fake backend."""
        return bool(self.params.get("local", runtime.looks_fake(self.backend)))

    @property
    def created(self) -> str:
        """Creation time (ISO 8601, UTC)."""
        return str(self._row["created"])

    @property
    def error(self) -> str | None:
        """Stored error text (redacted), if any."""
        return self._row.get("error")

    @property
    def resource_report(self) -> ResourceReport:
        """The resource report computed before submission."""
        return ResourceReport.from_dict(self.params.get("resource_report") or {})

    @property
    def stored_status(self) -> str:
        """The status last recorded in the store (no polling)."""
        return str(self._row["status"])

    def isa_circuit(self) -> Any:
        """The submitted ISA circuit (decoded from the store)."""
        return _qpy_loads(self._row["spec"]["isa_qpy"])

    @property
    def poll_error(self) -> str | None:
        """Why the last :meth:`poll` could not reach the provider (``None`` if it could)."""
        return self._poll_error

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (no circuit, no result arrays).

        ``status`` is the stored status, or ``"unreachable: <reason>"`` after a failed
        :meth:`poll` (``poll_error`` then holds the reason).
        """
        rep = self.params.get("resource_report") or {}
        status = self.stored_status if self._poll_error is None \
            else f"unreachable: {self._poll_error}"
        return {
            "id": self.id, "provider_id": self.provider_id, "backend": self.backend,
            "status": status, "poll_error": self._poll_error, "created": self.created,
            "updated": self._row.get("updated"), "shots": self.shots,
            "mode": self.params.get("mode"), "primitive": self.params.get("primitive"),
            "method": (self._row.get("spec") or {}).get("method"),
            "two_qubit_gates": rep.get("two_qubit_gates"),
            "estimated_fidelity": rep.get("estimated_fidelity"),
            "has_result": self._row.get("result") is not None, "error": self.error,
        }

    def __repr__(self) -> str:
        return (f"Job({self.id} on {self.backend}: {self.stored_status}, "
                f"provider_id={self.provider_id!r})")

    # ------------------------------------------------------------------ plumbing
    def _reload(self) -> dict[str, Any]:
        self._row = self._store.get_job(self.id)
        return self._row

    def _get_service(self) -> Any:
        if self._service is None:
            self._service = runtime.get_service()
        return self._service

    def _provider(self) -> Any | None:
        """The provider job object, or ``None`` for a local job of another process."""
        pid = self.provider_id
        if pid is None:
            return None
        if self._provider_job is not None and _job_id(self._provider_job) == pid:
            return self._provider_job
        if self.is_local:
            self._provider_job = _LOCAL_JOBS.get(pid)
            return self._provider_job
        service = self._get_service()
        self._provider_job = runtime.with_retries(service.job, pid,
                                                  what=f"retrieve job {pid}")
        return self._provider_job

    def _rerun_local(self) -> Any:
        """Re-execute a local job from its stored ISA circuit and seed; attach the new id."""
        params = self.params
        isa = self.isa_circuit()
        backend_obj = runtime.fake_backend(self.backend)
        small_backend, small_circuit, _ = restrict_to_active(isa, backend_obj)
        options = _sampler_options(
            params.get("primitive", "executor"), shots=self.shots,
            dd=params.get("dynamical_decoupling"), tw=params.get("twirling"),
            tags=[TAG, self.id], seed=params.get("seed"), local=True)
        try:
            pj = _launch(small_backend, small_circuit, mode="job",
                         primitive=runtime.resolve_primitive(params.get("primitive", "auto")),
                         options=options, shots=self.shots)
            pid = _job_id(pj)
        except QdqError:
            raise
        except Exception as exc:
            raise self._record_failure(exc, "re-running") from None
        _LOCAL_JOBS[pid] = pj
        _LOCAL_BY_LOCAL_ID[self.id] = pid
        logger.info("job %s: local job was not in this process; re-executed as %s",
                    self.id, pid)
        self._store.update_job(self.id, status="submitted", provider_job_id=pid)
        self._reload()
        self._provider_job = pj
        return pj

    def _record_failure(self, exc: BaseException, what: str) -> BackendError:
        text = redact(f"{type(exc).__name__}: {exc}")
        name = type(exc).__name__
        status = "cancelled" if ("Cancel" in name or "cancel" in text.lower()) else "error"
        message = text
        pj = self._provider_job
        if pj is not None and callable(getattr(pj, "error_message", None)):
            try:
                detail = pj.error_message()
                if detail:
                    message = f"{text} ({redact(str(detail))})"
            except Exception:  # pragma: no cover - best effort
                pass
        self._store.update_job(self.id, status=status, error=message)
        self._reload()
        return BackendError(f"{what} job {self.id} ({self.backend}) failed: {message}")

    # ------------------------------------------------------------------ public API
    def status(self) -> str:
        """Poll the provider and return the job's status (also written to the store).

        Returns:
            One of ``created`` (submission not recorded: see :meth:`recover`),
            ``submitted``, ``queued``, ``running``, ``done``, ``error``, ``cancelled``.
            Final statuses are answered from the store without polling.
        """
        row = self._reload()
        status = str(row["status"])
        if status in FINAL_STATUSES or row.get("provider_job_id") is None:
            return status
        pj = self._provider()
        if pj is None:  # a local job whose process ended: it runs again on result()
            return status
        raw = runtime.with_retries(pj.status, what=f"poll job {self.id}")
        new = runtime.normalize_status(raw)
        if new != status:
            error = None
            if new == "error" and callable(getattr(pj, "error_message", None)):
                error = redact(str(pj.error_message() or "the provider reported an error"))
            self._store.update_job(self.id, status=new, error=error)
            self._reload()
        return new

    def poll(self) -> str:
        """Like :meth:`status`, but trouble reaching the provider does not raise.

        Meant for listings: one unreachable job must not hide the others.

        Returns:
            The status, or ``"unreachable: <short reason>"`` if polling failed (the
            stored status is left as it was; the reason is also in :attr:`poll_error`).
        """
        self._poll_error = None
        try:
            return self.status()
        except Exception as exc:  # noqa: BLE001 - any failure of one job is reported, not raised
            text = redact(str(exc)).strip().splitlines()
            reason = text[0] if text else type(exc).__name__
            self._poll_error = reason if len(reason) <= 80 else reason[:79] + "…"
            logger.info("job %s: polling failed: %s", self.id, redact(str(exc)))
            return f"unreachable: {self._poll_error}"

    def result(self, timeout: float | None = None) -> Any:
        """Fetch, decode (postselecting on ancillas) and cache the job's :class:`~qdq.Result`.

        A cached result is read back from the store without contacting the provider.

        Args:
            timeout: Seconds to wait for a remote job (``None``: as long as it takes).

        Returns:
            The grid-shaped :class:`~qdq.Result` (``backend`` = this job's backend,
            ``shots`` = shots taken, ``success_probability`` = accepted fraction).

        Raises:
            BackendError: The job failed, was cancelled, or never reached the provider.
            PostselectionError: No shot survived postselection.
        """
        from qdq.hardware.decode import decode_bitarrays, to_result
        from qdq.results import Result

        row = self._reload()
        if row.get("result") is not None:
            try:
                return Result.from_dict(row["result"])
            except ResultError as exc:
                raise ResultError(
                    f"the cached result of job {self.id} in qdq store "
                    f"{str(self._store.path)!r} is damaged ({exc}); the provider may still "
                    f"hold it (provider id {self.provider_id}): submit the job again if not"
                ) from None
        if row["status"] == "cancelled":
            raise BackendError(f"job {self.id} was cancelled; nothing to fetch")
        if row.get("provider_job_id") is None:
            if row["status"] == "error" and self.is_local:
                raise BackendError(f"job {self.id} failed: {row.get('error')}; submit it again")
            self.recover()
            row = self._reload()
            if row.get("provider_job_id") is None:
                raise BackendError(
                    f"job {self.id} never reached {self.backend}: {row.get('error')}; "
                    "submit it again"
                )
        pj = self._provider()
        if pj is None and self.is_local:
            pj = self._rerun_local()
        t0 = _time.perf_counter()
        try:
            if timeout is None or self.is_local:  # local jobs take no timeout
                raw = runtime.with_retries(pj.result, what=f"fetch job {self.id}")
            else:
                raw = runtime.with_retries(pj.result, timeout=timeout,
                                           what=f"fetch job {self.id}")
        except QdqError:
            raise
        except Exception as exc:
            raise self._record_failure(exc, "fetching") from None
        t1 = _time.perf_counter()
        info = row["spec"]
        try:
            pub = raw[0]
        except Exception as exc:
            raise BackendError(f"job {self.id}: the sampler returned no pub result "
                               f"({type(exc).__name__})") from None
        hist, accepted, total = decode_bitarrays(
            pub.data, int(info["num_grid_qubits"]), grid_register=info["grid_register"],
            post_register=info.get("post_register"))
        params = self.params
        extra = {
            "local_id": self.id, "provider_job_id": self.provider_id,
            "primitive": params.get("primitive"), "mode": params.get("mode"),
            "dynamical_decoupling": params.get("dynamical_decoupling"),
            "twirling": params.get("twirling"), "requested_shots": self.shots,
            "resource_report": params.get("resource_report"),
        }
        timing = dict(params.get("timing") or {})
        timing["fetch"] = t1 - t0
        result = to_result(hist, accepted, total, info, backend=self.backend, extra=extra,
                           timing=timing)
        self._store.update_job(self.id, status="done", result=result.to_dict())
        self._reload()
        if self.is_local:  # cached now: let the in-process job (and its data) go
            _LOCAL_JOBS.pop(str(self.provider_id), None)
        logger.info("job %s: fetched %d shots (%d accepted)", self.id, total, accepted)
        return result

    def cancel(self) -> str:
        """Cancel the job at the provider and record it.

        Returns:
            The new status (``"cancelled"``).

        Raises:
            BackendError: The job already finished (``done``/``error``/``cancelled``) or the
                provider refused.
        """
        row = self._reload()
        if row["status"] in FINAL_STATUSES:
            raise BackendError(
                f"job {self.id} is already {row['status']}; nothing to cancel"
                + (" (fetch it with result())" if row["status"] == "done" else "")
            )
        if row.get("provider_job_id") is None:
            self.recover(mark_lost=False)
            if self.provider_id is None:
                self._store.update_job(self.id, status="cancelled",
                                       error="cancelled before the submission was recorded")
                self._reload()
                return "cancelled"
        pj = self._provider()
        if pj is not None:
            try:
                outcome = runtime.with_retries(pj.cancel, what=f"cancel job {self.id}")
            except QdqError:
                raise
            except Exception as exc:
                raise BackendError(
                    f"could not cancel job {self.id}: {redact(f'{type(exc).__name__}: {exc}')}"
                ) from None
            if outcome is False:  # a local job already running cannot be stopped
                now = runtime.normalize_status(pj.status())
                if now == "done":
                    self._store.update_job(self.id, status="done")
                    self._reload()
                    raise BackendError(f"job {self.id} already finished; fetch it with "
                                       "result()")
        self._store.update_job(self.id, status="cancelled")
        self._reload()
        logger.info("job %s: cancelled", self.id)
        return "cancelled"

    def recover(self, *, mark_lost: bool = True) -> Job:
        """Reconcile a job whose provider id was never recorded (crash during submission).

        Real backends: the service is asked for jobs tagged with :attr:`id`; the one found
        is attached. If none exists the submission never reached IBM: with ``mark_lost``
        the row becomes ``error`` (submit again). Local fake jobs: the running job of this
        process is attached, otherwise the job is re-executed from the stored ISA circuit.
        Jobs that already have a provider id are returned unchanged.

        Returns:
            ``self`` (reloaded).
        """
        row = self._reload()
        if row.get("provider_job_id") is not None:
            return self
        if self.is_local:
            pid = _LOCAL_BY_LOCAL_ID.get(self.id)
            if pid is not None and pid in _LOCAL_JOBS:
                pj = _LOCAL_JOBS[pid]
                status = runtime.normalize_status(pj.status())
                self._store.update_job(self.id, status=status, provider_job_id=pid)
                self._reload()
                self._provider_job = pj
                logger.info("job %s: recovered running local job %s", self.id, pid)
            else:
                self._rerun_local()
            return self
        found = _find_remote_by_tag(self._get_service(), self.id)
        if found is not None:
            pid = _job_id(found)
            status = runtime.normalize_status(
                runtime.with_retries(found.status, what=f"poll job {pid}"))
            self._store.update_job(self.id, status=status, provider_job_id=pid)
            self._reload()
            self._provider_job = found
            logger.info("job %s: recovered provider job %s by tag", self.id, pid)
        elif mark_lost:
            self._store.update_job(
                self.id, status="error",
                error=f"submission never reached the provider: no job is tagged {self.id}; "
                      "submit the spec again")
            self._reload()
        return self


# --------------------------------------------------------------------------- listing


def jobs(status: str | None = None, backend: str | None = None, limit: int | None = 100,
         store: Any = None) -> list[Job]:
    """Jobs recorded in the store, newest first (no polling).

    Args:
        status: Only this status (``created``, ``submitted``, ``queued``, ``running``,
            ``done``, ``error``, ``cancelled``).
        backend: Only this backend (fake names in any accepted spelling).
        limit: At most this many (``None`` for all).
        store: Store, path or ``None``.

    Returns:
        :class:`Job` objects.

    Raises:
        ParameterError: Unknown status or bad limit.
    """
    st = _store(store)
    if backend is not None and runtime.looks_fake(backend):
        backend = runtime.canonical_fake_name(backend) or backend
    return [Job._from_row(row, st)
            for row in st.list_jobs(status=status, backend=backend, limit=limit)]


def recover_jobs(*, store: Any = None, older_than_s: float = 300.0) -> list[Job]:
    """Run :meth:`Job.recover` on every ``created`` job older than ``older_than_s``.

    Younger ones may still be submitting in another process and are left alone.

    Returns:
        The jobs that were examined.
    """
    st = _store(store)
    now = datetime.now(UTC)
    out = []
    for job in jobs(status="created", limit=None, store=st):
        created = _parse_time(job.created)
        if created is not None and (now - created).total_seconds() < older_than_s:
            continue
        out.append(job.recover())
    return out
