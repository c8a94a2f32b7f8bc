r"""What a submission costs: published prices kept as data, and the ``max_cost`` guard.

Each price is a :class:`Price` with its source and the date it was read. A device whose
price is not in :data:`PRICES` has **no** price — qdq refuses to guess, so
:func:`estimate_cost` returns ``None`` and a ``max_cost`` guard refuses such a submission
(a guard that cannot be checked is not a guard). Local simulators and IBM's fake backends
cost nothing.

Cost of one job: ``per_task + shots · per_shot`` (Amazon Braket's on-demand QPU pricing:
a fee per quantum task, the same on every QPU, plus a fee per shot that depends on the
device family and not on the circuit's gates).

Not in the table, on purpose:

* IBM Quantum bills QPU *usage seconds* (Pay-As-You-Go and Flex plans); the seconds a job
  takes are not known before it runs, and no current per-second figure is in the
  references qdq's prices are taken from.
* IonQ's own cloud bills QPU jobs by circuit complexity (AQT, with a minimum per job);
  Braket's managed simulators (SV1, DM1) bill per minute of simulation; IQM Emerald,
  Rigetti Cepheus and AQT IBEX on Braket have no price in the stored pricing table.

Example:
    >>> estimate_cost("braket:iqm_garnet", 1000)
    1.75
    >>> estimate_cost("braket:local", 10**6), estimate_cost("ibm_torino", 1000)
    (0.0, None)
    >>> check_max_cost("braket:ionq_forte1", 1000, max_cost=50.0)
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: submission to 'braket:ionq_forte1' would cost $80.30 (1000 shots × $0.08 + $0.30 per task), above max_cost=$50.00; use fewer shots or raise max_cost. Nothing was submitted.
"""  # noqa: E501

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from qdq.errors import ParameterError
from qdq.hardware.clouds.base import shown
from qdq.redact import redact

__all__ = ["PRICES", "Price", "attach_cost", "check_max_cost", "cost_line", "describe_cost",
           "device_price", "estimate_cost", "guard_cost", "price_for", "price_key_for_arn",
           "usd"]

_BRAKET_SOURCE = "https://aws.amazon.com/braket/pricing/ (on-demand QPU table)"
_BRAKET_READ = "2026-12-05"


@dataclass(frozen=True)
class Price:
    """A published price for one device family.

    Attributes:
        per_task: USD per job (quantum task).
        per_shot: USD per shot.
        source: Where the price is published.
        read_on: The date qdq's table was checked against the source (ISO).
        note: What the price covers.
    """

    per_task: float
    per_shot: float
    source: str
    read_on: str
    note: str = ""

    def cost(self, shots: int) -> float:
        """``per_task + shots · per_shot`` in USD (not rounded: the guard compares this)."""
        return round(self.per_task + shots * self.per_shot, 9)  # float noise only

    def to_dict(self) -> dict[str, Any]:
        """Plain fields (stored with a job, printed in reports)."""
        return asdict(self)


_FREE = Price(0.0, 0.0, "runs on this machine", "—", "local simulator")

#: Price table: price key (see :func:`price_for`) → :class:`Price`.
PRICES: dict[str, Price] = {
    "braket:local": _FREE,
    "braket:ionq_forte": Price(0.30, 0.08, _BRAKET_SOURCE, _BRAKET_READ,
                               "IonQ Forte family (Forte-1, Forte-Enterprise-1)"),
    "braket:ionq_aria": Price(0.30, 0.03, _BRAKET_SOURCE, _BRAKET_READ, "IonQ Aria family"),
    "braket:iqm_garnet": Price(0.30, 0.00145, _BRAKET_SOURCE, _BRAKET_READ, "IQM Garnet"),
    "braket:rigetti_ankaa": Price(0.30, 0.0009, _BRAKET_SOURCE, _BRAKET_READ,
                                  "Rigetti Ankaa family"),
}

#: Device ARN fragment → price key (a family price applies to each of its devices).
_ARN_FAMILIES = (
    ("/qpu/ionq/forte", "braket:ionq_forte"),
    ("/qpu/ionq/aria", "braket:ionq_aria"),
    ("/qpu/iqm/garnet", "braket:iqm_garnet"),
    ("/qpu/rigetti/ankaa", "braket:rigetti_ankaa"),
)


def usd(value: float) -> str:
    """Dollars with cents, and more digits only where cents would hide a difference.

    Example:
        >>> usd(80.3), usd(1.75145), usd(1234.5)
        ('$80.30', '$1.75145', '$1,234.50')
    """
    return f"${value:,.2f}" if abs(value - round(value, 2)) < 1e-9 else f"${value:,.6g}"


