r"""Default settings of the quantum methods: one table for ``qdq solve`` and ``qdq compare``.

:func:`method_defaults` is the single source: the ``qdq solve`` spec builder
(:func:`qdq.cli.common.build_spec`), ``qdq submit`` and :func:`qdq.compare.compare`
(through the method registry, :mod:`qdq.compare.registry`, which resolves method names and
their aliases) all start from it, so the same problem gets the same anneal whichever
command runs it.

The kinetic constant scales with the box. ``−D∇²`` on a box of side ``L`` has the same
spectrum, relative to ζ, as ``−(D/L²)∇²`` on the unit box, so a default ``D`` is a number
for the unit box times ``L̄²``, the mean squared side length (:func:`box_scale`); on the unit
box these are the QHD paper's settings. The largest kinetic phase per step is then
``D·k_max²·dt = ½·π²·N²·dt`` whatever the box, which is why the anneal needs ``10⁴``
steps (``dt = 10⁻³``) to converge on rugged landscapes.

==================  =============================================================
method              defaults (``D`` and ``D0`` times ``L̄²``)
==================  =============================================================
``anneal``          ``D = ½``, ``schedule="qhd-cubic"``, ``time=10``, ``steps=10⁴``, ``order=1``
``real-time``       ``D = ½``, ``time=10``, ``steps=10⁴``, ``order=1``
``imaginary-time``  ``D = 10⁻⁴``, ``time=20``, ``steps=200``, ``order=2``
``two-loop``        ``D0 = 10⁻²``, ``ratio=½``, ``levels=8``
==================  =============================================================

Circuit backends (Aer, PennyLane, hardware) simulate every gate of every step, so there the
default step count is capped at :data:`CIRCUIT_STEPS` (``qdq solve`` prints the steps it
used); pass ``steps`` explicitly, or use the emulator, for the converged anneal.

Example:
    >>> method_defaults("anneal", [(0, 1), (0, 1)])
    {'D': 0.5, 'schedule': 'qhd-cubic', 'time': 10.0, 'steps': 10000, 'order': 1}
    >>> method_defaults("anneal", [(-3, 3)], circuit=True)["D"], CIRCUIT_STEPS
    (18.0, 400)
    >>> method_defaults("imaginary-time", [(-1, 1)])["steps"]
    200
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdq.errors import ParameterError

__all__ = ["CIRCUIT_STEPS", "METHOD_DEFAULTS", "box_scale", "method_defaults", "scale_defaults"]

#: Unit-box defaults per method; ``"D"`` and ``"D0"`` are multiplied by :func:`box_scale`.
METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    "anneal": {"D": 0.5, "schedule": "qhd-cubic", "time": 10.0, "steps": 10_000, "order": 1},
    "real-time": {"D": 0.5, "time": 10.0, "steps": 10_000, "order": 1},
    "imaginary-time": {"D": 1e-4, "time": 20.0, "steps": 200, "order": 2},
    "two-loop": {"D0": 1e-2, "ratio": 0.5, "levels": 8},
}

#: Default step cap on circuit backends: the README's ``qdq solve`` (8 qubits, Aer) takes
#: seconds, and on its double well already holds P(global min) within 15 % of the
#: converged anneal (0.227 vs 0.25 on the emulator).
CIRCUIT_STEPS = 400

def box_scale(bounds: Sequence[Sequence[float]]) -> float:
    """``L̄²``: the mean squared side length of the box (1 for the unit box).

    Example:
        >>> box_scale([(0, 1), (0, 1)]), box_scale([(-2, 2)])
        (1.0, 16.0)
    """
    return float(sum((float(hi) - float(lo)) ** 2 for lo, hi in bounds) / len(bounds))


def scale_defaults(options: Mapping[str, Any], bounds: Sequence[Sequence[float]], *,
                   circuit: bool = False) -> dict[str, Any]:
    """Unit-box options moved to a box: ``D``/``D0`` times ``L̄²``; ``steps`` capped on circuits.

    Args:
        options: Unit-box options (e.g. a row of :data:`METHOD_DEFAULTS`).
        bounds: The problem's box, ``[(low, high), …]``.
        circuit: For a circuit backend: cap ``steps`` at :data:`CIRCUIT_STEPS`.

    Returns:
        A fresh dict.

    Example:
        >>> scale_defaults({"D": 0.5, "steps": 10_000}, [(-2, 2)], circuit=True)
        {'D': 8.0, 'steps': 400}
    """
    opts = dict(options)
    scale = box_scale(bounds)
    for name in ("D", "D0"):
        if name in opts:
            opts[name] = opts[name] * scale
    if circuit and "steps" in opts:
        opts["steps"] = min(opts["steps"], CIRCUIT_STEPS)
    return opts


def method_defaults(method: str, bounds: Sequence[Sequence[float]], *,
                    circuit: bool = False) -> dict[str, Any]:
    """The default options of a quantum method on a box, ``D``/``D0`` scaled by ``L̄²``.

    Args:
        method: A canonical name: ``"anneal"``, ``"real-time"``, ``"imaginary-time"`` or
            ``"two-loop"`` (other spellings are resolved by :func:`qdq.methods.resolve`;
            :func:`qdq.methods.defaults` also covers binary problems).
        bounds: The problem's box, ``[(low, high), …]``.
        circuit: For a circuit backend: cap ``steps`` at :data:`CIRCUIT_STEPS`.

    Returns:
        A fresh dict of keyword options (``D``/``D0``, ``time``, ``steps``, ``order``, …).

    Raises:
        ParameterError: An unknown method name.

    Example:
        >>> method_defaults("two-loop", [(-1, 1)])
        {'D0': 0.04, 'ratio': 0.5, 'levels': 8}
    """
    if method not in METHOD_DEFAULTS:
        raise ParameterError(f"no defaults for method {method!r}; use one of "
                             f"{', '.join(METHOD_DEFAULTS)}")
    return scale_defaults(METHOD_DEFAULTS[method], bounds, circuit=circuit)
