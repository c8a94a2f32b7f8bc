"""A QPU's noisy local emulator (``braket:<qpu>.emulator``), end to end and offline.

The record's own ``aws_backend(arn, emulate=True)`` builds the provider's real
``BraketAwsBackend(...).emulator()`` — a ``BraketLocalBackend`` running Braket's
``LocalEmulator`` (depolarizing gate noise and readout bit flips derived from the device's
reported fidelities, on the density-matrix simulator). Only the device's capabilities come
from a file: the synthetic IQM-Garnet-like ``data/garnet_like_properties.json`` (one-qubit
fidelity 0.999, CZ 0.99, readout 0.98; see ``data/README.md``), served by ``fake_aws.py``'s
stand-in AWS session. The emulator's sampler cannot be seeded, so the checks are bounds.
"""

from __future__ import annotations

import math

import pytest

pytest.importorskip("qiskit_braket_provider")

import qdq  # noqa: E402
from qdq.hardware import Job, preview, submit  # noqa: E402
from qdq.hardware import clouds as clouds_module  # noqa: E402
from qdq.hardware import launch as launch_module  # noqa: E402

from .checks import real_spec, shot_noise_bound, tvd  # noqa: E402
from .fake_aws import FakeAws  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

GARNET = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
F1, F2, FRO = 0.999, 0.99, 0.98  # the file's one-qubit, CZ and readout fidelities


def _forget_process():
    """What a new process sees: no in-memory local jobs."""
    launch_module.LOCAL_JOBS.clear()
    launch_module.LOCAL_BY_LOCAL_ID.clear()


def _hand_fidelity(isa, f1=F1, f2=F2, fro=FRO) -> float:
    """The product of the file's fidelities over the ISA circuit's instructions."""
    ops = isa.count_ops()
    assert set(ops) <= {"r", "cz", "measure", "barrier"}, ops  # IQM's prx/cz + measure
    return f1 ** ops.get("r", 0) * f2 ** ops.get("cz", 0) * fro ** ops.get("measure", 0)


def test_noisy_emulator_run_is_local_free_and_noisy_within_the_reported_bound(store,
                                                                               monkeypatch):
    aws = FakeAws().install(monkeypatch)
    spec = real_spec(qubits=2, steps=1)
    shots = 20000
    job = submit(spec, "braket:iqm_garnet.emulator", shots, store=store, seed=3)
    assert job.backend == "braket:iqm_garnet.emulator" and job.is_local
    assert job.params["cost_usd"] == 0.0 and job.params["local"] is True
    assert aws.runs == [] and aws.tasks == {}  # nothing went to (fake) AWS but GetDevice
    assert aws.device_reads == [GARNET]
    backend = clouds_module.cloud_for(job.backend).get_device(job.backend).qiskit_backend()
    assert type(backend._device).__name__ == "LocalEmulator"
    assert backend.qubit_labels == (1, 2, 3, 4, 5, 6)  # Garnet-style labels from 1

    isa = job.isa_circuit()
    report = job.resource_report
    fidelity = _hand_fidelity(isa)
    assert 0.5 < report.estimated_fidelity < 1
    assert report.estimated_fidelity == pytest.approx(fidelity, rel=1e-9)

    # another process: the local job runs again from its stored ISA circuit
    first_id = job.provider_id
    _forget_process()
    again = Job(job.id, store=store)
    result = again.result()
    assert again.provider_id != first_id and result.shots == shots
    assert aws.device_reads == [GARNET]  # the device was read once

    ideal = qdq.run(spec, backend="emulator").probabilities
    cells = ideal.size
    distance = tvd(result.probabilities, ideal)
    noise_floor = shot_noise_bound(cells, shots)
    bound = report.expected_tvd_bound(shots, cells)
    assert bound == pytest.approx(1 - fidelity + math.sqrt(cells / shots))
    # noise is really applied (far beyond sampling noise), and no more than reported
    assert 3 * noise_floor < distance < bound, (distance, noise_floor, bound)


def test_the_synthetic_properties_validate_as_iqm_capabilities():
    from braket.device_schema.iqm import IqmDeviceCapabilities
    from braket.schema_common import BraketSchemaBase

    from .fake_aws import GARNET_LIKE_PROPERTIES

    caps = BraketSchemaBase.parse_raw_schema(GARNET_LIKE_PROPERTIES.read_text())
    assert isinstance(caps, IqmDeviceCapabilities)
    assert caps.paradigm.nativeGateSet == ["cz", "prx"] and caps.paradigm.qubitCount == 6
    assert "SYNTHETIC" in caps.service.deviceDocumentation.summary


def test_the_estimate_follows_the_reported_fidelities(monkeypatch):
    aws = FakeAws().install(monkeypatch)
    spec = real_spec(qubits=2, steps=1)
    base = preview(spec, "iqm:garnet.emulator", shots=1000, seed=3)
    assert base.cost_usd == 0.0 and base.estimated_fidelity < 1

    worse = {"RANDOMIZED_BENCHMARKING": 0.995, "READOUT": 0.9}
    for qubit in aws.device_properties["standardized"]["oneQubitProperties"].values():
        for entry in qubit["oneQubitFidelity"]:
            entry["fidelity"] = worse[entry["fidelityType"]["name"]]
    for edge in aws.device_properties["standardized"]["twoQubitProperties"].values():
        edge["twoQubitGateFidelity"][0]["fidelity"] = 0.95
    clouds_module._LOADED.clear()  # a fresh record reads the device again
    changed = preview(spec, "braket:iqm_garnet.emulator", shots=1000, seed=3)
    assert len(aws.device_reads) == 2
    assert changed.estimated_fidelity < base.estimated_fidelity
    from qdq.hardware.clouds.submit import plan_cloud

    isa = plan_cloud(spec, "braket:iqm_garnet.emulator", seed=3)["isa"]
    assert changed.estimated_fidelity == pytest.approx(
        _hand_fidelity(isa, 0.995, 0.95, 0.9), rel=1e-9)
