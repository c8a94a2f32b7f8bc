from __future__ import annotations

import multiprocessing as mp
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from qdq import io as qio
from qdq import store as qstore
from qdq.errors import ParameterError, QdqError, StoreError
from qdq.store import JOB_STATUSES, Store

TOKEN = "tok-SECRET-123"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (*qio.SECRET_ENV_VARS, "QDQ_STORE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store" / "qdq.sqlite3"


@pytest.fixture
def store(db) -> Store:
    return Store(db)


def _utc(ts: str) -> datetime:
    parsed = datetime.fromisoformat(ts)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


# ----------------------------------------------------------------- location / schema


def test_path_from_env_and_lazy_creation(tmp_path, monkeypatch):
    target = tmp_path / "deep" / "dir" / "env.sqlite3"
    monkeypatch.setenv("QDQ_STORE", str(target))
    s = Store()
    assert s.path == target
    assert not target.parent.exists()  # nothing is created until first use
    s.add_run("k", {}, {})
    assert target.is_file()


def test_default_path_uses_platformdirs(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / "data" / app))
    assert Store().path == tmp_path / "data" / "qdq" / "qdq.sqlite3"
    assert qstore.default_store_path() == tmp_path / "data" / "qdq" / "qdq.sqlite3"


def test_schema_meta_and_wal(store, db):
    store.list_runs()
    conn = sqlite3.connect(db)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(qstore.SCHEMA_VERSION)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meta", "runs", "cells", "jobs"} <= tables
    finally:
        conn.close()
    # Re-opening an existing store is fine (CREATE ... IF NOT EXISTS).
    assert Store(db).list_runs() == []


def test_newer_schema_version_is_refused(store, db):
    store.list_runs()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match="schema version") as info:
        Store(db).list_runs()
    assert str(db) in str(info.value) and "QDQ_STORE" in str(info.value)


# ----------------------------------------------------------------- runs


def test_runs_roundtrip_and_listing(store):
    before = datetime.now().astimezone()
    rid = store.add_run(
        "emulate",
        {"n": np.int64(6), "grid": np.linspace(0, 1, 3), "psi0": 1 + 1j},
        {"energy": np.float64(-1.5)},
        label="first",
    )
    run = store.get_run(rid)
    assert run["id"] == rid and run["kind"] == "emulate" and run["label"] == "first"
    assert run["params"] == {"n": 6, "grid": [0.0, 0.5, 1.0], "psi0": {"re": 1.0, "im": 1.0}}
    assert run["result"] == {"energy": -1.5}
    assert _utc(run["created"]) >= before - timedelta(seconds=1)

    ids = [store.add_run("bench" if i % 2 else "emulate", {"i": i}, {}) for i in range(5)]
    assert ids == sorted(ids) and ids[0] > rid
    every = store.list_runs(limit=None)
    assert [r["id"] for r in every] == sorted([rid, *ids], reverse=True)  # newest first
    assert [r["params"]["i"] for r in store.list_runs(kind="bench")] == [3, 1]
    assert len(store.list_runs(limit=2)) == 2
    assert store.list_runs(kind="nope") == []


def test_run_errors(store):
    with pytest.raises(StoreError, match="list_runs") as info:
        store.get_run(12345)
    assert "12345" in str(info.value)
    with pytest.raises(ParameterError, match="params must be a dict"):
        store.add_run("k", [1, 2], {})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="kind"):
        store.add_run("", {}, {})
    with pytest.raises(ParameterError, match="limit"):
        store.list_runs(limit=0)
    with pytest.raises(ParameterError, match="cannot convert"):
        store.add_run("k", {"x": object()}, {})
    assert store.list_runs() == []


def _writer(path: str, tag: str, n: int, barrier) -> None:
    """Child-process body for the concurrency test (must be importable for spawn)."""
    barrier.wait(timeout=60)
    s = Store(path)  # both children initialise the same fresh file at once
    for i in range(n):
        s.add_run("concurrency", {"tag": tag, "i": i}, {"ok": True}, label=tag)


def test_two_processes_write_concurrently(db):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(db), tag, 200, barrier)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0], "a writer failed (see captured stderr)"
    runs = Store(db).list_runs(limit=None)
    assert len(runs) == 400
    for tag in ("a", "b"):
        assert sorted(r["params"]["i"] for r in runs if r["label"] == tag) == list(range(200))
    assert len({r["id"] for r in runs}) == 400


def test_threads_share_one_store(store):
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(25):
                store.add_run("threads", {"t": t, "i": i}, {})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_runs(kind="threads", limit=None)) == 100


# ----------------------------------------------------------------- cells


