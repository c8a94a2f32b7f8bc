"""Amazon Braket through qdq's shared job path: offline on Braket's local simulator, and on
remote devices through a fake AWS (``fake_aws.py``).

Every sampled distribution is compared with the exact emulator within a shot-noise bound
that the bit-reversed distribution fails (``checks.assert_matches_emulator``).
"""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("qiskit_braket_provider")

import qdq  # noqa: E402
from qdq.errors import BackendError, ParameterError  # noqa: E402
from qdq.hardware import Job, jobs, preview, submit  # noqa: E402
from qdq.hardware import launch as launch_module  # noqa: E402

from .checks import assert_matches_emulator, imaginary_spec, real_spec  # noqa: E402
from .fake_aws import FakeAws  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _forget_process():
    """What a new process sees: no in-memory local jobs."""
    launch_module.LOCAL_JOBS.clear()
    launch_module.LOCAL_BY_LOCAL_ID.clear()


# --------------------------------------------------------------------------- local simulator


def test_local_simulator_real_time_matches_the_emulator(store):
    spec = real_spec()
    job = submit(spec, "braket:local", 4000, store=store, seed=2)
    assert job.backend == "braket:local" and job.is_local
    assert job.params["cost_usd"] == 0.0 and job.params["cloud"] == "braket"
    result = job.result()
    assert job.status() == "done" and result.shots == 4000 and result.backend == "braket:local"
    assert_matches_emulator(result, spec, 4000)
    # another process: the cached result is read back, no re-run
    _forget_process()
    again = Job(job.id, store=store).result()
    assert (again.probabilities == result.probabilities).all()


def test_local_job_of_an_ended_process_runs_again_from_its_stored_circuit(store):
    spec = real_spec()
    job = submit(spec, "braket:local", 3000, store=store, seed=2)
    _forget_process()  # the process that submitted it ended before fetching
    result = Job(job.id, store=store).result()
    assert result.shots == 3000
    assert_matches_emulator(result, spec, 3000)


def test_imaginary_time_takes_fresh_ancillas_where_the_device_cannot_reset(store):
    spec = imaginary_spec()
    job = submit(spec, "braket:local", 20000, store=store, seed=1)
    isa = job.isa_circuit()
    assert "reset" not in isa.count_ops()
    assert {c.name for c in isa.cregs} == {"m", "post"}
    # every ancilla is measured once, at the end: grid + ancillas measurements
    report = job.resource_report
    assert report.measurements == report.logical_qubits > spec.grid.num_qubits
    result = job.result()
    assert 0 < result.accepted_shots < result.shots
    assert_matches_emulator(result, spec, 20000)


def test_qdq_run_reaches_braket_through_the_engine_table(store):
    spec = real_spec()
    result = qdq.run(spec, backend="braket", device="local", shots=3000, seed=4, store=store)
    assert result.backend == "braket:local"
    assert_matches_emulator(result, spec, 3000)
    with pytest.raises(ParameterError, match="device="):
        qdq.run(spec, backend="braket", shots=10, store=store)


def test_ibm_runtime_options_are_refused_for_a_cloud(store):
    with pytest.raises(ParameterError, match="mode, twirling are IBM runtime options"):
        submit(real_spec(), "braket:local", 100, mode="batch", twirling=True, store=store)
    assert jobs(store=store) == []


# --------------------------------------------------------------------------- remote devices


