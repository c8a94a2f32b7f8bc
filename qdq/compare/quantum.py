r"""The quantum-dynamics methods of a comparison: evolutions on the emulator, CX per shot.

Each ``run_*`` function is the registry's ``run`` of one quantum method
(:mod:`qdq.compare.registry`): ``run(problem, options) -> (result, circuit)``, with
``options`` the method's effective options (defaults scaled to the box, then overrides).
The evolution runs once on the FFT emulator (exact final distribution and postselection
probability ``P_s``, one worker thread); ``circuit`` is the CX bookkeeping of the circuit
one shot would run (:func:`circuit_cx`; state preparation needs no CX).

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    >>> result, circuit = run_anneal(p, {"D": 2.0, "schedule": "qhd-cubic", "time": 1.0,
    ...                                  "steps": 4, "order": 1})
    >>> result.method, circuit["kinetic_factors"], circuit["cx_per_shot"] > 0
    ('anneal', 4, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["circuit_cx", "compile_evals", "run_anneal", "run_imaginary_time", "run_real_time",
           "run_two_loop", "spec_cx"]


def compile_evals(problem) -> int:
    r"""Objective evaluations spent tabulating ζ for a quantum method's oracle.

    A dense :class:`~qdq.Problem` evaluates ζ at every grid point when it is built, and
    the emulated evolution and its oracle are compiled from that table: ``Π_d N_d``
    evaluations — an exhaustive grid search, which already knows the grid argmin. A
    problem too large for the dense table (only its additive term groups were evaluated)
    spent ``Σ_groups Π_{d ∈ group} N_d`` (constant groups cost nothing); that is what the
    circuit oracle (:mod:`qdq.circuits.factors`) reads either way.

    Example:
        >>> import qdq
        >>> compile_evals(qdq.Problem("x**2 + y**2", bounds=[(-1, 1)] * 2, qubits=3))
        64
    """
    from qdq.errors import ResourceError

    try:
        _ = problem.values  # the dense table, if the Problem could hold it
    except ResourceError:
        return int(sum(math.prod(problem.grid.shape[d] for d in t.dims)
                       for t in problem.terms if t.dims))
    return int(problem.grid.size)


def circuit_cx(problem, factors: Mapping[str, int], *, postselected: bool,
               per_shot: int | None = None) -> dict:
    """CX count of one shot's circuit from the number of potential and kinetic factors.

    The one place the comparison counts gates: unitary factors (real time, anneal) use the
    phase oracle and kinetic closed forms of :mod:`qdq.circuits`, postselected ones
    (imaginary time, two-loop) the ancilla-block counts.

    Args:
        problem: The :class:`~qdq.Problem`.
        factors: ``{"potential": count, "kinetic": count}`` (``Result.factors``).
        postselected: Imaginary-time (ancilla) blocks instead of unitary ones.
        per_shot: CX of one shot's circuit when already known (walked from its program by
            :func:`spec_cx`); otherwise counted from the factors.

    Returns:
        ``cx_per_shot``, ``cx_per_step``, ``potential_factors``, ``kinetic_factors`` and
        ``compile_evals`` (:func:`compile_evals`: the oracle's classical preprocessing).
    """
    potential, kinetic = int(factors["potential"]), int(factors["kinetic"])
    if postselected:
        from qdq.circuits.imaginary import imaginary_block_cx_counts, imaginary_step_cx_count

        if per_shot is None:
            counts = imaginary_block_cx_counts(problem)
            per_shot = potential * sum(counts["potential"].values()) \
                + kinetic * sum(counts["kinetic"].values())
        per_step = imaginary_step_cx_count(problem)
    else:
        from qdq.circuits.kinetic import kinetic_cx_count
        from qdq.circuits.trotter import PotentialOracle, strang_step_cx_count

        if per_shot is None:
            oracle = PotentialOracle(problem).cx_count()
            per_shot = potential * oracle + kinetic * sum(kinetic_cx_count(n)
                                                          for n in problem.grid.qubits)
        per_step = strang_step_cx_count(problem)
    return {"cx_per_shot": per_shot, "cx_per_step": per_step,
            "potential_factors": potential, "kinetic_factors": kinetic,
            "compile_evals": compile_evals(problem)}


def spec_cx(spec, result) -> dict:
    """:func:`circuit_cx` with ``cx_per_shot`` walked from the spec's circuit program.

    The program (:func:`qdq.circuits.program.program`, reused ancillas as on hardware) is
    the package's one source of gate counts; the per-step figure and the factor counts
    are the same as :func:`circuit_cx`'s.
    """
    from qdq.circuits.program import program

    return circuit_cx(spec.problem, result.factors,
                      postselected=spec.time_axis == "imaginary",
                      per_shot=int(program(spec, ancillas="reuse").resources()["cx"]))


def _emulate(spec):
    from qdq.api import run

    return run(spec, backend="emulator", workers=1)


def run_anneal(problem, options: Mapping[str, Any]) -> tuple[Any, dict]:
    """QHD annealing (:class:`~qdq.evolution.Anneal`) on the emulator."""
    from qdq.methods import spec_from_options

    spec = spec_from_options(problem, "anneal", options)
    result = _emulate(spec)
    return result, spec_cx(spec, result)


def run_real_time(problem, options: Mapping[str, Any]) -> tuple[Any, dict]:
    """Real-time evolution (:class:`~qdq.evolution.RealTime`) at constant ``D``."""
    from qdq.methods import spec_from_options

    spec = spec_from_options(problem, "real-time", options)
    result = _emulate(spec)
    return result, spec_cx(spec, result)


def run_imaginary_time(problem, options: Mapping[str, Any]) -> tuple[Any, dict]:
    """Imaginary-time evolution (:class:`~qdq.evolution.ImaginaryTime`), postselected."""
    from qdq.methods import spec_from_options

    spec = spec_from_options(problem, "imaginary-time", options)
    result = _emulate(spec)
    return result, spec_cx(spec, result)


def run_two_loop(problem, options: Mapping[str, Any]) -> tuple[Any, dict]:
    """The two-loop algorithm (:class:`~qdq.twoloop.TwoLoop`); one shot runs every level."""
    from qdq.methods import spec_from_options

    tl = spec_from_options(problem, "two-loop", options)
    out = tl.run(backend="emulator", workers=1)
    result = out.result
    kinetic = sum(int(r["inner_steps"]) for r in out.trace)
    chunks = sum(math.ceil(int(r["inner_steps"]) / tl.chunk_steps) for r in out.trace)
    potential = kinetic + (chunks if tl.order == 2 else 0)
    circuit = circuit_cx(problem, {"potential": potential, "kinetic": kinetic},
                         postselected=True)
    circuit["levels"] = len(out.trace)
    if result.success_probability == 0.0:
        circuit["log_success"] = out.log_success
    return result, circuit
