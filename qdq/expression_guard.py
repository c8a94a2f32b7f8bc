"""Bounds on constant folding for :mod:`qdq.expression`.

sympy folds constant sub-expressions eagerly: ``floor(exp(10**100))`` asks for every digit of
a huge number, ``1/0`` becomes ``zoo`` and ``asin(2)`` a complex number. Every node the
builder makes passes :func:`check_constant` (and every function argument before the call),
so a constant that is non-finite, complex, or larger than ``10**MAX_POWER_DIGITS`` is
refused by name before sympy spends time on it. The check is a 15-digit ``evalf``, which
stays fast for any size (mpmath keeps the exponent as an integer).
"""

from __future__ import annotations

import math

__all__ = ["MAX_EXPONENT", "MAX_INT_DIGITS", "MAX_POWER_DIGITS", "constant_problem",
           "digits"]

#: Most decimal digits of an integer literal.
MAX_INT_DIGITS = 300
#: Largest absolute value of a numeric exponent.
MAX_EXPONENT = 1_000
#: Most decimal digits of any constant the expression folds to (powers, products, calls).
MAX_POWER_DIGITS = 1_000


def digits(number) -> float:
    """Decimal digits of an exact rational ``p/q``: ``log10|p| + log10 q``."""
    p, q = abs(int(number.p)), int(number.q)
    return math.log10(max(p, 1)) + math.log10(q)  # exact for huge ints; no str() (4300 cap)


def constant_problem(value) -> str | None:
    """Why the folded constant ``value`` is refused, or ``None`` if it is fine.

    Refused: ``zoo``, ``nan``, ``oo`` (a pole or a division by zero), complex values, and
    magnitudes above ``10**MAX_POWER_DIGITS``. Non-constant expressions are not checked
    here (their grid values are checked by :class:`qdq.problem.Problem`).
    """
    import sympy

    if not getattr(value, "is_number", False):
        if getattr(value, "free_symbols", None) and value.has(
                sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
            return "contains a pole, an infinity or a complex constant"
        return None
    if value.is_Rational:
        if digits(value) > MAX_POWER_DIGITS:
            return f"folds to a constant with more than {MAX_POWER_DIGITS} digits"
        return None
    if value.has(sympy.zoo, sympy.nan) or value in (sympy.oo, -sympy.oo):
        return "has a pole or division by zero (the value is infinite or undefined)"
    try:
        approx = value.evalf(15)
    except (ValueError, ArithmeticError, RecursionError):
        return "cannot be evaluated as a finite real number"
    real, imag = approx.as_real_imag()
    if not (real.is_Number and imag.is_Number) or not (real.is_finite and imag.is_finite):
        return "has a pole or division by zero (the value is infinite or undefined)"
    if imag != 0:
        return f"is complex (about {sympy.N(approx, 6)}); objectives must be real"
    if real != 0 and abs(sympy.log(abs(real), 10).evalf(15)) > MAX_POWER_DIGITS:
        return f"folds to a constant with more than {MAX_POWER_DIGITS} digits"
    return None