def test_remote_device_job_is_tagged_recorded_priced_and_fetched_elsewhere(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    aws.auto_complete = False
    spec = real_spec()
    job = submit(spec, "braket:iqm_garnet", 2000, store=store, seed=3)
    assert job.backend == "braket:iqm_garnet" and not job.is_local
    assert aws.runs == [{"device": "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet",
                         "shots": 2000, "tags": {"qdq": job.id}, "options": {}}]
    assert job.params["cost_usd"] == pytest.approx(0.30 + 2000 * 0.00145, abs=0.005)
    report = job.resource_report
    assert 0 < report.estimated_fidelity < 1  # from the device's reported error rates
    assert job.status() == "queued"
    aws.auto_complete = True
    other = Job(job.id, store=store)  # another process: retrieved by the task ARN
    assert other.status() == "done"
    assert_matches_emulator(other.result(), spec, 2000)


def test_crash_after_submission_is_recovered_by_the_task_tag(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    from qdq.store import Store

    def crash(self, local_id, provider_id):
        raise KeyboardInterrupt  # the process dies before the provider id is recorded

    with monkeypatch.context() as m:
        m.setattr(Store, "attach_provider_job", crash)
        with pytest.raises(KeyboardInterrupt):
            submit(real_spec(), "braket:iqm_garnet", 500, store=store)
    (row,) = jobs(store=store)
    assert row.stored_status == "created" and row.provider_id is None
    recovered = Job(row.id, store=store).recover()
    assert recovered.provider_id == next(iter(aws.tasks))
    assert recovered.result().shots == 500


def test_a_submission_that_never_reached_aws_is_marked_lost(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)

    def die(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("qdq.hardware.clouds.braket.BraketCloud.run", die)
    with pytest.raises(KeyboardInterrupt):
        submit(real_spec(), "braket:iqm_garnet", 500, store=store)
    (row,) = jobs(store=store)
    job = Job(row.id, store=store).recover()
    assert job.stored_status == "error" and "never reached" in job.error
    assert aws.searches and aws.tasks == {}


def test_a_failed_submission_is_retried_only_after_a_search(store, monkeypatch, sleeps):
    aws = FakeAws().install(monkeypatch)
    aws.fail_submit = 1
    job = submit(real_spec(), "braket:iqm_garnet", 500, store=store)
    assert len(aws.runs) == 1 and len(aws.searches) == 1 and sleeps
    assert job.provider_id in aws.tasks


def test_cancel_a_queued_task(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    aws.auto_complete = False
    job = submit(real_spec(), "braket:iqm_garnet", 500, store=store)
    assert job.cancel() == "cancelled"
    assert aws.tasks[job.provider_id][0].state == "CANCELLED"
    with pytest.raises(BackendError, match="cancelled"):
        job.result()


def test_no_aws_credentials_is_a_clear_error_and_records_nothing(store, monkeypatch):
    FakeAws().install(monkeypatch, credentials=False)
    with pytest.raises(BackendError, match="AWS_PROFILE.*braket:local"):
        submit(real_spec(), "braket:iqm_garnet", 100, store=store)
    assert jobs(store=store) == []


def test_unknown_device_lists_close_matches(store):
    with pytest.raises(BackendError, match="did you mean braket:iqm_garnet"):
        submit(real_spec(), "braket:iqm_garnett", 100, store=store)
    with pytest.raises(ParameterError, match="names no device"):
        submit(real_spec(), "braket:", 100, store=store)


def test_aws_secrets_never_reach_the_store_errors_or_logs(store, monkeypatch, caplog):
    secret = "aws-SENTINEL-0123456789abcdefghij"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    aws = FakeAws().install(monkeypatch)
    aws.fail_result, aws.echo = True, secret
    caplog.set_level(logging.DEBUG, logger="qdq")
    job = submit(real_spec(), "braket:iqm_garnet", 100, store=store)
    with pytest.raises(BackendError) as err:
        job.result()
    assert secret not in str(err.value) and "***" in str(err.value)
    assert secret not in caplog.text
    assert secret not in str(Job(job.id, store=store).to_dict())
    assert secret.encode() not in store.path.read_bytes()


# --------------------------------------------------------------------------- cost guard


def test_max_cost_refuses_before_anything_is_recorded_or_reached(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    with pytest.raises(ParameterError, match=r"\$80\.30.*above max_cost=\$50\.00"):
        submit(real_spec(), "braket:ionq_forte1", 1000, store=store, max_cost=50)
    with pytest.raises(ParameterError, match="cannot be checked"):
        submit(real_spec(), "braket:iqm_emerald", 10, store=store, max_cost=100)
    assert jobs(store=store) == [] and aws.runs == []
    job = submit(real_spec(), "braket:ionq_forte1", 100, store=store, max_cost=9)
    assert job.params["cost_usd"] == pytest.approx(8.30)


def test_preview_reports_the_price_for_the_shots(monkeypatch):
    FakeAws().install(monkeypatch)
    report = preview(real_spec(), "braket:iqm_garnet", shots=1000, seed=1)
    assert report.cost_usd == pytest.approx(1.75) and report.shots == 1000
    assert "1000 shots × $0.00145 + $0.30 per task" in report.cost_note
    assert ("cost", report.cost_note) in report.rows()
    unpriced = preview(real_spec(), "braket:iqm_emerald", shots=1000, seed=1)
    assert unpriced.cost_usd is None and "does not guess" in unpriced.cost_note


# --------------------------------------------------------------------------- IQM via Braket


def test_iqm_names_reach_the_same_braket_device(store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    spec = real_spec()
    job = submit(spec, "iqm:garnet", 1500, store=store, seed=5)
    assert job.backend == "iqm:garnet"
    assert aws.runs[0]["device"].endswith("/qpu/iqm/Garnet")
    assert job.params["cost_usd"] == pytest.approx(0.30 + 1500 * 0.00145, abs=0.005)
    assert_matches_emulator(Job(job.id, store=store).result(), spec, 1500)
    with pytest.raises(BackendError, match="did you mean iqm:garnet"):
        submit(spec, "iqm:garnt", 10, store=store)
