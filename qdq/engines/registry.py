"""The engine table: one record per engine, looked up by name, imported on first use.

An *engine* is a function ``(spec, *, shots, seed, options) -> Result``; ``options`` is a
dict whose keys the engine declares in its :class:`Engine` record, so a misspelled option
is refused here, by name, before any engine code runs. Adding an engine takes one module
(its function, building its :class:`~qdq.Result` with :func:`qdq.engines.readout.make_result`)
and one :func:`register_engine` call.

Example:
    >>> sorted(names())
    ['aer', 'braket', 'emulator', 'ibm', 'ionq', 'iqm', 'jax', 'local', 'pennylane']
    >>> get_engine("emulator").supports_exact
    True
    >>> get_engine("emulatr")
    Traceback (most recent call last):
    ...
    qdq.errors.BackendError: unknown backend 'emulatr' (did you mean emulator?); valid backends: emulator, aer, pennylane, ibm, braket, ionq, iqm, local, jax
"""  # noqa: E501

from __future__ import annotations

import contextlib
import difflib
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from qdq.errors import BackendError, ParameterError

__all__ = ["Engine", "get_engine", "names", "register_engine", "registered", "unregister_engine"]


def _load(path: str) -> Callable:
    """Import ``"module:function"`` (engines load lazily so ``import qdq`` stays light)."""
    module, _, func = path.partition(":")
    return getattr(importlib.import_module(module), func)


