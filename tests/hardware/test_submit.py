"""qdq.submit / Job / jobs: local fake backends through the store, and a fake IBM service."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import qdq
from qdq.errors import BackendError, ParameterError, PostselectionError
from qdq.hardware import Job, jobs, preview, recover_jobs, submit
from qdq.results import Result
from qdq.store import Store

from .conftest import small_spec
from .fakes import FakeMode, FakeRequestsApiError, FakeSampler, FakeService

launch_module = importlib.import_module("qdq.hardware.launch")
job_module = importlib.import_module("qdq.hardware.job")


def tvd(p, q) -> float:
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


# --------------------------------------------------------------------------- local fakes


def test_top_level_exports():
    assert qdq.submit is submit and qdq.jobs is jobs and qdq.Job is Job


def test_row_is_written_before_submission_returns(store, spec, monkeypatch):
    import qiskit_ibm_runtime.executor_sampler as es

    seen = {}
    original = es.Sampler.run

    def spying_run(self, pubs, *args, **kwargs):
        rows = store.list_jobs()
        seen["rows"] = [(r["local_id"], r["status"], r["provider_job_id"]) for r in rows]
        seen["tags"] = list(self.options.environment.job_tags)
        return original(self, pubs, *args, **kwargs)

    monkeypatch.setattr(es.Sampler, "run", spying_run)
    job = submit(spec, backend="fake_manila", shots=300, store=store, seed=3)
    assert seen["rows"] == [(job.id, "created", None)]
    assert seen["tags"] == ["qdq", job.id]
    row = store.get_job(job.id)
    assert row["provider_job_id"] == job.provider_id and row["status"] == "submitted"
    assert row["params"]["primitive"] == "executor"


def test_fake_result_is_cached_and_read_back(store, spec):
    job = submit(spec, backend="FakeManilaV2", shots=500, store=store, seed=5)
    assert job.backend == "fake_manila" and job.is_local
    r = job.result()
    assert isinstance(r, Result) and r.backend == "fake_manila"
    assert r.probabilities.shape == (8,) and r.probabilities.sum() == pytest.approx(1.0)
    assert r.shots == 500 and r.success_probability == 1.0
    assert job.status() == "done"
    again = Job(job.id, store=store).result()  # from the store: no provider involved
    np.testing.assert_array_equal(again.probabilities, r.probabilities)
    assert again.extra["provider_job_id"] == job.provider_id
    assert [j.id for j in jobs(status="done", backend="fake_manila", store=store)] == [job.id]
    assert jobs(status="queued", store=store) == []


def test_noisy_distribution_is_close_to_ideal_within_reported_fidelity(store):
    """TVD(noisy, ideal) is above pure sampling noise and within the noise model's scale."""
    spec = small_spec(qubits=3, steps=1)
    shots = 4000
    ideal = qdq.run(spec, backend="emulator").probabilities
    job = submit(spec, backend="fake_torino", shots=shots, store=store, seed=7)
    noisy = job.result().probabilities
    report = job.resource_report
    assert 0.5 < report.estimated_fidelity < 0.99
    # A pure-sampling run of the ideal distribution with the same shots.
    rng = np.random.default_rng(2024)
    sampled = [tvd(rng.multinomial(shots, ideal / ideal.sum()) / shots, ideal) for _ in range(20)]
    noisy_tvd = tvd(noisy, ideal)
    bound = report.expected_tvd_bound(shots=shots, cells=ideal.size)
    # measured (seed 7): noisy ~0.037, sampling ~0.013, F ~0.83 -> bound ~0.22
    assert noisy_tvd > max(sampled), (noisy_tvd, sampled)
    assert noisy_tvd < bound, (noisy_tvd, bound)


def test_noise_grows_with_depth(store):
    shots = 4000
    out = []
    for steps in (1, 4):
        spec = small_spec(qubits=3, steps=steps)
        ideal = qdq.run(spec, backend="emulator").probabilities
        job = submit(spec, backend="fake_torino", shots=shots, store=store, seed=7)
        out.append((job.resource_report, tvd(job.result().probabilities, ideal)))
    (rep1, tvd1), (rep4, tvd4) = out
    assert rep4.two_qubit_gates > rep1.two_qubit_gates
    assert rep4.estimated_fidelity < rep1.estimated_fidelity
    assert tvd4 > tvd1


