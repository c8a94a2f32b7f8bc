r"""Hardware jobs recorded in the store: :class:`Job`, :func:`jobs`, :func:`recover_jobs`.

A :class:`Job` polls (``status``), fetches and decodes (``result`` → :class:`~qdq.Result`,
cached in the store, so a second fetch — from any process — is read back), cancels
(``cancel``) and reconciles a submission cut short by a crash (``recover``: by job tag on
IBM; a local fake job is found in this process or re-run from its stored ISA circuit and
seed). :func:`jobs` lists the store's jobs with filters.

The stored side (attributes, summary, row checks) is :mod:`~qdq.hardware.jobrecord`.

May import :mod:`~qdq.hardware.jobrecord`, :mod:`~qdq.hardware.launch`,
:mod:`~qdq.hardware.runtime`,
:mod:`~qdq.hardware.transpile`, :mod:`~qdq.hardware.decode`, the store and the results;
never :mod:`~qdq.hardware.submit` (which imports this module) nor the package itself.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> jobs(store=store), recover_jobs(store=store)
    ([], [])
    >>> Job("qdq-000000000000", store=store)
    Traceback (most recent call last):
    ...
    qdq.errors.StoreError: no job with local id 'qdq-000000000000' ...
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import qdq.hardware.runtime as runtime
from qdq.engines.readout import histogram_counts
from qdq.errors import BackendError, QdqError, ResultError, StoreError
from qdq.hardware.clouds import cloud_for
from qdq.hardware.jobrecord import JobRecord
from qdq.hardware.launch import (
    LOCAL_BY_LOCAL_ID,
    LOCAL_JOBS,
    decode_counts,
    find_by_tag,
    open_store,
    provider_job_id,
    relaunch_local,
    remember_local,
)
from qdq.redact import redact

__all__ = ["FINAL_STATUSES", "Job", "jobs", "recover_jobs"]

logger = logging.getLogger("qdq.hardware")

#: Store statuses after which nothing changes at the provider.
FINAL_STATUSES = ("done", "error", "cancelled")


def _parse_time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:  # pragma: no cover - the store writes ISO timestamps
        return None


class Job(JobRecord):
    """A hardware job recorded in the local store: poll, fetch, cancel, recover.

    The attributes (``id``, ``provider_id``, ``backend``, ``shots``, ``to_dict()``, …)
    come from :class:`~qdq.hardware.jobrecord.JobRecord`.

    Args:
        local_id: The id :func:`~qdq.hardware.submit.submit` returned (``"qdq-…"``).
        store: The store holding it (a :class:`~qdq.store.Store`, a path or ``None``).

    Raises:
        StoreError: Unknown id (the message says how to list jobs), or a damaged row.
    """

    def _get_service(self) -> Any:
        if self._service is None:
            self._service = runtime.get_service()
        return self._service

    def _provider(self) -> Any | None:
        """The provider job object, or ``None`` for a local job of another process."""
        pid = self.provider_id
        if pid is None:
            return None
        if self._provider_job is not None and provider_job_id(self._provider_job) == pid:
            return self._provider_job
        if self.is_local:
            self._provider_job = LOCAL_JOBS.get(pid)
            return self._provider_job
        cloud = cloud_for(self.backend)
        if cloud is not None:
            device = cloud.get_device(self.backend)
            self._provider_job = runtime.with_retries(
                cloud.retrieve, device, pid, what=f"retrieve job {pid}",
                account_help=cloud.credentials_help)
            return self._provider_job
        service = self._get_service()
        self._provider_job = runtime.with_retries(service.job, pid,
                                                  what=f"retrieve job {pid}")
        return self._provider_job

    def _rerun_local(self) -> Any:
        """Re-execute a local job from its stored ISA circuit and seed; attach the new id."""
        isa = self.isa_circuit()
        cloud = cloud_for(self.backend)
        try:
            if cloud is not None:  # a cloud's local simulator
                pj = cloud.run(cloud.get_device(self.backend), isa, self.shots,
                               local_id=self.id, seed=self.params.get("seed"))
                pid = provider_job_id(pj)
            else:
                pj = relaunch_local(self.id, isa, runtime.fake_backend(self.backend),
                                    self.params, self.shots)
                pid = provider_job_id(pj)
        except QdqError:
            raise
        except Exception as exc:
            raise self._record_failure(exc, "re-running") from None
        remember_local(self.id, pid, pj)
        logger.info("job %s: local job was not in this process; re-executed as %s",
                    self.id, pid)
        self._store.update_job(self.id, status="submitted", provider_job_id=pid)
        self._reload()
        self._provider_job = pj
        return pj

    def _record_failure(self, exc: BaseException, what: str) -> BackendError:
        text = redact(f"{type(exc).__name__}: {exc}")
        name = type(exc).__name__
        status = "cancelled" if ("Cancel" in name or "cancel" in text.lower()) else "error"
        message = text
        pj = self._provider_job
        if pj is not None and callable(getattr(pj, "error_message", None)):
            try:
                detail = pj.error_message()
                if detail:
                    message = f"{text} ({redact(str(detail))})"
            except Exception:  # pragma: no cover - best effort
                pass
        self._store.update_job(self.id, status=status, error=message)
        self._reload()
        return BackendError(f"{what} job {self.id} ({self.backend}) failed: {message}")

    # ------------------------------------------------------------------ public API
    def status(self) -> str:
        """Poll the provider and return the job's status (also written to the store).

        Returns:
            One of ``created`` (submission not recorded: see :meth:`recover`),
            ``submitted``, ``queued``, ``running``, ``done``, ``error``, ``cancelled``.
            Final statuses are answered from the store without polling.
        """
        row = self._reload()
        status = str(row["status"])
        if status in FINAL_STATUSES or row.get("provider_job_id") is None:
            return status
        pj = self._provider()
        if pj is None:  # a local job whose process ended: it runs again on result()
            return status
        cloud = cloud_for(self.backend)
        raw = runtime.with_retries(pj.status, what=f"poll job {self.id}",
                                   account_help=cloud.credentials_help if cloud else None)
        new = runtime.normalize_status(raw)
        if new != status:
            error = None
            if new == "error" and callable(getattr(pj, "error_message", None)):
                error = redact(str(pj.error_message() or "the provider reported an error"))
            self._store.update_job(self.id, status=new, error=error)
            self._reload()
        return new

    def poll(self) -> str:
        """Like :meth:`status`, but trouble reaching the provider does not raise.

        Meant for listings: one unreachable job must not hide the others.

        Returns:
            The status, or ``"unreachable: <short reason>"`` if polling failed (the
            stored status is left as it was; the reason is also in :attr:`poll_error`).
        """
        self._poll_error = None
        try:
            return self.status()
        except Exception as exc:  # noqa: BLE001 - any failure of one job is reported, not raised
            text = redact(str(exc)).strip().splitlines()
            reason = text[0] if text else type(exc).__name__
            self._poll_error = reason if len(reason) <= 80 else reason[:79] + "…"
            logger.info("job %s: polling failed: %s", self.id, redact(str(exc)))
            return f"unreachable: {self._poll_error}"

    def result(self, timeout: float | None = None) -> Any:
        """Fetch, decode (postselecting on ancillas) and cache the job's :class:`~qdq.Result`.

        A cached result is read back from the store without contacting the provider.

        Args:
            timeout: Seconds to wait for a remote job (``None``: as long as it takes).

        Returns:
            The grid-shaped :class:`~qdq.Result` (``backend`` = this job's backend,
            ``shots`` = shots taken, ``success_probability`` = accepted fraction).

        Raises:
            BackendError: The job failed, was cancelled, or never reached the provider.
            PostselectionError: No shot survived postselection.
        """
        from qdq.hardware.decode import to_result
        from qdq.results import Result

        row = self._reload()
        if row.get("result") is not None:
            try:
                return Result.from_dict(row["result"])
            except ResultError as exc:
                raise ResultError(
                    f"the cached result of job {self.id} in qdq store "
                    f"{str(self._store.path)!r} is damaged ({exc}); the provider may still "
                    f"hold it (provider id {self.provider_id}): submit the job again if not"
                ) from None
        if row["status"] == "cancelled":
            raise BackendError(f"job {self.id} was cancelled; nothing to fetch")
        if row.get("provider_job_id") is None:
            if row["status"] == "error" and self.is_local:
                raise BackendError(f"job {self.id} failed: {row.get('error')}; submit it again")
            self.recover()
            row = self._reload()
            if row.get("provider_job_id") is None:
                raise BackendError(
                    f"job {self.id} never reached {self.backend}: {row.get('error')}; "
                    "submit it again"
                )
        pj = self._provider()
        if pj is None and self.is_local:
            pj = self._rerun_local()
        t0 = _time.perf_counter()
        cloud = cloud_for(self.backend)
        try:
            if cloud is not None:
                raw = runtime.with_retries(cloud.counts, pj, None if self.is_local else timeout,
                                           what=f"fetch job {self.id}",
                                           account_help=cloud.credentials_help)
            elif timeout is None or self.is_local:  # local jobs take no timeout
                raw = runtime.with_retries(pj.result, what=f"fetch job {self.id}")
            else:
                raw = runtime.with_retries(pj.result, timeout=timeout,
                                           what=f"fetch job {self.id}")
        except QdqError:
            raise
        except Exception as exc:
            raise self._record_failure(exc, "fetching") from None
        t1 = _time.perf_counter()
        info = row["spec"]
        try:
            if cloud is not None:  # a Qiskit counts dict: grid bits rightmost, post left
                hist, accepted, total = histogram_counts(
                    raw, int(info["num_grid_qubits"]),
                    post_bits=1 if info.get("post_register") else 0)
            else:
                hist, accepted, total = decode_counts(raw, info, self.id)
        except QdqError:
            raise
        except (KeyError, TypeError, ValueError) as exc:  # the stored description is edited
            raise StoreError(f"job {self.id}: its stored description cannot decode the "
                             f"counts ({type(exc).__name__}: {exc}); the store was edited or "
                             "is damaged: submit the job again") from None
        params = self.params
        extra = {
            "local_id": self.id, "provider_job_id": self.provider_id,
            "primitive": params.get("primitive"), "mode": params.get("mode"),
            "dynamical_decoupling": params.get("dynamical_decoupling"),
            "twirling": params.get("twirling"), "requested_shots": self.shots,
            "resource_report": params.get("resource_report"),
        }
        timing = dict(params.get("timing") or {})
        timing["fetch"] = t1 - t0
        result = to_result(hist, accepted, total, info, backend=self.backend, extra=extra,
                           timing=timing)
        self._store.update_job(self.id, status="done", result=result.to_dict())
        self._reload()
        if self.is_local:  # cached now: let the in-process job (and its data) go
            LOCAL_JOBS.pop(str(self.provider_id), None)
        logger.info("job %s: fetched %d shots (%d accepted)", self.id, total, accepted)
        return result

    def cancel(self) -> str:
        """Cancel the job at the provider and record it.

        Returns:
            The new status (``"cancelled"``).

        Raises:
            BackendError: The job already finished (``done``/``error``/``cancelled``) or the
                provider refused.
        """
        row = self._reload()
        if row["status"] in FINAL_STATUSES:
            raise BackendError(
                f"job {self.id} is already {row['status']}; nothing to cancel"
                + (" (fetch it with result())" if row["status"] == "done" else "")
            )
        if row.get("provider_job_id") is None:
            self.recover(mark_lost=False)
            if self.provider_id is None:
                self._store.update_job(self.id, status="cancelled",
                                       error="cancelled before the submission was recorded")
                self._reload()
                return "cancelled"
        pj = self._provider()
        if pj is not None:
            try:
                outcome = runtime.with_retries(pj.cancel, what=f"cancel job {self.id}")
            except QdqError:
                raise
            except Exception as exc:
                raise BackendError(
                    f"could not cancel job {self.id}: {redact(f'{type(exc).__name__}: {exc}')}"
                ) from None
            if outcome is False:  # a local job already running cannot be stopped
                now = runtime.normalize_status(pj.status())
                if now == "done":
                    self._store.update_job(self.id, status="done")
                    self._reload()
                    raise BackendError(f"job {self.id} already finished; fetch it with "
                                       "result()")
        self._store.update_job(self.id, status="cancelled")
        self._reload()
        logger.info("job %s: cancelled", self.id)
        return "cancelled"

    def recover(self, *, mark_lost: bool = True) -> Job:
        """Reconcile a job whose provider id was never recorded (crash during submission).

        Real backends: the service is asked for jobs tagged with :attr:`id`; the one found
        is attached. If none exists the submission never reached IBM: with ``mark_lost``
        the row becomes ``error`` (submit again). Local fake jobs: the running job of this
        process is attached, otherwise the job is re-executed from the stored ISA circuit.
        Jobs that already have a provider id are returned unchanged.

        Returns:
            ``self`` (reloaded).
        """
        row = self._reload()
        if row.get("provider_job_id") is not None:
            return self
        if self.is_local:
            pid = LOCAL_BY_LOCAL_ID.get(self.id)
            if pid is not None and pid in LOCAL_JOBS:
                pj = LOCAL_JOBS[pid]
                status = runtime.normalize_status(pj.status())
                self._store.update_job(self.id, status=status, provider_job_id=pid)
                self._reload()
                self._provider_job = pj
                logger.info("job %s: recovered running local job %s", self.id, pid)
            else:
                self._rerun_local()
            return self
        cloud = cloud_for(self.backend)
        if cloud is not None:
            found = runtime.with_retries(cloud.find, cloud.get_device(self.backend), self.id,
                                         self.created, what=f"look up job {self.id}",
                                         account_help=cloud.credentials_help)
            if found is NotImplemented:
                if mark_lost:
                    self._store.update_job(
                        self.id, status="error",
                        error=f"the submission's outcome is unknown and {cloud.title} jobs "
                              f"cannot be searched: look for a job named {self.id} in its "
                              "console; if there is none, submit the spec again")
                    self._reload()
                return self
        else:
            found = find_by_tag(self._get_service(), self.id)
        if found is not None:
            pid = provider_job_id(found)
            status = runtime.normalize_status(
                runtime.with_retries(found.status, what=f"poll job {pid}"))
            self._store.update_job(self.id, status=status, provider_job_id=pid)
            self._reload()
            self._provider_job = found
            logger.info("job %s: recovered provider job %s by tag", self.id, pid)
        elif mark_lost:
            self._store.update_job(
                self.id, status="error",
                error=f"submission never reached the provider: no job is tagged {self.id}; "
                      "submit the spec again")
            self._reload()
        return self


# --------------------------------------------------------------------------- listing


def jobs(status: str | None = None, backend: str | None = None, limit: int | None = 100,
         store: Any = None, *, on_skip: Callable[[str], None] | None = None) -> list[Job]:
    """Jobs recorded in the store, newest first (no polling).

    A damaged row (invalid JSON, a field of the wrong type) is skipped, not raised, so one
    bad row never hides the others; each is reported through ``on_skip`` (default: a
    logged warning).

    Args:
        status: Only this status (``created``, ``submitted``, ``queued``, ``running``,
            ``done``, ``error``, ``cancelled``).
        backend: Only this backend (fake names in any accepted spelling).
        limit: At most this many (``None`` for all).
        store: Store, path or ``None``.
        on_skip: Called with the reason for each skipped row.

    Returns:
        :class:`Job` objects.

    Raises:
        ParameterError: Unknown status or bad limit.
    """
    st = open_store(store)
    if backend is not None and runtime.looks_fake(backend):
        backend = runtime.canonical_fake_name(backend) or backend
    out = []
    for row in st.list_jobs(status=status, backend=backend, limit=limit, strict=False):
        try:
            if row["row_error"] is not None:
                raise StoreError(row["row_error"])
            out.append(Job._from_row({k: v for k, v in row.items() if k != "row_error"}, st))
        except StoreError as exc:
            (on_skip or (lambda text: logger.warning("skipped %s", text)))(str(exc))
    return out


def recover_jobs(*, store: Any = None, older_than_s: float = 300.0) -> list[Job]:
    """Run :meth:`Job.recover` on every ``created`` job older than ``older_than_s``.

    Younger ones may still be submitting in another process and are left alone.

    Returns:
        The jobs that were examined.
    """
    st = open_store(store)
    now = datetime.now(UTC)
    out = []
    for job in jobs(status="created", limit=None, store=st):
        created = _parse_time(job.created)
        if created is not None and (now - created).total_seconds() < older_than_s:
            continue
        out.append(job.recover())
    return out
