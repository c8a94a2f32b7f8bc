"""A local stand-in for the IBM runtime service (no token, no network).

``FakeService`` replaces ``QiskitRuntimeService``: ``backend("ibm_torino")`` returns a
``FakeTorino`` (its target), ``FakeSampler`` replaces both samplers and records their
options, submitted jobs are sampled ideally (Aer) on the circuit restricted to its active
qubits, and failures can be injected per method (``FakeService.failures["status"] = [...]``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict


class FakeRequestsApiError(Exception):
    """Shaped like qiskit_ibm_runtime's RequestsApiError (the name is what counts)."""

    def __init__(self, message: str, status_code: int = -1):
        super().__init__(message)
        self.status_code = status_code


FakeRequestsApiError.__name__ = "RequestsApiError"


class FakeRemoteJob:
    _ids = itertools.count(1)

    def __init__(self, service, backend, circuit, shots, options, mode):
        self.service = service
        self._id = f"remote-{next(self._ids):05d}"
        self.backend_name = backend.name
        self.circuit = circuit
        self.shots = shots
        self.options = options
        self.mode = mode
        self.tags = list(options.get("environment", {}).get("job_tags", []))
        self._statuses = ["QUEUED", "RUNNING", "DONE"]
        self._cancelled = False
        self._result = None

    def job_id(self):
        return self._id

    def _maybe_fail(self, method):
        self.service.maybe_fail(method)

    def status(self):
        self._maybe_fail("status")
        if self._cancelled:
            return "CANCELLED"
        return self._statuses.pop(0) if len(self._statuses) > 1 else self._statuses[0]

    def result(self, timeout=None):
        self._maybe_fail("result")
        if self._cancelled:
            raise RuntimeError("RuntimeInvalidStateError: job was cancelled")
        if self._result is None:
            from qiskit_aer.primitives import SamplerV2 as AerSampler

            from qdq.hardware.transpile import restrict_to_active

            _, small, _ = restrict_to_active(self.circuit, self.service.backend_obj)
            sampler = AerSampler(seed=11)
            self._result = sampler.run([small], shots=self.shots).result()
        self._statuses = ["DONE"]
        return self._result

    def cancel(self):
        self._maybe_fail("cancel")
        self._cancelled = True

    def error_message(self):
        return None


class FakeService:
    """Class-level state so every ``QiskitRuntimeService()`` sees the same jobs."""

    jobs_by_id: dict = {}
    failures: dict = defaultdict(list)
    calls: dict = defaultdict(int)
    init_kwargs: list = []
    backend_obj = None
    names = ("ibm_torino", "ibm_fez", "ibm_kingston", "ibm_marrakesh")

    def __init__(self, **kwargs):
        type(self).init_kwargs.append(kwargs)
        self.maybe_fail("init")

    @classmethod
    def reset(cls):
        cls.jobs_by_id = {}
        cls.failures = defaultdict(list)
        cls.calls = defaultdict(int)
        cls.init_kwargs = []

    @classmethod
    def maybe_fail(cls, method):
        cls.calls[method] += 1
        queue = cls.failures.get(method)
        if queue:
            raise queue.pop(0)

    @staticmethod
    def saved_accounts(**kwargs):
        return {}

    def backend(self, name, **kwargs):
        self.maybe_fail("backend")
        if name not in self.names:
            from qiskit.providers.exceptions import QiskitBackendNotFoundError

            raise QiskitBackendNotFoundError("No backend matches the criteria.")
        if type(self).backend_obj is None:
            from qiskit_ibm_runtime.fake_provider import FakeTorino

            type(self).backend_obj = FakeTorino()
        backend = type(self).backend_obj
        backend.service = self
        return backend

    def backends(self, **kwargs):
        class _B:
            def __init__(self, name):
                self.name = name

        return [_B(n) for n in self.names]

    def job(self, job_id):
        self.maybe_fail("job")
        return self.jobs_by_id[job_id]

    def jobs(self, job_tags=None, limit=10, **kwargs):
        self.maybe_fail("jobs")
        found = [j for j in self.jobs_by_id.values()
                 if not job_tags or set(job_tags) <= set(j.tags)]
        return list(reversed(found))[:limit]


class FakeMode:
    """Stands in for qiskit_ibm_runtime.Batch / Session."""

    opened: list = []

    def __init__(self, backend, max_time=None):
        self._backend = backend
        self.closed = False
        type(self).opened.append(self)

    def _run(self, *args, **kwargs):  # pragma: no cover - marker for "open mode" objects
        raise NotImplementedError

    def close(self):
        self.closed = True


class FakeSampler:
    """Stands in for both executor_sampler.Sampler and SamplerV2 on the remote path."""

    created: list = []

    def __init__(self, mode=None, options=None):
        self.mode = mode
        self.options = dict(options or {})
        type(self).created.append(self)

    def run(self, pubs, shots=None):
        FakeService.maybe_fail("submit")
        backend = getattr(self.mode, "_backend", self.mode)
        job = FakeRemoteJob(backend.service, backend, pubs[0], shots, self.options,
                            type(self.mode).__name__)
        FakeService.jobs_by_id[job.job_id()] = job
        return job