@dataclass(frozen=True)
class Engine:
    """One engine's record in the table.

    Attributes:
        name: The ``backend=`` name.
        function: ``"module:function"`` of the engine, called as
            ``function(spec, shots=..., seed=..., options={...})``.
        options: Declared option keys, each with a one-line description (type and meaning).
        description: One line for listings and error messages.
        supports_exact: Whether ``shots=None`` (exact probabilities) is available.
        supports_shots: Whether ``shots=int`` is available.
        more_options: Optional ``"module:function"`` returning further accepted keys (e.g.
            the options of a third-party simulator), called only when an undeclared key is
            passed.

    Example:
        >>> e = Engine("toy", "mypkg.toy:run", {"width": "int: bars"}, "a toy engine")
        >>> e.check_options({"width": 3})
        {'width': 3}
        >>> e.check_options({"widht": 3})
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: unknown option 'widht' for backend 'toy' (did you mean width?); valid options: width
    """  # noqa: E501

    name: str
    function: str
    options: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    supports_exact: bool = True
    supports_shots: bool = True
    more_options: str | None = None

    def load(self) -> Callable[..., Any]:
        """The engine function (imports its module).

        Raises:
            BackendError: The module or one of its dependencies is not installed.
        """
        try:
            return _load(self.function)
        except ImportError as exc:
            raise BackendError(f"backend {self.name!r} is unavailable: {exc}") from exc

    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse option keys the engine does not declare; return the options as a dict.

        Raises:
            ParameterError: Naming the first unknown key, a close match and the valid keys.
        """
        unknown = [k for k in options if k not in self.options]
        if unknown and self.more_options is not None:
            extra = set(_load(self.more_options)())
            unknown = [k for k in unknown if k not in extra]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(str(key), list(self.options), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            more = (f", or the options of {self.more_options.partition(':')[2]}()"
                    if self.more_options else "")
            raise ParameterError(
                f"unknown option {key!r} for backend {self.name!r}{hint}; valid options: "
                f"{', '.join(self.options) or 'none'}{more}"
            )
        return dict(options)


_ENGINES: dict[str, Engine] = {}


def register_engine(engine: Engine, *, replace: bool = False) -> Engine:
    """Add an engine to the table.

    Args:
        engine: The record.
        replace: Allow replacing an engine of the same name.

    Returns:
        The record.

    Raises:
        ParameterError: The name is taken (and ``replace`` is false) or not a non-empty
            string, or the function is not ``"module:function"``.
    """
    if not isinstance(engine, Engine):
        raise ParameterError(f"register_engine needs an Engine record, got "
                             f"{type(engine).__name__}")
    if not isinstance(engine.name, str) or not engine.name:
        raise ParameterError(f"engine name must be a non-empty string, got {engine.name!r}")
    module, sep, func = str(engine.function).partition(":")
    if not (module and sep and func):
        raise ParameterError(f"engine function must be 'module:function', got "
                             f"{engine.function!r}")
    if engine.name in _ENGINES and not replace:
        raise ParameterError(f"backend {engine.name!r} is already registered; pick another "
                             "name or pass replace=True")
    _ENGINES[engine.name] = engine
    return engine


def unregister_engine(name: str) -> Engine:
    """Remove an engine from the table and return its record.

    Raises:
        BackendError: No engine of that name.
    """
    engine = get_engine(name)
    del _ENGINES[name]
    return engine


@contextlib.contextmanager
def registered(engine: Engine) -> Iterator[Engine]:
    """Register ``engine`` for the duration of a ``with`` block (tests, experiments).

    A replaced engine of the same name is restored afterwards.

    Example:
        >>> toy = Engine("toy", "qdq.engines.emulator:engine", description="the emulator again")
        >>> with registered(toy):
        ...     "toy" in names()
        True
        >>> "toy" in names()
        False
    """
    previous = _ENGINES.get(engine.name)
    register_engine(engine, replace=True)
    try:
        yield engine
    finally:
        if previous is None:
            _ENGINES.pop(engine.name, None)
        else:
            _ENGINES[engine.name] = previous


def get_engine(name: str) -> Engine:
    """The record of engine ``name``.

    Raises:
        BackendError: Unknown name (close matches and the valid names listed).
    """
    if not isinstance(name, str) or name not in _ENGINES:
        close = difflib.get_close_matches(str(name), list(_ENGINES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise BackendError(f"unknown backend {name!r}{hint}; valid backends: "
                           f"{', '.join(_ENGINES)}")
    return _ENGINES[name]


def names() -> list[str]:
    """Registered engine names, in registration order."""
    return list(_ENGINES)


register_engine(Engine(
    "emulator", "qdq.engines.emulator:engine",
    {"workers": "int | None: scipy.fft worker threads",
     "observe_every": "int >= 0: record energy/potential every this many kinetic factors",
     "progress": "callable(done, total) | bool | None: progress reporting"},
    "FFT split-operator emulator of the product formula (numpy/scipy)",
))
register_engine(Engine(
    "aer", "qdq.engines.aer:engine",
    {"device": "'CPU' | 'GPU': Aer device",
     "swap_free": "bool: kinetic-block wiring",
     "ancillas": "'reuse' | 'fresh': imaginary time with shots",
     "noise_model": "qiskit_aer.noise.NoiseModel | None",
     "method": "str: AerSimulator method (default 'statevector')"},
    "the built circuit on Qiskit AerSimulator",
    more_options="qdq.engines.aer:simulator_options",
))
register_engine(Engine(
    "pennylane", "qdq.engines.pennylane:engine",
    {"device": "str | qml.devices.Device: 'default.qubit', 'lightning.qubit', …",
     "max_ancillas": "int >= 1: exact imaginary time, fresh ancillas per execution",
     "c_dtype": "numpy complex dtype of lightning devices",
     "max_workers": "int | None: default.qubit worker processes"},
    "the same circuits built natively in PennyLane",
))
register_engine(Engine(
    "ibm", "qdq.engines.ibm:engine",
    {"device": "str: IBM backend ('ibm_torino') or fake backend ('fake_torino')",
     "mode": "'job' | 'batch' | 'session' or an open Batch/Session",
     "dynamical_decoupling": "None | bool | sequence name | dict",
     "twirling": "None | bool | dict",
     "optimization_level": "int 0-3: transpiler level",
     "primitive": "'auto' | 'executor' | 'v2'",
     "store": "qdq Store, path or None: where the job is recorded",
     "service": "an open QiskitRuntimeService (real backends)",
     "timeout": "float | None: seconds to wait for the result"},
    "IBM Quantum hardware or a local fake backend, through qiskit-ibm-runtime "
    "(qdq.submit for asynchronous jobs)",
    supports_exact=False,
))
for _cloud, _what in (("braket", "Amazon Braket: its offline local simulator and IonQ, IQM, "
                                "Rigetti devices (qiskit-braket-provider)"),
                     ("ionq", "IonQ's cloud: its simulator (ideal or with a QPU's noise model) "
                              "and QPUs (qiskit-ionq)"),
                     ("iqm", "IQM's devices, through Amazon Braket")):
    register_engine(Engine(
        _cloud, f"qdq.engines.clouds:{_cloud}_engine",
        {"device": "str: the cloud's device name",
         "optimization_level": "int 0-3: transpiler level",
         "store": "qdq Store, path or None: where the job is recorded",
         "max_cost": "float | None: refuse above this many USD or with no published price",
         "timeout": "float | None: seconds to wait for the result"},
        _what + "; qdq.submit(spec, backend='<cloud>:<device>') for asynchronous jobs",
        supports_exact=False,
    ))
register_engine(Engine(
    "local", "qdq.engines.local:engine",
    {"observe_every": "int >= 0: record the trace every this many kinetic factors",
     "progress": "callable(done, total) | bool | None: progress (when the emulator runs)"},
    "the fastest installed engine for the spec: JAX when installed and the run is long "
    "enough to repay its compile, else the numpy emulator (qdq.engines.local)",
))
register_engine(Engine(
    "jax", "qdq.jax.engine:engine",
    {"observe_every": "int >= 0: record the trace every this many kinetic factors",
     "devices": "int >= 1: devices to split the grid across (1: single device)",
     "chunk": "int >= 1: product-formula pairs per compiled lax.scan"},
    "the product formula in JAX (lax.scan, complex128; needs qdq[jax])",
))
