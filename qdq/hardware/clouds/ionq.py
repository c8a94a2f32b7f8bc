r"""IonQ's cloud: its simulator (ideal, or with a QPU's noise model) and its trapped-ion QPUs.

Through ``qiskit-ionq`` (``pip install -e '.[ionq]'``). IonQ's devices are all-to-all
connected, so qdq transpiles for the provider's ``"qis"`` gate set (standard gates; IonQ's
own compiler lowers them to the native MS/ZZ gates) and the job is sent as IonQ's JSON
gate list.

Devices (``backend="ionq:<device>"``):

* ``simulator`` — IonQ's ideal cloud simulator. It returns the exact probabilities and
  ``qiskit-ionq`` samples the counts on this machine (seeded by qdq's ``seed``).
* ``simulator.<qpu>`` (``simulator.aria-1``, ``simulator.forte-1``, …) — the same
  simulator with that QPU's noise model, which IonQ keeps server-side: the name is sent
  as the job's ``noise.model``, and the seed as ``noise.seed``.
* ``qpu.<qpu>`` (``qpu.aria-1``, ``qpu.forte-1``, ``qpu.forte-enterprise-1``) — the
  hardware (billed per shot and gate).

All of them run in IonQ's cloud and need an API key, even the simulator. Building a device
here is offline: the qubit counts are qdq's table (:data:`IONQ_QPUS`) rather than
``qiskit-ionq``'s per-backend HTTP look-up, so names are checked and listed without a key
or network. Each job carries the local id as its IonQ job *name*, so it can be found in
IonQ's console; IonQ's client cannot search jobs by name, so :meth:`IonQCloud.find`
reports ``NotImplemented`` and crash recovery relies on the stored provider id.

Credentials: ``IONQ_API_KEY`` (``qiskit-ionq`` also reads ``QISKIT_IONQ_API_TOKEN``,
``IONQ_API_TOKEN`` and a ``.env`` file), read by ``qiskit-ionq`` itself when a job is sent;
qdq only checks that one is set and never prints or stores it.

Example:
    >>> cloud = IonQCloud()
    >>> cloud.device_names()[:3]
    ('simulator', 'simulator.aria-1', 'simulator.forte-1')
    >>> cloud.split_name("ionq:qpu.forte-1")
    'qpu.forte-1'
    >>> device = cloud.resolve("simulator.aria-1")
    >>> device.name, device.local, device.mid_circuit, device.handle
    ('ionq:simulator.aria-1', False, False, {'noise_model': 'aria-1'})
    >>> device.backend.num_qubits
    25
    >>> cloud.resolve("qpu.aria")
    Traceback (most recent call last):
    ...
    qdq.errors.BackendError: unknown IonQ device 'qpu.aria' (did you mean ionq:qpu.aria-1, ...
"""

from __future__ import annotations

import warnings
from typing import Any

from qdq.errors import BackendError
from qdq.hardware.clouds.base import CloudDevice, CloudProvider
from qdq.redact import redact

__all__ = ["IONQ_QPUS", "IONQ_SIMULATOR_QUBITS", "IonQCloud"]

#: IonQ QPUs qdq knows → qubit count (IonQ's published sizes). The same names are the
#: noise models of IonQ's simulator (``simulator.<qpu>``).
IONQ_QPUS: dict[str, int] = {"aria-1": 25, "forte-1": 36, "forte-enterprise-1": 36}

#: Qubits of IonQ's ideal cloud simulator.
IONQ_SIMULATOR_QUBITS = 29

#: Environment variables ``qiskit-ionq`` reads the API key from (in its order).
IONQ_KEY_VARS = ("QISKIT_IONQ_API_TOKEN", "IONQ_API_KEY", "IONQ_API_TOKEN")

#: Qiskit gates whose IonQ JSON form is ambiguous (``p`` is sent as ``z`` with a
#: rotation, ``cp``/``mcphase`` as ``cz``): rewritten to unambiguous gates before sending.
_AMBIGUOUS_GATES = frozenset({"p", "cp", "mcphase", "PauliEvolution"})
_SAFE_BASIS = ["x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz",
               "cx", "cy", "cz", "ch", "swap", "crx", "cry", "crz", "rxx", "ryy", "rzz",
               "measure"]


class _Account:
    """The ``provider`` an IonQ backend asks for credentials (read when a job is sent)."""

    name = "ionq_provider"
    custom_headers = None

    @property
    def credentials(self) -> dict[str, Any]:
        from qiskit_ionq.helpers import resolve_credentials

        return resolve_credentials()


