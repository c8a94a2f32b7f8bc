"""IonQ provider record and qdq's shared cloud path against a fake IonQ HTTP API (offline)."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

pytest.importorskip("qiskit_ionq")

import qdq  # noqa: E402
from qdq.errors import BackendError  # noqa: E402
from qdq.hardware import Job, submit  # noqa: E402
from qdq.hardware.clouds.ionq import IonQCloud  # noqa: E402
from qdq.hardware.launch import provider_job_id  # noqa: E402
from qdq.hardware.transpile import transpile_for  # noqa: E402

try:
    from .fake_ionq import install
except ImportError:  # tests/hardware/clouds is not a package
    from fake_ionq import install

KEY_VARS = ("IONQ_API_KEY", "IONQ_API_TOKEN", "QISKIT_IONQ_API_TOKEN")
SENTINEL = "ionq-SENTINEL-abcdef0123456789"
PROBLEM = ["--objective", "x**2", "--bounds=-2,2", "--qubits", "3", "--method", "real-time",
           "--D", "0.5", "--time", "0.5", "--steps", "2"]


def real_time_spec():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2)


def imaginary_time_spec():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.4, steps=1, order=1)


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """The fake IonQ API, a test key, and no ``.env`` in the working directory."""
    monkeypatch.chdir(tmp_path)
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IONQ_API_KEY", "test-ionq-key-not-real")
    return install(monkeypatch)


def tvd(p, q):
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def bit_reversed(probs):
    n = int(np.log2(len(probs)))
    return np.array([probs[int(format(i, f"0{n}b")[::-1], 2)] for i in range(len(probs))])


def assert_matches_exact(got, exact, shots):
    """Shot-noise bound that a wrong physics or bit order would fail (checked here too)."""
    got, exact = np.asarray(got, float), np.asarray(exact, float)
    bound = 4 * np.sqrt(len(exact) / shots) / 2
    assert tvd(got, exact) <= bound, (got, exact, bound)
    assert tvd(bit_reversed(exact), exact) > 2 * bound  # the bound can tell bit orders apart
    assert tvd(got, np.full(len(exact), 1 / len(exact))) > 2 * bound  # not uniform noise


# ---------------------------------------------------------------------- the record
def test_names_and_resolve_offline():
    cloud = IonQCloud()
    names = cloud.device_names()
    assert names[0] == "simulator" and "simulator.aria-1" in names and "qpu.forte-1" in names
    qpu = cloud.resolve("QPU.Forte-1")
    assert (qpu.name, qpu.local, qpu.mid_circuit, qpu.price_key) == \
        ("ionq:qpu.forte-1", False, False, "ionq:qpu.forte-1")
    assert qpu.backend.name == "ionq_qpu.forte-1" and qpu.backend.num_qubits == 36
    assert qpu.handle == {"noise_model": None}
    noisy = cloud.resolve("simulator.forte-1")
    assert noisy.backend.options.noise_model == "forte-1" and noisy.backend.num_qubits == 36
    ideal = cloud.resolve("simulator")
    assert ideal.backend.options.noise_model == "ideal" and ideal.handle["noise_model"] is None
    assert {"cx", "rz", "h", "measure"} <= set(ideal.backend.target.operation_names)


def test_unknown_device_lists_close_matches():
    with pytest.raises(BackendError, match=r"did you mean ionq:qpu\.aria-1") as err:
        IonQCloud().get_device("ionq:qpu.aria")
    assert "known devices: ionq:simulator" in str(err.value)


def test_no_key_names_the_variable_and_sends_nothing(fake, monkeypatch, store):
    monkeypatch.delenv("IONQ_API_KEY")
    cloud = IonQCloud()
    assert not cloud.has_credentials()
    with pytest.raises(BackendError, match="IONQ_API_KEY") as err:
        cloud.get_device("ionq:simulator")
    assert "test-ionq-key" not in str(err.value)
    with pytest.raises(BackendError, match="IONQ_API_KEY"):
        submit(real_time_spec(), backend="ionq:simulator", shots=100, store=store)
    assert fake.requests == []
    monkeypatch.setenv("IONQ_API_TOKEN", "another-key-not-real")
    assert cloud.has_credentials()


def _isa(device):
    qc = qdq.build_circuit(real_time_spec()).copy()
    qc.measure_all()
    return transpile_for(qc, device.backend, optimization_level=1, seed=1)


def test_run_status_retrieve_counts_cancel(fake):
    cloud = IonQCloud()
    device = cloud.resolve("simulator")
    fake.polls_before_done = 2
    job = cloud.run(device, _isa(device), 3000, local_id="qdq-test-1", seed=5)
    (post,) = fake.requests
    assert post["method"] == "POST" and post["url"] == "https://api.ionq.co/v0.4/jobs"
    assert post["headers"]["Authorization"] == "apiKey test-ionq-key-not-real"
    body = post["json"]
    assert body["name"] == "qdq-test-1" and body["shots"] == 3000
    assert body["noise"] == {"model": "ideal", "seed": 5}
    gates = {op["gate"] for op in body["input"]["circuit"]}
    assert "cz" not in gates or all("rotation" not in op for op in body["input"]["circuit"]
                                    if op["gate"] in ("z", "cz"))
    assert [job.status().name for _ in range(3)] == ["QUEUED", "RUNNING", "DONE"]
    counts = cloud.counts(job)
    assert sum(counts.values()) == 3000 and all(len(k) == 3 for k in counts)
    again = cloud.retrieve(device, provider_job_id(job))
    assert cloud.counts(again) == counts  # seeded sampling: same counts in a new process

    fake.polls_before_done = 10
    pending = cloud.run(device, _isa(device), 100, local_id="qdq-test-2", seed=None)
    pending.cancel()
    assert fake.requests[-1]["url"].endswith("/status/cancel")
    assert pending.status().name == "CANCELLED"
    assert cloud.find(device, "qdq-test-2", None) is NotImplemented


def test_transient_503_is_retried_and_401_is_a_backend_error(fake):
    cloud = IonQCloud()
    device = cloud.resolve("qpu.aria-1")
    fake.fail_next(503, method="POST")
    with pytest.warns(UserWarning, match="Retrying submit_job"):
        job = cloud.run(device, _isa(device), 100, local_id="qdq-test-3", seed=1)
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert len(posts) == 2 and posts[-1]["json"]["backend"] == "qpu.aria-1"
    assert "noise" not in posts[-1]["json"]  # the QPU takes no noise model
    assert sum(cloud.counts(job).values()) == pytest.approx(100, abs=4)
    fake.fail_next(401)
    with pytest.raises(BackendError, match="401") as err:
        cloud.run(device, _isa(device), 100, local_id="qdq-test-4", seed=1)
    assert "test-ionq-key-not-real" not in str(err.value)


# ---------------------------------------------------------------------- end to end
def test_submit_real_time_end_to_end_and_second_process(fake, store):
    spec = real_time_spec()
    shots = 20000
    job = submit(spec, backend="ionq:simulator", shots=shots, store=store, seed=11)
    posted = [r["json"] for r in fake.requests if r["method"] == "POST"]
    assert len(posted) == 1 and posted[0]["name"] == job.id
    assert posted[0]["noise"] == {"model": "ideal", "seed": 11}
    # another process: a fresh Job object reads the result through retrieve()
    before = len(fake.requests)
    fresh = Job(job.id, store=store)
    result = fresh.result()
    assert any(r["url"].endswith("/results/probabilities") for r in fake.requests[before:])
    assert fresh.status() == "done"
    assert_matches_exact(result.probabilities, qdq.run(spec).probabilities, shots)
    assert job.result().probabilities == pytest.approx(result.probabilities)


def test_submit_imaginary_time_fresh_ancillas(fake, store):
    spec = imaginary_time_spec()
    job = submit(spec, backend="ionq:simulator", shots=40000, store=store, seed=2)
    body = next(r["json"] for r in fake.requests if r["method"] == "POST")
    assert body["input"]["qubits"] > 3  # the ancillas are fresh qubits, measured at the end
    result = job.result()
    accepted = getattr(result, "accepted_shots", None) or getattr(result, "shots", 40000)
    assert_matches_exact(result.probabilities, qdq.run(spec).probabilities, accepted)


def test_noisy_simulator_sends_the_noise_model(fake, store):
    job = submit(real_time_spec(), backend="ionq:simulator.aria-1", shots=4000, store=store,
                 seed=3)
    body = next(r["json"] for r in fake.requests if r["method"] == "POST")
    assert body["backend"] == "simulator" and body["noise"] == {"model": "aria-1", "seed": 3}
    assert job.backend == "ionq:simulator.aria-1"
    got = job.result().probabilities
    assert tvd(got, qdq.run(real_time_spec()).probabilities) < 0.1


def test_cancel_and_recover_pending_job(fake, store):
    fake.polls_before_done = 100
    job = submit(real_time_spec(), backend="ionq:simulator", shots=100, store=store, seed=1)
    assert job.status() in ("queued", "running", "submitted")
    recovered = Job(job.id, store=store).recover()
    assert recovered.id == job.id
    job.cancel()
    assert any(r["url"].endswith("/status/cancel") for r in fake.requests)
    assert Job(job.id, store=store).status() == "cancelled"


def test_cli_submit_and_jobs_commands(fake, cli, store, tmp_path):
    res = cli("submit", *PROBLEM, "--backend", "ionq:simulator", "--shots", "2000",
              "--seed", "1", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["job"]["backend"] == "ionq:simulator" and out["job"]["status"] == "done"
    jid = out["job"]["id"]
    assert jid in cli("jobs", "list").stdout
    assert json.loads(cli("jobs", "status", jid, "--json").stdout)["status"] == "done"
    fetched = cli("jobs", "fetch", jid, "--out", str(tmp_path / "out"), "--json")
    assert fetched.exit_code == 0, fetched.output
    cancelled = cli("jobs", "cancel", jid)
    assert cancelled.exit_code == 2 and "already done" in cancelled.stderr


def test_api_key_never_leaks(fake, monkeypatch, store, cli, caplog):
    monkeypatch.setenv("IONQ_API_KEY", SENTINEL)
    caplog.set_level(logging.DEBUG)
    job = submit(real_time_spec(), backend="ionq:simulator", shots=500, store=store, seed=4)
    job.result()
    assert fake.requests[0]["headers"]["Authorization"] == f"apiKey {SENTINEL}"  # it was sent
    fake.fail_next(401, times=50)  # the body echoes the key
    with pytest.raises(BackendError) as err:
        submit(real_time_spec(), backend="ionq:simulator", shots=500, store=store, seed=4)
    assert "401" in str(err.value)
    failed = cli("submit", *PROBLEM, "--backend", "ionq:simulator", "--shots", "100")
    assert failed.exit_code != 0
    texts = [str(err.value), caplog.text, json.dumps(job.to_dict(), default=str),
             failed.output, cli("jobs", "list", "--json").output,
             cli("jobs", "status", job.id, "--json").output]
    for text in texts:
        assert SENTINEL not in text and "abcdef0123456789" not in text
    for path in store.path.parent.iterdir():
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path


def test_a_crash_before_the_id_is_recorded_names_where_to_look(fake, store, monkeypatch):
    from qdq.hardware import jobs
    from qdq.store import Store

    def crash(self, local_id, provider_id):
        raise KeyboardInterrupt  # the process dies after IonQ accepted the job

    with monkeypatch.context() as m:
        m.setattr(Store, "attach_provider_job", crash)
        with pytest.raises(KeyboardInterrupt):
            submit(real_time_spec(), backend="ionq:simulator", shots=100, store=store)
    (row,) = jobs(store=store)
    sent = [r for r in fake.requests if r["method"] == "POST"]
    assert sent and sent[-1]["json"]["name"] == row.id  # the job carries the local id
    job = Job(row.id, store=store).recover()
    assert job.stored_status == "error" and job.provider_id is None
    assert f"look for a job named {row.id}" in job.error and "IonQ" in job.error
