"""The ``cells`` table of the qdq store: resumable benchmark-suite results.

One row per ``(suite, function, method, seed)`` under the key :func:`cell_key`,
upserted, so an interrupted suite resumes by skipping the cells already stored
(:func:`qdq.compare.runner.run_suite`). :class:`CellTable` adds the methods to
:class:`~qdq.store.core.StoreCore`; use them through :class:`qdq.store.Store`.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> store.put_cell("smoke", "sphere", "qdq", 0, {"best": 0.1})
    >>> [c["method"] for c in store.list_cells("smoke")]
    ['qdq']

"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from qdq.store.core import StoreCore, _check_mapping, _check_name, _check_seed, _dump, _now

__all__ = ["CellTable", "cell_key"]


def cell_key(suite: str, function: str, method: str, seed: int | None) -> str:
    """Return the unique key of a suite cell.

    The key is the JSON array ``[suite, function, method, seed]``, which is
    unambiguous whatever characters the names contain.

    Args:
        suite: Suite name.
        function: Objective / test-function name.
        method: Optimisation method name.
        seed: Integer seed (``None`` for deterministic methods).

    Returns:
        The key string stored in the ``cells.key`` column.

    Raises:
        ParameterError: If a name is not a non-empty string or ``seed`` is not an int.

    Example:
        >>> cell_key("smoke", "rastrigin", "qdq", 3)
        '["smoke", "rastrigin", "qdq", 3]'

    """
    _check_name("suite", suite)
    _check_name("function", function)
    _check_name("method", method)
    seed = _check_seed(seed)
    return json.dumps([suite, function, method, seed], ensure_ascii=False)


class CellTable(StoreCore):
    """Methods of :class:`~qdq.store.Store` for the ``cells`` table."""

    cell_key = staticmethod(cell_key)

    def _cell_row(self, row: tuple) -> dict[str, Any]:
        suite, function, method, seed, result, created, updated = row
        return {
            "suite": suite,
            "function": function,
            "method": method,
            "seed": seed,
            "result": self._loads(result, "cells.result"),
            "created": created,
            "updated": updated,
        }

    _CELL_COLUMNS = "suite, function, method, seed, result, created, updated"

    def get_cell(
        self, suite: str, function: str, method: str, seed: int | None
    ) -> dict[str, Any] | None:
        """Return a stored suite cell, or ``None`` if it has not been computed yet.

        Args:
            suite: Suite name.
            function: Objective name.
            method: Method name.
            seed: Seed of the repetition.

        Returns:
            ``{"suite", "function", "method", "seed", "result", "created", "updated"}``
            (the payload is under ``"result"``), or ``None``.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> store.get_cell("smoke", "sphere", "qdq", 0) is None
            True
            >>> store.put_cell("smoke", "sphere", "qdq", 0, {"best": 0.1})
            >>> store.get_cell("smoke", "sphere", "qdq", 0)["result"]
            {'best': 0.1}

        """
        key = cell_key(suite, function, method, seed)
        with self._connect("read a cell from") as conn:
            row = conn.execute(
                f"SELECT {self._CELL_COLUMNS} FROM cells WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else self._cell_row(row)

    def put_cell(
        self, suite: str, function: str, method: str, seed: int | None, result: Mapping[str, Any]
    ) -> None:
        """Insert or replace the result of one suite cell.

        Args:
            suite: Suite name.
            function: Objective name.
            method: Method name.
            seed: Seed of the repetition.
            result: The cell's result dict (replaces any previous one).

        Raises:
            ParameterError: If a name is empty, ``seed`` is not an int, or ``result``
                is not a dict.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> store.put_cell("s", "f", "m", 1, {"v": 1})
            >>> store.put_cell("s", "f", "m", 1, {"v": 2})
            >>> [c["result"] for c in store.list_cells("s")]
            [{'v': 2}]

        """
        key = cell_key(suite, function, method, seed)
        result_json = _dump(_check_mapping("result", result))
        seed = _check_seed(seed)
        with self._write("write a cell to") as conn:
            now = _now()  # taken under the write lock, so timestamps follow commit order
            conn.execute(
                "INSERT INTO cells (key, suite, function, method, seed, result, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET result = excluded.result,"
                " updated = excluded.updated",
                (
                    key,
                    suite,
                    function,
                    method,
                    seed,
                    result_json,
                    now,
                    now,
                ),
            )

    def list_cells(self, suite: str) -> list[dict[str, Any]]:
        """Return every stored cell of a suite, ordered by function, method, seed.

        Args:
            suite: Suite name.

        Returns:
            Dicts shaped like :meth:`get_cell`'s.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> store.put_cell("s", "f", "m", 2, {})
            >>> store.put_cell("s", "f", "m", 1, {})
            >>> [c["seed"] for c in store.list_cells("s")]
            [1, 2]

        """
        _check_name("suite", suite)
        with self._connect("list cells in") as conn:
            rows = conn.execute(
                f"SELECT {self._CELL_COLUMNS} FROM cells WHERE suite = ?"
                " ORDER BY function, method, seed",
                (suite,),
            ).fetchall()
        return [self._cell_row(r) for r in rows]