def test_same_seed_gives_identical_counts(store, spec):
    a = submit(spec, backend="fake_manila", shots=400, store=store, seed=9).result()
    b = submit(spec, backend="fake_manila", shots=400, store=store, seed=9).result()
    np.testing.assert_array_equal(a.probabilities, b.probabilities)


@pytest.mark.parametrize("mode", ["batch", "session"])
def test_local_batch_and_session_modes(store, spec, mode):
    job = submit(spec, backend="fake_manila", shots=200, mode=mode, store=store, seed=1)
    assert job.params["mode"] == mode
    assert job.result().shots == 200


def test_error_suppression_options_reach_the_sampler(store, spec, monkeypatch):
    import qiskit_ibm_runtime.executor_sampler as es

    captured = {}
    original_init = es.Sampler.__init__

    def init(self, mode=None, options=None):
        captured["options"] = options
        original_init(self, mode=mode, options=options)

    monkeypatch.setattr(es.Sampler, "__init__", init)
    job = submit(spec, backend="fake_manila", shots=256, store=store, seed=2,
                 dynamical_decoupling="XY4", twirling=True)
    opts = captured["options"]
    assert opts["dynamical_decoupling"] == {"enable": True, "sequence_type": "XY4"}
    assert opts["twirling"] == {"enable_gates": True, "enable_measure": True}
    assert opts["simulator"] == {"seed_simulator": 2}
    r = job.result()  # twirled + DD-padded circuits really run in the local simulation
    assert r.probabilities.sum() == pytest.approx(1.0) and r.shots >= 256
    assert r.extra["dynamical_decoupling"]["sequence_type"] == "XY4"


def test_samplerv2_fallback_path_runs_locally(store, spec, monkeypatch):
    import qdq.hardware.runtime as rt

    monkeypatch.setattr(rt, "executor_available", lambda: False)
    job = submit(spec, backend="fake_manila", shots=300, store=store, seed=4)
    assert job.params["primitive"] == "v2"
    assert job.result().shots == 300
    job2 = submit(spec, backend="fake_manila", shots=100, store=store, primitive="v2")
    assert job2.result().shots == 100


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shots": 0}, "shots must be an integer >= 1"),
        ({"shots": 1.5}, "shots must be an integer"),
        ({"mode": "turbo"}, "mode must be one of job, batch, session"),
        ({"dynamical_decoupling": "ZZ"}, "sequence must be one of XX"),
        ({"twirling": {"enable_gates": True, "bogus_option": 1}}, "invalid error-suppression"),
        ({"optimization_level": 7}, "optimization_level must be 0, 1, 2 or 3"),
        ({"seed": -1}, "seed must be a non-negative int"),
        ({"primitive": "v3"}, "primitive must be 'auto', 'executor' or 'v2'"),
    ],
)
def test_bad_arguments_fail_before_any_row(store, spec, kwargs, match):
    args = {"backend": "fake_manila", "store": store, **kwargs}
    with pytest.raises(ParameterError, match=match):
        submit(spec, **args)
    assert store.list_jobs() == []


def test_not_a_spec(store):
    with pytest.raises(ParameterError, match="needs an evolution spec"):
        submit("x**2", backend="fake_manila", store=store)


def test_circuit_wider_than_backend_is_refused_without_a_row(store):
    spec = small_spec(qubits=6)
    with pytest.raises(BackendError, match=r"needs 6 qubits but backend 'fake_manila' has 5"):
        submit(spec, backend="fake_manila", shots=100, store=store)
    assert store.list_jobs() == []
    with pytest.raises(BackendError, match="Nothing was submitted"):
        preview(spec, "fake_manila")


def test_unknown_fake_backend_lists_close_matches(store, spec):
    with pytest.raises(BackendError, match="did you mean fake_torino") as info:
        submit(spec, backend="fake_torin", store=store)
    assert "fake_toronto" in str(info.value)
    assert store.list_jobs() == []


def test_submission_failure_marks_the_row_error(store, spec, monkeypatch):
    import qiskit_ibm_runtime.executor_sampler as es

    def boom(self, pubs, *a, **k):
        raise RuntimeError("simulator exploded")

    monkeypatch.setattr(es.Sampler, "run", boom)
    with pytest.raises(BackendError, match="simulator exploded"):
        submit(spec, backend="fake_manila", shots=100, store=store)
    (row,) = store.list_jobs()
    assert row["status"] == "error" and "simulator exploded" in row["error"]


