"""Hardware path hardening: unreachable jobs in listings, damaged cached results, redaction."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from qdq.errors import ParameterError, QdqError, ResultError, StoreError
from qdq.hardware.job import Job
from qdq.hardware.submit import submit

from .conftest import small_spec


def test_refresh_lists_every_job_and_marks_the_unreachable_one(cli, store, fake_service,
                                                               sleeps, monkeypatch):
    jobs = [submit(small_spec(), "ibm_torino", shots=100, store=store, seed=i) for i in range(3)]
    broken = jobs[1].provider_id
    real_job = fake_service.job

    def job(self, job_id):
        if job_id == broken:
            raise requests.exceptions.ConnectionError("HTTPSConnectionPool: timed out")
        return real_job(self, job_id)

    monkeypatch.setattr(fake_service, "job", job)
    res = cli("jobs", "list", "--refresh", "--json")
    assert res.exit_code == 0, res.output
    listed = {d["id"]: d for d in json.loads(res.stdout)}
    assert set(listed) == {j.id for j in jobs}
    bad = listed[jobs[1].id]
    assert bad["status"].startswith("unreachable: ") and "ConnectionError" in bad["status"]
    assert bad["poll_error"] and len(bad["poll_error"]) <= 80
    for j in (jobs[0], jobs[2]):  # polled: QUEUED -> the store moved on
        assert listed[j.id]["status"] == "queued" and listed[j.id]["poll_error"] is None
    assert store.get_job(jobs[1].id)["status"] == "submitted"  # unchanged, not "error"
    res = cli("jobs", "list", "--refresh", "--wide")
    assert res.exit_code == 0, res.output
    assert "unreachable" in res.stdout and jobs[0].id in res.stdout


def test_poll_reports_instead_of_raising(store, fake_service, sleeps):
    job = submit(small_spec(), "ibm_torino", shots=100, store=store, seed=1)
    fake_service.failures["status"] = [RuntimeError("503 Service Unavailable")] * 10
    polled = Job(job.id, store=store)
    assert polled.poll() == polled.to_dict()["status"]
    assert polled.poll_error == "503 Service Unavailable"
    assert "503" in polled.to_dict()["status"]
    fake_service.failures["status"] = []
    assert polled.poll() == "queued" and polled.poll_error is None


def _damage(store, local_id: str, mutate) -> None:
    row = store.get_job(local_id)
    result = mutate(row["result"])
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE jobs SET result = ? WHERE local_id = ?",
                     (json.dumps(result), local_id))
    conn.close()


@pytest.mark.parametrize("damage", [
    lambda r: {**r, "probabilities": [0.5] * len(r["probabilities"])},
    lambda r: {k: v for k, v in r.items() if k != "grid"},
    lambda r: {**r, "success_probability": 7},
    lambda r: [1, 2, 3],
])
def test_fetch_of_a_damaged_cached_result_fails_cleanly(cli, store, damage):
    res = cli("submit", "--objective", "x**2", "--bounds=-2,2", "--qubits", "3", "--method",
              "real-time", "--D", "0.5", "--time", "0.5", "--steps", "1", "--backend",
              "fake_manila", "--shots", "200", "--seed", "1", "--json")
    assert res.exit_code == 0, res.output
    local_id = json.loads(res.stdout)["job"]["id"]
    _damage(store, local_id, damage)
    # A result of the wrong JSON type is refused by the store's row check (StoreError).
    with pytest.raises((ResultError, StoreError), match=f"{local_id}.*damaged"):
        Job(local_id, store=store).result()
    for args in (["jobs", "fetch", local_id], ["jobs", "fetch", local_id, "--json"]):
        res = cli(*args)
        assert res.exit_code != 0
        assert res.exception is None or isinstance(res.exception, SystemExit)
        text = res.output
        assert "damaged" in text and local_id in text and "Traceback" not in text


def test_error_messages_echoing_input_are_redacted(store, monkeypatch):
    secret = "crn:v1:secret-instance-42"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", secret)
    for kwargs in ({"mode": secret}, {"seed": secret}, {"dynamical_decoupling": secret},
                   {"shots": secret}):
        args = {"shots": 10, **kwargs}
        with pytest.raises(ParameterError) as info:
            submit(small_spec(), "fake_manila", store=store, **args)
        assert secret not in str(info.value) and "***" in str(info.value)
        assert secret not in repr(info.value)


def test_every_qdq_error_is_redacted_on_display(monkeypatch):
    token = "tok-abcdefgh-12345"
    monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    exc = QdqError(f"backend {token!r} unknown")
    assert str(exc) == "backend '***' unknown" and token not in repr(exc)
    import traceback

    try:
        raise ResultError(f"bad {token}")
    except ResultError as caught:
        text = "".join(traceback.format_exception(caught))
    assert token not in text and "bad ***" in text
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "qdq")  # short: never a secret
    assert str(QdqError("job qdq-123 failed")) == "job qdq-123 failed"
