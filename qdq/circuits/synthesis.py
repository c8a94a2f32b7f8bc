r"""Gate-level synthesis shared by every emitter: Walsh spectra, Gray-code walks, the QFT.

Gates are plain tuples ``(name, qubits, angle)`` with ``name`` in :data:`GATES`; angles
follow Qiskit's conventions (``RZ(λ) = e^{−iλZ/2}``, ``RY(λ) = e^{−iλY/2}``,
``RZZ(λ) = e^{−iλZZ/2}``, ``zstring`` = ``e^{−iλ Z…Z/2}`` on all its qubits,
``CP(λ) = diag(1, 1, 1, e^{iλ})``). The Qiskit and PennyLane emitters translate these
tuples one for one, so their circuits agree gate for gate, and :func:`cx_form` expands them
into ``cx`` + single-qubit gates for counting.

* **Walsh spectrum** of ``φ`` on ``m`` bits: ``φ(x) = Σ_S c_S (−1)^{|S∧x|}``
  (:func:`walsh_coefficients`, ``O(m 2^m)``).
* **Gray-code walk** (:func:`gray_walk`): for target ``t`` and controls ``C``, visiting the
  subsets ``g`` of ``C`` in Gray-code order with one CX onto ``t`` between consecutive ones
  (and one closing CX) puts the parity ``⊕_{i∈g} x_i`` on ``t`` at step ``g``; a rotation
  there realises ``e^{−iλ Z_g Z_t/2}`` (RZ) or ``e^{−iλ Z_g Y_t/2}`` (RY). Cost: ``2^{|C|}``
  CX. Used for dense phase groups and for uniformly controlled RY (UCRY).
* **Z-string plan** (:func:`zstring_gates`): per target qubit ``t`` (the highest qubit of a
  string) the cheaper of the Gray walk over the lower ``t`` qubits (``2^t`` CX) and sparse
  strings (RZ / RZZ / CX ladder, ``2(|S|−1)`` CX each) — or, when it needs fewer CX, one
  parity network for all strings together (:func:`parity_network`: Amy–Azimzadeh–Mosca
  GraySynth, Qiskit's ``synth_cnot_phase_aam``), which shares partial parities between
  targets: ``m²`` on ``n`` qubits costs ``n(n+1)/2 − 1`` CX instead of ``n(n−1)``.
* **QFT** (:func:`qft_gates`): the textbook ``H`` + ``CP(π/2^k)`` network, gate for gate
  Qiskit's ``synth_qft_full``; ``swaps=False`` omits the bit reversal (the caller rewires).

Example:
    >>> phi = np.array([0.0, 1.0, 4.0, 9.0])                 # j² on 2 qubits
    >>> zstring_gates([0, 1], walsh_coefficients(phi), 0.5)
    [('rz', (0,), -1.5), ('rz', (1,), -3.0), ('rzz', (0, 1), 1.0)]
    >>> cx_count(qft_gates([0, 1, 2], swaps=False))          # n(n−1)
    6
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np

#: Relative threshold below which Walsh coefficients are numerical zeros.
ZERO_TOL = 1e-13
#: Gate names of the shared gate tuples.
GATES = ("h", "x", "cx", "rz", "ry", "rzz", "zstring", "cp", "swap")

Gate = tuple[str, tuple[int, ...], float]


def walsh_coefficients(phi: np.ndarray) -> np.ndarray:
    """Walsh coefficients ``c_S`` (indexed by bitmask ``S``) of ``φ`` (indexed by ``x``).

    ``x``'s bit ``i`` is qubit ``i`` (little-endian). ``phi`` must have ``2^m`` entries.

    Example:
        >>> walsh_coefficients(np.array([1.0, -1.0]))       # φ = Z
        array([0., 1.])
    """
    a = np.array(phi, dtype=float).reshape(-1)
    n = a.size
    if n & (n - 1):
        raise ValueError(f"phi needs 2**m entries, got {n}")
    h = 1
    while h < n:
        a = a.reshape(-1, 2, h)
        a = np.stack([a[:, 0] + a[:, 1], a[:, 0] - a[:, 1]], axis=1).reshape(-1)
        h *= 2
    return a / n


def walsh_values(coeffs: np.ndarray) -> np.ndarray:
    """Inverse of :func:`walsh_coefficients`: ``φ(x) = Σ_S c_S (−1)^{|S∧x|}``.

    Example:
        >>> walsh_values(walsh_coefficients(np.array([3.0, 1.0, 4.0, 1.0])))
        array([3., 1., 4., 1.])
    """
    return walsh_coefficients(coeffs) * np.asarray(coeffs).size


def significant(coeffs: np.ndarray, tol: float = ZERO_TOL) -> np.ndarray:
    """Mask of the coefficients above ``tol·max|c_{S≠∅}|`` (the rest are numerical zeros)."""
    scale = float(np.max(np.abs(coeffs[1:]))) if coeffs.size > 1 else 0.0
    return np.abs(coeffs) > tol * max(scale, 1e-300)


def kept(coeffs: np.ndarray, theta: float, *, tol: float = ZERO_TOL,
         budget: float = 0.0) -> np.ndarray:
    """Mask of the Z-strings to synthesize: significant ones, minus an optional error budget.

    With ``budget > 0`` the smallest rotations are dropped while the sum of their
    half-angles ``Σ|θ c_S|`` stays ``≤ budget``; since
    ``‖Π_k e^{−iλ_k Z_k/2} − I‖ ≤ Σ_k |λ_k|/2``, the synthesized diagonal is then within
    ``budget`` (operator norm) of the exact one. ``budget = 0`` is exact.

    Example:
        >>> kept(np.array([5.0, 1.0, 1e-9, 2.0]), 1.0, budget=1e-6)
        array([False,  True, False,  True])
    """
    keep = significant(coeffs, tol)
    keep[0] = False
    if budget > 0:
        half = np.abs(theta * np.asarray(coeffs, dtype=float))
        idx = np.nonzero(keep)[0]
        order = idx[np.argsort(half[idx], kind="stable")]
        keep[order[np.cumsum(half[order]) <= budget]] = False
    return keep


def _walk_cx(support: Sequence[int]) -> int:
    """CX of a parity walk visiting ``support`` (subset masks, in order) from and back to 0."""
    prev, cx = 0, 0
    for g in support:
        cx += (g ^ prev).bit_count()
        prev = g
    return cx + prev.bit_count()


def _gray_order(t: int, mask: np.ndarray) -> list[int]:
    """Subsets ``g`` of ``t`` bits with ``mask[g]``, in Gray-code order."""
    order = [i ^ (i >> 1) for i in range(1 << t)]
    return [g for g in order if mask[g]]


def group_plan(coeffs: np.ndarray, tol: float = ZERO_TOL, *, keep: np.ndarray | None = None
               ) -> list[tuple[int, str, int]]:
    """Per target qubit ``t``: ``(t, "gray" | "sparse" | "none", cx)`` (the cheaper synthesis).

    ``"gray"`` is the parity walk over the kept strings in Gray-code order (``2^t`` CX when
    all ``2^t`` are kept, fewer when some are not); ``"sparse"`` one ladder per string.

    Example:
        >>> group_plan(walsh_coefficients(np.arange(4.0) ** 2))
        [(0, 'sparse', 0), (1, 'sparse', 2)]
    """
    m = int(np.log2(coeffs.size))
    keep = significant(coeffs, tol) if keep is None else keep
    plan = []
    for t in range(m):
        lo, hi = 1 << t, 1 << (t + 1)
        sub = keep[lo:hi]
        masks = np.nonzero(sub)[0]
        if masks.size == 0:
            plan.append((t, "none", 0))
            continue
        sparse_cx = int(sum(2 * int(g).bit_count() for g in masks))
        gray_cx = _walk_cx(_gray_order(t, sub))
        plan.append((t, "sparse", sparse_cx) if sparse_cx <= gray_cx else (t, "gray", gray_cx))
    return plan


def gray_walk(controls: Sequence[int], target: int, angles: Sequence[float],
              keep: Sequence[bool], rotation: str) -> Iterator[Gate]:
    """Gray-code walk: ``Π_g e^{−i angles[g] Z_g P_t / 2}`` with ``P = Z`` (``"rz"``) or ``Y``.

    The subsets ``g`` of the controls with ``keep[g]`` are visited in Gray-code order; one
    CX per bit that differs between consecutive visited subsets (one between Gray
    neighbours) keeps the parity ``⊕_{i∈g} x_i`` on ``target``, and closing CX return it to
    the empty set. When skipping the unkept subsets saves nothing, the full walk is emitted
    (one CX per Gray step, unkept rotations left out).

    Args:
        controls: ``controls[i]`` carries bit ``i`` of the subset masks ``g``.
        target: The qubit the parities are accumulated on (and rotated).
        angles: One angle per subset mask ``g`` (``2^{len(controls)}`` entries).
        keep: Which rotations to emit; unvisited subsets cost no CX.
        rotation: ``"rz"`` or ``"ry"``.

    Yields:
        At most ``2^m`` CX (exactly ``2^m`` when every subset is kept, ``m ≥ 1``) and the
        kept rotations.

    Example:
        >>> [g[0] for g in gray_walk([0], 1, [0.1, 0.2], [True, True], "ry")]
        ['ry', 'cx', 'ry', 'cx']
    """
    controls = list(controls)

    def hop(diff):
        for i in range(len(controls)):
            if (diff >> i) & 1:
                yield ("cx", (controls[i], target), 0.0)

    m = len(controls)
    support = _gray_order(m, keep)
    if _walk_cx(support) >= (1 << m if m else 0):
        support = [i ^ (i >> 1) for i in range(1 << m)]  # the full walk: no cheaper order
    prev = 0
    for g in support:
        yield from hop(g ^ prev)
        if keep[g]:
            yield (rotation, (target,), float(angles[g]))
        prev = g
    yield from hop(prev)


@lru_cache(maxsize=256)
def parity_network(m: int, masks: tuple[int, ...]) -> tuple[tuple[int, int, int], ...] | None:
    """A CX network on ``m`` wires that visits every parity in ``masks``, from and back to I.

    GraySynth of Amy, Azimzadeh and Mosca (arXiv:1712.01859) via Qiskit's
    ``synth_cnot_phase_aam``, with the final linear map undone by Patel–Markov–Hayes. The
    network is read back as steps ``(0, control, target)`` (a CX) and ``(1, wire, S)``
    (wire ``wire`` now carries the parity ``⊕_{i∈S} x_i``: an ``RZ(λ)`` there is
    ``e^{−iλZ_S/2}`` exactly, no global phase). The steps depend only on ``masks`` (the
    Walsh support), so they are cached; ``None`` if the network is not usable (each mask
    rotated once, identity at the end — checked by tracking the wires' parities).

    Example:
        >>> net = parity_network(3, (3, 5, 6))       # Z0Z1, Z0Z2, Z1Z2: 3 RZZ would be 6 CX
        >>> sum(1 for kind, *_ in net if kind == 0), sorted(s for k, _, s in net if k == 1)
        (5, [3, 5, 6])
    """
    from qiskit.synthesis import synth_cnot_phase_aam

    table = [[(s >> i) & 1 for s in masks] for i in range(m)]
    # The section size may not exceed the number of parities; the CX count does not depend
    # on the section size for these small networks (checked for m ≤ 10).
    qc = synth_cnot_phase_aam(table, [1.0] * len(masks), section_size=min(2, len(masks)))
    wires = [1 << i for i in range(m)]
    todo = set(masks)
    steps: list[tuple[int, int, int]] = []
    for inst in qc.data:
        q = [qc.find_bit(b).index for b in inst.qubits]
        if inst.operation.name == "cx":
            wires[q[1]] ^= wires[q[0]]
            steps.append((0, q[0], q[1]))
        elif wires[q[0]] in todo:
            todo.discard(wires[q[0]])
            steps.append((1, q[0], wires[q[0]]))
        else:  # a repeated or unknown parity: not the network we asked for
            return None
    if todo or wires != [1 << i for i in range(m)]:
        return None
    return tuple(steps)


def zstring_gates(qubits: Sequence[int], coeffs: np.ndarray, theta: float, *,
                  tol: float = ZERO_TOL, budget: float = 0.0) -> list[Gate]:
    """Gates of ``Π_{S≠∅} e^{−iθ c_S Z_S}`` on ``qubits`` (``qubits[i]`` = bit ``i``).

    The global phase ``e^{−iθc_∅}`` is not included. Weight-1 strings are ``rz``, weight-2
    ``rzz``, heavier ones ``zstring``; Gray-walked groups are ``cx`` + ``rz``. When the
    :func:`parity_network` of all kept strings needs strictly fewer CX than the per-target
    plan, it is emitted instead (``cx`` + ``rz``). The choice depends only on the kept
    support, so it is deterministic. ``budget``: see :func:`kept`.

    Example:
        >>> zstring_gates([5, 7], np.array([0.0, 0.0, 0.0, 1.0]), 0.25)
        [('rzz', (5, 7), 0.5)]
        >>> m2 = walsh_coefficients(np.array([0, 1, 4, 9, 16, 9, 4, 1.0]))  # m² on 3 qubits
        >>> cx_count(zstring_gates(range(3), m2, 1.0))                  # not 3·2 = 6
        5
    """
    qubits = list(qubits)
    keep = kept(coeffs, theta, tol=tol, budget=budget)
    plan = group_plan(coeffs, tol, keep=keep)
    net = _cheaper_network(len(qubits), keep, sum(cx for _, _, cx in plan))
    if net is not None:
        return [("cx", (qubits[a], qubits[b]), 0.0) if kind == 0
                else ("rz", (qubits[a],), 2 * theta * float(coeffs[b]))
                for kind, a, b in net]
    out: list[Gate] = []
    for t, kind, _ in plan:
        lo = 1 << t
        if kind == "sparse":
            for s in np.nonzero(keep[lo: 2 * lo])[0] + lo:
                local = tuple(i for i in range(t) if (int(s) >> i) & 1)
                name = ("rz", "rzz")[len(local)] if len(local) < 2 else "zstring"
                out.append((name, tuple(qubits[i] for i in (*local, t)),
                            2 * theta * float(coeffs[s])))
        elif kind == "gray":
            angles = 2 * theta * coeffs[lo: 2 * lo]
            out.extend(gray_walk(qubits[:t], qubits[t], angles, keep[lo: 2 * lo], "rz"))
    return out


def _cheaper_network(m: int, keep: np.ndarray, walk_cx: int):
    """:func:`parity_network` of the kept strings if it beats ``walk_cx`` CX, else ``None``."""
    if walk_cx == 0:  # weight-1 strings only
        return None
    net = parity_network(m, tuple(int(s) for s in np.nonzero(keep)[0]))
    if net is None or sum(1 for kind, _, _ in net if kind == 0) >= walk_cx:
        return None
    return net


def ucry_gates(controls: Sequence[int], target: int, theta: np.ndarray) -> list[Gate]:
    """Uniformly controlled ``RY(θ(x))`` on ``target`` (Gray walk, ``2^m`` CX, ``m ≥ 1``).

    With ``θ(x) = Σ_S w_S (−1)^{|S∧x|}`` all ``e^{−i w_S Z_S Y/2}`` commute and
    ``CX Y CX = Z Y``, so the walk emits ``RY(w_g)`` at each Gray step (zero ones dropped).

    Example:
        >>> [(name, q, round(a, 4)) for name, q, a in ucry_gates([0], 1, np.array([0.0, np.pi]))]
        [('ry', (1,), 1.5708), ('cx', (0, 1), 0.0), ('ry', (1,), -1.5708), ('cx', (0, 1), 0.0)]
    """
    theta = np.asarray(theta, dtype=float).reshape(-1)
    w = walsh_coefficients(theta) if len(controls) else theta
    return list(gray_walk(controls, target, w, w != 0.0, "ry"))


def qft_gates(qubits: Sequence[int], *, inverse: bool = False, swaps: bool = True
              ) -> list[Gate]:
    """Qiskit's ``QFTGate(n)`` (``swaps=True``) on ``qubits``, as ``h`` + ``cp`` (+ ``swap``).

    ``swaps=False`` gives ``Q̃`` with ``QFT = R·Q̃`` (``R`` the wire reversal): the network
    of ``synth_qft_full(n, do_swaps=False)``. ``inverse=True`` reverses the sequence and
    negates the angles.

    Example:
        >>> qft_gates([0, 1], swaps=False)
        [('h', (1,), 0.0), ('cp', (1, 0), 1.5707963267948966), ('h', (0,), 0.0)]
    """
    q = list(qubits)
    n = len(q)
    out: list[Gate] = []
    for j in range(n - 1, -1, -1):
        out.append(("h", (q[j],), 0.0))
        out.extend(("cp", (q[j], q[k]), np.pi / (1 << (j - k))) for k in range(j - 1, -1, -1))
    if swaps:
        out.extend(("swap", (q[i], q[n - 1 - i]), 0.0) for i in range(n // 2))
    if inverse:
        out = [(name, qs, -a if a else 0.0) for name, qs, a in reversed(out)]
    return out


def cx_form(gate: Gate) -> Iterator[Gate]:
    """``gate`` as ``cx`` and single-qubit gates (Qiskit's standard decompositions).

    Example:
        >>> [g[0] for g in cx_form(("rzz", (0, 1), 0.3))]
        ['cx', 'rz', 'cx']
    """
    name, q, a = gate
    if name == "rzz":
        yield from (("cx", q, 0.0), ("rz", (q[1],), a), ("cx", q, 0.0))
    elif name == "zstring":
        ladder = [("cx", (c, q[-1]), 0.0) for c in q[:-1]]
        yield from (*ladder, ("rz", (q[-1],), a), *reversed(ladder))
    elif name == "cp":
        yield from (("rz", (q[0],), a / 2), ("cx", q, 0.0), ("rz", (q[1],), -a / 2),
                    ("cx", q, 0.0), ("rz", (q[1],), a / 2))
    elif name == "swap":
        yield from (("cx", q, 0.0), ("cx", q[::-1], 0.0), ("cx", q, 0.0))
    else:
        yield gate


def cx_count(gates: Iterable[Gate]) -> int:
    """CX count of gates in :func:`cx_form`."""
    return sum(1 for g in gates for e in cx_form(g) if e[0] == "cx")


def gate_costs(gates: Iterable[Gate], qubits: Sequence[int]) -> tuple[int, int, np.ndarray]:
    """``(cx, rotations, L)`` of a gate list in :func:`cx_form`.

    ``rotations`` counts arbitrary-angle single-qubit rotations (``rz``, ``ry``; ``h``/``x``
    are not counted). ``L[i, j]`` is the longest path, in layers of the cx-form, from the
    input of ``qubits[i]`` to the output of ``qubits[j]`` (``−inf`` if none; ``L[i, i] ≥ 0``),
    so the depth after the gates is ``max_i (d_i + L[i, j])`` for input depths ``d``.
    """
    index = {q: i for i, q in enumerate(qubits)}
    k = len(index)
    paths = np.full((k, k), -np.inf)  # paths[j] = longest path from each input to qubit j
    np.fill_diagonal(paths, 0.0)
    cx = rot = 0
    for gate in gates:
        for name, q, _ in cx_form(gate):
            if name == "cx":
                cx += 1
                a, b = index[q[0]], index[q[1]]
                paths[a] = paths[b] = np.maximum(paths[a], paths[b]) + 1
            else:
                rot += name in ("rz", "ry")
                paths[index[q[0]]] += 1
    return cx, rot, paths.T.copy()
