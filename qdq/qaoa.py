r"""QAOA: the Trotterized anneal with free angles, as an evolution spec.

.. math:: |γ, β⟩ = Π_{k=1}^{p} e^{−iβ_k Σᵢ Xᵢ} e^{−iγ_k ζ} |+⟩^{⊗n}

(Qiskit ``QAOAAnsatz``'s convention: the cost layer ``e^{−iγ C}`` first, then the mixer
``RX(2β)`` on every qubit, ``k = 1`` applied first). Since ``Σᵢ Xᵢ = n − L`` with the
hypercube Laplacian ``L = Σᵢ (1 − Xᵢ)``, the mixer is ``e^{−iβn} e^{+iβL}``: the product
formula is ``[("potential", γ₁), ("kinetic", −β₁), …]`` with ``D = 1`` — the same plain data
every engine reads, up to the global phase ``e^{−iβn}`` (dropped). Any engine runs it.
Minimizing ζ from ``|+⟩ⁿ`` the annealing direction is ``γ > 0, β < 0``
(:func:`linear_ramp`).

Example:
    >>> import qdq
    >>> b = qdq.BinaryProblem("x0 + x1 - 3*x0*x1")
    >>> q = QAOA(b, gammas=[0.5], betas=[-0.3])
    >>> q.product_formula().factors
    (('potential', 0.5), ('kinetic', 0.3))
    >>> r = qdq.run(q, backend="emulator")
    >>> round(float(r.probabilities.sum()), 12)
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.product_formula import ProductFormula


def _angles(name: str, values) -> tuple[float, ...]:
    try:
        arr = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a sequence of real angles, got {values!r}") from exc
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} must be a non-empty sequence of finite angles, "
                             f"got {values!r}")
    return tuple(float(v) for v in arr)


def energy_scale(problem) -> float:
    """``σ_ζ``: the standard deviation of ζ over uniformly random bitstrings (1 if ζ is flat).

    From the Z-form ``ζ = a_∅ + Σ_S a_S Z_S`` (Z-strings are orthonormal under the uniform
    distribution): ``σ_ζ = √(Σ_{S≠∅} a_S²)``, no table of ζ needed. :func:`ramp_for` divides
    ``γ`` by it, so one ``Δ`` suits problems whose energies differ by orders of magnitude.

    Example:
        >>> import qdq
        >>> energy_scale(qdq.BinaryProblem({(0,): 2.0}, num_bits=1))    # 2x0 = 1 − Z0
        1.0
    """
    from qdq.binary.polynomial import z_form

    sigma = float(np.sqrt(sum(a * a for s, a in z_form(problem.polynomial).items() if s)))
    return sigma if sigma > 0 else 1.0


def ramp_for(problem, p: int, delta: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """:func:`linear_ramp` with ``γ`` in units of ``1/σ_ζ`` (:func:`energy_scale`).

    The default QAOA angles (``qdq solve --method qaoa``, :func:`qdq.jax.qaoa.train_qaoa`'s
    start).

    Example:
        >>> import qdq
        >>> g, b = ramp_for(qdq.BinaryProblem({(0,): 4.0}, num_bits=1), 1, 1.0)
        >>> g.tolist(), b.tolist()                 # σ = 2: γ = ½·1/2, β = −½
        ([0.25], [-0.5])
    """
    return linear_ramp(p, delta, scale=energy_scale(problem))


def linear_ramp(p: int, delta: float = 0.8, *, scale: float = 1.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """The linear anneal, Trotterized into ``p`` layers: QAOA angles that start from it.

    ``γ_k = s_k Δ / scale``, ``β_k = −(1 − s_k) Δ`` with ``s_k = (k − ½)/p``. The sign of ``β``:
    the anneal starts in ``|+⟩ⁿ``, the ground state of ``L = Σ(1 − X)`` (of ``−ΣX``), so its
    kinetic factor is ``e^{−icL} ∝ e^{+icΣX}`` — QAOA's ``e^{−iβΣX}`` with ``β = −c``.
    (Positive ``β`` with positive ``γ`` anneals towards the *maximum* of ζ.)

    Example:
        >>> [np.round(a, 2).tolist() for a in linear_ramp(2, 1.0)]
        [[0.25, 0.75], [-0.75, -0.25]]
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ParameterError(f"p must be an integer >= 1, got {p!r}")
    s = (np.arange(1, p + 1) - 0.5) / p
    return s * delta / scale, -(1 - s) * delta


class QAOA(EvolutionSpec):
    """QAOA of depth ``p = len(gammas)`` on a binary problem (see the module docstring).

    Args:
        problem: A :class:`~qdq.BinaryProblem` (its kinetic term must be the hypercube
            Laplacian or another mixer whose ``Σ`` form the caller wants).
        gammas: Cost angles ``γ_1 … γ_p``.
        betas: Mixer angles ``β_1 … β_p``.
        initial: ``"uniform"`` (``|+⟩ⁿ``) or a flat array over the ``2ⁿ`` assignments.

    Raises:
        ParameterError: Not a binary problem, angle lists of different lengths, or
            non-finite angles.
    """

    time_axis = "real"
    method = "qaoa"

    def __init__(self, problem, gammas: Sequence[float], betas: Sequence[float], *,
                 initial="uniform"):
        if not getattr(problem, "is_binary", False):
            raise ParameterError(f"QAOA needs a qdq.BinaryProblem, got {type(problem).__name__}; "
                                 "for grid problems use qdq.Anneal")
        g, b = _angles("gammas", gammas), _angles("betas", betas)
        if len(g) != len(b):
            raise ParameterError(f"gammas and betas need the same length, got {len(g)} and "
                                 f"{len(b)}")
        self.gammas, self.betas = g, b
        super().__init__(problem, 1.0, time=float(len(g)), steps=len(g), order=1,
                         initial=initial)

    @property
    def depth(self) -> int:
        """``p``, the number of layers."""
        return len(self.gammas)

    @property
    def final_D(self) -> float:
        """0: a QAOA state is scored by ``⟨ζ⟩`` alone."""
        return 0.0

    def product_formula(self) -> ProductFormula:
        """``[("potential", γ₁), ("kinetic", −β₁), …]`` (``D = 1``)."""
        factors = []
        for g, b in zip(self.gammas, self.betas, strict=True):
            factors += [("potential", g), ("kinetic", -b)]
        return ProductFormula("real", tuple(factors), 1)

    def to_dict(self) -> dict:
        """JSON-safe description (the angles included)."""
        return {**super().to_dict(), "gammas": list(self.gammas), "betas": list(self.betas)}

    def __repr__(self) -> str:
        return f"QAOA(p={self.depth}, problem={self.problem!r})"
