"""Run qdq circuits on IBM Quantum hardware or on local fake backends with noise.

* :func:`submit` — transpile a spec's circuit to a backend, report its resources, record
  the job durably in the store, submit it (executor-based sampler), return a :class:`Job`.
* :class:`Job` — ``status()``, ``result()`` (a grid-shaped :class:`~qdq.Result`, cached),
  ``cancel()``, ``recover()``, ``resource_report``.
* :func:`jobs` — list recorded jobs; :func:`recover_jobs` — reconcile crashed submissions;
  :func:`preview` — the resource report without submitting.

Submodules: :mod:`~qdq.hardware.transpile` (ISA circuits, resource report),
:mod:`~qdq.hardware.runtime` (backends, credentials, retries),
:mod:`~qdq.hardware.decode` (bits → grid), :mod:`~qdq.hardware.submit`,
:mod:`~qdq.hardware.cli` (``qdq submit``, ``qdq jobs …``).

Example:
    >>> from qdq.hardware import submit, jobs, Job
    >>> callable(submit) and callable(jobs)
    True
"""

from qdq.hardware.submit import Job, jobs, preview, recover_jobs, submit
from qdq.hardware.transpile import ResourceReport, resource_report

__all__ = ["Job", "ResourceReport", "jobs", "preview", "recover_jobs", "resource_report", "submit"]
