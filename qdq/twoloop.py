r"""The two-loop algorithm: imaginary-time relaxation inside a geometric descent of ``D``.

Outer loop (levels ``l = 0 … L−1``): ``D_l = D₀·ratio^l``. Inner loop: evolve in imaginary
time under ``H_l = −D_l∇² + ζ`` in chunks of ``chunk_steps`` product-formula steps of size
``dtau`` until the energy change over one chunk, ``|⟨H_l⟩_k − ⟨H_l⟩_{k−1}|``, falls below
``tol`` (or ``max_inner_steps`` are spent). The state is carried across levels: level
``l + 1`` starts from level ``l``'s final state, so each level only has to relax the
change of the ground state between ``D_l`` and ``D_{l+1}``.

Why it works: the ground state of ``H_l`` concentrates on the global minimum of ζ as
``D → 0`` (its width scales like ``(D/ζ'')^{1/4}``), and imaginary time projects onto it
at rate ``2(E_1 − E_0)`` (see :mod:`qdq.theory`). Lowering ``D`` gradually keeps the
carried state close to the new ground state.

Every chunk is an :class:`~qdq.ImaginaryTime` spec run through :func:`qdq.api.run`, so
``backend="aer"`` runs each chunk as a probabilistic circuit (exact statevector mode;
the chunk's output statevector is the next chunk's initial array). The reported success
probability is the product of all chunks' postselection probabilities: the chance that
one pass of the whole circuit sequence survives postselection.

The order-2 product formula's fixed point differs from the exact ground state by
``O(dtau²)``; the inner loop converges to that fixed point.

Example:
    >>> import qdq
    >>> p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=5)
    >>> out = TwoLoop(p, D0=1.0, ratio=0.5, levels=4, dtau=0.05).run()
    >>> [round(row["D"], 3) for row in out.trace]
    [1.0, 0.5, 0.25, 0.125]
    >>> out.result.best_point
    (-1.3125,)
    >>> out.result.p_global_min_ratio > 5      # P_gm over the uniform baseline 1/N
    True
"""

from __future__ import annotations

import dataclasses
import math
import time as _time
from dataclasses import dataclass, field

import numpy as np

from qdq.api import run as run_spec
from qdq.engines.readout import sample_exact
from qdq.errors import ParameterError
from qdq.evolution import ImaginaryTime
from qdq.hamiltonian import Hamiltonian
from qdq.problem import Problem, is_search_problem
from qdq.results import Result
from qdq.runnable import Runnable
from qdq.states import describe_initial, resolve_initial
from qdq.validate import check_positive, check_seed, check_shots

__all__ = ["TwoLoop", "TwoLoopResult"]

#: Columns of :attr:`TwoLoopResult.trace`, in display order.
TRACE_COLUMNS = ("level", "D", "energy", "potential", "p_global_min", "inner_steps",
                 "converged", "success_probability", "cumulative_success")


@dataclass
class TwoLoopResult:
    """Outcome of :meth:`TwoLoop.run`: the final :class:`~qdq.Result` plus a per-level trace.

    Attributes:
        result: The final state as a :class:`~qdq.Result` (``method="two-loop"``;
            ``success_probability`` is the product over all chunks).
        trace: One dict per level with :data:`TRACE_COLUMNS`: ``D``, ``energy`` (⟨H_l⟩ at
            the level's end), ``potential`` (⟨ζ⟩), ``p_global_min``, ``inner_steps``,
            ``converged`` (energy change fell below ``tol``), ``success_probability`` (the
            level's chunks) and ``cumulative_success`` (all chunks so far).
        spec: JSON description of the :class:`TwoLoop` that ran.
        log_success: Natural log of the total success probability (finite even when the
            probability underflows a float).
    """

    result: Result
    trace: list[dict]
    spec: dict = field(default_factory=dict)
    log_success: float = 0.0

    @property
    def probabilities(self) -> np.ndarray:
        """Final grid-shaped distribution."""
        return self.result.probabilities

    @property
    def statevector(self) -> np.ndarray | None:
        """Final grid-shaped amplitudes (exact mode)."""
        return self.result.statevector

    @property
    def success_probability(self) -> float:
        """Product of every chunk's postselection probability."""
        return self.result.success_probability

    @property
    def p_global_min(self) -> float:
        """Final probability of the grid argmin."""
        return self.result.p_global_min

    def summary(self) -> dict:
        """The final result's :meth:`~qdq.Result.summary` plus the per-level trace."""
        out = self.result.summary()
        out.update(levels=len(self.trace), final_D=self.trace[-1]["D"],
                   log_success=self.log_success, trace=[dict(r) for r in self.trace])
        return out

    def table(self) -> str:
        """The trace as a Markdown table (one row per level).

        Example:
            >>> import qdq
            >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
            >>> print(TwoLoop(p, levels=1, dtau=0.1).run().table().splitlines()[0])
            | level | D | energy | potential | p_global_min | inner_steps | converged | ...
        """
        head = "| " + " | ".join(TRACE_COLUMNS) + " |"
        rule = "|" + "---|" * len(TRACE_COLUMNS)
        rows = []
        for row in self.trace:
            cells = []
            for c in TRACE_COLUMNS:
                v = row[c]
                cells.append(f"{v:.6g}" if isinstance(v, float) else str(v))
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join([head, rule, *rows])

    def to_dict(self) -> dict:
        """JSON-safe dict: the final result, the trace and the spec."""
        return {"method": "two-loop", "spec": self.spec, "log_success": self.log_success,
                "trace": [dict(r) for r in self.trace], "result": self.result.to_dict()}

    def __repr__(self) -> str:
        last = self.trace[-1]
        return (f"TwoLoopResult({len(self.trace)} levels on {self.result.backend}, final D="
                f"{last['D']:.4g}, E={last['energy']:.6g}, P_gm={self.p_global_min:.4g} "
                f"({self.result.p_global_min_ratio:.3g}x uniform), success_probability="
                f"{self.success_probability:.4g})")


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


