"""The TSP model (objective = tour length on every tour, optimum = best tour) and TSPLIB."""

import itertools
import math

import numpy as np
import pytest

from qdq.binary import tsp as tsp_module
from qdq.binary.tsp import decode_tour, read_tsplib, tour_length, tsp, tsp_bit, tsplib_distance
from qdq.binary.xy import XYMixer, one_hot_mask
from qdq.errors import ProblemError
from qdq.kinetic import HypercubeLaplacian


def _index(tour, n):
    return sum(1 << tsp_bit(c, t, n) for t, c in enumerate(tour) if t)


def _tours(n):
    return [[0, *p] for p in itertools.permutations(range(1, n))]


def _brute_length(d, tour):
    return sum(d[tour[k]][tour[(k + 1) % len(tour)]] for k in range(len(tour)))


@pytest.mark.parametrize("n, encoding", [(4, "xy"), (4, "penalty"), (5, "xy"), (5, "penalty")])
def test_objective_is_the_tour_length_and_the_optimum_the_best_tour(n, encoding):
    rng = np.random.default_rng(n)
    d = rng.integers(1, 20, size=(n, n)).astype(float)  # asymmetric (ATSP)
    np.fill_diagonal(d, 0)
    b = tsp(d, encoding=encoding)
    assert b.num_bits == (n - 1) ** 2
    lengths = {}
    for tour in _tours(n):
        i = _index(tour, n)
        assert decode_tour(b, i) == tour
        assert abs(b.values[i] - _brute_length(d, tour)) < 1e-9
        lengths[i] = _brute_length(d, tour)
    best = min(lengths.values())
    assert abs(b.values.min() - best) < 1e-9  # every infeasible assignment is worse
    winners = np.flatnonzero(b.global_min_mask)
    assert sorted(winners) == sorted(i for i, v in lengths.items() if abs(v - best) < 1e-9)
    kin = b.kinetic_term
    assert isinstance(kin, XYMixer if encoding == "xy" else HypercubeLaplacian)


def test_xy_without_position_penalties_is_right_on_the_feasible_subspace():
    n = 5
    rng = np.random.default_rng(9)
    pts = rng.random((n, 2))
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    b = tsp(d, penalize_positions=False)
    groups = b.kinetic_term.groups
    assert groups == tuple(tuple(tsp_bit(c, t, n) for c in range(1, n)) for t in range(1, n))
    feasible = one_hot_mask(b.num_bits, groups)
    best = min(_brute_length(d, t) for t in _tours(n))
    assert abs(b.values[feasible].min() - best) < 1e-9
    assert len(b.polynomial) < len(tsp(d).polynomial)  # fewer terms, fewer gates


def test_default_penalty_and_bad_input():
    d = [[0, 2, 9], [2, 0, 4], [9, 4, 0]]
    b = tsp(d, encoding="penalty")
    assert decode_tour(b, 0) is None
    assert abs(b.values[0] - 4 * 3 * 9) < 1e-9  # four violated constraints at P = n·max d
    with pytest.raises(ProblemError, match="at least 3 cities"):
        tsp([[0, 1], [1, 0]])
    with pytest.raises(ProblemError, match=">= 0"):
        tsp([[0, -1, 1], [1, 0, 1], [1, 1, 0]])
    with pytest.raises(ProblemError, match="square"):
        tsp([[0, 1, 2], [1, 0, 2]])
    with pytest.raises(ProblemError, match="encoding"):
        tsp(d, encoding="one-hot")
    with pytest.raises(ProblemError, match="penalty"):
        tsp(d, penalty=-1)
    with pytest.raises(ProblemError, match="not a TSP"):
        decode_tour(5, 0)
    assert tour_length(d, [0, 2, 1]) == 15.0


# ----------------------------------------------------------------------------- TSPLIB
D5 = np.array([[0, 3, 4, 2, 7], [3, 0, 4, 6, 3], [4, 4, 0, 5, 8], [2, 6, 5, 0, 6],
               [7, 3, 8, 6, 0]], dtype=float)


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _explicit(fmt):
    n = len(D5)
    if fmt == "FULL_MATRIX":
        rows = [D5[i] for i in range(n)]
    elif fmt == "UPPER_ROW":
        rows = [D5[i, i + 1:] for i in range(n)]
    elif fmt == "UPPER_DIAG_ROW":
        rows = [D5[i, i:] for i in range(n)]
    else:
        rows = [D5[i, :i + 1] for i in range(n)]
    flat = " ".join(f"{v:g}" for r in rows for v in r).split()
    body = "\n".join(" ".join(flat[k:k + 4]) for k in range(0, len(flat), 4))  # any wrapping
    return (f"NAME: five\nTYPE : TSP\nCOMMENT : a test\nDIMENSION : {n}\n"
            f"EDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT: {fmt}\n"
            f"EDGE_WEIGHT_SECTION\n{body}\nEOF\n")


@pytest.mark.parametrize("fmt", ["FULL_MATRIX", "UPPER_ROW", "LOWER_DIAG_ROW",
                                 "UPPER_DIAG_ROW"])
