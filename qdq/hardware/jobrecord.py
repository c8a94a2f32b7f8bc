r"""The stored side of a hardware job: :class:`JobRecord`, a checked view of one store row.

:class:`~qdq.hardware.job.Job` adds what talks to the provider (polling, fetching,
cancelling, recovery); this module holds what only reads the row: the attributes, the
JSON summary and the checks that make a tampered or damaged row a clean
:class:`~qdq.errors.StoreError` instead of a traceback in some property later (the store
checks the column types; this checks the fields inside ``params`` and ``spec`` that the
attributes rely on).

May import :mod:`~qdq.hardware.launch`, :mod:`~qdq.hardware.runtime`,
:mod:`~qdq.hardware.transpile` and the store; never :mod:`~qdq.hardware.job`.

Example:
    >>> import os, tempfile
    >>> from qdq.store import Store
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    >>> jid = store.create_job("fake_torino", {"method": "anneal"}, {"shots": 10})
    >>> JobRecord(jid, store=store).shots
    10
    >>> store.update_job(jid, status="done")
    >>> check_record({**store.get_job(jid), "params": {"shots": "ten"}})
    Traceback (most recent call last):
    ...
    qdq.errors.StoreError: job 'qdq-...': params['shots'] holds a str, expected int; ...
"""

from __future__ import annotations

import numbers
from typing import Any

import qdq.hardware.runtime as runtime
from qdq.errors import StoreError
from qdq.hardware.launch import open_store, qpy_loads
from qdq.hardware.transpile import ResourceReport
from qdq.redact import redact

__all__ = ["JobRecord", "check_record"]

_NONE = type(None)
_NUMBER = (numbers.Real, _NONE)
#: Fields inside the JSON columns that the attributes read, with their types.
_FIELDS: tuple[tuple[str, str, tuple[type, ...]], ...] = (
    ("params", "shots", (int, _NONE)), ("params", "mode", (str, _NONE)),
    ("params", "primitive", (str, _NONE)), ("params", "local", (bool, _NONE)),
    ("params", "resource_report", (dict, _NONE)), ("params", "timing", (dict, _NONE)),
    ("spec", "method", (str, _NONE)), ("spec", "isa_qpy", (str, _NONE)),
)


def check_record(row: dict[str, Any]) -> dict[str, Any]:
    """Check the fields of a job row that :class:`JobRecord` reads; return the row.

    Raises:
        StoreError: Naming the job, the field and what it holds instead.
    """
    what = f"job {redact(repr(row.get('local_id')))[:60]}"
    for column, key, allowed in _FIELDS:
        value = (row.get(column) or {}).get(key)
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise StoreError(f"{what}: {column}[{key!r}] holds a {type(value).__name__}, "
                             f"expected {allowed[0].__name__}; the store was edited or is "
                             "damaged: submit the job again")
    report = (row.get("params") or {}).get("resource_report") or {}
    for key in ("two_qubit_gates", "estimated_fidelity"):
        value = report.get(key)
        if not isinstance(value, _NUMBER) or isinstance(value, bool):
            raise StoreError(f"{what}: resource_report[{key!r}] holds a "
                             f"{type(value).__name__}, expected a number; the store was "
                             "edited or is damaged: submit the job again")
    return row


class JobRecord:
    """A hardware job's row in the local store, checked; the attributes and the summary.

    Args:
        local_id: The id :func:`~qdq.hardware.submit.submit` returned (``"qdq-…"``).
        store: The store holding it (a :class:`~qdq.store.Store`, a path or ``None``).

    Raises:
        StoreError: Unknown id (the message says how to list jobs), or a damaged row.

    Attributes:
        id: Local id (``"qdq-<12 hex>"``), also a runtime job tag.
        provider_id: The provider's job id (``None`` until submission is recorded).
        backend: Canonical backend name.
    """

    def __init__(self, local_id: str, *, store: Any = None) -> None:
        self._store = open_store(store)
        self._row = check_record(self._store.get_job(local_id))
        self._provider_job: Any = None
        self._service: Any = None
        self._poll_error: str | None = None

    # ------------------------------------------------------------------ attributes
    @classmethod
    def _from_row(cls, row: dict[str, Any], store: Any) -> Any:
        job = cls.__new__(cls)
        job._store = store
        job._row = check_record(row)
        job._provider_job = None
        job._service = None
        job._poll_error = None
        return job

    @property
    def id(self) -> str:
        """Local id."""
        return str(self._row["local_id"])

    @property
    def provider_id(self) -> str | None:
        """Provider job id, ``None`` while the submission is unrecorded."""
        return self._row.get("provider_job_id")

    @property
    def backend(self) -> str:
        """Backend name."""
        return str(self._row["backend"])

    @property
    def params(self) -> dict[str, Any]:
        """Submission parameters (shots, mode, primitive, options, seed, report, …)."""
        return dict(self._row.get("params") or {})

    @property
    def shots(self) -> int:
        """Requested shots."""
        return int(self.params.get("shots") or 0)

    @property
    def is_local(self) -> bool:
        """Whether the job runs on a local fake backend."""
        return bool(self.params.get("local", runtime.looks_fake(self.backend)))

    @property
    def created(self) -> str:
        """Creation time (ISO 8601, UTC)."""
        return str(self._row["created"])

    @property
    def error(self) -> str | None:
        """Stored error text (redacted), if any."""
        return self._row.get("error")

    @property
    def resource_report(self) -> ResourceReport:
        """The resource report computed before submission."""
        return ResourceReport.from_dict(self.params.get("resource_report") or {})

    @property
    def stored_status(self) -> str:
        """The status last recorded in the store (no polling)."""
        return str(self._row["status"])

    def isa_circuit(self) -> Any:
        """The submitted ISA circuit (decoded from the store)."""
        return qpy_loads(self._row["spec"]["isa_qpy"])

    @property
    def poll_error(self) -> str | None:
        """Why the last :meth:`poll` could not reach the provider (``None`` if it could)."""
        return self._poll_error

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (no circuit, no result arrays).

        ``status`` is the stored status, or ``"unreachable: <reason>"`` after a failed
        :meth:`poll` (``poll_error`` then holds the reason).
        """
        rep = self.params.get("resource_report") or {}
        status = self.stored_status if self._poll_error is None \
            else f"unreachable: {self._poll_error}"
        return {
            "id": self.id, "provider_id": self.provider_id, "backend": self.backend,
            "status": status, "poll_error": self._poll_error, "created": self.created,
            "updated": self._row.get("updated"), "shots": self.shots,
            "mode": self.params.get("mode"), "primitive": self.params.get("primitive"),
            "method": (self._row.get("spec") or {}).get("method"),
            "two_qubit_gates": rep.get("two_qubit_gates"),
            "estimated_fidelity": rep.get("estimated_fidelity"),
            "cost_usd": self.params.get("cost_usd"),
            "has_result": self._row.get("result") is not None, "error": self.error,
        }

    def __repr__(self) -> str:
        return (f"Job({self.id} on {self.backend}: {self.stored_status}, "
                f"provider_id={self.provider_id!r})")

    # ------------------------------------------------------------------ plumbing
    def _reload(self) -> dict[str, Any]:
        self._row = check_record(self._store.get_job(self.id))
        return self._row
