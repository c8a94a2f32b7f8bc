"""Tests of qdq.store.core: location, schema and versions, connections, locking, secrets."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from qdq.errors import QdqError, StoreError
from qdq.store import Store, default_store_path
from qdq.store.core import SCHEMA_VERSION

from .helpers import TOKEN


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
    assert default_store_path() == tmp_path / "data" / "qdq" / "qdq.sqlite3"


def test_schema_meta_and_wal(store, db):
    store.list_runs()
    conn = sqlite3.connect(db)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(SCHEMA_VERSION)
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

    monkeypatch.setattr(sqlite3, "connect", spy)
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
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = _snapshot(db.parent)
    mtime = db.stat().st_mtime_ns
    for call in (lambda s: s.list_runs(), lambda s: s.add_run("k", {}, {}),
                 lambda s: s.get_job("qdq-000000000000"), lambda s: s.put_cell("a", "b", "c",
                                                                               1, {})):
        with pytest.raises(StoreError) as info:
            call(Store(db))
        msg = str(info.value)
        assert f"schema version {SCHEMA_VERSION + 1}" in msg
        assert f"understands version {SCHEMA_VERSION}" in msg
        assert str(db) in msg and "upgrade qdq" in msg
    assert _snapshot(db.parent) == before  # no -wal / -shm / -journal, no byte changed
    assert db.stat().st_mtime_ns == mtime


def test_user_version_is_written_and_legacy_stores_still_open(db):
    s = Store(db)
    rid = s.add_run("k", {}, {"v": 1})
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.execute("PRAGMA user_version = 0")  # a store written before user_version
    conn.close()
    assert Store(db).get_run(rid)["result"] == {"v": 1}  # readable as it is
    Store(db).add_run("k", {}, {})  # the first write records the version
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
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