def test_cells_upsert_and_listing(store):
    assert store.get_cell("suite1", "sphere", "qdq", 0) is None
    store.put_cell("suite1", "sphere", "qdq", 0, {"best": 1.0})
    first = store.get_cell("suite1", "sphere", "qdq", 0)
    assert first is not None and first["result"] == {"best": 1.0}

    store.put_cell("suite1", "sphere", "qdq", 0, {"best": 0.5, "evals": np.int32(7)})
    again = store.get_cell("suite1", "sphere", "qdq", 0)
    assert again["result"] == {"best": 0.5, "evals": 7}
    assert again["created"] == first["created"]
    assert _utc(again["updated"]) >= _utc(first["updated"])

    store.put_cell("suite1", "sphere", "qdq", np.int64(1), {"best": 0.7})
    store.put_cell("suite1", "ackley", "nelder-mead", None, {"best": 2.0})
    store.put_cell("suite2", "sphere", "qdq", 0, {"best": 9.0})
    cells = store.list_cells("suite1")
    assert [(c["function"], c["method"], c["seed"]) for c in cells] == [
        ("ackley", "nelder-mead", None),
        ("sphere", "qdq", 0),
        ("sphere", "qdq", 1),
    ]
    assert len(store.list_cells("suite2")) == 1
    assert store.list_cells("missing") == []


def test_cell_key_is_unambiguous(store):
    assert Store.cell_key("a|b", "c", "d", 1) != Store.cell_key("a", "b|c", "d", 1)
    store.put_cell("a|b", "c", "d", 1, {"which": 1})
    store.put_cell("a", "b|c", "d", 1, {"which": 2})
    assert store.get_cell("a|b", "c", "d", 1)["result"] == {"which": 1}
    assert store.get_cell("a", "b|c", "d", 1)["result"] == {"which": 2}


def test_cell_validation(store):
    with pytest.raises(ParameterError, match="seed"):
        store.put_cell("s", "f", "m", "1", {})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="seed"):
        store.put_cell("s", "f", "m", True, {})
    with pytest.raises(ParameterError, match="method"):
        store.get_cell("s", "f", "", 0)
    with pytest.raises(ParameterError, match="result must be a dict"):
        store.put_cell("s", "f", "m", 0, 3.0)  # type: ignore[arg-type]


# ----------------------------------------------------------------- jobs


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
    _utc(created)

    store.attach_provider_job(jid, "p-1")
    for status in ("queued", "running"):
        store.update_job(jid, status=status)
        job = store.get_job(jid)
        assert job["status"] == status
        assert _utc(job["updated"]) >= _utc(last)
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


# ----------------------------------------------------------------- secrets


