r"""IBM Quantum runtime access: backends by name, credentials, primitives, retries.

Backends
    ``"fake_torino"``, ``"FakeTorino"``, ``"faketorino"`` … — any fake backend of
    ``qiskit_ibm_runtime.fake_provider`` (matched case-insensitively, ``_``/``-`` ignored,
    with or without the ``V2`` suffix) — run locally through the same sampler code path
    with the device's noise model. Any other name (``"ibm_torino"``) is looked up through
    ``QiskitRuntimeService``; unknown names raise :class:`~qdq.errors.BackendError` listing
    close matches (for real names that needs the service, for fake names the provider's
    list suffices).

Credentials
    Read by ``QiskitRuntimeService()`` itself: the ``QISKIT_IBM_TOKEN`` /
    ``QISKIT_IBM_INSTANCE`` environment variables, else the default saved account. qdq
    never reads, stores, logs or prints the token; every message it writes passes through
    :func:`qdq.redact.redact`. Save an account once with::

        from qiskit_ibm_runtime import QiskitRuntimeService
        QiskitRuntimeService.save_account(channel="ibm_quantum_platform",
                                          token="<API key>", instance="<CRN or name>")

Primitives
    ``qiskit_ibm_runtime.executor_sampler.Sampler`` (the executor-based sampler that
    replaces the deprecated ``SamplerV2`` in 0.51) is used by default. It supports fake
    backends: ``Executor.run`` sees a local service and runs the ``QuantumProgram`` through
    ``QiskitRuntimeLocalService._run_executor`` → Aer's ``SamplerV2`` on
    ``AerSimulator.from_backend(backend)``; twirling (samplomatic) and dynamical decoupling
    are applied client-side, so they really act in the simulation (``SamplerV2`` in local
    mode ignores both with a warning). Its one local cost — rebuilding
    ``AerSimulator.from_backend`` and deep-copying the whole-device noise model for every
    job (~10–30 s on FakeTorino) — is avoided by handing it the backend restricted to the
    circuit's active qubits (:func:`qdq.hardware.transpile.restrict_to_active`; identical
    counts). Measurement twirling is not supported for circuits with mid-circuit
    measurements/resets (imaginary time); gate twirling is. ``SamplerV2`` is the fallback
    when the executor sampler cannot be imported (older qiskit-ibm-runtime, samplomatic
    missing) and can be forced with ``primitive="v2"``.

Retries
    :func:`with_retries` retries transient failures — ``requests`` ``ConnectionError`` /
    ``Timeout``, runtime ``RequestsApiError`` with a 5xx (or 429) status — with exponential
    backoff (``base · 2^k``, capped), and raises :class:`~qdq.errors.BackendError` (secrets
    redacted) when they persist.

Example:
    >>> canonical_fake_name("FakeTorino"), canonical_fake_name("FAKE-sherbrooke")
    ('fake_torino', 'fake_sherbrooke')
    >>> canonical_fake_name("ibm_torino") is None
    True
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from qdq.errors import BackendError, ParameterError, QdqError, require
from qdq.hardware.fake_backends import (  # re-exported: runtime.looks_fake(...) etc.
    canonical_fake_name,
    fake_backend,
    fake_backend_names,
    looks_fake,
)
from qdq.redact import redact

__all__ = [
    "ACCOUNT_HELP",
    "RETRY_ATTEMPTS",
    "STATUS_MAP",
    "canonical_fake_name",
    "fake_backend",
    "fake_backend_names",
    "get_backend",
    "get_service",
    "has_account",
    "is_transient",
    "normalize_status",
    "sampler_class",
    "with_retries",
]

logger = logging.getLogger("qdq.hardware")

T = TypeVar("T")

#: How to make credentials available (used in every missing-account error).
ACCOUNT_HELP = (
    "save an IBM Quantum account once with "
    "`from qiskit_ibm_runtime import QiskitRuntimeService; "
    'QiskitRuntimeService.save_account(channel="ibm_quantum_platform", token="<API key>", '
    'instance="<CRN or instance name>", set_as_default=True)`, '
    "or set the QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE) environment variables; "
    "to run without an account use a fake backend such as backend='fake_torino'"
)

#: Attempts (first call included) for transient network errors.
RETRY_ATTEMPTS = 5
#: First backoff delay in seconds (doubles each retry).
RETRY_BASE_DELAY = 1.0
#: Largest backoff delay in seconds.
RETRY_MAX_DELAY = 30.0
#: The sleep function used between retries (tests replace it).
_sleep: Callable[[float], None] = time.sleep

#: Provider job status -> qdq store status.
STATUS_MAP: dict[str, str] = {
    "INITIALIZING": "submitted",
    "VALIDATING": "submitted",
    "QUEUED": "queued",
    "RUNNING": "running",
    "DONE": "done",
    "ERROR": "error",
    "CANCELLED": "cancelled",
}


# --------------------------------------------------------------------------- retries


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a network hiccup worth retrying.

    Transient: ``requests`` ``ConnectionError``/``Timeout`` (and the builtin
    ``ConnectionError``/``TimeoutError``), and a runtime ``RequestsApiError`` whose
    ``status_code`` is 5xx or 429 (also when it is the ``__cause__`` of another error).

    Example:
        >>> is_transient(ConnectionError("reset")), is_transient(ValueError("bad"))
        (True, False)
    """
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return True
        try:
            import requests

            if isinstance(exc, (requests.exceptions.ConnectionError,
                                requests.exceptions.Timeout)):
                return True
        except ImportError:  # pragma: no cover - requests ships with the runtime
            pass
        code = getattr(exc, "status_code", None)
        if type(exc).__name__ == "RequestsApiError" and isinstance(code, int):
            return code >= 500 or code == 429
        exc = exc.__cause__
        seen += 1
    return False


