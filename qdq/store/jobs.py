"""The ``jobs`` table of the qdq store: durable hardware jobs.

:meth:`JobTable.create_job` commits a row (status ``"created"``) *before* anything is
submitted; the provider's job id is attached afterwards
(:meth:`JobTable.attach_provider_job`), so a crash between submission and
bookkeeping never loses track of a paid-for job. :class:`JobTable` adds the methods
to :class:`~qdq.store.core.StoreCore`; use them through :class:`qdq.store.Store`.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> job = store.create_job("aer", {"qasm": "..."}, {"shots": 10})
    >>> store.get_job(job)["status"] in JOB_STATUSES
    True

"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from qdq.errors import ParameterError, StoreError
from qdq.redact import redact
from qdq.store.core import (
    StoreCore,
    _check_limit,
    _check_mapping,
    _check_name,
    _clean_text,
    _dump,
    _now,
)
from qdq.store.rows import NONE, check_types

__all__ = ["JOB_STATUSES", "JobTable"]

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


#: The type each column of a decoded job must have (SQLite enforces none of them).
_JOB_TYPES: dict[str, tuple[type, ...]] = {
    "local_id": (str,), "backend": (str,), "status": (str,), "provider_job_id": (str, NONE),
    "spec": (dict,), "params": (dict,), "result": (dict, NONE), "error": (str, NONE),
    "created": (str,), "updated": (str,)}


def _check_status(status: Any) -> str:
    if status not in JOB_STATUSES:
        raise ParameterError(
            f"job status must be one of {', '.join(JOB_STATUSES)}, got {redact(repr(status))}"
        )
    return status


class JobTable(StoreCore):
    """Methods of :class:`~qdq.store.Store` for the ``jobs`` table."""

    _JOB_COLUMNS = (
        "local_id, backend, status, provider_job_id, spec, params, result, error, created, updated"
    )

    def _job_row(self, row: tuple) -> dict[str, Any]:
        """Decode and check one row; StoreError names the job and the bad column."""
        (local_id, backend, status, provider_job_id, spec, params, result, error, created,
         updated) = row  # fmt: skip
        what = f"job {redact(repr(local_id))[:60]}"
        try:
            out = self._decode_job(row)
        except StoreError as exc:
            raise StoreError(f"{what}: {exc}") from None
        check_types(what, out, _JOB_TYPES)
        if status not in JOB_STATUSES:
            raise StoreError(f"{what}: column 'status' holds {redact(repr(status))[:60]}, "
                             f"expected one of {', '.join(JOB_STATUSES)}")
        return out

    def _decode_job(self, row: tuple) -> dict[str, Any]:
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
            >>> from qdq.store import Store
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
            >>> from qdq.store import Store
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
            >>> from qdq.store import Store
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
            >>> from qdq.store import Store
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
        self, status: str | None = None, backend: str | None = None, limit: int | None = 100,
        *, strict: bool = True,
    ) -> list[dict[str, Any]]:
        """Return jobs, newest first, optionally filtered.

        Args:
            status: Only jobs with this status (validated against :data:`JOB_STATUSES`).
            backend: Only jobs on this backend.
            limit: At most this many rows (``None`` for all).
            strict: If ``True`` a damaged row (invalid JSON, a column of the wrong type,
                an unknown status) raises :class:`~qdq.errors.StoreError`; if ``False``
                it is returned as ``{"local_id", "row_error"}`` saying why and every good
                row gets ``"row_error": None`` (``"error"`` stays the job's own error
                text), so a listing can warn and go on.

        Returns:
            Dicts shaped like :meth:`get_job`'s.

        Raises:
            ParameterError: If ``status`` or ``limit`` is invalid.

        Example:
            >>> import os, tempfile
            >>> from qdq.store import Store
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
        if strict:
            return [self._job_row(r) for r in rows]
        out = []
        for r in rows:
            try:
                out.append({**self._job_row(r), "row_error": None})
            except StoreError as exc:
                out.append({"local_id": r[0], "row_error": str(exc)})
        return out
