r"""Max-Cut QAOA at hardware scale: native two-qubit gates, depth and fidelity vs ``n`` and ``p``.

:func:`scale_table` transpiles :class:`qdq.QAOA` on seeded random 3-regular Max-Cut graphs
(:func:`qdq.binary.instances.random_regular_maxcut`) for heavy-hex fake backends
(``fake_sherbrooke``: ECR, 127 qubits; ``fake_torino``: CZ, 133; ``fake_fez``: CZ, 156) with
:func:`qdq.hardware.binary_routing.transpile_usable` (Qiskit's preset pass manager on the
backend's usable qubits — dead couplers and their qubits left out) and reports per row the
native two-qubit count, the two-qubit depth, the depth and the estimated circuit fidelity

.. math:: F ≈ Π_{2q} (1 − ε) · Π_{1q} (1 − ε) · Π_{meas} (1 − ε)

from the backend target's reported error rates
(:func:`~qdq.hardware.report.estimate_fidelity`). A logical cost layer is ``2m`` CX (one
``RZZ`` = 2 CX per edge, ``m = 3n/2``); the routed count over ``2mp`` is the routing overhead.

The contrast family (:func:`native_maxcut`): Max-Cut on the device's own usable coupling
graph (heavy hex, degree ≤ 3). Placed on its own qubits it needs no SWAP: exactly ``2m``
native two-qubit gates per layer. :func:`per_layer` fits ``count(p) = a + b·p`` per
instance and backend (``b``: the per-layer cost; ``F`` per layer ``= exp`` of the slope of
``ln F``).

Rows whose ``n`` exceeds the backend's usable qubits are kept with ``skipped`` (the reason).

Example:
    >>> from qiskit.providers.fake_provider import GenericBackendV2
    >>> from qiskit.transpiler import CouplingMap
    >>> hex7 = GenericBackendV2(19, coupling_map=CouplingMap.from_heavy_hex(3), seed=2)
    >>> b, active = native_maxcut(hex7)
    >>> row = scale_row(b, 1, hex7, family="native", initial_layout=list(range(len(active))))
    >>> row["two_qubit_gates"] == 2 * row["edges"], row["routing_overhead"]
    (True, 1.0)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from qdq.errors import BackendError, ParameterError

__all__ = ["BACKENDS", "NATIVE_2Q", "ScaleTable", "native_maxcut", "per_layer", "scale_row",
           "scale_table"]

#: The heavy-hex fake devices of the table (ECR on Eagle, CZ on Heron r1/r2).
BACKENDS = ("fake_sherbrooke", "fake_torino", "fake_fez")
#: Names of native two-qubit gates counted as "the" two-qubit gate.
NATIVE_2Q = ("ecr", "cz", "cx")


def _backend(backend: Any) -> Any:
    if isinstance(backend, str):
        from qdq.hardware.fake_backends import fake_backend

        return fake_backend(backend)
    return backend


def _name(backend: Any) -> str:
    from qdq.hardware.report import _backend_name

    return _backend_name(backend)


def native_maxcut(backend: Any) -> tuple[Any, list[int]]:
    """Max-Cut (ζ = −cut, unit weights) on a backend's usable coupling graph.

    The graph is the coupling map restricted to
    :func:`~qdq.hardware.binary_routing.usable_qubits` (its largest healthy connected
    piece), undirected; bit ``i`` is physical qubit ``active[i]``, so
    ``initial_layout=range(len(active))`` on the restricted target places every edge on a
    coupler.

    Returns:
        ``(problem, active)``.

    Example:
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> from qiskit.transpiler import CouplingMap
        >>> b, active = native_maxcut(GenericBackendV2(5, coupling_map=CouplingMap.from_line(5)))
        >>> b.num_bits, len(b.polynomial), active       # 4 edges + 5 linear terms
        (5, 9, [0, 1, 2, 3, 4])
    """
    from qdq.binary.instances import maxcut
    from qdq.hardware.binary_routing import usable_qubits

    backend = _backend(backend)
    active = usable_qubits(backend.target)
    pos = {q: i for i, q in enumerate(active)}
    cmap = backend.target.build_coupling_map()
    if cmap is None or len(active) < 2:
        raise BackendError(f"backend {_name(backend)!r} has no coupling graph of 2 or more "
                           "usable qubits; pick a device with a coupling map")
    edges = sorted({(min(pos[a], pos[b]), max(pos[a], pos[b])) for a, b in cmap.get_edges()
                    if a in pos and b in pos and a != b})
    problem = maxcut(edges)
    if problem.num_bits != len(active):  # an isolated usable qubit cannot happen (connected)
        raise BackendError(f"the usable coupling graph of {_name(backend)!r} is not connected")
    problem.name = f"maxcut-native({_name(backend)}, n={len(active)})"
    return problem, active


def _edges(problem) -> int:
    return sum(1 for s in problem.polynomial if len(s) == 2)


def scale_row(problem, p: int, backend: Any, *, seed: int = 0, optimization_level: int = 2,
              family: str = "random-3-regular", initial_layout: Sequence[int] | None = None
              ) -> dict[str, Any]:
    """One transpiled QAOA circuit's cost on a backend (the row of :func:`scale_table`).

    The angles are :func:`qdq.qaoa.ramp_for` (nonzero, so no gate is dropped; counts do not
    depend on their values).

    Returns:
        ``{"family", "n", "edges", "p", "backend", "gate_2q", "qubits_used",
        "two_qubit_gates", "two_qubit_depth", "depth", "est_fidelity", "readout_fidelity",
        "logical_cx", "routing_overhead", "two_qubit_gates_per_layer", "transpile_s"}`` —
        ``gate_2q`` names the native gate, ``logical_cx = 2·edges·p``, ``transpile_s``
        the wall time to build and transpile.
    """
    from qdq.hardware.binary_routing import transpile_usable
    from qdq.qaoa import QAOA, ramp_for

    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ParameterError(f"p must be an integer >= 1, got {p!r}")
    backend = _backend(backend)
    spec = QAOA(problem, *ramp_for(problem, int(p)))
    t0 = time.perf_counter()
    _, rep, _ = transpile_usable(spec, backend, optimization_level=optimization_level,
                                 seed=seed, initial_layout=initial_layout)
    seconds = time.perf_counter() - t0
    names = [g for g in NATIVE_2Q if rep.ops.get(g)]
    edges = _edges(problem)
    logical = 2 * edges * int(p)
    return {"family": family, "n": int(problem.num_bits), "edges": edges, "p": int(p),
            "backend": rep.backend, "gate_2q": "+".join(names) or "—",
            "qubits_used": len(rep.active_qubits), "two_qubit_gates": rep.two_qubit_gates,
            "two_qubit_depth": rep.two_qubit_depth, "depth": rep.depth,
            "est_fidelity": rep.estimated_fidelity, "readout_fidelity": rep.readout_fidelity,
            "logical_cx": logical,
            "routing_overhead": rep.two_qubit_gates / logical if logical else math.nan,
            "two_qubit_gates_per_layer": rep.two_qubit_gates / int(p),
            "transpile_s": seconds}


class ScaleTable(list):
    """Rows of :func:`scale_table` (dicts), with :meth:`to_markdown` and :meth:`per_layer`."""

    def per_layer(self) -> list[dict[str, Any]]:
        """:func:`per_layer` of these rows."""
        return per_layer(self)

    def to_markdown(self) -> str:
        """The rows as a Markdown table (skipped rows say why)."""
        lines = ["| family | n | backend | p | 2q gate | qubits | 2q gates | 2q/layer | "
                 "overhead | 2q depth | depth | est. F | transpile s |",
                 "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in self:
            if r.get("skipped"):
                lines.append(f"| {r['family']} | {r['n']} | {r['backend']} | {r['p']} | "
                             f"skipped: {r['skipped']} |||||||||")
                continue
            lines.append(
                f"| {r['family']} | {r['n']} | {r['backend']} | {r['p']} | {r['gate_2q']} | "
                f"{r['qubits_used']} | {r['two_qubit_gates']} | "
                f"{r['two_qubit_gates_per_layer']:.0f} | {r['routing_overhead']:.2f} | "
                f"{r['two_qubit_depth']} | {r['depth']} | {r['est_fidelity']:.3g} | "
                f"{r['transpile_s']:.2f} |")
        return "\n".join(lines)


def per_layer(rows: Sequence[dict]) -> list[dict[str, Any]]:
    """Least-squares ``a + b·p`` of the 2q count and 2q depth, per (family, n, backend).

    ``F_layer = exp(slope of ln F)``: the fidelity each extra layer multiplies in. Groups
    with a single ``p`` get the count over ``p``.

    Example:
        >>> rows = [{"family": "f", "n": 4, "backend": "b", "p": p, "two_qubit_gates": 3 + 10 * p,
        ...          "two_qubit_depth": 2 * p, "est_fidelity": 0.9 ** p} for p in (1, 2, 3)]
        >>> r = per_layer(rows)[0]
        >>> round(r["2q_per_layer"], 6), round(r["2q_offset"], 6), round(r["fidelity_per_layer"], 6)
        (10.0, 3.0, 0.9)
    """
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if not r.get("skipped"):
            groups.setdefault((r["family"], r["n"], r["backend"]), []).append(r)
    out = []
    for (family, n, backend), rs in groups.items():
        ps = np.array([r["p"] for r in rs], dtype=float)
        fit = {}
        for key in ("two_qubit_gates", "two_qubit_depth"):
            y = np.array([r[key] for r in rs], dtype=float)
            if len(set(ps)) > 1:
                b, a = np.polyfit(ps, y, 1)
            else:
                a, b = 0.0, float(np.mean(y / ps))
            fit[key] = (float(a), float(b))
        logf = np.log(np.maximum([r["est_fidelity"] for r in rs], 1e-300))
        f_layer = (float(np.exp(np.polyfit(ps, logf, 1)[0])) if len(set(ps)) > 1
                   else float(np.exp(np.mean(logf / ps))))
        out.append({"family": family, "n": n, "backend": backend,
                    "2q_per_layer": fit["two_qubit_gates"][1],
                    "2q_offset": fit["two_qubit_gates"][0],
                    "2q_depth_per_layer": fit["two_qubit_depth"][1],
                    "fidelity_per_layer": f_layer})
    return out


def scale_table(ns: Sequence[int] = (20, 50, 100, 126, 130, 150), ps: Sequence[int] = (1, 2, 3),
                backends: Sequence[Any] = BACKENDS, *, seed: int = 0,
                optimization_level: int = 2, native: bool = True) -> ScaleTable:
    """Max-Cut QAOA circuits on 3-regular graphs, transpiled for heavy-hex devices.

    For every backend, ``n`` and ``p``: :func:`scale_row` of
    ``random_regular_maxcut(n, 3, seed)``, or a ``skipped`` row when ``n`` exceeds the
    backend's usable qubits; with ``native``, also :func:`native_maxcut` at the device's
    full usable size, placed on its own couplers (no SWAP).

    Args:
        ns: Graph sizes (odd ``n`` is skipped: a 3-regular graph needs ``3n`` even, so
            127 nodes is impossible — 126 and 130 bracket it).
        ps: QAOA depths.
        backends: Fake backend names (or ``BackendV2`` objects).
        seed: Graph seed and ``seed_transpiler``.
        optimization_level: Qiskit preset level 0–3.
        native: Add the hardware-native family.

    Returns:
        A :class:`ScaleTable`.

    Raises:
        ParameterError: Empty ``ns``/``ps``/``backends``, or bad entries.
    """
    from qdq.binary.instances import random_regular_maxcut
    from qdq.hardware.binary_routing import usable_qubits

    for label, seq in (("ns", ns), ("ps", ps), ("backends", backends)):
        if len(seq) == 0:
            raise ParameterError(f"{label} must not be empty, got {seq!r}")
    for label, seq in (("ns", ns), ("ps", ps)):
        if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
               for v in seq):
            raise ParameterError(f"{label} must be integers >= 1, got {list(seq)!r}")
    rows = ScaleTable()
    problems = {int(n): random_regular_maxcut(int(n), 3, seed) if n % 2 == 0 else None
                for n in ns}
    for bk in backends:
        backend = _backend(bk)
        usable = len(usable_qubits(backend.target))
        for n, problem in problems.items():
            for p in ps:
                why = ("odd n: no 3-regular graph" if problem is None else
                       f"n = {n} > {usable} usable qubits" if n > usable else None)
                if why:
                    rows.append({"family": "random-3-regular", "n": n, "p": int(p),
                                 "backend": _name(backend), "skipped": why})
                    continue
                rows.append(scale_row(problem, int(p), backend, seed=seed,
                                      optimization_level=optimization_level))
        if native:
            problem, active = native_maxcut(backend)
            for p in ps:
                rows.append(scale_row(problem, int(p), backend, seed=seed,
                                      optimization_level=optimization_level, family="native",
                                      initial_layout=list(range(len(active)))))
    return rows