def price_key_for_arn(arn: str) -> str | None:
    """The price key of a Braket device ARN, or ``None`` when its family has no price.

    Example:
        >>> price_key_for_arn("arn:aws:braket:us-east-1::device/qpu/ionq/Forte-Enterprise-1")
        'braket:ionq_forte'
    """
    low = str(arn).lower()
    return next((key for frag, key in _ARN_FAMILIES if frag in low), None)


def device_price(device: Any) -> Price | None:
    """The :class:`Price` of a resolved :class:`~qdq.hardware.clouds.base.CloudDevice`.

    Its provider record sets ``price_key``; a local device without one (a provider's
    emulator) is free; a key missing from :data:`PRICES` has no price.
    """
    if device.local and device.price_key is None:
        return _FREE  # a provider's local emulator
    return PRICES.get(device.price_key) if device.price_key else None


def price_for(backend: str) -> Price | None:
    """The :class:`Price` of a backend name, or ``None`` if it has no published price.

    IBM fake backends and cloud local simulators are free; a cloud device's price key
    comes from its provider record (``CloudDevice.price_key``), resolved offline.
    """
    from qdq.hardware.clouds import cloud_for
    from qdq.hardware.fake_backends import looks_fake

    if not isinstance(backend, str):
        return None
    if looks_fake(backend):
        return _FREE
    cloud = cloud_for(backend)
    if cloud is None:
        return None  # IBM: billed by usage seconds (see the module docstring)
    try:
        device = cloud.get_device(backend, check_credentials=False)
    except Exception:  # noqa: BLE001 - an unresolvable name has no price
        return None
    return device_price(device)


def estimate_cost(backend: str, shots: int) -> float | None:
    """USD for one job of ``shots`` shots on ``backend``, or ``None`` (no published price)."""
    price = price_for(backend)
    return None if price is None else price.cost(int(shots))


def describe_cost(price: Price | None, backend: str, shots: int) -> str:
    """One line for reports: the cost of ``price`` for ``shots``, or why there is none."""
    if price is None:
        return (f"no published per-shot price for {shown(backend)} in qdq's table "
                "(qdq does not guess; see docs/hardware.md)")
    if price.per_task == 0 and price.per_shot == 0:
        return f"$0.00 ({price.note})"
    return (f"{usd(price.cost(shots))} ({shots} shots × ${price.per_shot:g} + "
            f"${price.per_task:.2f} per task; {price.source}, read {price.read_on})")


def cost_line(backend: str, shots: int) -> str:
    """:func:`describe_cost` of a backend name's price."""
    return describe_cost(price_for(backend), backend, shots)


def attach_cost(report: Any, shots: int, price: Price | None) -> None:
    """Write ``shots``, ``cost_usd`` and ``cost_note`` into a resource report."""
    report.shots = int(shots)
    report.cost_usd = None if price is None else price.cost(int(shots))
    report.cost_note = describe_cost(price, report.backend, int(shots))


def guard_cost(price: Price | None, backend: str, shots: int, *,
               max_cost: Any) -> float | None:
    """:func:`check_max_cost` for an already looked-up ``price``."""
    cost = None if price is None else price.cost(int(shots))
    if max_cost is None:
        return cost
    if isinstance(max_cost, bool) or not isinstance(max_cost, (int, float)) \
            or not math.isfinite(max_cost) or max_cost < 0:
        raise ParameterError(f"max_cost must be a finite number of USD >= 0, got "
                             f"{redact(repr(max_cost))}")
    if price is None:
        raise ParameterError(
            f"max_cost=${max_cost:.2f} cannot be checked: "
            f"{describe_cost(price, backend, shots)}; submit without max_cost if you accept "
            "the provider's bill. Nothing was submitted.")
    if cost > max_cost:
        raise ParameterError(
            f"submission to {shown(backend)} would cost {usd(cost)} ({shots} shots × "
            f"${price.per_shot:g} + ${price.per_task:.2f} per task), above "
            f"max_cost=${max_cost:.2f}; use fewer shots or raise max_cost. Nothing was "
            "submitted.")
    return cost


def check_max_cost(backend: str, shots: int, *, max_cost: Any) -> float | None:
    """Refuse a submission whose cost is above ``max_cost`` or cannot be known.

    Args:
        backend: Backend name.
        shots: Shots of the job.
        max_cost: USD limit, or ``None`` for no guard.

    Returns:
        The estimated cost (``None`` when unknown and there is no guard).

    Raises:
        ParameterError: ``max_cost`` is not a finite number ≥ 0, the cost is above it,
            or the backend has no published price while a guard is set.
    """
    return guard_cost(price_for(backend), backend, shots, max_cost=max_cost)
