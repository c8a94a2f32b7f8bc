"""A stand-in for the AWS side of Amazon Braket, so remote-device paths run offline.

``FakeAws.install(monkeypatch)`` replaces what :class:`qdq.hardware.clouds.braket.BraketCloud`
reaches AWS through — the provider's ``BraketAwsBackend`` (device properties → target,
``run``, ``retrieve_job``), ``boto3``'s credential lookup and its ``braket`` client's
``search_quantum_tasks`` — with in-memory fakes. The device's target is a
``GenericBackendV2`` (a coupling map, native gates and error rates, as a QPU reports them);
tasks are simulated ideally with Aer on the submitted ISA circuit, so the counts are an
independent check of qdq's transpile → run → decode chain. Tasks persist across
:class:`~qdq.hardware.Job` objects (as they do at AWS), and failures can be injected.

A device's noisy *emulator* (``braket:<qpu>.emulator``) is not faked: the record's own
``aws_backend(arn, emulate=True)`` runs, building the provider's real ``BraketAwsBackend``
on Braket's real ``AwsDevice`` — only the AWS session under it is a stand-in, whose
``GetDevice`` answers with :attr:`FakeAws.device_properties` (by default the synthetic
IQM-Garnet-like capabilities in ``data/garnet_like_properties.json``). So the target
(``aws_device_to_target``), the noise model (``LocalEmulator.from_device_properties``) and
the density-matrix run are the provider's and the SDK's own code.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

_IDS = itertools.count(1)

#: Synthetic device capabilities of an IQM-Garnet-like QPU (see ``data/README.md``).
GARNET_LIKE_PROPERTIES = Path(__file__).parent / "data" / "garnet_like_properties.json"


class FakeTask:
    """A quantum task: Qiskit ``JobV1``-like (``job_id``, ``status``, ``result``, ``cancel``)."""

    def __init__(self, aws: FakeAws, arn: str, circuit: Any, shots: int, tags: dict):
        self.aws, self.arn, self.circuit, self.shots, self.tags = aws, arn, circuit, shots, tags
        self.state = "QUEUED"
        self._counts = None

    def job_id(self) -> str:
        return self.arn

    def status(self):
        from qiskit.providers import JobStatus

        if self.aws.fail_status:
            raise ConnectionError("connection reset by peer")
        if self.state == "QUEUED" and self.aws.auto_complete:
            self.state = "DONE"
        return getattr(JobStatus, self.state)

    def result(self):
        if self.state == "CANCELLED":
            raise RuntimeError("Task is in terminal state CANCELLED and no result is available.")
        if self.aws.fail_result:
            raise RuntimeError(f"AccessDenied for key {self.aws.echo}")
        self.state = "DONE"
        if self._counts is None:
            from qiskit_aer import AerSimulator

            sim = AerSimulator(seed_simulator=11)
            self._counts = sim.run(self.circuit, shots=self.shots).result().get_counts()
        return _CountsResult(self._counts)

    def cancel(self) -> None:
        self.state = "CANCELLED"


class _CountsResult:
    def __init__(self, counts: dict) -> None:
        self._counts = counts

    def get_counts(self):
        return dict(self._counts)


def _backend_class():
    from qiskit.providers.fake_provider import GenericBackendV2

    class FakeAwsBackend(GenericBackendV2):
        """The device: a ``GenericBackendV2`` target; runs recorded as :class:`FakeTask`\\ s."""

        def __init__(self, aws: FakeAws, arn: str) -> None:
            super().__init__(num_qubits=12, seed=5)
            self.aws, self.arn = aws, arn

        def run(self, circuit, shots: int, tags: dict | None = None, **options):
            if self.aws.fail_submit:
                self.aws.fail_submit -= 1
                raise ConnectionError("connection aborted")
            arn = f"arn:aws:braket:us-east-1:123456789012:quantum-task/{next(_IDS):08d}"
            task = FakeTask(self.aws, arn, circuit, shots, dict(tags or {}))
            self.aws.tasks[arn] = (task, self.arn)
            self.aws.runs.append({"device": self.arn, "shots": shots, "tags": dict(tags or {}),
                                  "options": options})
            return task

        def retrieve_job(self, task_id: str):
            return self.aws.tasks[task_id][0]

    return FakeAwsBackend


class _FakeBraketClient:
    def __init__(self, aws: FakeAws) -> None:
        self.aws = aws

    def search_quantum_tasks(self, filters, maxResults=100, nextToken=None):  # noqa: N803
        device = next(f["values"][0] for f in filters if f["name"] == "deviceArn")
        self.aws.searches.append(filters)
        return {"quantumTasks": [{"quantumTaskArn": arn, "tags": task.tags}
                                 for arn, (task, dev) in self.aws.tasks.items()
                                 if dev == device]}


class _FakeAwsSession:
    """What ``braket.aws.AwsDevice`` reads a device through: ``GetDevice`` only."""

    def __init__(self, aws: FakeAws, arn: str) -> None:
        self.aws = aws
        self.region = arn.split(":")[3]  # the device's region: no regional session copy

    def get_device(self, arn: str) -> dict:
        self.aws.device_reads.append(arn)
        return {"deviceArn": arn, "deviceName": arn.rsplit("/", 1)[-1],
                "providerName": arn.split("/")[-2].upper(), "deviceType": "QPU",
                "deviceStatus": "ONLINE",
                "deviceCapabilities": json.dumps(self.aws.device_properties)}

    def add_braket_user_agent(self, user_agent: str) -> None:
        pass


class FakeAws:
    """The fake AWS account: devices, tasks, searches and failure switches."""

    def __init__(self) -> None:
        #: The capabilities document every QPU's ``GetDevice`` returns (edit to vary).
        self.device_properties: dict = copy.deepcopy(_garnet_like())
        self.device_reads: list[str] = []
        self.tasks: dict[str, tuple[FakeTask, str]] = {}
        self.runs: list[dict] = []
        self.searches: list = []
        self.auto_complete = True
        self.fail_submit = 0
        self.fail_status = False
        self.fail_result = False
        self.echo = ""

    def install(self, monkeypatch, *, credentials: bool = True) -> FakeAws:
        import boto3
        from braket.aws import AwsDevice
        from qiskit_braket_provider.providers import braket_backend

        from qdq.hardware.clouds import braket

        aws = self
        real_aws_backend = braket.BraketCloud.aws_backend

        def backend(self, arn: str, emulate: bool = False):
            if emulate:  # the record's own code, on the provider's real emulator
                return real_aws_backend(self, arn, emulate)
            if not self.has_credentials():
                raise AssertionError("the record must check credentials before AWS")
            return _backend_class()(aws, arn)

        monkeypatch.setattr(braket.BraketCloud, "aws_backend", backend)
        monkeypatch.setattr(braket_backend, "AwsDevice",
                            lambda arn: AwsDevice(arn, aws_session=_FakeAwsSession(aws, arn)))
        monkeypatch.setattr(braket.BraketCloud, "has_credentials", lambda self: credentials)
        monkeypatch.setattr(boto3, "client", lambda name, **kw: _FakeBraketClient(aws))
        from qdq.hardware import clouds

        clouds._LOADED.clear()  # fresh records: no cached device from another test
        return self


_GARNET_LIKE: dict = {}


def _garnet_like() -> dict:
    """The parsed synthetic capabilities document (read once)."""
    if not _GARNET_LIKE:
        _GARNET_LIKE.update(json.loads(GARNET_LIKE_PROPERTIES.read_text()))
    return _GARNET_LIKE
