"""Tests of qdq.store.runs: the ``runs`` table through :class:`qdq.store.Store`."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import numpy as np
import pytest

from qdq.errors import ParameterError, StoreError

from .helpers import utc


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
    assert utc(run["created"]) >= before - timedelta(seconds=1)

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


def test_get_run_rejects_non_int_id(store):
    with pytest.raises(ParameterError, match="run id"):
        store.get_run("1")  # type: ignore[arg-type]
    assert store.get_run(np.int64(store.add_run("k", {}, {})))["kind"] == "k"


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
    assert bad.get("result") is None and bad.get("params") is None  # nothing half-trusted
    assert "result" in bad["error"] and "invalid JSON" in bad["error"]
    assert rows[0]["error"] is None and rows[0]["result"] == {"p": 0.2}
