"""Local fake backends by name: qiskit-ibm-runtime's ``fake_provider``, any spelling.

Split from :mod:`qdq.hardware.runtime` (which re-exports these names): fake backends need
no account, no network and no retries. May import :mod:`qdq.errors` only.

Example:
    >>> canonical_fake_name("FakeTorino"), looks_fake("ibm_torino")
    ('fake_torino', False)
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from qdq.errors import BackendError, require

__all__ = ["canonical_fake_name", "fake_backend", "fake_backend_names", "looks_fake"]


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@functools.cache
def fake_backend_names() -> dict[str, str]:
    """Canonical fake backend names mapped to their ``fake_provider`` class names.

    Example:
        >>> fake_backend_names()["fake_torino"]
        'FakeTorino'
    """
    fp = require("qiskit_ibm_runtime.fake_provider", "ibm")
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    out: dict[str, str] = {}
    for cls_name in dir(fp):
        cls = getattr(fp, cls_name)
        if (cls_name.startswith("Fake") and isinstance(cls, type)
                and issubclass(cls, FakeBackendV2)):
            name = getattr(cls, "backend_name", None) or cls_name
            out[str(name)] = cls_name
    return dict(sorted(out.items()))


@functools.cache
def _fake_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for name, cls_name in fake_backend_names().items():
        for key in (name, cls_name, cls_name[:-2] if cls_name.endswith("V2") else cls_name):
            table.setdefault(_norm(key), name)
    return table


def looks_fake(name: str) -> bool:
    """Whether a backend name asks for a local fake backend (starts with ``fake``).

    Example:
        >>> looks_fake("FakeTorino"), looks_fake("ibm_torino")
        (True, False)
    """
    return _norm(name).startswith("fake")


def canonical_fake_name(name: str) -> str | None:
    """The canonical ``fake_*`` name for a fake backend name, or ``None``.

    Example:
        >>> canonical_fake_name("fakemanilav2")
        'fake_manila'
    """
    if not isinstance(name, str) or not looks_fake(name):
        return None
    return _fake_lookup().get(_norm(name))


def fake_backend(name: str) -> Any:
    """Instantiate a fake backend by (any accepted spelling of its) name.

    Raises:
        BackendError: Unknown fake name (the message lists close matches).

    Example:
        >>> fake_backend("FakeManilaV2").num_qubits
        5
    """
    canonical = canonical_fake_name(name)
    if canonical is None:
        names = list(fake_backend_names())
        close = difflib.get_close_matches(str(name).lower().replace("-", "_"), names, n=5,
                                          cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise BackendError(
            f"unknown fake backend {name!r}; {hint}fake backends are "
            f"qiskit_ibm_runtime.fake_provider's ({len(names)} of them, e.g. fake_torino, "
            "fake_sherbrooke, fake_manila); list them with "
            "qdq.hardware.runtime.fake_backend_names()"
        )
    fp = require("qiskit_ibm_runtime.fake_provider", "ibm")
    return getattr(fp, fake_backend_names()[canonical])()
