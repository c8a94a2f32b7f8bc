"""Starting sampler jobs and finding them again (shared by ``submit`` and ``job``).

* :func:`sampler_options` and :func:`launch` create the sampler (executor-based, or
  ``SamplerV2``) in job, batch or session mode and run one pub; :func:`launch_local` does
  so for a fake backend, on the circuit restricted to its active qubits.
* Local (fake-backend) jobs run in-process (``LocalRuntimeJob`` threads): :data:`LOCAL_JOBS`
  and :data:`LOCAL_BY_LOCAL_ID` find them again while this process lives
  (:func:`remember_local`).
* :func:`find_by_tag` asks the service for a job tagged with a local id (crash recovery);
  :func:`provider_job_id` reads a provider job's id.
* :func:`decode_counts`: a sampler result's first pub as grid counts.
* :func:`qpy_dumps` / :func:`qpy_loads`: the ISA circuit as base64 QPY, as the store keeps it;
  :func:`job_description`: what the store keeps about a submitted spec (IBM and cloud jobs);
  :func:`check_hardware_shots`; :func:`open_store`: the store that records the jobs.

May import :mod:`qdq.hardware.runtime`, :mod:`qdq.hardware.transpile`,
:mod:`qdq.hardware.decode`, :mod:`qdq.errors`, the store and qdq's redaction; never the
package ``qdq.hardware`` itself.

Example:
    >>> sampler_options("executor", shots=100, dd=None, tw=None, tags=[TAG, "qdq-1"],
    ...                 seed=7, local=True)["simulator"]
    {'seed_simulator': 7}
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from typing import Any

import qdq.hardware.runtime as runtime
from qdq.errors import BackendError, ParameterError
from qdq.hardware.transpile import restrict_to_active
from qdq.redact import redact
from qdq.validate import check_shots

__all__ = ["LOCAL_BY_LOCAL_ID", "LOCAL_JOBS", "TAG", "check_hardware_shots", "decode_counts",
           "find_by_tag", "job_description", "launch",
           "launch_local", "open_store", "provider_job_id", "qpy_dumps", "qpy_loads",
           "relaunch_local", "remember_local", "sampler_options"]

logger = logging.getLogger("qdq.hardware")

#: Tag put on every runtime job qdq submits (next to the local id).
TAG = "qdq"

#: Local (fake-backend) jobs live in this process only: provider id -> LocalRuntimeJob.
LOCAL_JOBS: dict[str, Any] = {}
#: Local id -> provider id of its latest local execution.
LOCAL_BY_LOCAL_ID: dict[str, str] = {}


def open_store(store: Any):
    """A :class:`~qdq.store.Store` from a store, a path or ``None`` (the default store).

    Raises:
        ParameterError: Anything else.
    """
    from qdq.store import Store

    if isinstance(store, Store):
        return store
    if store is None or isinstance(store, (str, Path)):
        return Store(store)
    raise ParameterError(f"store must be a qdq.store.Store, a path or None, got "
                         f"{type(store).__name__}")


def qpy_dumps(circuit: Any) -> str:
    """A circuit as base64 QPY text (how the store keeps the ISA circuit)."""
    from qiskit import qpy

    buf = io.BytesIO()
    qpy.dump(circuit, buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def qpy_loads(text: str) -> Any:
    """The circuit back from :func:`qpy_dumps` text."""
    from qiskit import qpy

    return qpy.load(io.BytesIO(base64.b64decode(text)))[0]


def sampler_options(primitive: str, *, shots: int, dd: dict | None, tw: dict | None,
                    tags: list[str], seed: int | None, local: bool) -> dict[str, Any]:
    """The sampler's options: shots, job tags, error suppression, simulator seed (local)."""
    options: dict[str, Any] = {"default_shots": shots, "environment": {"job_tags": tags}}
    if dd is not None:
        options["dynamical_decoupling"] = dd
    if tw is not None:
        options["twirling"] = tw
    if local and seed is not None:
        options["simulator"] = {"seed_simulator": seed}
    return options


