r"""Amazon Braket: its offline local simulator, managed simulators, and IonQ/IQM/Rigetti QPUs.

Through ``qiskit-braket-provider`` (``pip install -e '.[braket]'``), the Qiskit
``BackendV2`` of each Braket device — its target (native gates, connectivity and, for
QPUs, the gate fidelities the device reports) is what qdq transpiles for and estimates the
success probability from.

Devices (``backend="braket:<device>"``):

* ``local`` — Braket's local state-vector simulator: offline, free, no AWS account. The
  offline end-to-end tests run every job path against it.
* ``<vendor>_<device>`` — every gate-model device in ``braket.devices.Devices`` (the SDK's
  own list, so it follows the SDK): ``ionq_forte1``, ``ionq_forteenterprise1``,
  ``iqm_garnet``, ``iqm_emerald``, ``rigetti_cepheus1108q``, ``aqt_ibexq1``,
  ``amazon_sv1``, ``amazon_dm1``; or a device ARN (``arn:aws:braket:…``).
* ``<device>.emulator`` — the provider's noisy local emulator of a QPU (its noise model
  built from the device's reported calibration): runs locally and free, but reading the
  calibration needs AWS credentials.

Credentials: AWS's standard credential chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``, ``AWS_PROFILE``, ``~/.aws/credentials``,
SSO, instance roles), checked through boto3 at submit time; qdq never reads the keys
themselves. Jobs are Braket quantum tasks tagged ``{"qdq": "<local id>"}``, which is how
a submission cut short by a crash is found again (:meth:`BraketCloud.find`).

Example:
    >>> cloud = BraketCloud()
    >>> "local" in cloud.device_names() and "iqm_garnet" in cloud.device_names()
    True
    >>> device = cloud.get_device("braket:local")
    >>> device.name, device.local, device.backend.num_qubits >= 20
    ('braket:local', True, True)
"""

from __future__ import annotations

from typing import Any

from qdq.errors import BackendError
from qdq.hardware.clouds.base import CloudDevice, CloudProvider, LazyBackend
from qdq.redact import redact

__all__ = ["BraketCloud", "braket_device_arns"]

#: Device families of the SDK's list that are not gate-model circuits (analog Hamiltonian
#: simulation, annealing): qdq's circuits cannot run there.
_NOT_GATE_MODEL = ("QuEra", "DWave")


def braket_device_arns() -> dict[str, str]:
    """Short names (``"iqm_garnet"``) of the SDK's current gate-model devices → their ARNs.

    The list is ``braket.devices.Devices`` (retired devices are private there and left
    out), so it follows the installed SDK.
    """
    from braket.devices import Devices

    out: dict[str, str] = {}
    for vendor in dir(Devices):
        if vendor.startswith("_") or vendor in _NOT_GATE_MODEL:
            continue
        family = getattr(Devices, vendor)
        for member in family:
            if member.name.startswith("_"):
                continue
            out[f"{vendor}_{member.name}".lower()] = str(member.value)
    return out


