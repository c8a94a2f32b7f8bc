"""Tests of qdq.jsonable: conversion of numpy, complex, dataclasses, ... into JSON values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from pathlib import Path

import numpy as np
import pytest

from qdq.errors import ParameterError, QdqError
from qdq.jsonable import to_jsonable
from qdq.redact import SECRET_ENV_VARS

TOKEN = "tok-SECRET-123"


@pytest.fixture(autouse=True)
def _clean_secret_env(monkeypatch):
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


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
    out = to_jsonable(
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
    assert to_jsonable(1 + 2j) == {"re": 1.0, "im": 2.0}
    assert to_jsonable(np.complex128(-1j)) == {"re": 0.0, "im": -1.0}
    arr = np.array([[1 + 1j, 2], [3j, -4]])
    out = to_jsonable(arr)
    assert out == {"re": [[1.0, 2.0], [0.0, -4.0]], "im": [[1.0, 0.0], [3.0, 0.0]]}
    rebuilt = np.asarray(out["re"]) + 1j * np.asarray(out["im"])
    np.testing.assert_array_equal(rebuilt, arr)


def test_to_jsonable_dataclass_path_enum_misc(tmp_path):
    obj = Outer("run", np.array([1.0, 2.0]), Inner(0.5j, tmp_path / "f.txt"))
    out = to_jsonable(
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

    assert to_jsonable([HasToDict()]) == [{"x": 1}]


def test_to_jsonable_rejects_unknown_types(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)

    class Opaque:
        def __repr__(self):
            return f"Opaque({TOKEN})"

    with pytest.raises(ParameterError) as info:
        to_jsonable({"params": [1, Opaque()]})
    msg = str(info.value)
    assert "Opaque" in msg and "to_dict" in msg
    assert "params" in msg
    assert TOKEN not in msg
    assert isinstance(info.value, QdqError) and isinstance(info.value, ValueError)


def test_strict_json_text_has_no_nan_tokens():
    from qdq.jsonable import finite_json, strict_json_text

    value = {"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5], "c": np.float64("nan")}
    text = strict_json_text(value)

    def refuse(token):
        raise ValueError(token)

    assert json.loads(text, parse_constant=refuse) == {"a": None, "b": [None, None, 1.5],
                                                       "c": None}
    assert finite_json({"x": [1, "s", None, True]}) == {"x": [1, "s", None, True]}
