"""Run qdq circuits on IBM Quantum, Amazon Braket, IonQ or IQM, or on local simulators.

* :func:`submit` — transpile a spec's circuit to a backend, report its resources, record
  the job durably in the store, submit it (executor-based sampler), return a :class:`Job`.
* :class:`Job` — ``status()``, ``result()`` (a grid-shaped :class:`~qdq.Result`, cached),
  ``cancel()``, ``recover()``, ``resource_report``.
* :func:`jobs` — list recorded jobs; :func:`recover_jobs` — reconcile crashed submissions;
  :func:`preview` — the resource report without submitting.

Submodules: :mod:`~qdq.hardware.transpile` (ISA circuits, resource report),
:mod:`~qdq.hardware.runtime` (backends, credentials, retries),
:mod:`~qdq.hardware.decode` (bits → grid), :mod:`~qdq.hardware.launch` (starting sampler
jobs, the in-process registry of local jobs), :mod:`~qdq.hardware.submit` (validation,
planning, submission), :mod:`~qdq.hardware.job` (:class:`Job`, listing, recovery). The
``qdq submit`` and ``qdq jobs …`` commands live in :mod:`qdq.cli.hardware`. Clouds
beyond IBM (``backend="braket:<device>"``, ``"ionq:<device>"``, ``"iqm:<device>"``) are
one provider record each in :mod:`qdq.hardware.clouds`, behind the same ``submit`` and
:class:`Job`; :mod:`~qdq.hardware.compare_devices` reports one spec on several devices.

This package imports its submodules; they import each other directly, never this
``__init__``. It may import :mod:`qdq.errors`, :mod:`qdq.store`, the circuits and the
results, never :mod:`qdq.cli`.

Example:
    >>> from qdq.hardware import submit, jobs, Job
    >>> callable(submit) and callable(jobs)
    True
"""

from qdq.hardware.job import Job, jobs, recover_jobs
from qdq.hardware.submit import preview, submit
from qdq.hardware.transpile import ResourceReport, resource_report

__all__ = ["Job", "ResourceReport", "jobs", "preview", "recover_jobs", "resource_report", "submit"]