_AUTH_NAMES = ("IBMNotAuthorizedError", "NotAuthorized", "Unauthorized", "Forbidden")
_AUTH_TEXT = re.compile(r"invalid (api )?(token|key)|unauthori[sz]ed|not authori[sz]ed|forbidden"
                        r"|api key could not be found|valid api token|\b40[13]\b", re.I)


def is_auth_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error in its cause/context chain) is a refused login.

    Authentication failures are never transient: retrying an invalid token five times
    only delays the real message. Recognised: an HTTP status 401/403 (``status_code``,
    ``code`` or ``status`` attribute), ``IBMNotAuthorizedError`` and similar class names,
    and messages saying "invalid token", "Unauthorized", "Forbidden" or 401/403.

    Example:
        >>> is_auth_error(RuntimeError("401 Client Error: Unauthorized"))
        True
        >>> is_auth_error(ConnectionError("reset"))
        False
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 8:
        seen.add(id(exc))
        codes = {getattr(exc, a, None) for a in ("status_code", "code", "status")}
        if codes & {401, 403} or any(n in type(exc).__name__ for n in _AUTH_NAMES):
            return True
        if _AUTH_TEXT.search(str(exc)[:2000]):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def with_retries(fn: Callable[..., T], *args: Any, what: str = "call the IBM runtime",
                 attempts: int | None = None, account_help: str | None = None,
                 **kwargs: Any) -> T:
    """Call ``fn(*args, **kwargs)``, retrying transient errors with exponential backoff.

    Args:
        fn: The callable.
        *args: Its positional arguments.
        what: What the call does, for messages (``"poll job …"``).
        attempts: Total attempts (default :data:`RETRY_ATTEMPTS`).
        account_help: Where the credentials come from, for an authentication failure
            (default: IBM Quantum's; other clouds pass their own).
        **kwargs: Its keyword arguments.

    Returns:
        ``fn``'s return value.

    Raises:
        BackendError: When the transient errors outlast the attempts, or at once for an
            authentication failure (:func:`is_auth_error`: "invalid token"; message redacted).
        Exception: Non-transient errors propagate unchanged (``QdqError`` included).

    Example:
        >>> calls = []
        >>> def flaky():
        ...     calls.append(1)
        ...     if len(calls) < 3:
        ...         raise ConnectionError("connection reset")
        ...     return "ok"
        >>> import qdq.hardware.runtime as rt
        >>> saved, rt._sleep = rt._sleep, lambda s: None
        >>> with_retries(flaky, what="demo"), len(calls)
        ('ok', 3)
        >>> rt._sleep = saved
    """
    total = RETRY_ATTEMPTS if attempts is None else int(attempts)
    delay = RETRY_BASE_DELAY
    for attempt in range(1, total + 1):
        try:
            return fn(*args, **kwargs)
        except QdqError:
            raise
        except Exception as exc:
            if is_auth_error(exc):  # never retried: the token will not become valid
                where = account_help or ("the IBM Quantum API key in QISKIT_IBM_TOKEN or "
                                         f"the saved account ({ACCOUNT_HELP})")
                raise BackendError(
                    f"could not {what}: invalid token or not authorized "
                    f"({redact(f'{type(exc).__name__}: {exc}')[:300]}); check {where}"
                ) from None
            if not is_transient(exc):
                raise
            if attempt == total:
                raise BackendError(
                    f"could not {what} after {total} attempts: "
                    f"{redact(f'{type(exc).__name__}: {exc}')}; check your network"
                    + ("" if account_help else " and https://quantum.cloud.ibm.com/status")
                    + ", then retry"
                ) from None
            logger.debug("transient error while trying to %s (attempt %d/%d): %s; retrying "
                         "in %.2g s", what, attempt, total, redact(repr(exc)), delay)
            _sleep(delay)
            delay = min(delay * 2.0, RETRY_MAX_DELAY)
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- service