#: Most outer levels of one run: the result's trace keeps one row (a dict) per level.
MAX_LEVELS = 100_000


def max_levels(D0: float, ratio: float) -> int:
    """Most levels whose ``D_l = D0·ratio^l`` stays a normal float (``>= 2.2e-308``).

    ``1 + ⌊(ln tiny − ln D0) / ln ratio⌋`` (a few thousand for ratio 0.5); beyond it ``D``
    underflows to 0 and the level would have no kinetic term.

    Example:
        >>> max_levels(1.0, 0.5)
        1023
    """
    tiny = float(np.finfo(float).tiny)
    return 1 + max(0, math.floor((math.log(tiny) - math.log(D0)) / math.log(ratio)))


class TwoLoop(Runnable):
    r"""The two-loop algorithm (outer: ``D_l = D₀·ratio^l``; inner: imaginary time to convergence).

    Args:
        problem: The discretized objective.
        D0: Initial kinetic constant ``> 0``.
        ratio: Geometric factor ``0 < ratio < 1`` between levels.
        levels: Number of outer levels ``>= 1`` (the last has ``D = D0·ratio^(levels−1)``).
        dtau: Imaginary-time step ``> 0``.
        chunk_steps: Steps per inner chunk (energy is checked after each chunk).
        max_inner_steps: Step budget per level (``>= chunk_steps``).
        tol: Stop a level when the energy changes by less than this over one chunk.
        order: Product-formula order, 1 or 2.
        initial: Initial state of level 0 (``"uniform"``, a packet, or a grid array).

    Raises:
        ParameterError: On any value out of range (the message names it).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
        >>> tl = TwoLoop(p, D0=0.5, ratio=0.25, levels=3)
        >>> tl.diffusion_constants
        [0.5, 0.125, 0.03125]
        >>> r = qdq.run(tl)                        # a Runnable: delegated to TwoLoop.run
        >>> type(r).__name__, r.trace[-1]["converged"]
        ('TwoLoopResult', True)
    """

    method = "two-loop"

    def __init__(self, problem: Problem, *, D0: float = 1.0, ratio: float = 0.5,
                 levels: int = 8, dtau: float = 0.05, chunk_steps: int = 10,
                 max_inner_steps: int = 2000, tol: float = 1e-6, order: int = 2,
                 initial="uniform"):
        if not is_search_problem(problem):
            raise ParameterError(f"TwoLoop needs a qdq.Problem or qdq.BinaryProblem, got "
                                 f"{type(problem).__name__}")
        self.problem = problem
        self.D0 = check_positive("D0", D0)
        self.ratio = check_positive("ratio", ratio)
        if not self.ratio < 1:
            raise ParameterError(f"ratio must be in (0, 1) so that D decreases, got {ratio!r}")
        self.levels = _check_int("levels", levels, 1)
        limit = max_levels(self.D0, self.ratio)
        if self.levels > min(limit, MAX_LEVELS):
            why = (f"beyond {limit:,} levels D0·ratio^level underflows below the smallest "
                   "normal float" if limit <= MAX_LEVELS else
                   f"the trace keeps one row per level, at most {MAX_LEVELS:,}")
            raise ParameterError(
                f"levels must be <= {min(limit, MAX_LEVELS):,} for D0={self.D0:g}, "
                f"ratio={self.ratio:g} ({why}), got levels={levels!r}; use fewer levels")
        self.dtau = check_positive("dtau", dtau)
        self.chunk_steps = _check_int("chunk_steps", chunk_steps, 1)
        self.max_inner_steps = _check_int("max_inner_steps", max_inner_steps, 1)
        if self.max_inner_steps < self.chunk_steps:
            raise ParameterError(f"max_inner_steps={max_inner_steps} is below chunk_steps="
                                 f"{chunk_steps}; raise it or use smaller chunks")
        self.tol = check_positive("tol", tol)
        if order not in (1, 2) or isinstance(order, bool):
            raise ParameterError(f"order must be 1 or 2 for imaginary time, got {order!r}")
        self.order = int(order)
        resolve_initial(initial, problem.grid)  # validate at the boundary
        self.initial = initial

    @property
    def diffusion_constants(self) -> list[float]:
        """``[D₀·ratio^l for l in range(levels)]``."""
        return list(self._diffusion_constants())

    def _diffusion_constants(self):
        # Generated, not stored: run() needs one D at a time.
        return (self.D0 * self.ratio**level for level in range(self.levels))

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"method": self.method, "D0": self.D0, "ratio": self.ratio,
                "levels": self.levels, "dtau": self.dtau, "chunk_steps": self.chunk_steps,
                "max_inner_steps": self.max_inner_steps, "tol": self.tol, "order": self.order,
                "initial": describe_initial(self.initial), "problem": self.problem.to_dict()}

    def __repr__(self) -> str:
        return (f"TwoLoop(D0={self.D0:g}, ratio={self.ratio:g}, levels={self.levels}, "
                f"dtau={self.dtau:g}, tol={self.tol:g}, problem={self.problem!r})")

    def run(self, backend: str = "local", shots: int | None = None, seed: int | None = None,
            **options) -> TwoLoopResult:
        """Run both loops on an engine.

        Args:
            backend: ``"local"`` (default), ``"emulator"``, ``"jax"`` or ``"aer"`` (each
                chunk an imaginary-time circuit, exact statevector mode) — any
                :func:`qdq.api.run` backend with statevectors.
            shots: ``None`` for the exact final distribution, or a number of shots of the
                *final* readout: the carried states are always exact, and each shot is
                kept with the total success probability, then sampled from the final state.
            seed: Sampling seed (with ``shots``).
            **options: Passed to the engine for every chunk (e.g. ``workers=2``).

        Returns:
            A :class:`TwoLoopResult`.

        Raises:
            ParameterError: Bad ``shots`` or ``seed``, or an option the engine does not
                declare.
            PostselectionError: If no shot survives postselection.
        """
        shots, seed = check_shots(shots), check_seed(seed)
        t0 = _time.perf_counter()
        psi = resolve_initial(self.initial, self.problem.grid)
        trace: list[dict] = []
        log_total = 0.0
        last: Result | None = None
        factors: dict[str, int] = {}  # summed over chunks
        for level, D in enumerate(self._diffusion_constants()):
            H = Hamiltonian(self.problem, D)
            e_prev = H.energy(psi)
            steps, log_level, converged = 0, 0.0, False
            while steps < self.max_inner_steps:
                n = min(self.chunk_steps, self.max_inner_steps - steps)
                spec = ImaginaryTime(H, time=n * self.dtau, steps=n, order=self.order,
                                     initial=psi)
                last = run_spec(spec, backend=backend, **options)
                for term, count in last.factors.items():
                    factors[term] = factors.get(term, 0) + count
                if last.statevector is None:  # pragma: no cover - engine contract
                    raise ParameterError(f"backend {backend!r} returned no statevector; the "
                                         "two-loop algorithm carries exact states")
                psi = last.statevector
                log_level += float(np.log(last.success_probability))
                steps += n
                e = H.energy(psi)
                if abs(e - e_prev) < self.tol:
                    converged = True
                    break
                e_prev = e
            log_total += log_level
            trace.append({
                "level": level, "D": D, "energy": e, "potential": H.potential_energy(psi),
                "p_global_min": float(np.sum(np.abs(psi[self.problem.global_min_mask]) ** 2)),
                "inner_steps": steps, "converged": converged,
                "success_probability": float(np.exp(log_level)),
                "cumulative_success": float(np.exp(log_total)),
            })
        assert last is not None
        success = float(np.exp(log_total))
        probs = np.abs(psi) ** 2
        probs = probs / probs.sum()
        statevector: np.ndarray | None = psi
        extra = {"levels": self.levels, "total_inner_steps": sum(r["inner_steps"] for r in trace)}
        accepted = None
        if shots is not None:
            # Each shot of the whole chunk sequence survives with the total probability.
            probs, accepted = sample_exact(probs, shots, np.random.default_rng(seed),
                                           success_probability=success, postselected=True)
            statevector, success = None, accepted / shots
        result = dataclasses.replace(
            last, method=self.method, final_D=trace[-1]["D"], probabilities=probs,
            statevector=statevector, success_probability=success, shots=shots,
            accepted_shots=accepted, factors=factors, spec=self.to_dict(),
            timing={"run": _time.perf_counter() - t0},
            trace={c: np.asarray([r[c] for r in trace]) for c in TRACE_COLUMNS}, extra=extra,
        )
        return TwoLoopResult(result=result, trace=trace, spec=self.to_dict(),
                             log_success=log_total)
