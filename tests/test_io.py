from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from qdq import io as qio
from qdq.errors import ParameterError, QdqError

TOKEN = "tok-SECRET-123"


@pytest.fixture(autouse=True)
def _clean_secret_env(monkeypatch):
    for name in qio.SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------- atomic writes


def test_atomic_write_text_creates_parents_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    qio.atomic_write_text(target, "héllo\nworld\n")
    assert target.read_text(encoding="utf-8") == "héllo\nworld\n"
    qio.atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert sorted(os.listdir(target.parent)) == ["out.txt"]


def test_atomic_write_bytes_roundtrip(tmp_path):
    target = tmp_path / "blob.bin"
    data = bytes(range(256))
    qio.atomic_write_bytes(str(target), data)
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == ["blob.bin"]


def test_old_content_survives_failing_replace(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    qio.atomic_write_json(target, {"version": 1})

    def boom(src, dst):
        raise OSError("simulated crash during rename")

    monkeypatch.setattr(qio.os, "replace", boom)
    with pytest.raises(OSError, match="simulated crash"):
        qio.atomic_write_json(target, {"version": 2})
    with pytest.raises(OSError):
        qio.atomic_write_text(target, "garbage")
    with pytest.raises(OSError):
        qio.atomic_write_bytes(target, b"garbage")

    assert json.loads(target.read_text()) == {"version": 1}
    assert os.listdir(tmp_path) == ["state.json"]  # no stray temp files


def test_old_content_survives_failing_fsync(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(qio.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        qio.atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_unserialisable_json_does_not_touch_file(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("{}")
    with pytest.raises(ParameterError, match="object"):
        qio.atomic_write_json(target, {"bad": object()})
    assert target.read_text() == "{}"
    assert os.listdir(tmp_path) == ["x.json"]


def test_atomic_write_keeps_existing_mode(tmp_path):
    target = tmp_path / "private.txt"
    target.write_text("x")
    target.chmod(0o600)
    qio.atomic_write_text(target, "y")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.txt"
    qio.atomic_write_text(fresh, "z")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_atomic_write_type_errors(tmp_path):
    with pytest.raises(ParameterError, match="bytes"):
        qio.atomic_write_bytes(tmp_path / "a", "not bytes")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="str"):
        qio.atomic_write_text(tmp_path / "a", b"not str")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="directory"):
        qio.atomic_write_text(tmp_path, "x")
    assert os.listdir(tmp_path) == []


def test_atomic_write_json_redacts_env_token(tmp_path, monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    target = tmp_path / "r.json"
    qio.atomic_write_json(target, {"token": TOKEN, "nested": [f"Bearer {TOKEN}"]})
    raw = target.read_bytes()
    assert TOKEN.encode() not in raw
    assert json.loads(raw) == {"token": "***", "nested": ["Bearer ***"]}
    qio.atomic_write_json(target, {"token": TOKEN}, redact_secrets=False)
    assert TOKEN in target.read_text()


# ----------------------------------------------------------------- redaction


def test_redact_uses_env_at_call_time(monkeypatch):
    assert qio.redact(f"x {TOKEN} y") == f"x {TOKEN} y"
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", "other-token-456")
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "crn:v1:bluemix:instance-789")
    text = f"a={TOKEN}; b=other-token-456; inst=crn:v1:bluemix:instance-789"
    assert qio.redact(text) == "a=***; b=***; inst=***"


def test_redact_extra_secrets_and_edge_cases(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "")  # empty values are ignored
    assert qio.redact("nothing here") == "nothing here"
    assert qio.redact("pw=hunter2!x", secrets=["hunter2!x", "", "  "]) == "pw=***"
    assert qio.redact("pw=hunter2!x", secrets="hunter2!x") == "pw=***"
    # Overlapping secrets: the longer one is hidden completely.
    assert qio.redact("abcdefgh-ij", secrets=["abcdefgh", "abcdefgh-ij"]) == "***"
    assert qio.redact(1234567890, secrets=["1234567890"]) == "***"  # type: ignore[arg-type]


def test_redact_strips_whitespace_padded_env(monkeypatch):
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", f"  {TOKEN}\n")
    assert qio.redact(f"t={TOKEN}") == "t=***"


def test_scrub_recurses_and_does_not_mutate(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    original = {
        "token": TOKEN,
        TOKEN: 1,
        "list": [TOKEN, 2, {"deep": (f"x={TOKEN}", 3.5)}],
        "set": {TOKEN},
        "n": None,
    }
    snapshot = json.dumps(original, default=list, sort_keys=True)
    out = qio.scrub(original)
    assert out == {
        "token": "***",
        "***": 1,
        "list": ["***", 2, {"deep": ("x=***", 3.5)}],
        "set": {"***"},
        "n": None,
    }
    assert json.dumps(original, default=list, sort_keys=True) == snapshot
    assert TOKEN not in repr(out)


def test_scrub_extra_secrets_without_env():
    assert qio.scrub(["a:password", {"k": "password"}], secrets=["password"]) == [
        "a:***", {"k": "***"}]
    data = {"a": [1, 2]}
    copy = qio.scrub(data)
    assert copy == data and copy is not data and copy["a"] is not data["a"]


# ----------------------------------------------------------------- to_jsonable


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Inner:
    z: complex
    where: Path


@dataclasses.dataclass
class Outer:
    name: str
    values: np.ndarray
    inner: Inner


def test_to_jsonable_numpy_scalars_and_arrays():
    out = qio.to_jsonable(
        {
            "i": np.int64(3),
            "f": np.float32(0.25),
            "b": np.bool_(True),
            "a": np.arange(6).reshape(2, 3),
            "fa": np.array([0.5, 1.5]),
            "s": np.array(["x", "y"]),
        }
    )
    assert out == {
        "i": 3,
        "f": 0.25,
        "b": True,
        "a": [[0, 1, 2], [3, 4, 5]],
        "fa": [0.5, 1.5],
        "s": ["x", "y"],
    }
    assert type(out["i"]) is int and type(out["f"]) is float and type(out["b"]) is bool
    json.dumps(out)


def test_to_jsonable_complex_convention():
    assert qio.to_jsonable(1 + 2j) == {"re": 1.0, "im": 2.0}
    assert qio.to_jsonable(np.complex128(-1j)) == {"re": 0.0, "im": -1.0}
    arr = np.array([[1 + 1j, 2], [3j, -4]])
    out = qio.to_jsonable(arr)
    assert out == {"re": [[1.0, 2.0], [0.0, -4.0]], "im": [[1.0, 0.0], [3.0, 0.0]]}
    rebuilt = np.asarray(out["re"]) + 1j * np.asarray(out["im"])
    np.testing.assert_array_equal(rebuilt, arr)


def test_to_jsonable_dataclass_path_enum_misc(tmp_path):
    obj = Outer("run", np.array([1.0, 2.0]), Inner(0.5j, tmp_path / "f.txt"))
    out = qio.to_jsonable(
        {
            "obj": obj,
            "color": Color.RED,
            "when": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "tags": {"b", "a"},
            "tuple": (1, "x"),
            "bytes": b"abc",
            "raw": b"\xff\x00",
            1: "int key",
            "nan": float("nan"),
        }
    )
    assert out["obj"] == {
        "name": "run",
        "values": [1.0, 2.0],
        "inner": {"z": {"re": 0.0, "im": 0.5}, "where": str(tmp_path / "f.txt")},
    }
    assert out["color"] == "red"
    assert out["when"] == "2024-01-02T03:04:05+00:00"
    assert out["tags"] == ["a", "b"]
    assert out["tuple"] == [1, "x"]
    assert out["bytes"] == "abc" and out["raw"] == "ff00"
    assert out["1"] == "int key"
    assert np.isnan(out["nan"])
    json.loads(json.dumps(out))


def test_to_jsonable_to_dict_protocol():
    class HasToDict:
        def to_dict(self):
            return {"x": np.int32(1)}

    assert qio.to_jsonable([HasToDict()]) == [{"x": 1}]


def test_to_jsonable_rejects_unknown_types(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)

    class Opaque:
        def __repr__(self):
            return f"Opaque({TOKEN})"

    with pytest.raises(ParameterError) as info:
        qio.to_jsonable({"params": [1, Opaque()]})
    msg = str(info.value)
    assert "Opaque" in msg and "to_dict" in msg
    assert "params" in msg
    assert TOKEN not in msg
    assert isinstance(info.value, QdqError) and isinstance(info.value, ValueError)


# ----------------------------------------------------------------- redaction: precision


def test_short_env_secrets_are_ignored(monkeypatch):
    """An instance named ``time`` or ``qdq`` must not mangle keys and job ids."""
    for short in ("time", "qdq", "abc1234"):  # all < MIN_SECRET_LENGTH
        monkeypatch.setenv("QISKIT_IBM_INSTANCE", short)
        text = f'{{"time": 1.5, "id": "qdq-1f2e3d4c5b6a", "name": "{short}"}}'
        assert qio.redact(text) == text
        assert qio.scrub({"time": [short, "qdq-1f2e"]}) == {"time": [short, "qdq-1f2e"]}
    assert qio.secret_values() == []


def test_secrets_replaced_only_as_whole_tokens(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "my-inst1")
    assert qio.redact("instance my-inst1 used") == "instance *** used"
    assert qio.redact("'my-inst1'") == "'***'"
    assert qio.redact("my-inst1") == "***"
    # Inside a longer word it is a different name, not the secret.
    assert qio.redact("my-inst10 xmy-inst1 my-inst1_x 9my-inst1") == \
        "my-inst10 xmy-inst1 my-inst1_x 9my-inst1"
    # Punctuation is a boundary: glued with '-' or '.' it is still hidden.
    assert qio.redact("kind-my-inst1.json") == "kind-***.json"
    # A URL-encoded separator before it still counts as a boundary.
    assert qio.redact("q=a%3Dmy-inst1&b") == "q=a%3D***&b"


def test_long_secrets_are_hidden_even_when_glued(monkeypatch):
    token = "A1b2C3d4E5f6G7h8I9j0K1l2M3"  # >= SUBSTRING_SECRET_LENGTH
    assert len(token) >= qio.SUBSTRING_SECRET_LENGTH
    monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    for text in (f"apikey={token}", f"x{token}y", f"Bearer {token}", f"%3D{token}"):
        out = qio.redact(text)
        assert token not in out and "***" in out
    assert qio.redact(f"x{token}y") == "x***y"
    assert qio.scrub({token: [f"k{token}"]}) == {"***": ["k***"]}


def test_redact_special_characters_in_secret(monkeypatch):
    inst = "crn:v1:bluemix:public:quantum:us-east:a/b1::"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", inst)
    assert qio.redact(f"instance={inst} (x)") == "instance=*** (x)"
    assert qio.redact("crn:v1:other") == "crn:v1:other"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "a.b*c+d(e")  # regex metacharacters
    assert qio.redact("is a.b*c+d(e here") == "is *** here"
    assert qio.redact("aXb*c+d(e") == "aXb*c+d(e"


# ----------------------------------------------------------------- never-overwrite writes


def test_atomic_create_refuses_to_overwrite(tmp_path):
    target = tmp_path / "sub" / "r.json"
    qio.atomic_create_json(target, {"v": 1})
    with pytest.raises(FileExistsError):
        qio.atomic_create_json(target, {"v": 2})
    with pytest.raises(FileExistsError):
        qio.atomic_create_bytes(target, b"x")
    assert json.loads(target.read_text()) == {"v": 1}
    assert os.listdir(target.parent) == ["r.json"]  # no temp file left behind
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_atomic_create_without_hard_links(tmp_path, monkeypatch):
    def no_link(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(qio.os, "link", no_link)
    target = tmp_path / "r.bin"
    qio.atomic_create_bytes(target, b"first")
    with pytest.raises(FileExistsError):
        qio.atomic_create_bytes(target, b"second")
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
            qio.atomic_create_json(target, {"writer": i})
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

    stems = {qio.unique_stem("double-well-anneal") for _ in range(2000)}
    assert len(stems) == 2000
    assert all(re.fullmatch(r"double-well-anneal-\d{8}-\d{6}-[0-9a-f]{8}", s) for s in stems)


# ----------------------------------------------------------------- stray temp files


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
    os.utime(stale, (now - qio.STALE_TMP_SECONDS - 5, now - qio.STALE_TMP_SECONDS - 5))
    os.utime(live, (now - qio.STALE_TMP_SECONDS - 5, now - qio.STALE_TMP_SECONDS - 5))
    os.utime(ancient_live, (old, old))
    os.utime(foreign, (old, old))
    os.utime(other, (old, old))

    qio.atomic_write_json(tmp_path / "r.json", {"ok": True})

    left = sorted(os.listdir(tmp_path))
    assert left == sorted(["r.json", fresh_dead.name, live.name, foreign.name, other.name])


def test_temp_name_carries_pid(tmp_path, monkeypatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(qio.os, "replace", spy)
    qio.atomic_write_text(tmp_path / "a.txt", "x")
    assert len(seen) == 1 and seen[0].startswith(f".a.txt.qdq-{os.getpid()}-")
    assert qio._TMP_RE.match(seen[0])
