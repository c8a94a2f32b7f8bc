"""Local SQLite store for experiment runs, resumable suite cells and hardware jobs.

One file (default ``$QDQ_STORE`` or ``<user data dir>/qdq/qdq.sqlite3``) holds three
tables:

* ``runs``: free-form experiment records (``kind``, ``label``, JSON ``params`` and
  ``result``) with an autoincrement id.
* ``cells``: one result per ``(suite, function, method, seed)``, upserted, so a
  benchmark suite can be interrupted and resumed.
* ``jobs``: durable hardware jobs. :meth:`Store.create_job` commits a row *before*
  anything is submitted; the provider's job id is attached afterwards, so a crash
  between submission and bookkeeping never loses track of a paid-for job.

The database runs in WAL mode with a 10 s busy timeout, every write is a single
``BEGIN IMMEDIATE`` transaction, every read a plain (deferred) one that never waits
for a writer, and a short-lived connection is opened per operation, so several
processes and threads can share one store. Reads open the file read-only
(``mode=ro``), so a read-only store can still be listed. The schema version lives in
``PRAGMA user_version`` (and the ``meta`` table); a store written by a newer qdq is
refused from its file header, before SQLite touches it. Every JSON value
is passed through :func:`qdq.io.to_jsonable` and :func:`qdq.io.scrub` before it is
written, and error messages go through :func:`qdq.io.redact`, so IBM Quantum
credentials from the environment never reach the file or a traceback.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> run_id = store.add_run("emulate", {"n": 6}, {"energy": -1.25}, label="demo")
    >>> store.get_run(run_id)["result"]
    {'energy': -1.25}

"""

from __future__ import annotations

import json
import numbers
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qdq.errors import ParameterError, StoreError
from qdq.io import redact, scrub, to_jsonable

__all__ = [
    "JOB_STATUSES",
    "SCHEMA_VERSION",
    "Store",
    "cell_key",
    "default_store_path",
]

#: Version of the on-disk schema written into the ``meta`` table.
SCHEMA_VERSION = 1

#: Every status a job row may have.
JOB_STATUSES: tuple[str, ...] = (
    "created",
    "submitted",
    "queued",
    "running",
    "done",
    "error",
    "cancelled",
)

_BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    kind    TEXT NOT NULL,
    label   TEXT,
    params  TEXT NOT NULL,
    result  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_kind ON runs (kind, id);