class IonQCloud(CloudProvider):
    """IonQ's cloud simulator and QPUs through ``qiskit-ionq`` (see the module docstring)."""

    prefix = "ionq"
    title = "IonQ"
    module = "qiskit_ionq"
    extra = "ionq"
    credentials_help = ("set IONQ_API_KEY (qiskit-ionq also reads QISKIT_IONQ_API_TOKEN / "
                        "IONQ_API_TOKEN); create a key at https://cloud.ionq.com")

    def device_names(self) -> tuple[str, ...]:
        """``simulator``, ``simulator.<qpu>`` per noise model, then ``qpu.<qpu>``."""
        return ("simulator", *(f"simulator.{q}" for q in IONQ_QPUS),
                *(f"qpu.{q}" for q in IONQ_QPUS))

    def resolve(self, device: str) -> CloudDevice:
        """A device name → :class:`CloudDevice` (a fresh, offline-built IonQ backend)."""
        key = device.strip().lower()
        if key not in self.device_names():
            raise self.unknown_device(device)
        kind, _, qpu = key.partition(".")
        noise = qpu if kind == "simulator" and qpu else None
        backend = self._backend(kind, qpu)
        return CloudDevice(f"ionq:{key}", backend, local=False, mid_circuit=False,
                           price_key=f"ionq:{key}", handle={"noise_model": noise})

    def _backend(self, kind: str, qpu: str) -> Any:
        """The ``qiskit-ionq`` backend, built without its per-backend qubit-count request."""
        self.load()
        from qiskit_ionq import ionq_backend
        from qiskit_ionq.exceptions import IonQTranspileLevelWarning

        simulator = kind == "simulator"
        cls = ionq_backend.IonQSimulatorBackend if simulator else ionq_backend.IonQQPUBackend
        backend = cls.__new__(cls)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IonQTranspileLevelWarning)
            ionq_backend.IonQBackend.__init__(
                backend, provider=_Account(),
                name="ionq_simulator" if simulator else f"ionq_qpu.{qpu}",
                description="IonQ cloud simulator" if simulator else "IonQ trapped-ion QPU",
                gateset="qis", num_qubits=IONQ_QPUS[qpu] if qpu else IONQ_SIMULATOR_QUBITS,
                simulator=simulator, max_shots=1 if simulator else 10_000,
                max_experiments=None)
        if simulator:
            backend.set_options(noise_model=qpu or "ideal")
        return backend

    def has_credentials(self) -> bool:
        """Whether ``qiskit-ionq`` finds an API key (environment or ``.env``; no network)."""
        try:
            from qiskit_ionq.helpers import resolve_credentials
        except ImportError:  # pragma: no cover - installed with the provider
            return False
        try:
            return bool(resolve_credentials().get("token"))
        except Exception:  # an unreadable .env counts as no key
            return False

    def run(self, device: CloudDevice, isa: Any, shots: int, *, local_id: str,
            seed: int | None) -> Any:
        """Send one ISA circuit as an IonQ job named ``local_id``; return the ``IonQJob``.

        The simulator gets the device's noise model (``"ideal"`` for ``simulator``) and
        the seed (IonQ's ``noise.seed``; for the ideal simulator also the seed of the
        local sampling of counts). Gates whose IonQ encoding is ambiguous (phase gates)
        are first rewritten to equivalent unambiguous ones.
        """
        backend = device.qiskit_backend()
        options: dict[str, Any] = {"shots": int(shots), "name": str(local_id)}
        if backend.name == "ionq_simulator":
            options["noise_model"] = (device.handle or {}).get("noise_model") or "ideal"
            if seed is not None:
                backend.set_options(sampler_seed=int(seed))
                options["sampler_seed"] = int(seed)
        circuit = _unambiguous(isa)
        with _IonQErrors(f"submitting to {device.name!r}"):
            return backend.run(circuit, **options)

    def prepare(self, device: CloudDevice, isa: Any) -> Any:
        """The ISA circuit with phase-type gates rewritten (see :func:`_unambiguous`)."""
        return _unambiguous(isa)

    def retrieve(self, device: CloudDevice, provider_id: str) -> Any:
        """The IonQ job with this id (reads its status once)."""
        from qiskit_ionq.ionq_job import IonQJob

        backend = device.qiskit_backend()
        with _IonQErrors(f"reading IonQ job {provider_id!r}"):
            return IonQJob(backend, str(provider_id), backend.client)


def _unambiguous(isa: Any) -> Any:
    """``isa`` with its phase-type gates rewritten into unambiguous standard gates.

    ``qiskit-ionq`` sends ``p`` as ``z`` and ``cp``/``mcphase`` as ``cz``, each with a
    rotation, whose meaning would depend on IonQ's server; ``rz``/``cx`` have one meaning.
    """
    names = {inst.operation.name for inst in isa.data}
    if not names & _AMBIGUOUS_GATES:
        return isa
    from qiskit import transpile

    return transpile(isa, basis_gates=_SAFE_BASIS, optimization_level=0)


class _IonQErrors:
    """Turn ``qiskit-ionq``'s errors into :class:`~qdq.errors.BackendError`.

    Redacted: the API key never appears, even where IonQ's reply echoes it.
    """

    def __init__(self, doing: str) -> None:
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            return False
        from qiskit_ionq.exceptions import IonQError

        if not isinstance(exc, IonQError):
            return False
        raise BackendError(f"IonQ refused {self.doing}: {_describe(exc)}") from None


def _describe(exc: Any) -> str:
    """One redacted line for an ``IonQError`` (status code and IonQ's message only)."""
    cause = getattr(exc, "_cause", exc)  # IonQRetriableError wraps the API error
    status = getattr(cause, "status_code", None)
    message = str(getattr(cause, "message", "") or type(cause).__name__)
    hint = ""
    if status in (401, 403):
        hint = f"; check the API key ({IonQCloud.credentials_help})"
    elif status is not None and (status == 429 or status >= 500):
        hint = "; IonQ's service is unavailable for now, try again later"
    text = f"{type(cause).__name__}" + (f" {status}" if status else "") + f": {message}"
    return _scrub_key(redact(text))[:400] + hint


def _scrub_key(text: str) -> str:
    """``text`` with the API key ``qiskit-ionq`` would send replaced by ``***``."""
    try:
        from qiskit_ionq.helpers import resolve_credentials

        token = resolve_credentials().get("token")
    except Exception:
        return text
    return text.replace(token, "***") if token and len(token) >= 8 else text