def has_account() -> bool:
    """Whether IBM credentials are available (env vars or a saved account); no network.

    Example:
        >>> isinstance(has_account(), bool)
        True
    """
    if os.environ.get("QISKIT_IBM_TOKEN"):
        return True
    try:
        rt = require("qiskit_ibm_runtime", "ibm")
        return bool(rt.QiskitRuntimeService.saved_accounts())
    except Exception:
        return False


def _account_missing(exc: BaseException) -> bool:
    name = type(exc).__name__
    text = str(exc).lower()
    return (name in ("AccountNotFoundError", "InvalidAccountError")
            or "unable to find account" in text
            or ("account" in text and ("not found" in text or "no account" in text)))


def get_service(**kwargs: Any) -> Any:
    """A ``QiskitRuntimeService`` from the environment or the saved account.

    Args:
        **kwargs: Passed to ``QiskitRuntimeService`` (e.g. ``name=`` of a saved account,
            ``instance=``); never put a token in code that is logged.

    Returns:
        The service.

    Raises:
        DependencyError: qiskit-ibm-runtime is not installed.
        BackendError: No account is available (the message says how to save one), or the
            service could not be reached (secrets redacted).
    """
    rt = require("qiskit_ibm_runtime", "ibm")
    if not kwargs and not has_account():
        raise BackendError(f"no IBM Quantum account found; {ACCOUNT_HELP}")
    try:
        return with_retries(rt.QiskitRuntimeService, what="connect to IBM Quantum", **kwargs)
    except QdqError:
        raise
    except Exception as exc:
        if _account_missing(exc):
            raise BackendError(
                f"no usable IBM Quantum account ({redact(str(exc))}); {ACCOUNT_HELP}"
            ) from None
        raise BackendError(
            f"could not connect to IBM Quantum: {redact(f'{type(exc).__name__}: {exc}')}; "
            f"check the saved account / environment variables ({ACCOUNT_HELP})"
        ) from None


