"""Tampered job rows and refused logins: clean errors, confined files, no pointless retries."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

import qdq.hardware.runtime as rt
from qdq.errors import BackendError, StoreError
from qdq.hardware.job import Job, jobs

from .fakes import FakeRequestsApiError


def _strict(text: str):
    def refuse(token):
        raise ValueError(token)

    return json.loads(text, parse_constant=refuse)


def _submit(cli, seed: int = 1) -> str:
    res = cli("submit", "--objective", "x**2", "--bounds=-2,2", "--qubits", "3", "--method",
              "real-time", "--D", "0.5", "--time", "0.5", "--steps", "1", "--backend",
              "fake_manila", "--shots", "100", "--seed", str(seed), "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["job"]["id"]


def _sql(store, sql: str, args: tuple) -> None:
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute(sql, args)
    conn.close()


def _set_params(store, local_id: str, mutate) -> None:
    params = store.get_job(local_id)["params"]
    _sql(store, "UPDATE jobs SET params = ? WHERE local_id = ?",
         (json.dumps(mutate(params)), local_id))


@pytest.mark.parametrize("mutate", [
    lambda p: {**p, "shots": "many"},
    lambda p: {**p, "shots": [1]},
    lambda p: {**p, "mode": 5},
    lambda p: {**p, "resource_report": "big"},
    lambda p: {**p, "resource_report": {**p["resource_report"], "estimated_fidelity": "hi"}},
    lambda p: {**p, "local": "yes"},
])
def test_a_tampered_job_is_skipped_in_listings_and_refused_by_id(cli, store, mutate):
    ids = [_submit(cli, seed) for seed in (1, 2, 3)]
    _set_params(store, ids[1], mutate)
    for args in (["jobs", "list"], ["jobs", "list", "--wide"], ["jobs", "list", "--json"]):
        res = cli(*args)
        assert res.exit_code == 0, res.output
        assert f"warning: skipped job '{ids[1]}'" in res.stderr
        assert ids[0] in res.stdout and ids[2] in res.stdout and ids[1] not in res.stdout
    assert [j.id for j in jobs(store=store, on_skip=lambda text: None)] == [ids[2], ids[0]]
    listed = _strict(cli("jobs", "list", "--json").stdout)
    assert {d["id"] for d in listed} == {ids[0], ids[2]}
    for args in (["jobs", "fetch", ids[1]], ["jobs", "status", ids[1]]):
        res = cli(*args)
        assert res.exit_code == 2, res.output
        assert "damaged" in res.stderr and "Traceback" not in res.output
    with pytest.raises(StoreError, match="damaged"):
        Job(ids[1], store=store)


def test_fetch_cannot_write_outside_out_through_a_stored_id(cli, store, tmp_path,
                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    local_id = _submit(cli)
    assert cli("jobs", "fetch", local_id).exit_code == 0  # cache the result in the store
    victim = tmp_path / "x.json"
    victim.write_text("precious")
    for evil in ("../../x", "/tmp/../" + str(tmp_path / "x"), "..\\..\\x", "a/../../../x"):
        _sql(store, "UPDATE jobs SET local_id = ? WHERE rowid = 1", (evil,))
        res = cli("jobs", "fetch", evil, "--out", "a/b", "--json")
        assert res.exit_code == 0, res.output
        files = _strict(res.stdout)["files"]
        for path in files.values():
            assert (tmp_path / path).resolve().parent == (tmp_path / "a" / "b").resolve()
        assert victim.read_text() == "precious"
    assert not list(tmp_path.glob("a/*.json")) and not (tmp_path / "x.png").exists()


def test_fetch_refuses_to_write_through_a_symlink(cli, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    local_id = _submit(cli)
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / f"{local_id}.json").symlink_to(victim)
    res = cli("jobs", "fetch", local_id, "--out", "out")
    assert res.exit_code == 2 and "symbolic link" in res.stderr, res.output
    assert victim.read_text() == "precious"


def test_fetch_out_that_is_a_file_says_so(cli, store, tmp_path):
    local_id = _submit(cli)
    a_file = tmp_path / "f"
    a_file.write_text("")
    res = cli("jobs", "fetch", local_id, "--out", str(a_file))
    assert res.exit_code == 2 and "exists and is not a directory" in res.stderr


# ------------------------------------------------------------------ refused logins
AUTH_ERRORS = [
    FakeRequestsApiError("401 Client Error: Unauthorized", status_code=401),
    FakeRequestsApiError("forbidden", status_code=403),
    RuntimeError("Invalid token provided"),
    RuntimeError("'Unable to retrieve instances. Check that you are using a valid API token.'"),
    type("IBMNotAuthorizedError", (Exception,), {})("no access"),
]


@pytest.mark.parametrize("error", AUTH_ERRORS)
def test_auth_errors_are_not_retried_and_say_invalid_token(error, sleeps):
    calls = []

    def login():
        calls.append(1)
        raise error

    assert rt.is_auth_error(error) and not rt.is_transient(error)
    with pytest.raises(BackendError, match="invalid token") as info:
        rt.with_retries(login, what="connect to IBM Quantum")
    assert len(calls) == 1 and sleeps == []
    assert "check your network" not in str(info.value)


def test_an_auth_error_behind_a_connection_error_is_not_retried(sleeps):
    try:
        try:
            raise FakeRequestsApiError("Unauthorized", status_code=401)
        except Exception as inner:
            raise requests.exceptions.ConnectionError("login failed") from inner
    except Exception as exc:  # noqa: BLE001
        outer = exc
    with pytest.raises(BackendError, match="invalid token"):
        rt.with_retries(lambda: (_ for _ in ()).throw(outer))
    assert sleeps == []


def test_get_service_with_an_invalid_token(fake_service, sleeps):
    fake_service.failures["init"] = [RuntimeError("401 Client Error: Unauthorized")] * 10
    with pytest.raises(BackendError, match="invalid token") as info:
        rt.get_service()
    assert "test-token-not-real" not in str(info.value) and sleeps == []
    assert not rt.is_auth_error(ConnectionError("connection reset"))
    assert not rt.is_auth_error(FakeRequestsApiError("busy", status_code=503))


@pytest.mark.parametrize("mutate", [
    lambda s: {k: v for k, v in s.items() if k != "num_grid_qubits"},
    lambda s: {**s, "num_grid_qubits": "three"},
    lambda s: {**s, "grid_register": 5},
])
def test_fetch_with_a_tampered_description_fails_cleanly(cli, store, mutate):
    res = cli("submit", "--objective", "x**2", "--bounds=-2,2", "--qubits", "3", "--method",
              "real-time", "--D", "0.5", "--time", "0.5", "--steps", "1", "--backend",
              "fake_manila", "--shots", "100", "--seed", "1", "--no-wait", "--json")
    assert res.exit_code == 0, res.output
    local_id = json.loads(res.stdout)["job"]["id"]
    spec = store.get_job(local_id)["spec"]
    _sql(store, "UPDATE jobs SET spec = ? WHERE local_id = ?",
         (json.dumps(mutate(spec)), local_id))
    res = cli("jobs", "fetch", local_id)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "error:" in res.stderr