def test_crash_between_submit_and_record_is_recoverable_in_process(store, spec, monkeypatch):
    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(Store, "attach_provider_job", crash)
    with pytest.raises(KeyboardInterrupt):
        submit(spec, backend="fake_manila", shots=300, store=store, seed=8)
    monkeypatch.undo()
    (row,) = store.list_jobs()
    assert row["status"] == "created" and row["provider_job_id"] is None
    job = Job(row["local_id"], store=store).recover()
    assert job.provider_id == launch_module.LOCAL_BY_LOCAL_ID[job.id]
    assert job.result().shots == 300


def test_crash_recovery_in_a_new_process_reruns_the_stored_circuit(store, spec, monkeypatch):
    reference = submit(spec, backend="fake_manila", shots=300, store=store, seed=8).result()

    def crash(self, *args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(Store, "attach_provider_job", crash)
    with pytest.raises(SystemExit):
        submit(spec, backend="fake_manila", shots=300, store=store, seed=8)
    monkeypatch.undo()
    launch_module.LOCAL_JOBS.clear()  # the submitting process is gone
    launch_module.LOCAL_BY_LOCAL_ID.clear()
    (lost,) = [j for j in jobs(status="created", store=store)]
    assert recover_jobs(store=store, older_than_s=3600) == []  # too young: left alone
    (recovered,) = recover_jobs(store=store, older_than_s=0)
    assert recovered.id == lost.id and recovered.provider_id is not None
    r = recovered.result()
    np.testing.assert_array_equal(r.probabilities, reference.probabilities)  # same seed


def test_local_result_after_process_exit_reruns(store, spec):
    job = submit(spec, backend="fake_manila", shots=200, store=store, seed=1)
    first_provider = job.provider_id
    launch_module.LOCAL_JOBS.clear()
    again = Job(job.id, store=store)
    assert again.status() == "submitted"  # nothing to poll in this process
    assert again.result().shots == 200
    assert again.provider_id != first_provider


def test_cancel_local_job(store, spec):
    job = submit(spec, backend="fake_manila", shots=100, store=store, seed=1)
    job.result()
    with pytest.raises(BackendError, match="already done"):
        job.cancel()
    pending = submit(spec, backend="fake_manila", shots=100, store=store, seed=1)
    # A fresh handle in a process that never ran the job: cancelling only records it.
    launch_module.LOCAL_JOBS.clear()
    launch_module.LOCAL_BY_LOCAL_ID.clear()
    assert Job(pending.id, store=store).cancel() == "cancelled"
    with pytest.raises(BackendError, match="was cancelled"):
        Job(pending.id, store=store).result()


def test_postselection_on_ancilla_register(store, spec, monkeypatch):
    """Shots with an ancilla bit set are rejected; all rejected -> PostselectionError."""
    from qiskit.primitives import BitArray

    class _Pub:
        def __init__(self, m, post):
            self.data = {"m": BitArray.from_samples(m, 3), "post": BitArray.from_samples(post, 1)}

    class _Job:
        def __init__(self, pub):
            self.pub = pub

        def result(self):
            return [self.pub]

        def status(self):
            return "DONE"

    job = submit(spec, backend="fake_manila", shots=4, store=store, seed=1)
    row = store.get_job(job.id)
    row["spec"]["post_register"] = "post"
    job._row = row
    monkeypatch.setattr(job, "_reload", lambda: job._row)
    job._provider_job = _Job(_Pub(["001", "001", "010", "111"], ["0", "1", "0", "1"]))
    monkeypatch.setattr(job_module, "provider_job_id", lambda pj: job.provider_id)
    r = job.result()
    assert r.success_probability == 0.5 and r.shots == 4
    assert r.probabilities.tolist() == [0, 0.5, 0.5, 0, 0, 0, 0, 0]
    job._row = {**row, "result": None}
    job._provider_job = _Job(_Pub(["001", "011"], ["1", "1"]))
    with pytest.raises(PostselectionError, match="no shot of 2 survived"):
        job.result()


# --------------------------------------------------------------------------- fake service


def test_remote_submit_status_fetch_cancel(store, spec, fake_service):
    job = submit(spec, backend="ibm_torino", shots=1000, store=store, seed=3,
                 dynamical_decoupling=True, twirling={"enable_gates": True})
    assert not job.is_local and job.provider_id.startswith("remote-")
    (sampler,) = FakeSampler.created
    assert sampler.options["environment"]["job_tags"] == ["qdq", job.id]
    assert sampler.options["dynamical_decoupling"] == {"enable": True}
    assert sampler.options["twirling"] == {"enable_gates": True}
    assert "simulator" not in sampler.options  # no simulator seed for real hardware
    remote = FakeService.jobs_by_id[job.provider_id]
    assert remote.circuit.num_qubits == 133  # the full-width ISA circuit is submitted
    fresh = Job(job.id, store=store)  # e.g. another process: talks to the service
    assert fresh.status() == "queued"
    assert fresh.status() == "running"
    assert store.get_job(job.id)["status"] == "running"
    r = fresh.result()
    ideal = qdq.run(spec, backend="emulator").probabilities
    assert tvd(r.probabilities, ideal) < 0.08  # the fake service samples ideally
    assert fresh.status() == "done"
    calls = FakeService.calls["result"]
    Job(job.id, store=store).result()
    assert FakeService.calls["result"] == calls  # cached
    other = submit(spec, backend="ibm_torino", shots=100, store=store)
    assert Job(other.id, store=store).cancel() == "cancelled"
    assert FakeService.jobs_by_id[other.provider_id]._cancelled
    assert [j.id for j in jobs(status="cancelled", store=store)] == [other.id]


@pytest.mark.parametrize("mode", ["batch", "session"])
def test_remote_modes_open_and_close(store, spec, fake_service, mode):
    submit(spec, backend="ibm_torino", shots=100, store=store, mode=mode)
    (opened,) = FakeMode.opened
    assert opened.closed
    assert isinstance(FakeSampler.created[0].mode, FakeMode)


def test_remote_open_session_object_is_used(store, spec, fake_service):
    backend = FakeService().backend("ibm_torino")
    session = FakeMode(backend)
    job = submit(spec, backend="ibm_torino", shots=100, store=store, mode=session)
    assert FakeSampler.created[0].mode is session and not session.closed
    assert job.params["mode"] == "fakemode"


def test_transient_errors_are_retried_with_backoff(store, spec, fake_service, sleeps):
    import requests

    job = submit(spec, backend="ibm_torino", shots=100, store=store)
    fake_service.failures["status"] = [requests.exceptions.ConnectionError("reset"),
                                       FakeRequestsApiError("bad gateway", status_code=502)]
    assert Job(job.id, store=store).status() == "queued"
    assert FakeService.calls["status"] == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff


def test_persistent_transient_errors_raise_backend_error(store, spec, fake_service, sleeps):
    import requests

    job = submit(spec, backend="ibm_torino", shots=100, store=store)
    fake_service.failures["status"] = [requests.exceptions.Timeout("slow")] * 10
    with pytest.raises(BackendError, match="after 5 attempts"):
        Job(job.id, store=store).status()
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_client_errors_are_not_retried(store, spec, fake_service, sleeps):
    job = submit(spec, backend="ibm_torino", shots=100, store=store)
    fake_service.failures["job"] = [FakeRequestsApiError("forbidden", status_code=403)]
    with pytest.raises(BackendError, match="not authorized"):  # an auth error: said so, once
        Job(job.id, store=store).status()
    assert sleeps == []
    fake_service.failures["job"] = [FakeRequestsApiError("bad request", status_code=400)]
    with pytest.raises(FakeRequestsApiError):  # other client errors propagate unchanged
        Job(job.id, store=store).status()
    assert sleeps == []


def test_submission_retry_checks_tags_before_resubmitting(store, spec, fake_service, sleeps,
                                                          monkeypatch):
    import requests

    real_run = FakeSampler.run

    def lands_then_times_out(self, pubs, shots=None):
        job = real_run(self, pubs, shots=shots)  # the server accepted it ...
        if len(FakeService.jobs_by_id) == 1:
            raise requests.exceptions.ReadTimeout("... but the response was lost")
        return job

    import qiskit_ibm_runtime.executor_sampler as es

    class Flaky(FakeSampler):
        run = lands_then_times_out

    monkeypatch.setattr(es, "Sampler", Flaky)
    job = submit(spec, backend="ibm_torino", shots=100, store=store)
    assert len(FakeService.jobs_by_id) == 1  # not submitted twice
    assert job.provider_id == next(iter(FakeService.jobs_by_id))
    assert sleeps == [1.0]


def test_remote_crash_recovery_by_tag(store, spec, fake_service, monkeypatch):
    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "attach_provider_job", crash)
    with pytest.raises(KeyboardInterrupt):
        submit(spec, backend="ibm_torino", shots=100, store=store)
    monkeypatch.setattr(Store, "attach_provider_job", Store.__dict__["attach_provider_job"])
    (row,) = store.list_jobs(status="created")
    (remote_id,) = FakeService.jobs_by_id
    job = Job(row["local_id"], store=store).recover()
    assert job.provider_id == remote_id and job.stored_status == "queued"
    assert job.result().shots == 100