CREATE TABLE IF NOT EXISTS cells (
    key      TEXT PRIMARY KEY,
    suite    TEXT NOT NULL,
    function TEXT NOT NULL,
    method   TEXT NOT NULL,
    seed     INTEGER,
    result   TEXT NOT NULL,
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cells_suite ON cells (suite);
CREATE TABLE IF NOT EXISTS jobs (
    local_id        TEXT PRIMARY KEY,
    backend         TEXT NOT NULL,
    status          TEXT NOT NULL,
    provider_job_id TEXT,
    spec            TEXT NOT NULL,
    params          TEXT NOT NULL,
    result          TEXT,
    error           TEXT,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_backend ON jobs (backend);
"""


def default_store_path() -> Path:
    """Return where :class:`Store` keeps its database when no path is given.

    ``$QDQ_STORE`` if set (``~`` expanded), else
    ``platformdirs.user_data_dir("qdq") / "qdq.sqlite3"``. Nothing is created.

    Returns:
        The database path.

    Example:
        >>> import os
        >>> saved = os.environ.pop("QDQ_STORE", None)
        >>> os.environ["QDQ_STORE"] = "/tmp/example-qdq.sqlite3"
        >>> str(default_store_path())
        '/tmp/example-qdq.sqlite3'
        >>> del os.environ["QDQ_STORE"]
        >>> default_store_path().name
        'qdq.sqlite3'
        >>> if saved is not None:
        ...     os.environ["QDQ_STORE"] = saved

    """
    env = os.environ.get("QDQ_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("qdq")) / "qdq.sqlite3"


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


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _check_name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(
            f"{what} must be a non-empty string, got {redact(repr(value))}; pass a name"
        )
    return value


def _check_seed(seed: Any) -> int | None:
    # One rule for every seed qdq accepts (qdq.validate.check_seed).
    from qdq.validate import check_seed

    return check_seed(seed)


def _check_run_id(run_id: Any) -> int:
    if isinstance(run_id, bool) or not isinstance(run_id, numbers.Integral):
        raise ParameterError(
            f"run id must be an int, got {redact(repr(run_id))}; use the id add_run returned"
        )
    return int(run_id)


def _check_mapping(what: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"{what} must be a dict, got {type(value).__name__}; wrap it, e.g. {{'value': x}}"
        )
    return value


def _check_status(status: Any) -> str:
    if status not in JOB_STATUSES:
        raise ParameterError(
            f"job status must be one of {', '.join(JOB_STATUSES)}, got {redact(repr(status))}"
        )
    return status


def _check_limit(limit: Any) -> int:
    if limit is None:
        return -1
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ParameterError(f"limit must be a positive int or None, got {limit!r}")
    return limit


def _dump(value: Any) -> str:
    """Convert, scrub and serialise a JSON column value."""
    return json.dumps(scrub(to_jsonable(value)), ensure_ascii=False)


def _clean_text(value: Any) -> str | None:
    return None if value is None else redact(str(value))


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _empty_store() -> sqlite3.Connection:
    """An in-memory database with the schema: what reading a store that does not exist sees."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(_SCHEMA)
    return conn


# --------------------------------------------------------------------------- store


class Store:
    """SQLite store of experiment runs, resumable suite cells and hardware jobs.

    The database file (and its parent directories) is created on first use, not
    when the object is built. Each operation opens its own short-lived connection
    (WAL mode, 10 s busy timeout), so one :class:`Store` may be shared between
    threads and several processes may use the same file concurrently.

    Args:
        path: Database file. Defaults to :func:`default_store_path`, i.e.
            ``$QDQ_STORE`` or ``<user data dir>/qdq/qdq.sqlite3``.

    Attributes:
        path: The resolved database path.

    Raises:
        StoreError: (from any method) if the file is not a readable qdq database,
            is locked for longer than the busy timeout, or cannot be created. The
            message names the path and suggests ``QDQ_STORE`` to use another file.

    Example:
        >>> import os, tempfile
        >>> store = Store(os.path.join(tempfile.mkdtemp(), "sub", "qdq.sqlite3"))
        >>> job = store.create_job("ibm_torino", {"qasm": "OPENQASM 3;"}, {"shots": 100})
        >>> store.get_job(job)["status"]
        'created'
        >>> store.attach_provider_job(job, "d1abc")
        >>> store.update_job(job, status="done", result={"counts": {"0": 100}})
        >>> [j["status"] for j in store.list_jobs(backend="ibm_torino")]
        ['done']

    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path: Path = Path(path).expanduser() if path is not None else default_store_path()
        text = str(path if path is not None else self.path).strip()
        if text == ":memory:" or text.startswith("file:") or "mode=memory" in text:
            raise StoreError(
                f"qdq store path {text!r} is not a file; an in-memory or URI database would "
                "be lost when the command exits (and `qdq runs` could never read it back); "
                "point QDQ_STORE (or Store(path=...)) at a file such as /tmp/qdq.sqlite3"
            )
        self._initialised = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing

    def _error(self, what: str, exc: BaseException) -> StoreError:
        detail = redact(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            hint = (
                "another process held the database for more than "
                f"{_BUSY_TIMEOUT_MS // 1000} s; retry, or set QDQ_STORE to use a separate file"
            )
        elif "readonly" in str(exc).lower() or isinstance(exc, PermissionError) \
                or self._read_only():
            hint = (
                "the file or its folder is read-only; reading works, writing needs write "
                "permission, or set QDQ_STORE to use another file"
            )
        else:
            hint = (
                "the file may be corrupt, not a qdq store, or not writable; move it aside "
                "or set the QDQ_STORE environment variable (or pass Store(path=...)) "
                "to use another file"
            )
        return StoreError(f"could not {what} qdq store {str(self.path)!r} ({detail}); {hint}")

    def _read_only(self) -> bool:
        """Whether the file, or the folder its WAL files go to, cannot be written."""
        try:
            if self.path.exists() and not os.access(self.path, os.W_OK):
                return True
            parent = self.path.parent
            return parent.exists() and not os.access(parent, os.W_OK)
        except OSError:  # pragma: no cover - e.g. a path component vanished
            return False

    def _newer(self, found: Any) -> StoreError:
        return StoreError(
            f"qdq store {str(self.path)!r} has schema version {found}, this qdq "
            f"understands version {SCHEMA_VERSION}; it was written by a newer qdq: upgrade "
            "qdq, or set QDQ_STORE to use a fresh file (the store was not modified)"
        )

    def _check_path(self) -> None:
        if self.path.is_dir():
            raise StoreError(
                f"qdq store path {str(self.path)!r} is a directory; point QDQ_STORE (or "
                "Store(path=...)) at a file such as <dir>/qdq.sqlite3"
            )

    def _header_version(self) -> int | None:
        """The schema version in the file header, read without SQLite.

        Checking the raw header first means a foreign, garbage or newer-version file is
        refused before SQLite creates journal/WAL files beside it or changes anything.

        Returns:
            ``PRAGMA user_version`` as stored in the header (0 for stores written
            before it was used), or ``None`` if the file is missing or empty.
        """
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(100)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error("read", exc) from None
        if not head:
            return None
        if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
            raise StoreError(
                f"qdq store {str(self.path)!r} is not a SQLite database (it starts with "
                f"{redact(repr(head[:16]))}); the file may be corrupt or something else; "
                "move it aside or set the QDQ_STORE environment variable (or pass "
                "Store(path=...)) to use another file"
            )
        version = int.from_bytes(head[60:64], "big", signed=True)
        if version > SCHEMA_VERSION or version < 0:
            raise self._newer(version)
        return version

    def _verify(self, conn: sqlite3.Connection) -> str:
        """Check the schema version of an open database.

        Only reads (no DDL, no journal-mode change), so it runs on read-only files.

        Returns:
            ``"fresh"`` (no qdq tables yet), ``"legacy"`` (readable, but the first
            write should finish the setup, e.g. record ``user_version``) or ``"ok"``.
        """
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION or version < 0:
            raise self._newer(version)
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            if tables - {"sqlite_sequence"}:
                raise StoreError(
                    f"qdq store {str(self.path)!r} is a SQLite database but not a qdq store "
                    f"(tables: {', '.join(sorted(tables))}); set QDQ_STORE to use another file"
                )
            return "fresh"
        if not {"runs", "cells", "jobs"} <= tables:
            return "fresh"
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return "legacy"
        try:
            found = int(row[0])
        except ValueError:
            found = -1
        if found > SCHEMA_VERSION:
            raise self._newer(found)
        if found != SCHEMA_VERSION:
            raise StoreError(
                f"qdq store {str(self.path)!r} has schema version {row[0]!r}, this qdq "
                f"understands version {SCHEMA_VERSION}; it cannot be migrated; move it aside, "
                "or set QDQ_STORE to use a fresh file"
            )
        return "ok" if version == SCHEMA_VERSION else "legacy"

    def _open(self) -> sqlite3.Connection:
        """A read-write connection; the store is created / set up on first use."""
        self._check_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error("create the directory of", exc) from None
        self._header_version()
        conn = sqlite3.connect(
            self.path,
            timeout=_BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # explicit BEGIN IMMEDIATE for every write
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            if not self._initialised:
                if self._verify(conn) != "ok":
                    self._initialise(conn)
                self._initialised = True
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read(self) -> sqlite3.Connection:
        """A connection for reading: no write lock, no DDL, works on read-only files.

        Statements run in autocommit mode, i.e. each in its own deferred read
        transaction, which in WAL mode never waits for a writer. A missing store is
        created when possible (else reads see an empty one).
        """
        self._check_path()
        if self._header_version() is None:
            try:
                return self._open()
            except (StoreError, sqlite3.Error):
                if self.path.exists() and self.path.stat().st_size > 0:
                    raise
            return _empty_store()
        uri = self.path.resolve().as_uri()
        conn = None
        # mode=ro needs the WAL index (-shm) to exist or be creatable; in a read-only
        # folder fall back to immutable=1 (nobody can write there anyway).
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(
                uri + query,
                uri=True,
                timeout=_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                state = self._verify(conn)
                break
            except sqlite3.OperationalError as exc:
                conn.close()
                if "unable to open" not in str(exc).lower() or "immutable" in query:
                    raise
            except BaseException:
                conn.close()
                raise
        assert conn is not None
        if state == "fresh":  # an empty SQLite file: nothing stored yet
            conn.close()
            return _empty_store()
        return conn

    def _initialise(self, conn: sqlite3.Connection) -> None:
        # Switching to WAL needs an exclusive lock; a concurrent opener can get
        # SQLITE_BUSY without the busy handler being consulted, so retry briefly.
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            self._verify(conn)  # another process may have set it up meanwhile
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?)", (_now(),))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self, what: str, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """Yield a fresh connection; translate sqlite errors into StoreError."""
        try:
            conn = self._open() if write else self._open_read()
        except sqlite3.Error as exc:
            raise self._error(what, exc) from None
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self._error(what, exc) from None
        finally:
            conn.close()

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside a committed-on-success BEGIN IMMEDIATE transaction."""
        with self._connect(what, write=True) as conn, conn:
            conn.execute("BEGIN IMMEDIATE")
            yield conn

    def _loads(self, text: str | None, column: str) -> Any:
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise StoreError(
                f"column {column!r} in qdq store {str(self.path)!r} holds invalid JSON "
                f"({exc}); the file may be corrupt; set QDQ_STORE to use another file"
            ) from None

    # ------------------------------------------------------------------ runs

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
            params: Inputs (any :func:`qdq.io.to_jsonable` value inside a dict).
            result: Outputs, same rules as ``params``.
            label: Optional free-text label.

        Returns:
            The new run id (increasing).

        Raises:
            ParameterError: If ``kind`` is empty or ``params``/``result`` are not dicts.
            StoreError: If the database cannot be written.

        Example:
            >>> import os, tempfile
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
        run_id, created, kind, label, params, result = row
        return {
            "id": run_id,
            "created": created,
            "kind": kind,
            "label": label,
            "params": self._loads(params, "runs.params"),
            "result": self._loads(result, "runs.result"),
        }

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
            strict: If ``True`` a row whose JSON columns cannot be decoded raises
                :class:`~qdq.errors.StoreError`; if ``False`` such a row is returned
                with ``params``/``result`` set to ``None`` where unreadable and an
                ``"error"`` key saying why (every row then has an ``"error"`` key,
                ``None`` when the row is fine), so a listing can warn and go on.

        Returns:
            Dicts shaped like :meth:`get_run`'s.

        Raises:
            ParameterError: If ``limit`` is not a positive int or ``None``.
            StoreError: If the store cannot be read (or, with ``strict``, a row is bad).

        Example:
            >>> import os, tempfile
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
        run_id, created, kind, label, params, result = row
        out: dict[str, Any] = {"id": run_id, "created": created, "kind": kind, "label": label}
        problems = []
        for column, text in (("params", params), ("result", result)):
            try:
                out[column] = self._loads(text, f"runs.{column}")
            except StoreError:
                out[column] = None
                problems.append(column)
        out["error"] = (
            f"run {run_id}: column(s) {', '.join(problems)} hold invalid JSON" if problems
            else None
        )
        return out

    # ------------------------------------------------------------------ cells

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

    # ------------------------------------------------------------------ jobs

    _JOB_COLUMNS = (
        "local_id, backend, status, provider_job_id, spec, params, result, error, created, updated"
    )

    def _job_row(self, row: tuple) -> dict[str, Any]:
        (local_id, backend, status, provider_job_id, spec, params, result, error, created,
         updated) = row  # fmt: skip
        return {
            "local_id": local_id,
            "backend": backend,
            "status": status,
            "provider_job_id": provider_job_id,
            "spec": self._loads(spec, "jobs.spec"),
            "params": self._loads(params, "jobs.params"),
            "result": self._loads(result, "jobs.result"),
            "error": error,
            "created": created,
            "updated": updated,
        }

    def create_job(self, backend: str, spec: Mapping[str, Any], params: Mapping[str, Any]) -> str:
        """Record a hardware job *before* it is submitted and return its local id.

        The row (status ``"created"``) is committed when this returns, so a crash
        during submission leaves a trace that can be reconciled later.

        Args:
            backend: Backend name, e.g. ``"ibm_torino"``.
            spec: What will be submitted (circuit text, layout, ...).
            params: Execution options (shots, seeds, ...).

        Returns:
            A local id of the form ``"qdq-<12 hex digits>"``.

        Raises:
            ParameterError: If ``backend`` is empty or ``spec``/``params`` are not dicts.

        Example:
            >>> import os, tempfile
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> job = store.create_job("aer", {"qasm": "..."}, {"shots": 10})
            >>> job.startswith("qdq-"), len(job)
            (True, 16)

        """
        _check_name("backend", backend)
        spec_json = _dump(_check_mapping("spec", spec))
        params_json = _dump(_check_mapping("params", params))
        local_id = f"qdq-{uuid.uuid4().hex[:12]}"
        with self._write("record a job in") as conn:
            now = _now()
            conn.execute(
                f"INSERT INTO jobs ({self._JOB_COLUMNS})"
                " VALUES (?, ?, 'created', NULL, ?, ?, NULL, NULL, ?, ?)",
                (local_id, redact(backend), spec_json, params_json, now, now),
            )
        return local_id

    def attach_provider_job(
        self, local_id: str, provider_job_id: str, status: str = "submitted"
    ) -> None:
        """Attach the provider's job id to a local job once submission succeeded.

        Args:
            local_id: Id returned by :meth:`create_job`.
            provider_job_id: The id the provider (e.g. IBM Runtime) assigned.
            status: New status, ``"submitted"`` by default.

        Raises:
            StoreError: If ``local_id`` is unknown.
            ParameterError: If ``status`` is not one of :data:`JOB_STATUSES`.

        Example:
            >>> import os, tempfile
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> job = store.create_job("aer", {}, {})
            >>> store.attach_provider_job(job, "prov-1")
            >>> store.get_job(job)["provider_job_id"]
            'prov-1'

        """
        _check_name("provider_job_id", provider_job_id)
        self.update_job(local_id, status=status, provider_job_id=provider_job_id)

    def update_job(
        self,
        local_id: str,
        *,
        status: str | None = None,
        result: Mapping[str, Any] | None = None,
        error: str | BaseException | None = None,
        provider_job_id: str | None = None,
    ) -> None:
        """Update the given fields of a job and its ``updated`` timestamp.

        Fields left as ``None`` keep their stored value. Any status may follow any
        other (a failed poll can be corrected later); only the value is validated.

        Args:
            local_id: Id returned by :meth:`create_job`.
            status: New status, one of :data:`JOB_STATUSES`.
            result: Result dict (replaces any previous one).
            error: Error text or exception (stored as text, secrets redacted).
            provider_job_id: The provider's job id.

        Raises:
            StoreError: If ``local_id`` is unknown.
            ParameterError: If ``status`` is invalid or ``result`` is not a dict.

        Example:
            >>> import os, tempfile
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> job = store.create_job("aer", {}, {})
            >>> store.update_job(job, status="error", error=TimeoutError("no answer"))
            >>> store.get_job(job)["error"]
            'TimeoutError: no answer'

        """
        sets = ["updated = ?"]
        args: list[Any] = [None]  # the timestamp, filled in under the write lock
        if status is not None:
            sets.append("status = ?")
            args.append(_check_status(status))
        if result is not None:
            sets.append("result = ?")
            args.append(_dump(_check_mapping("result", result)))
        if error is not None:
            if isinstance(error, BaseException):
                error = f"{type(error).__name__}: {error}"
            sets.append("error = ?")
            args.append(_clean_text(error))
        if provider_job_id is not None:
            sets.append("provider_job_id = ?")
            args.append(_clean_text(provider_job_id))
        args.append(local_id)
        with self._write("update a job in") as conn:
            args[0] = _now()
            cur = conn.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE local_id = ?", args)
            found = cur.rowcount
        if found == 0:
            raise self._unknown_job(local_id)

    def _unknown_job(self, local_id: Any) -> StoreError:
        return StoreError(
            f"no job with local id {redact(repr(local_id))} in qdq store {str(self.path)!r}; "
            "list known jobs with Store().list_jobs() (or `qdq jobs list`), and check "
            "QDQ_STORE points at the store that created it"
        )

    def get_job(self, local_id: str) -> dict[str, Any]:
        """Return one job as a dict.

        Args:
            local_id: Id returned by :meth:`create_job`.

        Returns:
            ``{"local_id", "backend", "status", "provider_job_id", "spec", "params",
            "result", "error", "created", "updated"}``.

        Raises:
            StoreError: If ``local_id`` is unknown (the message says how to list jobs).

        Example:
            >>> import os, tempfile
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> store.get_job(store.create_job("aer", {}, {"shots": 5}))["params"]
            {'shots': 5}

        """
        with self._connect("read a job from") as conn:
            row = conn.execute(
                f"SELECT {self._JOB_COLUMNS} FROM jobs WHERE local_id = ?", (str(local_id),)
            ).fetchone()
        if row is None:
            raise self._unknown_job(local_id)
        return self._job_row(row)

    def list_jobs(
        self, status: str | None = None, backend: str | None = None, limit: int | None = 100
    ) -> list[dict[str, Any]]:
        """Return jobs, newest first, optionally filtered.

        Args:
            status: Only jobs with this status (validated against :data:`JOB_STATUSES`).
            backend: Only jobs on this backend.
            limit: At most this many rows (``None`` for all).

        Returns:
            Dicts shaped like :meth:`get_job`'s.

        Raises:
            ParameterError: If ``status`` or ``limit`` is invalid.

        Example:
            >>> import os, tempfile
            >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
            >>> a = store.create_job("aer", {}, {})
            >>> b = store.create_job("ibm_torino", {}, {})
            >>> store.update_job(b, status="queued")
            >>> [j["local_id"] == b for j in store.list_jobs(status="queued")]
            [True]
            >>> len(store.list_jobs(backend="aer"))
            1

        """
        lim = _check_limit(limit)
        where: list[str] = []
        args: list[Any] = []
        if status is not None:
            where.append("status = ?")
            args.append(_check_status(status))
        if backend is not None:
            where.append("backend = ?")
            args.append(backend)
        sql = f"SELECT {self._JOB_COLUMNS} FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY rowid DESC LIMIT ?"
        args.append(lim)
        with self._connect("list jobs in") as conn:
            rows = conn.execute(sql, args).fetchall()
        return [self._job_row(r) for r in rows]
