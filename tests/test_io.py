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
    assert qio.redact("pw=hunter2", secrets=["hunter2", "", "  "]) == "pw=***"
    assert qio.redact("pw=hunter2", secrets="hunter2") == "pw=***"
    # Overlapping secrets: the longer one is hidden completely.
    assert qio.redact("abcdef", secrets=["abc", "abcdef"]) == "***"
    assert qio.redact(12345, secrets=["234"]) == "1***5"  # type: ignore[arg-type]


def test_redact_strips_whitespace_padded_env(monkeypatch):
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", f"  {TOKEN}\n")
    assert qio.redact(f"t={TOKEN}") == "t=***"


def test_scrub_recurses_and_does_not_mutate(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    original = {
        "token": TOKEN,
        TOKEN: 1,
        "list": [TOKEN, 2, {"deep": (f"x{TOKEN}", 3.5)}],
        "set": {TOKEN},
        "n": None,
    }
    snapshot = json.dumps(original, default=list, sort_keys=True)
    out = qio.scrub(original)
    assert out == {
        "token": "***",
        "***": 1,
        "list": ["***", 2, {"deep": ("x***", 3.5)}],
        "set": {"***"},
        "n": None,
    }
    assert json.dumps(original, default=list, sort_keys=True) == snapshot
    assert TOKEN not in repr(out)


def test_scrub_extra_secrets_without_env():
    assert qio.scrub(["a-pass", {"k": "pass"}], secrets=["pass"]) == ["a-***", {"k": "***"}]
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
