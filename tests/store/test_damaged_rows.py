"""Damaged rows: every kind of damage is a clean StoreError, and listings skip and go on.

SQLite enforces no column types and a store file can be edited by hand, so each test
writes a row the way a tampered or corrupted file would hold it (wrong JSON types, wrong
SQLite types, invalid or 10^5-deep JSON, NULLs, huge values) and checks that reading it
raises :class:`StoreError` and that lenient listings report it without hiding the others.
"""

from __future__ import annotations

import sqlite3

import pytest

from qdq.errors import ParameterError, StoreError
from qdq.store.rows import MAX_DEPTH

DEEP = "[" * 100_000 + "]" * 100_000

#: (column, SQL value) pairs that damage a run row.
RUN_DAMAGE = [
    ("params", '"a string"'), ("params", "[1, 2]"), ("params", "3"), ("params", "null"),
    ("params", "{broken"), ("params", DEEP), ("params", "[" * (MAX_DEPTH + 5) + "]" *
                                               (MAX_DEPTH + 5)),
    ("params", b"{}"), ("params", 7), ("params", 1.5), ("params", None),
    ("result", '"x"'), ("result", "1e999999"), ("result", '{"n": ' + "9" * 5000 + "}"),
    ("result", None), ("result", DEEP),
    ("kind", None), ("kind", 42), ("kind", b"solve"),
    ("created", None), ("created", 3.5),
    ("label", 12), ("label", b"x"),
]


def _runs(store, n=3):
    return [store.add_run("solve", {"n": i}, {"p": i / 10}, label=f"r{i}") for i in range(n)]


_LOOSE = {  # the tables with no column types and no NOT NULL, as a hand-made file may have
    "runs": "id INTEGER PRIMARY KEY AUTOINCREMENT, created, kind, label, params, result",
    "jobs": "local_id PRIMARY KEY, backend, status, provider_job_id, spec, params, result, "
            "error, created, updated",
}


def _set(db, sql, args):
    table = "runs" if " runs " in sql else "jobs"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
        conn.execute(f"CREATE TABLE {table} ({_LOOSE[table]})")
        conn.execute(f"INSERT INTO {table} SELECT * FROM old_{table}")
        conn.execute(f"DROP TABLE old_{table}")
        conn.execute(sql, args)
    conn.close()


@pytest.mark.parametrize("column, value", RUN_DAMAGE)
def test_a_damaged_run_is_skipped_not_fatal(store, db, column, value):
    ids = _runs(store)
    _set(db, f"UPDATE runs SET {column} = ? WHERE id = ?", (value, ids[1]))
    try:
        store.get_run(ids[1])
    except StoreError:
        pass
    else:  # "1e999999" decodes (to inf) inside a dict: a valid row, nothing to skip
        assert (column, value) == ("result", "1e999999")
        return
    with pytest.raises(StoreError):
        store.list_runs()
    rows = store.list_runs(strict=False)
    assert [r["id"] for r in rows] == ids[::-1]
    assert rows[1]["error"] and f"run {ids[1]}" in rows[1]["error"]
    assert "params" not in rows[1]  # nothing half-trusted is handed out
    assert rows[0]["error"] is None and rows[0]["params"] == {"n": 2}
    assert rows[2]["error"] is None and rows[2]["label"] == "r0"


def test_run_ids_and_limits_past_sqlite_range_are_parameter_errors(store):
    _runs(store, 1)
    for bad in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(ParameterError, match="64-bit"):
            store.get_run(bad)
        with pytest.raises(ParameterError, match="2\\*\\*63-1"):
            store.list_runs(limit=abs(bad))
        with pytest.raises(ParameterError, match="2\\*\\*63-1"):
            store.list_jobs(limit=abs(bad))
    with pytest.raises(StoreError, match="no run"):
        store.get_run(2**63 - 1)  # the largest id is a valid question


def test_writing_json_nested_too_deeply_is_refused(store):
    value: list = []
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    with pytest.raises(ParameterError, match="levels deep"):
        store.add_run("solve", {"x": value}, {})
    deeper: list = []
    for _ in range(5000):
        deeper = [deeper]
    with pytest.raises(ParameterError):
        store.add_run("solve", {"x": deeper}, {})
    assert store.list_runs() == []


JOB_DAMAGE = [
    ("spec", '"x"'), ("spec", DEEP), ("spec", None), ("params", "[1]"), ("params", "{bad"),
    ("result", '"done"'), ("result", "[1, 2]"), ("status", "exploded"), ("status", None),
    ("backend", 5), ("provider_job_id", 17), ("error", b"x"), ("created", None),
    ("updated", 2.5),
]


@pytest.mark.parametrize("column, value", JOB_DAMAGE)
def test_a_damaged_job_is_skipped_not_fatal(store, db, column, value):
    ids = [store.create_job("fake_manila", {"method": "anneal"}, {"shots": 10})
           for _ in range(3)]
    _set(db, f"UPDATE jobs SET {column} = ? WHERE local_id = ?", (value, ids[1]))
    with pytest.raises(StoreError, match="job"):
        store.get_job(ids[1])
    with pytest.raises(StoreError):
        store.list_jobs()
    rows = store.list_jobs(strict=False)
    assert [r["local_id"] for r in rows] == ids[::-1]
    assert rows[1]["row_error"] and "spec" not in rows[1]
    assert rows[0]["row_error"] is None and rows[0]["params"] == {"shots": 10}
    assert rows[0]["error"] is None  # the job's own error column is untouched