def test_remote_recovery_without_provider_job_marks_lost(store, spec, fake_service,
                                                         monkeypatch):
    def lost(self, pubs, shots=None):
        raise KeyboardInterrupt  # died before the request left

    monkeypatch.setattr(FakeSampler, "run", lost)
    with pytest.raises(KeyboardInterrupt):
        submit(spec, backend="ibm_torino", shots=100, store=store)
    (row,) = store.list_jobs(status="created")
    job = Job(row["local_id"], store=store).recover()
    assert job.stored_status == "error" and "never reached" in job.error
    with pytest.raises(BackendError, match="never reached"):
        job.result()


def test_unknown_real_backend_lists_close_matches(store, spec, fake_service):
    with pytest.raises(BackendError, match="did you mean ibm_torino") as info:
        submit(spec, backend="ibm_torin", store=store)
    assert "ibm_fez" in str(info.value)  # available names listed
    assert store.list_jobs() == []


def test_remote_failed_job_records_error(store, spec, fake_service):
    job = submit(spec, backend="ibm_torino", shots=100, store=store)
    fake_service.failures["result"] = [RuntimeError("RuntimeJobFailureError: qubit 3 broke")]
    with pytest.raises(BackendError, match="qubit 3 broke"):
        Job(job.id, store=store).result()
    assert store.get_job(job.id)["status"] == "error"
    assert Job(job.id, store=store).status() == "error"  # final: no polling


