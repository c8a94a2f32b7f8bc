"""The ``runs`` table of the qdq store: free-form experiment records.

A run is ``kind`` (what was run), an optional ``label`` and two JSON dicts,
``params`` and ``result``, under an autoincrement id, so ids follow insertion order
and "newest first" is ``ORDER BY id DESC``. :class:`RunTable` adds the methods to
:class:`~qdq.store.core.StoreCore`; use them through :class:`qdq.store.Store`.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> rid = store.add_run("emulate", {"n": 6}, {"energy": -1.25}, label="demo")
    >>> store.list_runs()[0]["label"]
    'demo'

"""

from __future__ import annotations

import numbers
import sqlite3
from collections.abc import Mapping
from typing import Any

from qdq.errors import ParameterError, StoreError
from qdq.redact import redact
from qdq.store.core import (
    SQLITE_MAX_INT,
    StoreCore,
    _check_limit,
    _check_mapping,
    _check_name,
    _clean_text,
    _dump,
    _now,
)
from qdq.store.rows import NONE, check_types

__all__ = ["RunTable"]


def _check_run_id(run_id: Any) -> int:
    if isinstance(run_id, bool) or not isinstance(run_id, numbers.Integral):
        raise ParameterError(
            f"run id must be an int, got {redact(repr(run_id))}; use the id add_run returned"
        )
    if not -SQLITE_MAX_INT - 1 <= run_id <= SQLITE_MAX_INT:  # SQLite: OverflowError
        raise ParameterError(f"run id must be a 64-bit integer (ids count up from 1), got "
                             f"{int(run_id)}; use an id that `qdq runs` lists")
    return int(run_id)


#: The type each column of a decoded run must have (SQLite enforces none of them).
_RUN_TYPES: dict[str, tuple[type, ...]] = {
    "id": (int,), "created": (str,), "kind": (str,), "label": (str, NONE),
    "params": (dict,), "result": (dict,)}


class RunTable(StoreCore):
    """Methods of :class:`~qdq.store.Store` for the ``runs`` table."""

    def add_run(
        self,
        kind: str,
        params: Mapping[str, Any],
        result: Mapping[str, Any],
        label: str | None = None,
    ) -> int:
        """Record one experiment run and return its integer id.

        Args:
            kind: What was run, e.g. ``"emulate"`` or ``"benchmark"``.
            params: Inputs (any :func:`qdq.jsonable.to_jsonable` value inside a dict).
            result: Outputs, same rules as ``params``.
            label: Optional free-text label.

        Returns:
            The new run id (increasing).

        Raises:
            ParameterError: If ``kind`` is empty or ``params``/``result`` are not dicts.
            StoreError: If the database cannot be written.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> store.add_run("emulate", {"n": 4}, {"p": 0.5})
            1

        """
        _check_name("kind", kind)
        params_json = _dump(_check_mapping("params", params))
        result_json = _dump(_check_mapping("result", result))
        label_text = _clean_text(label)
        with self._write("add a run to") as conn:
            # The timestamp is taken under the write lock, so it follows id order.
            cur = conn.execute(
                "INSERT INTO runs (created, kind, label, params, result) VALUES (?, ?, ?, ?, ?)",
                (_now(), redact(kind), label_text, params_json, result_json),
            )
            run_id = cur.lastrowid
        assert run_id is not None
        return int(run_id)

    def _run_row(self, row: sqlite3.Row | tuple) -> dict[str, Any]:
        """Decode and check one row; StoreError names the run and the bad column."""
        run_id, created, kind, label, params, result = row
        out = {
            "id": run_id,
            "created": created,
            "kind": kind,
            "label": label,
            "params": self._loads(params, "runs.params"),
            "result": self._loads(result, "runs.result"),
        }
        check_types(f"run {redact(repr(run_id))[:40]}", out, _RUN_TYPES)
        return out

    def get_run(self, run_id: int) -> dict[str, Any]:
        """Return one run as a dict.

        Args:
            run_id: Id returned by :meth:`add_run`.

        Returns:
            ``{"id", "created" (ISO-8601 UTC), "kind", "label", "params", "result"}``.

        Raises:
            StoreError: If no run has this id.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> rid = store.add_run("emulate", {"n": 4}, {"p": 0.5}, label="x")
            >>> sorted(store.get_run(rid))
            ['created', 'id', 'kind', 'label', 'params', 'result']

        """
        with self._connect("read a run from") as conn:
            row = conn.execute(
                "SELECT id, created, kind, label, params, result FROM runs WHERE id = ?",
                (_check_run_id(run_id),),
            ).fetchone()
        if row is None:
            raise StoreError(
                f"no run with id {run_id!r} in qdq store {str(self.path)!r}; "
                "list the stored runs with Store().list_runs()"
            )
        return self._run_row(row)

    def list_runs(
        self, kind: str | None = None, limit: int | None = 50, *, strict: bool = True
    ) -> list[dict[str, Any]]:
        """Return runs, newest first.

        Args:
            kind: Only runs of this kind (all kinds if ``None``).
            limit: At most this many rows (``None`` for all).
            strict: If ``True`` a damaged row (invalid or too deeply nested JSON, a
                column of the wrong type, NULL where a value belongs) raises
                :class:`~qdq.errors.StoreError`; if ``False`` such a row is returned as
                ``{"id", "error"}`` saying why (every row then has an ``"error"`` key,
                ``None`` when the row is fine), so a listing can warn and go on.

        Returns:
            Dicts shaped like :meth:`get_run`'s.

        Raises:
            ParameterError: If ``limit`` is not a positive int or ``None``.
            StoreError: If the store cannot be read (or, with ``strict``, a row is bad).

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> for n in (1, 2, 3):
            ...     _ = store.add_run("a" if n < 3 else "b", {"n": n}, {})
            >>> [r["params"]["n"] for r in store.list_runs(kind="a")]
            [2, 1]

        """
        lim = _check_limit(limit)
        sql = "SELECT id, created, kind, label, params, result FROM runs"
        args: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            args.append(kind)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(lim)
        with self._connect("list runs in") as conn:
            rows = conn.execute(sql, args).fetchall()
        if strict:
            return [self._run_row(r) for r in rows]
        return [self._lenient_run_row(r) for r in rows]

    def _lenient_run_row(self, row: tuple) -> dict[str, Any]:
        try:
            return {**self._run_row(row), "error": None}
        except StoreError as exc:
            text = str(exc)
            return {"id": row[0],
                    "error": text if text.startswith("run ") else f"run {row[0]!r}: {text}"}
