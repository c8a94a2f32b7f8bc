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
is passed through :func:`qdq.jsonable.to_jsonable` and :func:`qdq.redact.scrub`
before it is written, and error messages go through :func:`qdq.redact.redact`, so IBM
Quantum credentials from the environment never reach the file or a traceback.

Layout (one job per module):

* :mod:`qdq.store.core`: :class:`~qdq.store.core.StoreCore`, the database file:
  read-only vs read-write connections, schema set-up and version checks, WAL,
  transactions, error translation; plus the value helpers every table uses.
* :mod:`qdq.store.runs`, :mod:`qdq.store.cells`, :mod:`qdq.store.jobs`: one
  ``StoreCore`` subclass per table (``RunTable``, ``CellTable``, ``JobTable``),
  holding that table's SQL and row decoding.
* This ``__init__``: :class:`Store`, which combines the three table classes.

Mixins rather than composition because the public API is flat (``store.add_run``,
``store.get_job``, ...) and every table needs the same connection machinery: each
table class inherits it from ``StoreCore`` (so it is type-checked on its own) and
:class:`Store` merely lists them, with no forwarding methods to keep in sync. The
tables share no state beyond ``StoreCore``'s and never call each other.

Imports: the submodules import :mod:`qdq.errors`, :mod:`qdq.jsonable`,
:mod:`qdq.redact`, :mod:`qdq.validate` and their siblings (``qdq.store.core``), never
this package ``__init__``; only this file imports the submodules.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> run_id = store.add_run("emulate", {"n": 6}, {"energy": -1.25}, label="demo")
    >>> store.get_run(run_id)["result"]
    {'energy': -1.25}

"""

from __future__ import annotations

from qdq.store.cells import CellTable, cell_key
from qdq.store.core import SCHEMA_VERSION, default_store_path
from qdq.store.core import _check_seed as _check_seed  # re-exported: one seed rule
from qdq.store.jobs import JOB_STATUSES, JobTable
from qdq.store.runs import RunTable

__all__ = [
    "JOB_STATUSES",
    "SCHEMA_VERSION",
    "Store",
    "cell_key",
    "default_store_path",
    "resolve_store",
]


class Store(RunTable, CellTable, JobTable):
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


def resolve_store(store) -> Store | None:
    """A :class:`Store` from a Store, a path, ``True`` (the default store) or ``None``/``False``.

    The one reading of every ``store=`` argument (comparisons, suites, scaling studies).

    Raises:
        ParameterError: Anything else.

    Example:
        >>> resolve_store(None) is None, type(resolve_store(True)).__name__
        (True, 'Store')
    """
    from pathlib import Path

    from qdq.errors import ParameterError

    if store is None or store is False:
        return None
    if isinstance(store, Store):
        return store
    if store is True:
        return Store()
    if isinstance(store, (str, Path)):
        return Store(store)
    raise ParameterError(f"store must be a qdq.store.Store, a path, True (the default store) "
                         f"or None, got {store!r}")