def launch(backend_obj: Any, circuit: Any, *, mode: Any, primitive: str,
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


def launch_local(isa: Any, backend_obj: Any, *, mode: str, primitive: str,
                 options: dict[str, Any], shots: int) -> Any:
    """:func:`launch` on a fake backend, simulating only the qubits the circuit touches."""
    small_backend, small_circuit, _ = restrict_to_active(isa, backend_obj)
    return launch(small_backend, small_circuit, mode=mode, primitive=primitive,
                  options=options, shots=shots)


def relaunch_local(local_id: str, isa: Any, backend_obj: Any, params: dict[str, Any],
                   shots: int) -> Any:
    """Run a recorded local job again: its stored ISA circuit, options and seed.

    Identical counts when the submission gave a seed. Returns the new provider job.
    """
    options = sampler_options(
        params.get("primitive", "executor"), shots=shots,
        dd=params.get("dynamical_decoupling"), tw=params.get("twirling"),
        tags=[TAG, local_id], seed=params.get("seed"), local=True)
    return launch_local(isa, backend_obj, mode="job", options=options, shots=shots,
                        primitive=runtime.resolve_primitive(params.get("primitive", "auto")))


def remember_local(local_id: str, provider_id: str, provider_job: Any) -> None:
    """Record a local job so this process finds it again by either id."""
    LOCAL_JOBS[provider_id] = provider_job
    LOCAL_BY_LOCAL_ID[local_id] = provider_id


def provider_job_id(provider_job: Any) -> str:
    """The provider's id of a runtime job (a method or an attribute, depending on the job).

    Raises:
        BackendError: The job has no id.
    """
    jid = provider_job.job_id() if callable(getattr(provider_job, "job_id", None)) \
        else getattr(provider_job, "job_id", None)
    if not jid:
        raise BackendError("the provider returned a job without an id")
    return str(jid)


def find_by_tag(service: Any, local_id: str) -> Any | None:
    """The service's job tagged ``local_id`` (with retries), or ``None`` if there is none."""
    found = runtime.with_retries(service.jobs, what=f"look up jobs tagged {local_id}",
                                 job_tags=[local_id], limit=5)
    found = list(found or [])
    return found[0] if found else None


def decode_counts(raw: Any, info: dict[str, Any], local_id: str) -> tuple[Any, int, int]:
    """The grid histogram, accepted and total shots of a sampler result's first pub.

    ``info`` is the job's stored description (registers, grid qubits; see
    :func:`job_description`).

    Raises:
        BackendError: The result holds no pub.
    """
    from qdq.hardware.decode import decode_bitarrays

    try:
        pub = raw[0]
    except Exception as exc:
        raise BackendError(f"job {local_id}: the sampler returned no pub result "
                           f"({type(exc).__name__})") from None
    return decode_bitarrays(pub.data, int(info["num_grid_qubits"]),
                            grid_register=info["grid_register"],
                            post_register=info.get("post_register"))


def check_hardware_shots(shots: Any) -> int:
    """Shots for a hardware job: an integer >= 1 (hardware always samples)."""
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise ParameterError(
            f"shots must be an integer >= 1, got {redact(repr(shots))}; hardware always samples "
            "(use qdq.run(spec, shots=None) for exact probabilities)"
        )
    return check_shots(shots)  # the shared upper limit (a signed 64-bit count)


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
        "D": float(spec.final_D),  # Result.final_D (an anneal ends at a(T)D/b(T))
        "grid": spec.grid.to_dict(),
        "values": spec.problem.values.tolist(),
        "evolution": spec.to_dict(),
        "num_grid_qubits": int(spec.grid.num_qubits),
        "grid_register": GRID_REGISTER,
        "post_register": POST_REGISTER if POST_REGISTER in creg_names else None,
        "isa_qpy": qpy_dumps(isa),
    }
