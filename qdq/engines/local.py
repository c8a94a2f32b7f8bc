r"""``backend="local"``: the fastest installed engine for the spec (JAX or the numpy emulator).

Both engines run the same product formula (:mod:`qdq.product_formula`) on the state vector
and agree to ~1e−15 in the final probabilities (``tests/engines/test_local.py``). JAX
compiles each new spec first (0.1–1.3 s on CPU, the first call of a process the most),
then runs a step up to 1.8× faster than the numpy emulator at 2¹⁶ points and far faster
at small grids, where the emulator's per-step Python overhead dominates
(``OMP_NUM_THREADS=1 .venv/bin/python bench/local_engine.py``; the QHD protocol row of
``bench/qhd_vs_c.py``: JAX 6.9 s, emulator 21.7 s). So ``local`` runs JAX when

* ``jax`` is installed and the JAX engine supports the spec
  (:func:`qdq.jax.engine.check_supported`), and
* the emulator's estimated time ``steps·(a + b·N)`` is at least :data:`JAX_MIN_SECONDS`
  (``a`` = :data:`EMULATOR_STEP_SECONDS`, ``b`` = :data:`EMULATOR_POINT_SECONDS`, ``N`` grid
  points; measured on the 2-core development machine), i.e. when the compile is repaid;

and the numpy emulator otherwise. The result's ``backend`` names the engine that ran.
``backend="emulator"`` and ``backend="jax"`` still pick exactly one.

Example:
    >>> import qdq
    >>> spec = qdq.Anneal(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4), steps=50)
    >>> choose(spec)                       # 50 steps of 16 points: no time to repay a compile
    'emulator'
    >>> qdq.run(spec).backend              # the default backend is "local"
    'emulator'
"""

from __future__ import annotations

import importlib.util
from typing import Any

from qdq.engines.registry import get_engine
from qdq.errors import ParameterError

__all__ = ["EMULATOR_POINT_SECONDS", "EMULATOR_STEP_SECONDS", "JAX_MIN_SECONDS", "choose",
           "engine", "estimated_emulator_seconds"]

#: The emulator's fixed cost per step (FFT plans, Python dispatch): ~25 µs.
EMULATOR_STEP_SECONDS = 2.5e-5
#: The emulator's cost per grid point per step (phases and FFTs): ~20 ns.
EMULATOR_POINT_SECONDS = 2e-8
#: Estimated emulator time above which JAX, compile included, finishes first.
JAX_MIN_SECONDS = 1.0


def estimated_emulator_seconds(spec: Any) -> float:
    """``steps·(a + b·N)``: the numpy emulator's single-thread time, roughly.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=8)
        >>> round(estimated_emulator_seconds(qdq.Anneal(p, steps=10_000)), 1)
        13.4
    """
    return spec.steps * (EMULATOR_STEP_SECONDS + EMULATOR_POINT_SECONDS * spec.grid.size)


def choose(spec: Any, options: dict | None = None) -> str:
    """``"jax"`` or ``"emulator"``: the engine ``backend="local"`` runs ``spec`` on."""
    options = options or {}
    if (estimated_emulator_seconds(spec) < JAX_MIN_SECONDS
            or importlib.util.find_spec("jax") is None):
        return "emulator"
    from qdq.jax.engine import check_supported  # imports JAX: only when it may be used

    try:
        check_supported(spec, options.get("observe_every") or 0)
    except ParameterError:
        return "emulator"
    return "jax"


def engine(spec: Any, *, shots: int | None, seed: int | None, options: dict) -> Any:
    """The registry's entry point: run ``spec`` on :func:`choose`'s engine."""
    name = choose(spec, options)
    chosen = get_engine(name)
    passed = {k: v for k, v in options.items() if k in chosen.options}
    return chosen.load()(spec, shots=shots, seed=seed, options=passed)