def test_explicit_formats(tmp_path, fmt):
    inst = read_tsplib(_write(tmp_path, "five.tsp", _explicit(fmt)))
    assert inst.name == "five" and inst.dimension == 5
    assert np.array_equal(inst.distances, D5)
    b = tsp(tmp_path / "five.tsp")
    best = min(_brute_length(D5, t) for t in _tours(5))
    assert abs(b.values.min() - best) < 1e-9


def _ref(kind, a, b):
    """TSPLIB 95's reference C code, transcribed scalar by scalar."""
    xd, yd = a[0] - b[0], a[1] - b[1]
    if kind == "EUC_2D":
        return int(math.sqrt(xd * xd + yd * yd) + 0.5)
    if kind == "CEIL_2D":
        return math.ceil(math.sqrt(xd * xd + yd * yd))
    if kind == "ATT":
        rij = math.sqrt((xd * xd + yd * yd) / 10.0)
        tij = int(rij + 0.5)
        return tij + 1 if tij < rij else tij

    def rad(v):
        deg = int(v)
        return 3.141592 * (deg + 5.0 * (v - deg) / 3.0) / 180.0

    q1 = math.cos(rad(a[1]) - rad(b[1]))
    q2 = math.cos(rad(a[0]) - rad(b[0]))
    q3 = math.cos(rad(a[0]) + rad(b[0]))
    return int(6378.388 * math.acos(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)) + 1.0)


PTS = [(16.47, 96.10), (16.47, 94.44), (20.09, 92.54), (22.39, 93.37), (25.23, 97.24),
       (-33.55, 151.10)]


@pytest.mark.parametrize("kind", ["EUC_2D", "CEIL_2D", "ATT", "GEO"])
def test_coordinate_types_follow_the_tsplib_rules(tmp_path, kind):
    lines = "\n".join(f"{i + 1} {x} {y}" for i, (x, y) in enumerate(PTS))
    text = (f"NAME : c\nTYPE : TSP\nDIMENSION : {len(PTS)}\nEDGE_WEIGHT_TYPE : {kind}\n"
            f"NODE_COORD_SECTION\n{lines}\nEOF\n")
    d = read_tsplib(_write(tmp_path, "c.tsp", text)).distances
    for a, b in itertools.permutations(range(len(PTS)), 2):
        assert d[a, b] == _ref(kind, PTS[a], PTS[b]), (a, b)
    assert np.all(np.diag(d) == 0) and np.all(d == d.T)
    # hand-checked values: 3-4-5 and the ATT round-up
    assert tsplib_distance("EUC_2D", (0, 0), (3, 4)) == 5
    assert tsplib_distance("CEIL_2D", (0, 0), (3, 4.01)) == 6
    assert tsplib_distance("ATT", (0, 0), (10, 0)) == 4  # sqrt(10) = 3.16 -> 3 < r -> 4


BAD = [
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 oops\n3 2 2\nEOF\n", r"bad\.tsp:7: expected a number, got 'oops'"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1 1\n3 2 2\nEOF\n", r"bad\.tsp:7: a 2-D node line"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_3D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1\n3 2 2\nEOF\n", "a 2-D node line|EUC_3D"),
    ("NAME : x\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nEOF\n",
     "TYPE must be TSP or ATSP, got 'CVRP'"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
     "EDGE_WEIGHT_FORMAT : UPPER_ROW\nEDGE_WEIGHT_SECTION\n1 2\nEOF\n", "needs 3 numbers, got 2"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
     "EDGE_WEIGHT_FORMAT : LOWER_ROW\nEDGE_WEIGHT_SECTION\n1 2 3\nEOF\n", "LOWER_ROW"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n1 1 1\n3 2 2\nEOF\n", r"bad\.tsp:7: bad or repeated node index"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nFIXED_EDGES_SECTION\n"
     "1 2\n-1\nEOF\n", r"bad\.tsp:5: unsupported TSPLIB section FIXED_EDGES_SECTION"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : many\nEOF\n", "DIMENSION must be an integer"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 nan\n2 1 1\n3 2 2\nEOF\n", r"bad\.tsp:6: numbers must be finite"),
    ("NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n3 2 2\nEOF\n", "nodes 1..3 once each"),
]


@pytest.mark.parametrize("text, match", BAD)
def test_malformed_files_are_refused_with_line_numbers(tmp_path, text, match):
    with pytest.raises(ProblemError, match=match):
        read_tsplib(_write(tmp_path, "bad.tsp", text))


def test_oversized_and_unreadable_files_are_refused(tmp_path, monkeypatch):
    p = _write(tmp_path, "five.tsp", _explicit("FULL_MATRIX"))
    monkeypatch.setattr(tsp_module, "MAX_FILE_BYTES", 10)
    with pytest.raises(ProblemError, match="more than the 10"):
        read_tsplib(p)
    monkeypatch.undo()
    with pytest.raises(ProblemError, match="cannot read"):
        read_tsplib(tmp_path / "missing.tsp")
    (tmp_path / "bin.tsp").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ProblemError, match="cannot read"):
        read_tsplib(tmp_path / "bin.tsp")