def test_env_token_never_reaches_database_files(db, monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    s = Store(db)
    s.list_runs()  # create the file
    # Hold a reader open so the WAL is not checkpointed away before we grep it.
    reader = sqlite3.connect(db)
    reader.execute("SELECT count(*) FROM runs").fetchone()
    try:
        rid = s.add_run(
            f"kind-{TOKEN}",
            {"token": TOKEN, TOKEN: "as key", "nested": [{"auth": f"Bearer {TOKEN}"}]},
            {"echo": np.array([TOKEN]), "raw": TOKEN.encode()},
            label=f"label {TOKEN}",
        )
        jid = s.create_job("ibm_torino", {"channel": {"token": TOKEN}}, {"token": TOKEN})
        s.attach_provider_job(jid, f"p-{TOKEN}")
        s.update_job(jid, status="error", error=f"401 for token {TOKEN}", result={"t": TOKEN})
        s.put_cell("suite", "f", "m", 0, {"token": TOKEN})

        files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
        assert db in files and Path(f"{db}-wal") in files
        for path in files:
            data = path.read_bytes()
            assert TOKEN.encode() not in data, path
            assert TOKEN.encode("utf-16-le") not in data, path
    finally:
        reader.close()
    for path in db.parent.iterdir():  # after checkpointing too
        assert TOKEN.encode() not in path.read_bytes(), path

    run = s.get_run(rid)
    assert run["params"]["token"] == "***" and "***" in run["params"]
    assert run["label"] == "label ***" and run["kind"] == "kind-***"
    job = s.get_job(jid)
    assert job["spec"] == {"channel": {"token": "***"}}
    assert job["error"] == "401 for token ***"
    assert job["provider_job_id"] == "p-***"


def test_errors_do_not_leak_secrets(store, monkeypatch):
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", TOKEN)
    for call in (
        lambda: store.get_job(TOKEN),
        lambda: store.update_job(TOKEN, status="done"),
        lambda: store.update_job("x", status=TOKEN),
        lambda: store.add_run("k", {"x": {TOKEN}, "o": type(TOKEN, (), {})()}, {}),
        lambda: store.put_cell("s", "f", "m", TOKEN, {}),
    ):
        with pytest.raises(QdqError) as info:
            call()
        assert TOKEN not in str(info.value)


# ----------------------------------------------------------------- corruption


def test_garbage_file_raises_store_error(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a sqlite database at all\n" * 200)
    for call in (
        lambda s: s.list_runs(),
        lambda s: s.add_run("k", {}, {}),
        lambda s: s.create_job("aer", {}, {}),
        lambda s: s.get_cell("a", "b", "c", 0),
    ):
        with pytest.raises(StoreError) as info:
            call(Store(db))
        msg = str(info.value)
        assert str(db) in msg and "QDQ_STORE" in msg
        assert isinstance(info.value, QdqError)


def test_damaged_pages_raise_store_error(store, db):
    for i in range(50):
        store.add_run("k", {"i": i, "pad": "x" * 200}, {})
    raw = bytearray(db.read_bytes())
    if Path(f"{db}-wal").exists():  # pragma: no cover - the last close checkpoints
        pytest.skip("WAL not checkpointed")
    page = int.from_bytes(raw[16:18], "big")
    raw[page : len(raw)] = b"\xa5" * (len(raw) - page)  # wipe every page after the first
    db.write_bytes(bytes(raw))
    with pytest.raises(StoreError) as info:
        Store(db).list_runs()
    assert str(db) in str(info.value) and "QDQ_STORE" in str(info.value)


def test_directory_as_path_raises_store_error(tmp_path):
    with pytest.raises(StoreError, match="directory"):
        Store(tmp_path).list_runs()


def test_get_run_rejects_non_int_id(store):
    with pytest.raises(ParameterError, match="run id"):
        store.get_run("1")  # type: ignore[arg-type]
    assert store.get_run(np.int64(store.add_run("k", {}, {})))["kind"] == "k"


# ----------------------------------------------------------------- read-only, versions, locks


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _populated(db: Path) -> tuple[Store, int, str]:
    s = Store(db)
    rid = s.add_run("solve", {"n": 1}, {"p": 0.25}, label="one")
    s.add_run("solve", {"n": 2}, {"p": 0.5}, label="two")
    job = s.create_job("aer", {"q": 1}, {"shots": 3})
    s.put_cell("s", "f", "m", 0, {"v": 1})
    assert not Path(f"{db}-wal").exists()  # the last close checkpointed
    return s, rid, job


def _freeze(paths: list[Path]) -> bool:
    """Make files/folders read-only, even for root (chattr +i); False if impossible."""
    import os
    import shutil
    import subprocess

    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            return False
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
        return done.returncode == 0
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
    return True


def _thaw(paths: list[Path]) -> None:
    import os
    import subprocess

    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
    for p in paths:
        p.chmod(0o755 if p.is_dir() else 0o644)


@pytest.mark.parametrize("frozen", ["file", "file-and-folder"])
def test_read_only_store_still_lists_and_fetches(db, frozen):
    _, rid, job = _populated(db)
    paths = [db] if frozen == "file" else [db, db.parent]
    if not _freeze(paths):
        pytest.skip("cannot make a file read-only here")
    try:
        before = _snapshot(db.parent)
        s = Store(db)  # a fresh object: nothing initialised yet
        assert [r["label"] for r in s.list_runs()] == ["two", "one"]
        assert s.get_run(rid)["result"] == {"p": 0.25}
        assert s.get_job(job)["params"] == {"shots": 3}
        assert [j["local_id"] for j in s.list_jobs()] == [job]
        assert s.list_cells("s")[0]["result"] == {"v": 1}
        assert s.get_cell("s", "f", "m", 0)["result"] == {"v": 1}
        with pytest.raises(StoreError, match="read-only|readonly") as info:
            s.add_run("solve", {}, {})
        assert str(db) in str(info.value)
        after = _snapshot(db.parent)
        assert after[db.name] == before[db.name]  # not a byte changed
        assert not any(name.endswith("-journal") for name in after)
    finally:
        _thaw(paths)


def test_reads_use_read_only_connections(db, monkeypatch):
    _, rid, _ = _populated(db)
    opened: list[str] = []
    real_connect = sqlite3.connect

    def spy(target, *args, **kwargs):
        opened.append(str(target))
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(qstore.sqlite3, "connect", spy)
    s = Store(db)
    s.list_runs()
    s.get_run(rid)
    s.list_jobs()
    assert len(opened) == 3 and all(u.startswith("file:") and "mode=ro" in u for u in opened)
    with s._connect("probe") as conn:  # the read connection refuses writes, even for root
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM runs")
    s.add_run("k", {}, {})
    assert str(db) == opened[-1]  # writes open the plain path read-write


def test_newer_user_version_is_refused_before_touching_the_file(db):
    _populated(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {qstore.SCHEMA_VERSION + 1}")
    conn.close()
    before = _snapshot(db.parent)
    mtime = db.stat().st_mtime_ns
    for call in (lambda s: s.list_runs(), lambda s: s.add_run("k", {}, {}),
                 lambda s: s.get_job("qdq-000000000000"), lambda s: s.put_cell("a", "b", "c",
                                                                               1, {})):
        with pytest.raises(StoreError) as info:
            call(Store(db))
        msg = str(info.value)
        assert f"schema version {qstore.SCHEMA_VERSION + 1}" in msg
        assert f"understands version {qstore.SCHEMA_VERSION}" in msg
        assert str(db) in msg and "upgrade qdq" in msg
    assert _snapshot(db.parent) == before  # no -wal / -shm / -journal, no byte changed
    assert db.stat().st_mtime_ns == mtime


def test_user_version_is_written_and_legacy_stores_still_open(db):
    s = Store(db)
    rid = s.add_run("k", {}, {"v": 1})
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == qstore.SCHEMA_VERSION
        conn.execute("PRAGMA user_version = 0")  # a store written before user_version
    conn.close()
    assert Store(db).get_run(rid)["result"] == {"v": 1}  # readable as it is
    Store(db).add_run("k", {}, {})  # the first write records the version
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == qstore.SCHEMA_VERSION
    conn.close()


def test_foreign_sqlite_database_is_refused_untouched(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = _snapshot(db.parent)
    for call in (lambda s: s.list_runs(), lambda s: s.add_run("k", {}, {})):
        with pytest.raises(StoreError, match="not a qdq store"):
            call(Store(db))
    assert _snapshot(db.parent) == before


def test_garbage_store_is_left_untouched(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage" * 64)
    for call in (lambda s: s.list_runs(), lambda s: s.add_run("k", {}, {})):
        with pytest.raises(StoreError, match="not a SQLite database"):
            call(Store(db))
    assert _snapshot(db.parent) == {db.name: b"\x00garbage" * 64}


@pytest.mark.parametrize("spelling", [":memory:", " :memory: ", "file::memory:?cache=shared"])
def test_in_memory_store_is_refused(spelling, monkeypatch):
    with pytest.raises(StoreError, match="in-memory") as info:
        Store(spelling)
    assert "QDQ_STORE" in str(info.value)
    monkeypatch.setenv("QDQ_STORE", spelling.strip())
    with pytest.raises(StoreError, match="in-memory"):
        Store()


def test_reading_a_missing_store_in_a_read_only_place_sees_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if not _freeze([folder]):
        pytest.skip("cannot make a folder read-only here")
    try:
        s = Store(folder / "qdq.sqlite3")
        assert s.list_runs() == [] and s.list_jobs() == [] and s.list_cells("x") == []
        assert s.get_cell("a", "b", "c", 1) is None
        with pytest.raises(StoreError):
            s.add_run("k", {}, {})
        assert list(folder.iterdir()) == []
    finally:
        _thaw([folder])


def _hold_write_lock(db: Path, started, release) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO runs (created, kind, label, params, result)"
                 " VALUES ('now', 'uncommitted', NULL, '{}', '{}')")
    started.set()
    release.wait(30)
    conn.execute("ROLLBACK")
    conn.close()


@pytest.mark.parametrize("legacy", [False, True])
def test_reads_do_not_wait_for_a_long_write(db, legacy):
    import time

    _, rid, job = _populated(db)
    if legacy:  # a store from before user_version: reading must not set it up first
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 0")
        conn.commit()
        conn.close()
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db, started, release))
    holder.start()
    try:
        assert started.wait(10)
        t0 = time.monotonic()
        s = Store(db)  # a fresh object, as in a new process
        runs = s.list_runs()
        assert s.get_run(rid)["label"] == "one"
        assert s.get_job(job)["status"] == "created"
        assert s.list_cells("s") and s.list_jobs()
        elapsed = time.monotonic() - t0
        assert elapsed < 1.0, elapsed
        assert [r["kind"] for r in runs] == ["solve", "solve"]  # the snapshot before it
    finally:
        release.set()
        holder.join()


def test_list_runs_lenient_marks_bad_rows(store, db):
    ids = [store.add_run("solve", {"n": i}, {"p": i / 10}) for i in range(3)]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET result = '{broken' WHERE id = ?", (ids[1],))
    conn.close()
    with pytest.raises(StoreError, match="invalid JSON"):
        store.list_runs()
    rows = store.list_runs(strict=False)
    assert [r["id"] for r in rows] == ids[::-1]
    bad = rows[1]
    assert bad["result"] is None and bad["params"] == {"n": 1}
    assert "result" in bad["error"] and "invalid JSON" in bad["error"]
    assert rows[0]["error"] is None and rows[0]["result"] == {"p": 0.2}
