r"""Cost layers of binary problems that fit hardware: ZZ phases scheduled by edge colouring.

A binary problem's cost factor ``e^{−icζ}`` is a product of commuting Z-string phases, one
per term of its Z-form (:attr:`qdq.BinaryProblem.terms`). Their order does not change the
operator, but it sets the depth: in CX form each ``RZZ`` is ``CX·RZ·CX``, and two of them
run in parallel only if they share no qubit. So the quadratic strings are grouped in the
colour classes of a **proper edge colouring** of their interaction graph (Misra–Gries:
at most ``Δ + 1`` colours, Vizing's bound), giving a two-qubit depth of ``2χ′`` — at most
8 on a 3-regular graph — after one layer of single-Z rotations; heavier strings (CX
ladders, :func:`~qdq.circuits.synthesis.zstring_gates`) follow in greedy layers.

:func:`schedule_groups` returns the problem's phase groups in that order (the same
``(term, qubits, Walsh coefficients)`` triples that
:func:`~qdq.circuits.program.potential_ops` lowers to one ``ZPhase`` each), and
:func:`choose_groups` keeps a merged parity network instead only when it is strictly cheaper
in CX and no deeper.

Example:
    >>> edges = [(0, 1), (1, 2), (0, 2), (2, 3)]
    >>> colours = edge_colouring(edges)
    >>> max(colours.values()) + 1, all(colours[e] != colours[f] for e in edges for f in edges
    ...                                 if e != f and set(e) & set(f))
    (3, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from qdq.circuits.synthesis import gate_costs, zstring_gates

Edge = tuple[int, int]

#: Extra edge orders tried by :func:`edge_colouring` while it needs ``Δ + 1`` colours.
RETRIES = 16
#: ... as long as ``RETRIES · |E|`` stays under this many edge colourings.
RETRY_EDGES = 50_000


def _key(u: int, v: int) -> Edge:
    return (u, v) if u < v else (v, u)


def edge_colouring(edges: Iterable[Sequence[int]]) -> dict[Edge, int]:
    """A proper edge colouring with at most ``Δ + 1`` colours (Misra–Gries, 1992).

    Each edge ``(u, v)`` gets the smallest colour free at both ends if there is one; else
    it is coloured by building a maximal fan of ``u`` starting
    at ``v``, inverting the ``cd``-alternating path from ``u`` (``c`` free on ``u``, ``d``
    free on the fan's last vertex), rotating the fan's prefix up to a vertex ``w`` where
    ``d`` is free, and giving ``(u, w)`` colour ``d``. ``O(|E|·|V|)``. Then each edge of the last
    class is recoloured by a Kempe-chain swap where one exists (a heuristic: most sparse
    graphs need only ``Δ`` colours), and up to :data:`RETRIES` other (seeded) edge orders
    are tried while ``Δ + 1`` colours are used (fewer on graphs of over
    ``RETRY_EDGES / RETRIES`` edges).

    Args:
        edges: Pairs of distinct vertices (integers); duplicates are coloured once.

    Returns:
        ``{(min, max): colour}`` with colours ``0 … χ′−1``, ``χ′ ≤ Δ + 1``.

    Example:
        >>> c = edge_colouring([(0, 1), (0, 2), (0, 3), (1, 2)])    # Δ = 3
        >>> sorted(set(c.values())), c[(0, 1)] != c[(1, 2)]
        ([0, 1, 2], True)
    """
    keys = list(dict.fromkeys(_key(int(u), int(v)) for u, v in edges))
    best = _colour_once(keys)
    delta = max(np.bincount(np.array(keys, dtype=int).ravel()), default=0) if keys else 0
    rng = np.random.default_rng(0)  # fixed: the schedule is a deterministic function of E
    tries = min(RETRIES, RETRY_EDGES // max(len(keys), 1))  # bounded work on big graphs
    for _ in range(tries):  # other edge orders, while χ′ = Δ + 1 (often Δ is reachable)
        if max(best.values(), default=-1) + 1 <= delta:
            break
        other = _colour_once([keys[i] for i in rng.permutation(len(keys))])
        if max(other.values()) < max(best.values()):
            best = other
    return best


def _colour_once(keys: list[Edge]) -> dict[Edge, int]:
    """Misra–Gries plus the Kempe pass on edges in the given order (see edge_colouring)."""
    adj: dict[int, set[int]] = {}
    for u, v in keys:
        adj.setdefault(u, set()).add(v)
        adj.setdefault(v, set()).add(u)
    width = max((len(n) for n in adj.values()), default=0) + 1
    colour: dict[Edge, int] = {}
    at: dict[int, dict[int, int]] = {x: {} for x in adj}  # vertex → {colour: neighbour}

    def free(x: int) -> int:
        return next(k for k in range(width) if k not in at[x])

    def paint(x: int, y: int, k: int | None) -> None:
        old = colour.pop(_key(x, y), None)
        if old is not None:
            del at[x][old], at[y][old]
        if k is not None:
            colour[_key(x, y)] = k
            at[x][k], at[y][k] = y, x

    def is_fan(u: int, fan: list[int]) -> bool:
        ks = [colour.get(_key(u, x)) for x in fan[1:]]
        return all(k is not None and k not in at[x] for k, x in zip(ks, fan, strict=False))

    for u, v in keys:
        both = next((k for k in range(width) if k not in at[u] and k not in at[v]), None)
        if both is not None:  # a colour free at both ends: no fan needed (fewer colours)
            paint(u, v, both)
            continue
        fan, seen = [v], {v}
        grown = True
        while grown:  # maximal fan: colour(u, F[i+1]) is free on F[i]
            grown = False
            for x in sorted(adj[u] - seen):
                k = colour.get(_key(u, x))
                if k is not None and k not in at[fan[-1]]:
                    fan.append(x)
                    seen.add(x)
                    grown = True
                    break
        c, d = free(u), free(fan[-1])
        if c != d:  # invert the cd-path from u (it starts with a d edge: c is free on u)
            path, x, k = [], u, d
            while k in at[x]:
                y = at[x][k]
                path.append((x, y, k))
                x, k = y, (c if k == d else d)
            for x, y, _ in path:
                paint(x, y, None)
            for x, y, k in path:
                paint(x, y, c if k == d else d)
        w = next(i for i in range(len(fan))
                 if d not in at[fan[i]] and is_fan(u, fan[: i + 1]))
        shifted = [colour[_key(u, fan[i + 1])] for i in range(w)]  # rotate the fan prefix
        for i in range(w + 1):
            paint(u, fan[i], None)
        for i, k in enumerate(shifted):
            paint(u, fan[i], k)
        paint(u, fan[w], d)

    def chain(x: int, a: int, b: int) -> list[tuple[int, int, int]]:
        path, k = [], a  # the a/b-alternating path from x (b is free on x: a path, no cycle)
        while k in at[x]:
            y = at[x][k]
            path.append((x, y, k))
            x, k = y, (b if k == a else a)
        return path

    # Most sparse graphs are class 1 (χ′ = Δ): try to empty the last class by Kempe swaps.
    top = width - 1
    for u, v in [e for e, k in colour.items() if k == top and top > 0]:
        paint(u, v, None)
        done = False
        free_u = [k for k in range(top) if k not in at[u]]
        free_v = [k for k in range(top) if k not in at[v]]
        # (end p free at a, other end q free at b): swap the a/b chain at q, colour a
        tries = [(u, v, a, b) for a in free_u for b in free_v] + \
                [(v, u, b, a) for a in free_u for b in free_v]
        for p, q, a, b in tries:
            path = [] if a not in at[q] else chain(q, a, b)
            if path and path[-1][1] == p:
                continue  # swapping would take colour a from p
            for x, y, _ in path:
                paint(x, y, None)
            for x, y, k in path:
                paint(x, y, b if k == a else a)
            paint(u, v, a)
            done = True
            break
        if not done:
            paint(u, v, top)
    relabel = {k: i for i, k in enumerate(sorted(set(colour.values())))}
    return {e: relabel[k] for e, k in colour.items()}


def _weight(group) -> int:
    return len(group[1])


def schedule_groups(groups: list) -> list:
    """Phase groups in hardware order: constants, single-Z, ZZ by colour class, then heavier.

    The operator is unchanged (all factors are diagonal and commute); only the order, and so
    the ASAP depth, changes. ZZ groups are ordered by their :func:`edge_colouring` class;
    heavier strings by greedy layers (first layer where none of its qubits is busy).

    Args:
        groups: :func:`~qdq.circuits.factors.phase_groups` of a binary problem (one group
            per Z-string; ``(term, qubits, coeffs)``).

    Example:
        >>> import qdq
        >>> from qdq.circuits.factors import phase_groups
        >>> b = qdq.BinaryProblem({(0, 1): 1.0, (1, 2): 1.0, (2, 3): 1.0}, num_bits=4)
        >>> [q for _, q, _ in schedule_groups(phase_groups(b))]
        [(), (0,), (1,), (2,), (3,), (0, 1), (2, 3), (1, 2)]
    """
    const = [g for g in groups if _weight(g) == 0]
    single = [g for g in groups if _weight(g) == 1]
    pairs = [g for g in groups if _weight(g) == 2]
    heavy = [g for g in groups if _weight(g) > 2]
    colour = edge_colouring(g[1] for g in pairs)
    pairs.sort(key=lambda g: colour[_key(*g[1])])
    layers: list[set[int]] = []
    ranked = []
    for g in heavy:
        i = next((i for i, busy in enumerate(layers) if not busy & set(g[1])), len(layers))
        if i == len(layers):
            layers.append(set())
        layers[i] |= set(g[1])
        ranked.append((i, g))
    heavy = [g for _, g in sorted(ranked, key=lambda r: r[0])]
    return const + single + pairs + heavy


def layer_costs(groups: list, theta: float = 1.0) -> tuple[int, int]:
    """``(cx, depth)`` of the groups' phase gates in CX form, ASAP in the given order.

    Example:
        >>> import qdq
        >>> from qdq.circuits.factors import phase_groups
        >>> b = qdq.BinaryProblem({(0, 1): 1.0, (1, 2): 1.0, (2, 3): 1.0}, num_bits=4)
        >>> layer_costs(schedule_groups(phase_groups(b)))     # rz, then 2 colour classes
        (6, 7)
    """
    qubits = sorted({q for _, qs, _ in groups for q in qs})
    pos = {q: i for i, q in enumerate(qubits)}
    depth = np.zeros(len(qubits))
    cx = 0
    for _, qs, coeffs in groups:
        if not qs:
            continue
        n, _, paths = gate_costs(zstring_gates(qs, coeffs, theta), qs)
        cx += n
        idx = [pos[q] for q in qs]
        depth[idx] = (depth[idx][:, None] + paths).max(axis=0)
    return cx, int(depth.max()) if depth.size else 0


def choose_groups(groups: list, merged: list) -> list:
    """The colour-scheduled groups, or ``merged`` if it is strictly cheaper in CX, no deeper.

    Args:
        groups: :func:`~qdq.circuits.factors.phase_groups` of a binary problem.
        merged: :func:`~qdq.circuits.program.merge_phase_groups` of the same groups (a
            single parity network when that has fewer CX than separate groups).
    """
    scheduled = schedule_groups(groups)
    if len(merged) == len(groups):  # nothing was merged
        return scheduled
    cx_s, depth_s = layer_costs(scheduled)
    cx_m, depth_m = layer_costs(merged)
    return merged if cx_m < cx_s and depth_m <= depth_s else scheduled


def colour_classes(problem) -> list[list[Edge]]:
    """The quadratic Z-strings of a binary problem, in colour classes (one list per colour).

    Example:
        >>> import qdq
        >>> b = qdq.BinaryProblem({(0, 1): 1.0, (1, 2): 1.0, (0, 2): 1.0}, num_bits=3)
        >>> len(colour_classes(b))          # a triangle needs 3 colours
        3
    """
    colour = edge_colouring(tuple(t.dims) for t in problem.terms if len(t.dims) == 2)
    out: list[list[Edge]] = [[] for _ in range(max(colour.values(), default=-1) + 1)]
    for e, k in sorted(colour.items()):
        out[k].append(e)
    return out
