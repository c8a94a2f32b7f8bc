"""Backend names, credentials, retries — and the guarantee that tokens are never written."""

from __future__ import annotations

import logging

import pytest
import requests
import typer
from typer.testing import CliRunner

from qdq.cli.hardware import register
from qdq.errors import BackendError, ParameterError
from qdq.hardware import Job, submit
from qdq.hardware import runtime as rt
from qdq.store import Store

from .conftest import small_spec
from .fakes import FakeRequestsApiError, FakeService

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("fake_torino", "fake_torino"), ("FakeTorino", "fake_torino"),
     ("faketorino", "fake_torino"), ("FAKE-SHERBROOKE", "fake_sherbrooke"),
     ("FakeManilaV2", "fake_manila"), ("fake_manila", "fake_manila")],
)
def test_fake_names_match_case_insensitively(given, canonical):
    assert rt.canonical_fake_name(given) == canonical
    backend, name, local = rt.get_backend(given)
    assert (name, local) == (canonical, True) and backend.name == canonical


def test_every_fake_provider_backend_is_listed():
    names = rt.fake_backend_names()
    assert len(names) > 50
    assert {"fake_torino", "fake_sherbrooke", "fake_manila"} <= set(names)


def test_unknown_fake_name_suggests():
    with pytest.raises(BackendError, match="did you mean fake_sherbrooke"):
        rt.get_backend("fake_sherbroke")
    with pytest.raises(BackendError, match="unknown fake backend 'fakezzz'"):
        rt.get_backend("fakezzz")


def test_bad_backend_argument():
    with pytest.raises(ParameterError, match="backend must be a backend name"):
        rt.get_backend("")
    with pytest.raises(ParameterError, match="backend must be a backend name"):
        rt.get_backend(None)


def test_status_mapping():
    from qiskit.providers import JobStatus

    assert rt.normalize_status(JobStatus.RUNNING) == "running"
    assert rt.normalize_status("CANCELLED") == "cancelled"
    assert rt.normalize_status("INITIALIZING") == "submitted"


# --------------------------------------------------------------------------- retries


def test_is_transient():
    assert rt.is_transient(requests.exceptions.ConnectionError("x"))
    assert rt.is_transient(requests.exceptions.ReadTimeout("x"))
    assert rt.is_transient(FakeRequestsApiError("x", status_code=503))
    assert rt.is_transient(FakeRequestsApiError("x", status_code=429))
    assert not rt.is_transient(FakeRequestsApiError("x", status_code=401))
    assert not rt.is_transient(ValueError("x"))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = requests.exceptions.ConnectionError("x")
    assert rt.is_transient(wrapped)


def test_fails_twice_then_succeeds(sleeps):
    calls = []

    def flaky(a, b=0):
        calls.append(1)
        if len(calls) <= 2:
            raise FakeRequestsApiError("service unavailable", status_code=503)
        return a + b

    assert rt.with_retries(flaky, 1, b=2, what="add") == 3
    assert len(calls) == 3 and sleeps == [1.0, 2.0]


def test_backoff_is_capped(sleeps, monkeypatch):
    monkeypatch.setattr(rt, "RETRY_MAX_DELAY", 3.0)

    def down():
        raise ConnectionError("down")

    with pytest.raises(BackendError, match="could not ping after 6 attempts"):
        rt.with_retries(down, what="ping", attempts=6)
    assert sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


# --------------------------------------------------------------------------- accounts


def test_missing_account_says_how_to_save_one(monkeypatch, tmp_path):
    import qiskit_ibm_runtime

    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    monkeypatch.setattr(qiskit_ibm_runtime.QiskitRuntimeService, "saved_accounts",
                        staticmethod(lambda **kwargs: {}))
    with pytest.raises(BackendError, match="no IBM Quantum account found") as info:
        rt.get_service()
    text = str(info.value)
    assert 'save_account(channel="ibm_quantum_platform"' in text
    assert "QISKIT_IBM_TOKEN" in text and "fake_torino" in text
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(BackendError, match="save_account"):
        submit(small_spec(), backend="ibm_torino", store=store)
    assert store.list_jobs() == []
    assert rt.has_account() is False


def test_rejected_account_says_how_to_save_one(fake_service):
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError

    fake_service.failures["init"] = [AccountNotFoundError("Unable to find account.")]
    with pytest.raises(BackendError, match="no usable IBM Quantum account.*save_account"):
        rt.get_service()


def test_service_connection_failure_is_retried_then_reported(fake_service, sleeps):
    fake_service.failures["init"] = [requests.exceptions.ConnectionError("dns")] * 5
    with pytest.raises(BackendError, match="could not connect to IBM Quantum after 5"):
        rt.get_service()
    assert len(sleeps) == 4


# --------------------------------------------------------------------------- secrets

SENTINEL = "sentinel-Tok3n-5b0e1d2c9a"
INSTANCE = "crn:v1:sentinel-instance-77"


def test_token_never_reaches_any_artifact(tmp_path, fake_service, monkeypatch, caplog, capsys,
                                          sleeps):
    """Submit + fetch + CLI with the token in the env and in provider errors: no trace."""
    monkeypatch.setenv("QISKIT_IBM_TOKEN", SENTINEL)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", INSTANCE)
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    store = Store(tmp_path / "store" / "qdq.sqlite3")
    spec = small_spec()

    job = submit(spec, backend="ibm_torino", shots=200, store=store, seed=1)
    messages += [repr(job), str(job.to_dict())]
    # provider errors that echo credentials (e.g. a URL or an auth failure)
    fake_service.failures["status"] = [
        requests.exceptions.ConnectionError(f"GET https://api/jobs?apikey={SENTINEL}")] * 5
    with pytest.raises(BackendError) as info:
        Job(job.id, store=store).status()
    messages.append(str(info.value))
    fake_service.failures["submit"] = [RuntimeError(f"401: token {SENTINEL} for {INSTANCE}")]
    with pytest.raises(BackendError) as info:
        submit(spec, backend="ibm_torino", shots=100, store=store)
    messages.append(str(info.value))
    failed = store.list_jobs(status="error")[0]
    assert "***" in failed["error"]
    fake_service.failures["init"] = [RuntimeError(f"bad credentials {SENTINEL}")]
    with pytest.raises(BackendError) as info:
        rt.get_service()
    messages.append(str(info.value))

    result = Job(job.id, store=store).result()
    messages.append(repr(result))

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    out_dir = tmp_path / "out"
    for args in (["jobs", "list"], ["jobs", "list", "--json"], ["jobs", "status", job.id],
                 ["jobs", "fetch", job.id, "--json", "--out", str(out_dir)],
                 ["jobs", "fetch", job.id], ["jobs", "status", failed["local_id"]]):
        res = runner.invoke(app, [*args, "--store", str(store.path)])
        assert res.exit_code == 0, res.output
        messages.append(res.output)
    assert (out_dir / f"{job.id}.json").exists()

    assert FakeService.init_kwargs and all(k == {} for k in FakeService.init_kwargs)
    assert any(r.name == "qdq.hardware" for r in caplog.records)
    captured = capsys.readouterr()
    texts = [*messages, caplog.text, captured.out, captured.err]
    for text in texts:
        assert SENTINEL not in text and INSTANCE not in text
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") or p.suffix == ".sqlite3" for p in files)
    for path in files:
        data = path.read_bytes()
        assert SENTINEL.encode() not in data, path
        assert INSTANCE.encode() not in data, path
