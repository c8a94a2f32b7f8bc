r"""IQM's devices (Garnet, Emerald), reached through Amazon Braket.

``backend="iqm:garnet"`` is the same device as ``"braket:iqm_garnet"``: the same AWS
credentials, price and quantum-task ids; only the name is IQM's. ``iqm:<device>.emulator``
is the provider's noisy local emulator built from the device's reported calibration.

**Why not IQM's own client.** IQM's Qiskit adapter (``qiskit-iqm``, now
``iqm-client[qiskit]``) cannot be installed beside Qiskit 2.x: its newest release
(iqm-client 36.0, checked 2026-12-05) requires ``qiskit<2.2`` and ``qiskit-aer<0.18``, and
qdq is built on Qiskit 2.x. IQM Resonance's direct access (an ``IQM_TOKEN``) therefore has
no record here yet; when iqm-client supports Qiskit ≥ 2.2 it belongs in this module, with
its fake backends as the offline test target.

Example:
    >>> cloud = IQMCloud()
    >>> cloud.device_names()
    ('emerald', 'garnet')
    >>> cloud.braket_name("iqm:garnet.emulator")
    'braket:iqm_garnet.emulator'
"""

from __future__ import annotations

from qdq.hardware.clouds.base import CloudDevice
from qdq.hardware.clouds.braket import BraketCloud, braket_device_arns

__all__ = ["IQMCloud"]


class IQMCloud(BraketCloud):
    """IQM's provider record: IQM's device names, Amazon Braket underneath."""

    prefix = "iqm"
    title = "IQM (through Amazon Braket)"
    offline_device = None

    def device_names(self) -> tuple[str, ...]:
        """IQM's devices in the Braket SDK's list (``garnet``, ``emerald``)."""
        return tuple(sorted(name.removeprefix("iqm_") for name in braket_device_arns()
                            if name.startswith("iqm_")))

    def braket_name(self, backend: str) -> str:
        """``"iqm:<device>"`` → the same device's ``"braket:iqm_<device>"`` name."""
        return f"braket:iqm_{self.split_name(backend).lower()}"

    def resolve(self, device: str) -> CloudDevice:
        """IQM device name → the Braket device, renamed ``iqm:<device>``."""
        base = device.lower().removesuffix(".emulator")
        if base not in self.device_names():
            raise self.unknown_device(device)
        resolved = super().resolve(f"iqm_{device.lower()}")
        resolved.name = f"iqm:{device.lower()}"
        return resolved
