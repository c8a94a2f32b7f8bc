r"""Which cloud devices qdq can submit to, what each costs, whether credentials are set.

:func:`list_devices` works offline: device names come from each provider record (the
Braket SDK's device list, IonQ's QPU table), prices from
:mod:`~qdq.hardware.clouds.pricing`, and the credential check only asks whether the
provider's standard source is set — it never reads a secret into the listing. A cloud whose
package is missing is listed once with its install hint. ``qdq devices`` prints it.

Example:
    >>> rows = list_devices("braket")
    >>> local = next(r for r in rows if r["backend"] == "braket:local")
    >>> local["local"], local["per_shot_usd"], local["credentials"]
    (True, 0.0, 'not needed')
"""

from __future__ import annotations

from typing import Any

from qdq.errors import DependencyError, ParameterError
from qdq.hardware.clouds import PROVIDERS, cloud_for
from qdq.hardware.clouds.pricing import PRICES

__all__ = ["list_devices"]


def list_devices(cloud: str | None = None) -> list[dict[str, Any]]:
    """One row per known device of each cloud (or of ``cloud``), offline.

    Args:
        cloud: ``"braket"``, ``"ionq"``, ``"iqm"`` or ``None`` for all.

    Returns:
        Rows ``{"backend", "cloud", "local", "per_task_usd", "per_shot_usd",
        "price_source", "credentials", "note"}``; prices are ``None`` where qdq's table
        has none; ``credentials`` is ``"set"``, ``"missing"`` or ``"not needed"``.

    Raises:
        ParameterError: An unknown cloud.
    """
    if cloud is not None and cloud not in PROVIDERS:
        raise ParameterError(f"cloud must be one of {', '.join(PROVIDERS)}, got {cloud!r}")
    rows: list[dict[str, Any]] = []
    for prefix in [cloud] if cloud else list(PROVIDERS):
        record = cloud_for(f"{prefix}:x")
        try:
            record.load()
        except DependencyError as exc:
            rows.append({"backend": f"{prefix}:*", "cloud": record.title, "local": None,
                         "per_task_usd": None, "per_shot_usd": None, "price_source": None,
                         "credentials": None, "note": str(exc)})
            continue
        has_key = record.has_credentials()
        for name in record.device_names():
            device = record.get_device(f"{prefix}:{name}", check_credentials=False)
            price = PRICES.get(device.price_key) if device.price_key else None
            rows.append({
                "backend": device.name, "cloud": record.title, "local": device.local,
                "per_task_usd": None if price is None else price.per_task,
                "per_shot_usd": None if price is None else price.per_shot,
                "price_source": None if price is None else
                f"{price.source}, read {price.read_on}",
                "credentials": "not needed" if device.local else
                ("set" if has_key else "missing"),
                "note": "" if price is not None else "no published per-shot price",
            })
    return rows
