"""Tests of qdq.store.jobs: durable hardware job rows through :class:`qdq.store.Store`."""

from __future__ import annotations

import sqlite3

import pytest

from qdq.errors import ParameterError, StoreError
from qdq.store import JOB_STATUSES, Store

from .helpers import utc


def test_job_row_committed_before_submission(db):
    writer = Store(db)
    seen_before_submit: dict = {}

    def fake_submit(local_id: str) -> str:
        # At submission time a *different* Store instance (and a raw connection)
        # already sees the committed row.
        seen_before_submit.update(Store(db).get_job(local_id))
        conn = sqlite3.connect(db)
        try:
            row = conn.execute("SELECT status FROM jobs WHERE local_id = ?", (local_id,)).fetchone()
        finally:
            conn.close()
        assert row == ("created",)
        return "provider-xyz"

    local_id = writer.create_job("ibm_torino", {"qasm": "OPENQASM 3.0;"}, {"shots": 1000})
    assert local_id.startswith("qdq-") and len(local_id) == len("qdq-") + 12
    int(local_id[4:], 16)
    provider_id = fake_submit(local_id)
    writer.attach_provider_job(local_id, provider_id)

    assert seen_before_submit["status"] == "created"
    assert seen_before_submit["provider_job_id"] is None
    assert seen_before_submit["spec"] == {"qasm": "OPENQASM 3.0;"}
    assert seen_before_submit["params"] == {"shots": 1000}
    after = Store(db).get_job(local_id)
    assert after["status"] == "submitted" and after["provider_job_id"] == "provider-xyz"


def test_job_status_transitions(store):
    jid = store.create_job("ibm_brisbane", {"n": 3}, {"shots": 10})
    job = store.get_job(jid)
    assert job["status"] == "created" and job["result"] is None and job["error"] is None
    created, last = job["created"], job["updated"]
    utc(created)

    store.attach_provider_job(jid, "p-1")
    for status in ("queued", "running"):
        store.update_job(jid, status=status)
        job = store.get_job(jid)
        assert job["status"] == status
        assert utc(job["updated"]) >= utc(last)
        last = job["updated"]
    store.update_job(jid, status="done", result={"counts": {"00": 6, "11": 4}})
    job = store.get_job(jid)
    assert job["status"] == "done"
    assert job["result"] == {"counts": {"00": 6, "11": 4}}
    assert job["provider_job_id"] == "p-1"  # untouched fields are kept
    assert job["created"] == created

    other = store.create_job("ibm_brisbane", {}, {})
    store.update_job(other, status="error", error=RuntimeError("backend offline"))
    assert store.get_job(other)["error"] == "RuntimeError: backend offline"
    store.update_job(other, provider_job_id="p-late")  # no status change
    assert store.get_job(other)["status"] == "error"
    assert store.get_job(other)["provider_job_id"] == "p-late"


def test_job_status_validation_and_unknown_ids(store):
    jid = store.create_job("aer", {}, {})
    with pytest.raises(ParameterError, match="finished") as info:
        store.update_job(jid, status="finished")
    for status in JOB_STATUSES:
        assert status in str(info.value)
    with pytest.raises(ParameterError):
        store.attach_provider_job(jid, "p", status="DONE")
    with pytest.raises(ParameterError):
        store.list_jobs(status="bogus")
    assert store.get_job(jid)["status"] == "created"  # failed calls changed nothing

    with pytest.raises(StoreError, match="list_jobs") as info:
        store.get_job("qdq-000000000000")
    assert "qdq-000000000000" in str(info.value)
    with pytest.raises(StoreError, match="list_jobs"):
        store.update_job("qdq-000000000000", status="done")
    with pytest.raises(ParameterError, match="backend"):
        store.create_job("", {}, {})
    with pytest.raises(ParameterError, match="spec must be a dict"):
        store.create_job("aer", "OPENQASM", {})  # type: ignore[arg-type]


def test_list_jobs_filters(store):
    a1 = store.create_job("aer", {}, {})
    t1 = store.create_job("ibm_torino", {}, {})
    a2 = store.create_job("aer", {}, {})
    t2 = store.create_job("ibm_torino", {}, {})
    store.update_job(t1, status="queued")
    store.update_job(a2, status="queued")
    store.update_job(t2, status="cancelled")

    def ids(**kw):
        return [j["local_id"] for j in store.list_jobs(**kw)]

    assert ids() == [t2, a2, t1, a1]  # newest first
    assert ids(backend="aer") == [a2, a1]
    assert ids(status="queued") == [a2, t1]
    assert ids(status="queued", backend="ibm_torino") == [t1]
    assert ids(status="created") == [a1]
    assert ids(status="done") == []
    assert ids(limit=1) == [t2]
    assert len(ids(limit=None)) == 4