class BraketCloud(CloudProvider):
    """Amazon Braket's provider record (see the module docstring)."""

    prefix = "braket"
    title = "Amazon Braket"
    module = "qiskit_braket_provider"
    extra = "braket"
    offline_device = "local"
    credentials_help = ("AWS credentials come from the standard chain (AWS_PROFILE, "
                        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials or SSO: "
                        "`aws configure`) with Braket permissions in the device's region")

    def __init__(self) -> None:
        self._backends: dict[str, Any] = {}

    def device_names(self) -> tuple[str, ...]:
        """``local``, then the SDK's gate-model devices (see :func:`braket_device_arns`)."""
        return ("local", *sorted(braket_device_arns()))

    def _arn(self, device: str) -> str | None:
        if device.startswith("arn:aws:braket:"):
            return device
        return braket_device_arns().get(device.lower())

    def resolve(self, device: str) -> CloudDevice:
        """``local``, a short name, ``<short name>.emulator`` or an ARN → :class:`CloudDevice`."""
        from qdq.hardware.clouds.pricing import price_key_for_arn

        key = device.lower()
        if key == "local":
            if "local" not in self._backends:
                from qiskit_braket_provider import BraketLocalBackend

                self._backends["local"] = BraketLocalBackend("default")
            return CloudDevice("braket:local", self._backends["local"], local=True,
                               price_key="braket:local")
        emulate = key.endswith(".emulator")
        base = device[: -len(".emulator")] if emulate else device
        arn = self._arn(base)
        if arn is None:
            raise self.unknown_device(device)
        short = next((k for k, v in braket_device_arns().items() if v == arn), arn)
        name = f"braket:{short}" + (".emulator" if emulate else "")
        if emulate and "quantum-simulator" in arn:
            raise BackendError(f"{name!r}: Braket's managed simulators have no emulator; use "
                               "braket:local to simulate offline")
        return CloudDevice(name, LazyBackend(lambda: self.aws_backend(arn, emulate), name),
                           local=emulate,
                           price_key=None if emulate else price_key_for_arn(arn),
                           handle=arn)

    def aws_backend(self, arn: str, emulate: bool = False) -> Any:
        """The provider's ``BraketAwsBackend`` (or its local emulator); reads the device."""
        if not self.has_credentials():
            raise BackendError(f"no Amazon Braket credentials to read device {arn!r}: "
                               f"{self.credentials_help}")
        cache_key = arn + (".emulator" if emulate else "")
        if cache_key not in self._backends:
            from qiskit_braket_provider import BraketAwsBackend

            try:
                backend = BraketAwsBackend(arn=arn)
                self._backends[cache_key] = backend.emulator() if emulate else backend
            except Exception as exc:
                raise BackendError(
                    f"Amazon Braket device {arn!r} could not be read: "
                    f"{redact(f'{type(exc).__name__}: {exc}')[:400]}; check the ARN, its "
                    "region and your credentials") from None
        return self._backends[cache_key]

    def has_credentials(self) -> bool:
        """Whether boto3's credential chain finds credentials (no network call)."""
        try:
            import boto3
        except ImportError:  # pragma: no cover - installed with the provider
            return False
        try:
            return boto3.Session().get_credentials() is not None
        except Exception:  # a broken config file counts as no credentials
            return False

    def run(self, device: CloudDevice, isa: Any, shots: int, *, local_id: str,
            seed: int | None) -> Any:
        """Run one ISA circuit as a Braket quantum task tagged with the local id.

        The circuit is already transpiled for the device's target, so it is passed on
        as it is (``verbatim`` where the device takes verbatim circuits would also skip
        Braket's own compiler; qdq leaves that to the device's default).
        """
        backend = device.qiskit_backend()
        if device.local:
            return backend.run(isa, shots=shots)
        return backend.run(isa, shots=shots, tags={"qdq": local_id})

    def retrieve(self, device: CloudDevice, provider_id: str) -> Any:
        """The Braket quantum task with this ARN."""
        backend = device.qiskit_backend()
        return backend.retrieve_job(provider_id)

    def find(self, device: CloudDevice, local_id: str, since: str | None) -> Any:
        """The quantum task on ``device`` tagged ``{"qdq": local_id}``, created since ``since``."""
        import boto3

        arn = device.handle
        region = arn.split(":")[3] or None
        client = boto3.client("braket", region_name=region)
        filters = [{"name": "deviceArn", "operator": "EQUAL", "values": [arn]}]
        if since:
            filters.append({"name": "createdAt", "operator": "GTE", "values": [since]})
        token = None
        while True:
            kwargs: dict[str, Any] = {"filters": filters, "maxResults": 100}
            if token:
                kwargs["nextToken"] = token
            page = client.search_quantum_tasks(**kwargs)
            for task in page.get("quantumTasks", []):
                if (task.get("tags") or {}).get("qdq") == local_id:
                    return self.retrieve(device, task["quantumTaskArn"])
            token = page.get("nextToken")
            if not token:
                return None