# --------------------------------------------------------------------------- imaginary time


@pytest.fixture(scope="module")
def imaginary_spec():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.4, steps=1, order=1)


def test_imaginary_time_postselects_mid_circuit_ancillas(store, imaginary_spec):
    exact = qdq.run(imaginary_spec, backend="emulator")
    job = submit(imaginary_spec, backend="fake_manila", shots=1000, store=store, seed=2)
    assert store.get_job(job.id)["spec"]["post_register"] == "post"
    r = job.result()
    report = job.resource_report
    assert report.measurements > imaginary_spec.grid.num_qubits  # mid-circuit ancillas
    assert r.shots == 1000 and r.accepted_shots == round(r.success_probability * 1000)
    # measured (seed 2): success 0.387 vs exact 0.434, TVD ~0.04, bound ~0.6
    assert abs(r.success_probability - exact.success_probability) < 1 - report.estimated_fidelity
    assert tvd(r.probabilities, exact.probabilities) < report.expected_tvd_bound(1000, 4)


def test_measurement_twirling_refused_for_mid_circuit_measurements(store, imaginary_spec):
    with pytest.raises(ParameterError, match=r"use twirling=\{'enable_gates': True\}"):
        submit(imaginary_spec, backend="fake_manila", shots=100, store=store, twirling=True)
    assert store.list_jobs() == []


def test_failed_local_submission_is_not_rerun_on_fetch(store, spec, monkeypatch):
    import qiskit_ibm_runtime.executor_sampler as es

    def boom(self, pubs, *a, **k):
        raise RuntimeError("no memory")

    monkeypatch.setattr(es.Sampler, "run", boom)
    with pytest.raises(BackendError):
        submit(spec, backend="fake_manila", shots=100, store=store)
    monkeypatch.undo()
    (row,) = store.list_jobs()
    with pytest.raises(BackendError, match="failed: submission failed: RuntimeError: no memory"):
        Job(row["local_id"], store=store).result()
