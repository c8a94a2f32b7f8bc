r"""What every cloud provider record provides: :class:`CloudProvider` and :class:`CloudDevice`.

A *provider record* is one small subclass of :class:`CloudProvider` per cloud (Amazon
Braket, IonQ, IQM), in its own module of :mod:`qdq.hardware.clouds`. It knows only what
differs between clouds:

* **devices** — :meth:`CloudProvider.device_names` (the short names qdq knows, for
  listings and "did you mean") and :meth:`CloudProvider.resolve` (a device name →
  :class:`CloudDevice`: the Qiskit ``BackendV2`` whose target qdq transpiles for, whether
  it runs offline, whether it measures mid-circuit, its key in the price table);
* **credentials** — :meth:`CloudProvider.has_credentials`, checked at submit time by the
  provider's own standard mechanism (AWS's credential chain, IonQ's API-key variable). The
  secret is never read into a qdq message, the store or a file name; the variables are in
  :data:`qdq.redact.SECRET_ENV_VARS` so anything the provider library echoes is redacted;
* **jobs** — :meth:`CloudProvider.run` (submit one ISA circuit, the local id attached
  where the cloud takes tags or names), :meth:`CloudProvider.retrieve` (a job handle from
  its provider id, another process), :meth:`CloudProvider.find` (crash recovery: the job
  carrying a local id, or ``None``; ``NotImplemented`` where the cloud cannot search).

The rest — polling, counts, cancelling — is the Qiskit ``JobV1`` interface every provider
job implements (``job_id()``, read by :func:`qdq.hardware.launch.provider_job_id` as for
IBM jobs; ``status()``, ``result().get_counts()``, ``cancel()``) and lives here once. The
durable store, recovery, decoding and the CLI are shared with IBM jobs
(:mod:`qdq.hardware.clouds.submit`, :class:`qdq.hardware.Job`).

Example:
    >>> from qdq.hardware.clouds.base import CloudProvider
    >>> class Toy(CloudProvider):
    ...     prefix, title, module, extra = "toy", "Toy cloud", "json", "toy"
    ...     def device_names(self):
    ...         return ("local",)
    >>> Toy().split_name("toy:local")
    'local'
    >>> Toy().split_name("toy:")
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: backend 'toy:' names no device; use toy:<device> with one of: local
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from qdq.errors import BackendError, ParameterError, require
from qdq.redact import redact

__all__ = ["CloudDevice", "CloudProvider", "LazyBackend", "shown"]


def shown(name: str, limit: int = 80) -> str:
    """A user-given name as messages quote it: redacted, escaped (``repr``), cut to ``limit``.

    Example:
        >>> shown("braket:" + "x" * 100)[:12], len(shown("x" * 500))
        ("'braket:xxxx", 82)
    """
    text = str(name)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(redact(text))


class LazyBackend:
    """A remote device's Qiskit backend, built (reaching the cloud) only when first needed.

    Resolving a name must stay offline (names are checked and listed without an account);
    transpiling, the resource report and running call :meth:`resolve`.

    Example:
        >>> lazy = LazyBackend(lambda: "the backend", "toy:device")
        >>> lazy.resolve(), lazy.description
        ('the backend', 'toy:device')
    """

    def __init__(self, factory: Any, description: str) -> None:
        self._factory, self.description, self._value = factory, description, None

    def resolve(self) -> Any:
        """The backend (built once)."""
        if self._value is None:
            self._value = self._factory()
        return self._value


@dataclass
class CloudDevice:
    """A resolved cloud device: what qdq transpiles for, and how it runs.

    Attributes:
        name: Canonical backend name as stored with jobs (``"braket:local"``).
        backend: The Qiskit ``BackendV2`` (its ``target`` drives transpilation and the
            fidelity estimate; error rates come from the device's reported calibration).
        local: Runs offline, free, without credentials (a provider's local simulator).
        mid_circuit: Measures and resets mid-circuit. Imaginary-time circuits reuse their
            ancillas where it does and take fresh ones (measured at the end) where not.
        price_key: Key in :data:`qdq.hardware.clouds.pricing.PRICES` (``None``: no
            published per-shot price; local devices cost nothing).
        handle: Provider-specific extra (e.g. the device ARN).
    """

    name: str
    backend: Any
    local: bool
    mid_circuit: bool = False
    price_key: str | None = None
    handle: Any = None

    def qiskit_backend(self) -> Any:
        """The ``BackendV2`` (a :class:`LazyBackend` is built now, reaching the cloud)."""
        return self.backend.resolve() if isinstance(self.backend, LazyBackend) else self.backend


class CloudProvider:
    """Base of the provider records (one subclass per cloud; see the module docstring).

    Class attributes a subclass sets:
        prefix: Backend prefix (``"braket"`` → ``backend="braket:<device>"``).
        title: Human name (``"Amazon Braket"``).
        module: The Qiskit provider package to import (``"qiskit_braket_provider"``).
        extra: The pip extra that installs it (``"braket"``).
        credentials_help: One line: where the credentials come from.
        offline_device: A device that runs without credentials (``None``: none does).
    """

    prefix: str = ""
    title: str = ""
    module: str = ""
    extra: str = ""
    credentials_help: str = ""
    offline_device: str | None = None

    # ------------------------------------------------------------------ to override
    def device_names(self) -> tuple[str, ...]:
        """The device names qdq knows for this cloud (listings, close matches)."""
        raise NotImplementedError

    def resolve(self, device: str) -> CloudDevice:
        """A device name (after the prefix) → :class:`CloudDevice`.

        Raises:
            BackendError: Unknown device (close matches listed) or the cloud refused.
        """
        raise NotImplementedError

    def has_credentials(self) -> bool:
        """Whether the provider's standard credential source is set (no network)."""
        raise NotImplementedError

    def prepare(self, device: CloudDevice, isa: Any) -> Any:
        """The ISA circuit as it will be sent (default: unchanged).

        Runs before the resource report, so the report and the stored circuit are what
        the cloud receives (IonQ rewrites its ambiguous phase gates here).
        """
        return isa

    def run(self, device: CloudDevice, isa: Any, shots: int, *, local_id: str,
            seed: int | None) -> Any:
        """Submit one ISA circuit; return the provider's job (Qiskit ``JobV1``)."""
        raise NotImplementedError

    def retrieve(self, device: CloudDevice, provider_id: str) -> Any:
        """The provider job with this id (remote devices; another process)."""
        raise NotImplementedError

    def find(self, device: CloudDevice, local_id: str, since: str | None) -> Any:
        """The remote job tagged ``local_id`` (created after ``since``, ISO time).

        Returns ``None`` if there is none, ``NotImplemented`` where this cloud cannot
        search its jobs.
        """
        return NotImplemented

    # ------------------------------------------------------------------ shared
    def load(self) -> Any:
        """Import the provider package (``DependencyError`` with the install hint)."""
        return require(self.module, self.extra)

    def split_name(self, backend: str) -> str:
        """``"<prefix>:<device>"`` → ``"<device>"`` (validated as a non-empty name)."""
        if not isinstance(backend, str):
            raise ParameterError(f"backend must be a string such as '{self.prefix}:<device>', "
                                 f"got {type(backend).__name__}")
        head, sep, device = backend.strip().partition(":")
        if head.lower() != self.prefix or not sep:
            raise ParameterError(f"backend {shown(backend)} is not a {self.title} backend "
                                 f"({self.prefix}:<device>)")
        device = device.strip()
        if not device or any(ord(ch) < 32 for ch in device) or len(device) > 200:
            raise ParameterError(
                f"backend {shown(backend)} names no device; use {self.prefix}:<device> "
                f"with one of: {', '.join(self.device_names())}")
        return device

    def unknown_device(self, device: str, why: str = "") -> BackendError:
        """The error for a device name this cloud does not know (close matches listed)."""
        names = list(self.device_names())
        close = difflib.get_close_matches(device.lower(), names, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(f'{self.prefix}:{c}' for c in close)}?)" \
            if close else ""
        why = f": {why}" if why else ""
        return BackendError(
            f"unknown {self.title} device {shown(device)}{why}{hint}; known devices: "
            f"{', '.join(f'{self.prefix}:{n}' for n in names)}")

    def get_device(self, backend: str, *, check_credentials: bool = True) -> CloudDevice:
        """Resolve ``"<prefix>:<device>"``; for a remote device, check credentials first.

        Raises:
            ParameterError: A malformed name.
            DependencyError: The provider package is not installed (install hint).
            BackendError: Unknown device, or no credentials (where they come from).
        """
        device = self.split_name(backend)
        self.load()
        resolved = self.resolve(device)
        if check_credentials and not resolved.local and not self.has_credentials():
            offline = (f" {self.prefix}:{self.offline_device} runs offline without them."
                       if self.offline_device else "")
            raise BackendError(
                f"no {self.title} credentials for {resolved.name!r}: {self.credentials_help}."
                f"{offline}")
        return resolved

    def counts(self, job: Any, timeout: float | None = None) -> dict[str, int]:
        """The job's counts as Qiskit prints them (clbit 0 rightmost; waits for the job)."""
        result = job.result() if timeout is None else _result_with_timeout(job, timeout)
        counts = result.get_counts()
        if isinstance(counts, list):  # one circuit per job: a list means something odd
            if len(counts) != 1:
                raise BackendError(f"{self.title} returned {len(counts)} count dicts for "
                                   "one circuit")
            counts = counts[0]
        return {str(k): int(v) for k, v in dict(counts).items()}


def _result_with_timeout(job: Any, timeout: float) -> Any:
    """``job.result(timeout=…)`` where the provider takes it, else a polling wait."""
    import inspect
    import time

    try:
        takes = "timeout" in inspect.signature(job.result).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        takes = False
    if takes:
        return job.result(timeout=timeout)
    deadline = time.monotonic() + float(timeout)
    while True:
        done = getattr(job, "done", None)
        if callable(done) and done():
            return job.result()
        name = str(getattr(job.status(), "name", job.status())).upper()
        if name.rsplit(".", 1)[-1] in ("DONE", "ERROR", "CANCELLED", "COMPLETED", "FAILED"):
            return job.result()
        if time.monotonic() >= deadline:
            raise BackendError(f"the job did not finish within {timeout:g} s; fetch it "
                               "later (its status is kept in the store)")
        time.sleep(min(2.0, max(0.05, deadline - time.monotonic())))
