"""Schema and connection core of the qdq store: opening, version checks, transactions.

:class:`StoreCore` owns everything about the database *file*; the tables built on it
(:mod:`qdq.store.runs`, :mod:`qdq.store.cells`, :mod:`qdq.store.jobs`) only run SQL
through :meth:`StoreCore._connect` (reads) and :meth:`StoreCore._write` (writes).

* Writes open the file read-write (:meth:`StoreCore._open`); the first one sets the
  store up: WAL journal, the schema, ``meta`` rows and ``PRAGMA user_version``. Each
  write is one ``BEGIN IMMEDIATE`` transaction, committed on success.
* Reads open the file read-only (``mode=ro``, or ``immutable=1`` in a read-only
  folder) in autocommit mode, so in WAL mode they never wait for a writer and work
  on files nobody may write (:meth:`StoreCore._open_read`).
* The schema version is read from the raw file header before SQLite touches the
  file, so a foreign, garbage or newer store is refused without being modified.
* Every ``sqlite3`` error becomes a :class:`~qdq.errors.StoreError` naming the path
  and suggesting ``QDQ_STORE``; messages go through :func:`qdq.redact.redact`.

The module also holds the value helpers every table uses (:func:`_dump` converts and
scrubs a JSON column value, the ``_check_*`` functions validate arguments).

Example:
    >>> import os, tempfile
    >>> from qdq.store.core import SCHEMA_VERSION, StoreCore
    >>> core = StoreCore(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> with core._write("probe") as conn:
    ...     conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    True

"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qdq.errors import ParameterError, StoreError
from qdq.jsonable import to_jsonable
from qdq.redact import redact, scrub
from qdq.store.rows import MAX_DEPTH, check_depth
from qdq.validate import check_seed

__all__ = ["SCHEMA_VERSION", "StoreCore", "default_store_path"]

#: Version of the on-disk schema written into the ``meta`` table.
SCHEMA_VERSION = 1

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
    # One rule for every seed qdq accepts.
    return check_seed(seed)


def _check_mapping(what: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"{what} must be a dict, got {type(value).__name__}; wrap it, e.g. {{'value': x}}"
        )
    return value


#: The largest integer SQLite stores (a signed 64-bit value).
SQLITE_MAX_INT = 2**63 - 1


def _check_limit(limit: Any) -> int:
    if limit is None:
        return -1
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ParameterError(f"limit must be a positive int or None, got {limit!r}")
    if limit > SQLITE_MAX_INT:  # SQLite would raise OverflowError; it means "all" anyway
        raise ParameterError(f"limit must be at most 2**63-1 (SQLite's largest integer), got "
                             f"{limit}; pass None (or a smaller number) for every row")
    return limit


def _dump(value: Any) -> str:
    """Convert, scrub and serialise a JSON column value."""
    try:
        value = check_depth(to_jsonable(value), "the value", ParameterError)
    except RecursionError:
        raise ParameterError(f"the value nests more than {MAX_DEPTH} levels deep; store "
                             "flatter data") from None
    return json.dumps(scrub(value), ensure_ascii=False)


def _clean_text(value: Any) -> str | None:
    return None if value is None else redact(str(value))


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _empty_store() -> sqlite3.Connection:
    """An in-memory database with the schema: what reading a store that does not exist sees."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(_SCHEMA)
    return conn


# --------------------------------------------------------------------------- core


class StoreCore:
    """The database file behind a :class:`~qdq.store.Store`: connections and schema.

    The file (and its parent directories) is created on first use, not when the
    object is built. Each operation opens its own short-lived connection (WAL mode,
    10 s busy timeout), so one object may be shared between threads and several
    processes may use the same file concurrently.

    Args:
        path: Database file. Defaults to :func:`default_store_path`, i.e.
            ``$QDQ_STORE`` or ``<user data dir>/qdq/qdq.sqlite3``.

    Attributes:
        path: The resolved database path.

    Raises:
        StoreError: If ``path`` names an in-memory or URI database (it would be
            lost when the process exits).
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
        return f"{type(self).__name__}({str(self.path)!r})"

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
            if not isinstance(text, str):  # SQLite lets any column hold any type
                raise ValueError(f"a {type(text).__name__} where JSON text belongs")
            return check_depth(json.loads(text), "the JSON", ValueError)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested 10^5 deep
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise StoreError(
                f"column {column!r} in qdq store {str(self.path)!r} holds invalid JSON "
                f"({redact(detail[:200])}); the file may be corrupt; set QDQ_STORE to use "
                "another file"
            ) from None
