r"""Standard binary benchmark instances as :class:`~qdq.BinaryProblem`\ s (ζ is minimized).

* :func:`maxcut` — ``ζ = −cut = Σ_{(i,j)} w_ij (2xᵢxⱼ − xᵢ − xⱼ)``; :func:`random_regular_maxcut`;
* :func:`sk` — Sherrington–Kirkpatrick, ``E = Σ_{i<j} J_ij sᵢsⱼ / √n`` (Gaussian or ±1);
* :func:`labs` — low-autocorrelation binary sequences, ``E = Σ_{k=1}^{N−1} C_k²``,
  ``C_k = Σ_{i=0}^{N−1−k} sᵢs_{i+k}`` (quartic in spins; merit factor ``N²/(2E)``);
* :func:`number_partitioning` — ``E = (Σ aᵢsᵢ)²``.

Spins are ``s = 2x − 1`` (dimod's). Each instance converts its spin form exactly to bits.

Example:
    >>> b = maxcut([(0, 1), (1, 2), (2, 0)])         # a triangle: max cut 2
    >>> float(b.values.min())
    -2.0
    >>> float(labs(5).values.min())                   # the optimal LABS energy for N = 5
    2.0
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from qdq.errors import ProblemError
from qdq.validate import check_seed


def _spin_poly_to_bits(spin_terms: dict[tuple[int, ...], float]
                       ) -> tuple[dict[tuple[int, ...], float], float]:
    """``Π_{i∈S} sᵢ`` with ``sᵢ = 2xᵢ − 1``, expanded to bits: ``(polynomial, offset)``."""
    poly: dict[tuple[int, ...], float] = {}
    offset = 0.0
    for s, w in spin_terms.items():
        k = len(s)
        for r in range(k + 1):
            for sub in itertools.combinations(s, r):
                c = w * (2.0 ** r) * (-1.0) ** (k - r)
                if sub:
                    poly[sub] = poly.get(sub, 0.0) + c
                else:
                    offset += c
    return poly, offset


def _count(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ProblemError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _binary(poly, offset, n, name):
    from qdq.binary.problem import BinaryProblem

    return BinaryProblem(poly, offset=offset, num_bits=n, name=name)


def maxcut(graph, *, weight: str = "weight"):
    """Max-Cut of a graph as ``ζ = −cut`` (minimize).

    Args:
        graph: A networkx graph (edge attribute ``weight``, default 1) or an edge list of
            ``(i, j)`` / ``(i, j, w)``. Nodes are relabelled ``0 … n−1`` in sorted order.
        weight: The edge attribute holding weights (networkx graphs).
    """
    if hasattr(graph, "edges") and hasattr(graph, "nodes"):
        nodes = sorted(graph.nodes)
        edges = [(u, v, d.get(weight, 1.0)) for u, v, d in graph.edges(data=True)]
    else:
        try:
            edges = [tuple(e) if len(e) == 3 else (e[0], e[1], 1.0) for e in graph]
        except TypeError as exc:
            raise ProblemError(f"graph must be a networkx graph or a list of (i, j[, w]) "
                               f"edges, got {type(graph).__name__}") from exc
        nodes = sorted({u for u, _, _ in edges} | {v for _, v, _ in edges})
    if not nodes:
        raise ProblemError("the graph has no nodes; Max-Cut needs at least one edge")
    label = {v: i for i, v in enumerate(nodes)}
    poly: dict[tuple[int, ...], float] = {}
    for u, v, w in edges:
        try:
            w = float(w)
        except (TypeError, ValueError) as exc:
            raise ProblemError(f"edge ({u}, {v}) weight must be a number, got {w!r}") from exc
        if not math.isfinite(w):
            raise ProblemError(f"edge ({u}, {v}) weight must be finite, got {w}")
        i, j = label[u], label[v]
        if i == j:
            continue  # a loop is never cut
        key = (min(i, j), max(i, j))
        poly[key] = poly.get(key, 0.0) + 2 * w
        poly[(i,)] = poly.get((i,), 0.0) - w
        poly[(j,)] = poly.get((j,), 0.0) - w
    return _binary(poly, 0.0, len(nodes), f"maxcut(n={len(nodes)}, m={len(edges)})")


def random_regular_maxcut(n: int, d: int = 3, seed: int = 0):
    """Max-Cut of a seeded random ``d``-regular graph on ``n`` nodes (networkx)."""
    n, d = _count("n", n, 2), _count("d", d, 1)
    if d >= n or (n * d) % 2:
        raise ProblemError(f"a {d}-regular graph on {n} nodes needs d < n and n·d even")
    from qdq.errors import require

    nx = require("networkx", "binary")
    b = maxcut(nx.random_regular_graph(d, n, seed=check_seed(seed)))
    b.name = f"maxcut-{d}reg(n={n}, seed={seed})"
    return b


def sk(n: int, seed: int = 0, *, couplings: str = "gaussian"):
    """Sherrington–Kirkpatrick: ``E = Σ_{i<j} J_ij sᵢsⱼ / √n``, ``J_ij ~ N(0,1)`` or ``±1``."""
    n = _count("n", n, 2)
    if couplings not in ("gaussian", "pm1"):
        raise ProblemError(f"couplings must be 'gaussian' or 'pm1', got {couplings!r}")
    rng = np.random.default_rng(check_seed(seed))
    terms = {}
    for i in range(n):
        for j in range(i + 1, n):
            J = rng.normal() if couplings == "gaussian" else rng.choice((-1.0, 1.0))
            terms[(i, j)] = float(J) / math.sqrt(n)
    poly, offset = _spin_poly_to_bits(terms)
    return _binary(poly, offset, n, f"sk(n={n}, seed={seed}, {couplings})")


def labs_spin_terms(N: int) -> dict[tuple[int, ...], float]:
    """``Σ_k C_k²`` in spins, with ``sᵢ² = 1`` folded (constants under ``()``)."""
    terms: dict[tuple[int, ...], float] = {}
    for k in range(1, N):
        pairs = [(i, i + k) for i in range(N - k)]
        for a, b in itertools.product(pairs, repeat=2):
            idx = [a[0], a[1], b[0], b[1]]
            odd = tuple(sorted(i for i in set(idx) if idx.count(i) % 2))
            terms[odd] = terms.get(odd, 0.0) + 1.0
    return terms


def labs(N: int):
    """Low-autocorrelation binary sequences of length ``N`` (quartic; minimize ``E``)."""
    N = _count("N", N, 2)
    spin = labs_spin_terms(N)
    const = spin.pop((), 0.0)
    poly, offset = _spin_poly_to_bits(spin)
    return _binary(poly, offset + const, N, f"labs(N={N})")


def number_partitioning(values: Sequence[float]):
    """Split ``values`` into two sets of equal sum: ``E = (Σ aᵢsᵢ)²`` (0 at a perfect split)."""
    try:
        a = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"values must be numbers, got {values!r}") from exc
    if a.size < 2 or not np.all(np.isfinite(a)):
        raise ProblemError(f"number partitioning needs at least two finite values, got {values!r}")
    terms = {(i, j): 2 * a[i] * a[j] for i in range(a.size) for j in range(i + 1, a.size)}
    poly, offset = _spin_poly_to_bits(terms)
    return _binary(poly, offset + float(np.sum(a**2)), a.size,
                   f"number_partitioning(n={a.size})")