def get_backend(name: str, *, service: Any = None) -> tuple[Any, str, bool]:
    """Resolve a backend name.

    Args:
        name: A fake name (``"fake_torino"``, ``"FakeTorino"``, …) or a real one
            (``"ibm_torino"``).
        service: An existing ``QiskitRuntimeService`` for real names (default: a new one
            from :func:`get_service`).

    Returns:
        ``(backend, canonical_name, is_local)``.

    Raises:
        ParameterError: ``name`` is not a non-empty string.
        BackendError: Unknown name (close matches listed) or no account.

    Example:
        >>> backend, name, local = get_backend("FakeTorino")
        >>> name, local, backend.num_qubits
        ('fake_torino', True, 133)
    """
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(
            f"backend must be a backend name such as 'ibm_torino' or 'fake_torino', "
            f"got {redact(repr(name))}"
        )
    name = name.strip()
    if looks_fake(name):
        backend = fake_backend(name)
        return backend, str(canonical_fake_name(name)), True
    if service is None:
        service = get_service()
    try:
        backend = with_retries(service.backend, name, what=f"look up backend {name!r}")
    except QdqError:
        raise
    except Exception as exc:
        try:
            names = sorted(str(getattr(b, "name", b)) for b in with_retries(
                service.backends, what="list backends"))
        except Exception:  # pragma: no cover - listing failed too; report the first error
            names = []
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        avail = f"available: {', '.join(names)}" if names else "list them with service.backends()"
        raise BackendError(
            f"unknown or unavailable backend {name!r} ({redact(f'{type(exc).__name__}: {exc}')}"
            f"); {hint}{avail}. Local fake backends are named fake_torino, fake_sherbrooke, …"
        ) from None
    return backend, name, False


# --------------------------------------------------------------------------- primitives


def executor_available() -> bool:
    """Whether ``qiskit_ibm_runtime.executor_sampler.Sampler`` can be imported.

    Example:
        >>> executor_available()
        True
    """
    try:
        sampler_class("executor")
    except QdqError:
        return False
    return True


def sampler_class(primitive: str) -> Any:
    """The sampler class for ``"executor"`` or ``"v2"``.

    Raises:
        DependencyError: The module cannot be imported.
        ParameterError: Unknown ``primitive``.

    Example:
        >>> sampler_class("executor").__module__
        'qiskit_ibm_runtime.executor_sampler.sampler'
    """
    if primitive == "executor":
        return require("qiskit_ibm_runtime.executor_sampler", "ibm").Sampler
    if primitive == "v2":
        return require("qiskit_ibm_runtime", "ibm").SamplerV2
    raise ParameterError(f"primitive must be 'auto', 'executor' or 'v2', got {primitive!r}")


def resolve_primitive(primitive: str) -> str:
    """``"auto"`` → ``"executor"`` when importable, else ``"v2"``; others validated.

    Example:
        >>> resolve_primitive("auto")
        'executor'
    """
    if primitive == "auto":
        return "executor" if executor_available() else "v2"
    if primitive not in ("executor", "v2"):
        raise ParameterError(
            f"primitive must be 'auto', 'executor' or 'v2', got {primitive!r}"
        )
    return primitive


def mode_class(mode: str) -> Any:
    """``qiskit_ibm_runtime.Batch`` or ``Session`` for ``"batch"`` / ``"session"``."""
    rt = require("qiskit_ibm_runtime", "ibm")
    return {"batch": rt.Batch, "session": rt.Session}[mode]


def normalize_status(status: Any) -> str:
    """Map a provider job status (string or ``JobStatus`` enum) to a store status.

    Example:
        >>> normalize_status("QUEUED"), normalize_status("DONE")
        ('queued', 'done')
    """
    text = getattr(status, "name", status)
    text = str(text).upper().rsplit(".", 1)[-1]
    return STATUS_MAP.get(text, "submitted")
