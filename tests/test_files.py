"""Tests of qdq.files: atomic and never-overwrite writes, unique names, stray temp files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from qdq import files
from qdq.errors import ParameterError
from qdq.redact import SECRET_ENV_VARS

TOKEN = "tok-SECRET-123"


@pytest.fixture(autouse=True)
def _clean_secret_env(monkeypatch):
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def test_atomic_write_text_creates_parents_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    files.atomic_write_text(target, "héllo\nworld\n")
    assert target.read_text(encoding="utf-8") == "héllo\nworld\n"
    files.atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert sorted(os.listdir(target.parent)) == ["out.txt"]


def test_atomic_write_bytes_roundtrip(tmp_path):
    target = tmp_path / "blob.bin"
    data = bytes(range(256))
    files.atomic_write_bytes(str(target), data)
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == ["blob.bin"]


def test_old_content_survives_failing_replace(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    files.atomic_write_json(target, {"version": 1})

    def boom(src, dst):
        raise OSError("simulated crash during rename")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError, match="simulated crash"):
        files.atomic_write_json(target, {"version": 2})
    with pytest.raises(OSError):
        files.atomic_write_text(target, "garbage")
    with pytest.raises(OSError):
        files.atomic_write_bytes(target, b"garbage")

    assert json.loads(target.read_text()) == {"version": 1}
    assert os.listdir(tmp_path) == ["state.json"]  # no stray temp files


def test_old_content_survives_failing_fsync(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        files.atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_unserialisable_json_does_not_touch_file(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("{}")
    with pytest.raises(ParameterError, match="object"):
        files.atomic_write_json(target, {"bad": object()})
    assert target.read_text() == "{}"
    assert os.listdir(tmp_path) == ["x.json"]


def test_atomic_write_keeps_existing_mode(tmp_path):
    target = tmp_path / "private.txt"
    target.write_text("x")
    target.chmod(0o600)
    files.atomic_write_text(target, "y")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.txt"
    files.atomic_write_text(fresh, "z")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_atomic_write_type_errors(tmp_path):
    with pytest.raises(ParameterError, match="bytes"):
        files.atomic_write_bytes(tmp_path / "a", "not bytes")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="str"):
        files.atomic_write_text(tmp_path / "a", b"not str")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="directory"):
        files.atomic_write_text(tmp_path, "x")
    assert os.listdir(tmp_path) == []


def test_atomic_write_json_redacts_env_token(tmp_path, monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    target = tmp_path / "r.json"
    files.atomic_write_json(target, {"token": TOKEN, "nested": [f"Bearer {TOKEN}"]})
    raw = target.read_bytes()
    assert TOKEN.encode() not in raw
    assert json.loads(raw) == {"token": "***", "nested": ["Bearer ***"]}
    files.atomic_write_json(target, {"token": TOKEN}, redact_secrets=False)
    assert TOKEN in target.read_text()


def test_atomic_create_refuses_to_overwrite(tmp_path):
    target = tmp_path / "sub" / "r.json"
    files.atomic_create_json(target, {"v": 1})
    with pytest.raises(FileExistsError):
        files.atomic_create_json(target, {"v": 2})
    with pytest.raises(FileExistsError):
        files.atomic_create_bytes(target, b"x")
    assert json.loads(target.read_text()) == {"v": 1}
    assert os.listdir(target.parent) == ["r.json"]  # no temp file left behind
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_atomic_create_without_hard_links(tmp_path, monkeypatch):
    def no_link(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_link)
    target = tmp_path / "r.bin"
    files.atomic_create_bytes(target, b"first")
    with pytest.raises(FileExistsError):
        files.atomic_create_bytes(target, b"second")
    assert target.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["r.bin"]


def test_atomic_create_races_have_one_winner(tmp_path):
    import threading

    target = tmp_path / "contested.json"
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            files.atomic_create_json(target, {"writer": i})
            outcomes.append(f"won {i}")
        except FileExistsError:
            outcomes.append("lost")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("lost") == 7
    assert json.loads(target.read_text()) == {"writer": int(winners[0].split()[1])}
    assert os.listdir(tmp_path) == ["contested.json"]


def test_unique_stem_is_unique_and_sortable():
    import re

    stems = {files.unique_stem("double-well-anneal") for _ in range(2000)}
    assert len(stems) == 2000
    assert all(re.fullmatch(r"double-well-anneal-\d{8}-\d{6}-[0-9a-f]{8}", s) for s in stems)


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_write_removes_only_stale_strays_of_dead_writers(tmp_path):
    dead = _dead_pid()
    old = 1_000_000_000  # 2001: older than any threshold
    stale = tmp_path / f".r.json.qdq-{dead}-abc123.tmp"  # dead writer, old: removed
    fresh_dead = tmp_path / f".r.json.qdq-{dead}-def456.tmp"  # dead but young: kept
    live = tmp_path / f".x.json.qdq-{os.getpid()}-ghi789.tmp"  # in flight (alive): kept
    ancient_live = tmp_path / f".y.json.qdq-{os.getpid()}-jkl012.tmp"  # abandoned: removed
    foreign = tmp_path / ".notes.tmp"  # not our pattern: kept
    other = tmp_path / f".r.json.qdq-{dead}-abc.partial"  # not our suffix: kept
    for p in (stale, fresh_dead, live, ancient_live, foreign, other):
        p.write_bytes(b"partial")
    now = os.path.getmtime(fresh_dead)
    os.utime(stale, (now - files.STALE_TMP_SECONDS - 5, now - files.STALE_TMP_SECONDS - 5))
    os.utime(live, (now - files.STALE_TMP_SECONDS - 5, now - files.STALE_TMP_SECONDS - 5))
    os.utime(ancient_live, (old, old))
    os.utime(foreign, (old, old))
    os.utime(other, (old, old))

    files.atomic_write_json(tmp_path / "r.json", {"ok": True})

    left = sorted(os.listdir(tmp_path))
    assert left == sorted(["r.json", fresh_dead.name, live.name, foreign.name, other.name])


def test_temp_name_carries_pid(tmp_path, monkeypatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", spy)
    files.atomic_write_text(tmp_path / "a.txt", "x")
    assert len(seen) == 1 and seen[0].startswith(f".a.txt.qdq-{os.getpid()}-")
    assert files._TMP_RE.match(seen[0])
