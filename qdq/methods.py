"""The quantum methods, once: names, aliases, accepted options, defaults and spec building.

``qdq solve``/``qdq submit`` (:mod:`qdq.cli.common`), :mod:`qdq.compare` (its runners and
fault-tolerant cost column) and :func:`qdq.minimize.minimize` all turn a method name and
options into a spec here, so the same name gives the same evolution everywhere. This module
sits low: it imports :mod:`qdq.defaults`, :mod:`qdq.errors` and (lazily) the evolution,
Hamiltonian, QAOA and two-loop modules; never :mod:`qdq.compare`, :mod:`qdq.cli`,
:mod:`qdq.minimize` or the engines.

Example:
    >>> resolve("QHD"), resolve("imaginary")
    ('anneal', 'imaginary-time')
    >>> from qdq.problem import Problem
    >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> spec = build(p, "anneal", {"steps": 20})
    >>> type(spec).__name__, spec.steps
    ('Anneal', 20)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from qdq.errors import ParameterError

__all__ = ["ALIASES", "GRID_METHODS", "OPTION_KEYS", "QUANTUM_METHODS", "build",
           "check_options", "defaults", "options", "resolve", "spec_from_options"]

#: The methods that run on a grid problem (and on bits), in display order.
GRID_METHODS: tuple[str, ...] = ("anneal", "real-time", "imaginary-time", "two-loop")

#: Canonical names of the quantum methods, in display order (``"qaoa"``: binary problems only).
QUANTUM_METHODS: tuple[str, ...] = (*GRID_METHODS, "qaoa")

#: QAOA's default depth and the total angle ``Δ`` of its linear-ramp start (binary problems).
QAOA_P, QAOA_DELTA = 4, 0.8

#: Other accepted spellings (case and ``_``/``-`` are forgiven too).
ALIASES: dict[str, str] = {"qhd": "anneal", "realtime": "real-time",
                           "imaginary": "imaginary-time", "twoloop": "two-loop"}

#: The option keys each method accepts (``D`` is the starting ``D0`` for two-loop).
OPTION_KEYS: dict[str, frozenset[str]] = {
    "anneal": frozenset({"D", "time", "steps", "order", "schedule"}),
    "real-time": frozenset({"D", "time", "steps", "order"}),
    "imaginary-time": frozenset({"D", "time", "steps", "order"}),
    "two-loop": frozenset({"D", "D0", "ratio", "levels", "dtau", "tol", "order",
                           "chunk_steps", "max_inner_steps"}),
    "qaoa": frozenset({"p", "delta", "gammas", "betas"}),
}

#: Display order of the option keys (error messages, ``METHOD_KEYS`` of the CLI).
KEY_ORDER: tuple[str, ...] = ("D", "D0", "ratio", "levels", "dtau", "tol", "time", "steps",
                              "order", "schedule", "chunk_steps", "max_inner_steps", "p", "delta",
                              "gammas", "betas")

# Defaults on the hypercube (no box to scale D by): D·L with L = Σ(1 − Xᵢ).
_BINARY_DEFAULTS: dict[str, dict[str, Any]] = {
    "anneal": {"D": 1.0, "schedule": "linear", "time": 10.0, "steps": 100, "order": 1},
    "real-time": {"D": 1.0, "time": 10.0, "steps": 100, "order": 2},
    "imaginary-time": {"D": 1.0, "time": 10.0, "steps": 100, "order": 2},
    "two-loop": {"D0": 1.0, "ratio": 0.5, "levels": 8},
    "qaoa": {"p": QAOA_P, "delta": QAOA_DELTA},
}


def _canon(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def is_quantum(name: object) -> bool:
    """True when ``name`` resolves to a quantum method.

    Example:
        >>> is_quantum("QHD"), is_quantum("dmc")
        (True, False)
    """
    try:
        resolve(name)
    except ParameterError:
        return False
    return True


def resolve(name: object) -> str:
    """The canonical name of a quantum method (aliases, case and ``_``/``-`` forgiven).

    Raises:
        ParameterError: Not a quantum method; the valid names are listed.

    Example:
        >>> resolve("Two_Loop")
        'two-loop'
    """
    valid = ", ".join(QUANTUM_METHODS)
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"a method name must be a non-empty string, got {name!r}; "
                             f"quantum methods: {valid}")
    key = _canon(name)
    if key in QUANTUM_METHODS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    close = difflib.get_close_matches(key, [*QUANTUM_METHODS, *ALIASES], n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise ParameterError(f"unknown method {name!r}{hint}; use a quantum method ({valid}; "
                         f"aliases {', '.join(ALIASES)}), got {name!r} (`qdq compare` runs the "
                         "classical methods and baselines beside them)")


def ordered_keys(name: str) -> tuple[str, ...]:
    """The option keys of a canonical method name, in display order.

    Example:
        >>> ordered_keys("real-time")
        ('D', 'time', 'steps', 'order')
    """
    return tuple(k for k in KEY_ORDER if k in OPTION_KEYS[name])


def check_options(name: str, options: Mapping[str, Any]) -> str:
    """Check that every key of ``options`` applies to method ``name``; returns the canonical name.

    Raises:
        ParameterError: A key the method does not use (named, with the allowed ones).

    Example:
        >>> check_options("real-time", {"schedule": "linear"})
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: option 'schedule' does not apply to method 'real-time'; ...
    """
    name = resolve(name)
    for key in options:
        if key not in OPTION_KEYS[name]:
            raise ParameterError(f"option {key!r} does not apply to method {name!r}; it takes "
                                 f"{', '.join(ordered_keys(name))} (remove {key!r} or choose "
                                 f"another method)")
    return name


def defaults(problem, name: str, *, circuit: bool = False,
             backend: str | None = None) -> dict[str, Any]:
    """Default options of method ``name`` on ``problem``.

    A box problem gets :func:`qdq.defaults.method_defaults` (``D`` scaled by ``L̄²``); a
    problem with ``is_binary`` true gets hypercube defaults (``D = 1``, ``time = 10``,
    ``steps = 100``; anneal ``schedule="linear"``, ``order=1``; fixed-``D`` ``order=2``;
    ``qaoa``: ``p = 4`` layers started on the linear ramp of total angle ``delta = 0.8``,
    :func:`qdq.qaoa.linear_ramp`). ``backend`` other than ``"emulator"`` (and not ``None``)
    also means a circuit.

    Example:
        >>> from qdq.problem import Problem
        >>> defaults(Problem("x**2", bounds=[(-1, 1)], qubits=3), "imaginary")["D"]
        0.0004
    """
    from qdq.defaults import CIRCUIT_STEPS, method_defaults

    name = resolve(name)
    if backend is not None and str(backend).strip().lower() != "emulator":
        circuit = True
    if getattr(problem, "is_binary", False):
        opts = dict(_BINARY_DEFAULTS[name])
        if circuit and "steps" in opts:
            opts["steps"] = min(opts["steps"], CIRCUIT_STEPS)
        return opts
    if name == "qaoa":
        raise ParameterError(f"method 'qaoa' runs on binary problems (qdq.BinaryProblem), got "
                             f"a grid problem {getattr(problem, 'name', None)!r}; use "
                             f"{', '.join(GRID_METHODS)} on a grid")
    return method_defaults(name, problem.grid.bounds, circuit=circuit)


def spec_from_options(problem, name: str, options: Mapping[str, Any]):
    """The spec of ``name`` from complete options (no defaults filled, keys not filtered).

    ``anneal`` → :class:`~qdq.evolution.Anneal`; ``real-time``/``imaginary-time`` →
    :class:`~qdq.evolution.RealTime`/:class:`~qdq.evolution.ImaginaryTime` of
    ``Hamiltonian(problem, D)``; ``two-loop`` → a :class:`~qdq.twoloop.TwoLoop` runner;
    ``qaoa`` → :class:`~qdq.qaoa.QAOA` (``gammas``/``betas`` if given, else
    :func:`~qdq.qaoa.ramp_for` of ``p`` and ``delta``: γ in units of 1/σ_ζ).
    """
    name = resolve(name)
    opts = dict(options)
    if name == "qaoa":
        return _qaoa(problem, opts)
    if name == "two-loop":
        from qdq.twoloop import TwoLoop

        return TwoLoop(problem, **opts)
    from qdq.evolution import Anneal, ImaginaryTime, RealTime

    if name == "anneal":
        return Anneal(problem, **opts)
    from qdq.hamiltonian import Hamiltonian

    cls = RealTime if name == "real-time" else ImaginaryTime
    return cls(Hamiltonian(problem, D=opts.pop("D")), **opts)


def options(problem, name: str, given: Mapping[str, Any] | None = None, *,
            circuit: bool = False, backend: str | None = None) -> dict[str, Any]:
    """The complete options of method ``name``: ``given`` over :func:`defaults`.

    ``None`` values in ``given`` are left out; for two-loop a given ``D`` is its ``D0``; for
    QAOA given ``gammas`` set ``p`` to their number.

    Raises:
        ParameterError: Unknown method, an option it does not take, or ``D`` and ``D0``.

    Example:
        >>> import qdq
        >>> options(qdq.BinaryProblem("x0*x1"), "qaoa", {"gammas": [0.1], "betas": [-0.1]})
        {'p': 1, 'delta': 0.8, 'gammas': [0.1], 'betas': [-0.1]}
    """
    name = resolve(name)
    given = {k: v for k, v in (given or {}).items() if v is not None}
    check_options(name, given)
    if name == "two-loop" and "D" in given:
        if "D0" in given:
            raise ParameterError(f"give D or D0 for the two-loop method, not both (got "
                                 f"D={given['D']!r}, D0={given['D0']!r})")
        given["D0"] = given.pop("D")
    opts = defaults(problem, name, circuit=circuit, backend=backend)
    if name == "qaoa" and "gammas" in given and "p" not in given:
        import numpy as np

        opts["p"] = int(np.size(given["gammas"]))
    opts.update(given)
    return opts


def build(problem, name: str, options: Mapping[str, Any] | None = None, *,
          circuit: bool = False, backend: str | None = None):
    """The spec (or two-loop runner) of method ``name``: ``options`` over :func:`defaults`.

    ``None`` values in ``options`` are left out; for two-loop a given ``D`` is its ``D0``.

    Raises:
        ParameterError: Unknown method, an option it does not take, or ``D`` and ``D0``.

    Example:
        >>> from qdq.problem import Problem
        >>> p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> build(p, "two-loop", {"D": 0.1}).D0
        0.1
    """
    name = resolve(name)
    opts = _options(problem, name, options, circuit=circuit, backend=backend)
    return spec_from_options(problem, name, opts)


_options = options  # ``build``'s parameter shadows the function's name

def _qaoa(problem, opts: dict[str, Any]):
    """QAOA from ``p``/``delta`` (the linear ramp) or explicit ``gammas`` and ``betas``."""
    import numpy as np

    from qdq.qaoa import QAOA, ramp_for

    gammas, betas = opts.get("gammas"), opts.get("betas")
    p = opts.get("p", QAOA_P)
    if (gammas is None) != (betas is None):
        raise ParameterError("give both gammas and betas for QAOA (or neither: the linear "
                             f"ramp), got gammas={gammas!r}, betas={betas!r}")
    if gammas is None:
        try:
            delta = float(opts.get("delta", QAOA_DELTA))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"delta must be a number, got {opts.get('delta')!r}") from exc
        gammas, betas = ramp_for(problem, p, delta)
    elif "p" in opts and len(np.atleast_1d(gammas)) != p:
        raise ParameterError(f"p={p!r} does not match the {np.size(gammas)} gammas given; give "
                             "one of them")
    return QAOA(problem, gammas=gammas, betas=betas)
