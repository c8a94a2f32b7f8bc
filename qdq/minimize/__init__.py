"""``qdq.minimize``: solve real problems — quantum stages refined to full precision.

:func:`minimize` takes a callable (vectorized ``f(*coords)`` or scipy's ``f(x)``, see
:mod:`~qdq.minimize.objective`), an objective string or a quadratic program,
a box, scipy-style constraints, and returns a :class:`scipy.optimize.OptimizeResult` with
qdq's own bookkeeping (each stage's :class:`~qdq.Result`, shots, CX per shot, the trivial
baselines). :func:`read_qp` reads ``.lp`` / ``.mps`` quadratic programs with HiGHS.

Modules, one job each: :mod:`~qdq.minimize.core` (the pipeline), :mod:`~.stage` (one
quantum stage), :mod:`~.refine` (box shrinking, local polish), :mod:`~.constraints`
(scipy's forms, augmented Lagrangian), :mod:`~.blocks` (coordinate-block sweeps),
:mod:`~.qp` (quadratic programs, HiGHS), :mod:`~.objective` (counted evaluation),
:mod:`~.baselines`. This ``__init__`` imports them; they import one another directly, never
this package. The package may import qdq's problem, grid, evolution, twoloop, api,
defaults, engines registry and the method registry / CX counts of :mod:`qdq.compare`.

Example:
    >>> from qdq.minimize import minimize
    >>> res = minimize("(x - 1)**2", [(-2, 2)], seed=0, options={"steps": 200})
    >>> bool(res.success), round(float(res.x[0]), 8)
    (True, 1.0)
"""

import sys
import types

from qdq.minimize.core import minimize
from qdq.minimize.qp import QuadraticProgram, read_qp

__all__ = ["QuadraticProgram", "minimize", "read_qp"]


class _CallableModule(types.ModuleType):
    """Makes ``qdq.minimize(...)`` call :func:`minimize` while staying a package."""

    def __call__(self, *args, **kwargs):
        return minimize(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
