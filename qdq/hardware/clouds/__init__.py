r"""Clouds beyond IBM: one provider record per cloud, chosen by the backend's prefix.

``backend="braket:<device>"`` (Amazon Braket: its offline local simulators, and IonQ, IQM
and Rigetti devices), ``"ionq:<device>"`` (IonQ's cloud: its simulator and QPUs) and
``"iqm:<device>"`` (IQM's devices, reached through Amazon Braket: see
:mod:`~qdq.hardware.clouds.iqm` for why). Every other name is IBM's
(:mod:`qdq.hardware.runtime`).

Each cloud is one module with one :class:`~qdq.hardware.clouds.base.CloudProvider`
subclass (:data:`PROVIDERS` maps the prefix to it; modules load on first use, so
``import qdq`` never imports a cloud SDK). What they share — submission through the
durable store, polling, decoding, recovery, cancelling, the price table and the cost
guard — is :mod:`~qdq.hardware.clouds.submit`, :mod:`~qdq.hardware.clouds.pricing` and
:class:`qdq.hardware.Job`.

Example:
    >>> cloud_prefix("braket:local"), cloud_prefix("ibm_torino"), cloud_prefix("IonQ:simulator")
    ('braket', None, 'ionq')
    >>> cloud_for("braket:local").title
    'Amazon Braket'
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["PROVIDERS", "cloud_for", "cloud_prefix"]

#: Backend prefix → ``"module:class"`` of its provider record.
PROVIDERS: dict[str, str] = {
    "braket": "qdq.hardware.clouds.braket:BraketCloud",
    "ionq": "qdq.hardware.clouds.ionq:IonQCloud",
    "iqm": "qdq.hardware.clouds.iqm:IQMCloud",
}

_LOADED: dict[str, Any] = {}


def cloud_prefix(backend: Any) -> str | None:
    """The cloud prefix of a backend name (``"braket"``, …), or ``None`` for IBM names."""
    if not isinstance(backend, str):
        return None
    head, sep, _ = backend.strip().partition(":")
    head = head.lower()
    return head if sep and head in PROVIDERS else None


def cloud_for(backend: Any) -> Any | None:
    """The provider record for a backend name, or ``None`` when it is not a cloud name.

    The record is created once per process (it holds no credentials, only cached device
    objects).
    """
    prefix = cloud_prefix(backend)
    if prefix is None:
        return None
    if prefix not in _LOADED:
        module, _, cls = PROVIDERS[prefix].partition(":")
        _LOADED[prefix] = getattr(importlib.import_module(module), cls)()
    return _LOADED[prefix]
