"""G-set reader and writer: cut values against a direct count, round trips, refusals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qdq.binary.benchsets import DATA_DIR
from qdq.binary.gset import (
    GsetFormatError,
    gset_problem,
    read_gset,
    read_gset_edges,
    write_gset,
)
from qdq.binary.instances import maxcut
from qdq.errors import ProblemError, QdqError


def _cut(edges: np.ndarray, x: np.ndarray) -> float:
    """Σ w over edges whose ends are on different sides: counted directly."""
    i, j, w = edges[:, 0].astype(int), edges[:, 1].astype(int), edges[:, 2]
    return float(w[x[i] != x[j]].sum())


def test_g11_reads_as_the_published_graph():
    problem, meta = read_gset(DATA_DIR / "G11.rud")  # CRLF line ends, as distributed
    assert (meta["num_nodes"], meta["num_edges"], meta["weights"]) == (800, 1600, [-1.0, 1.0])
    n, edges = read_gset_edges(DATA_DIR / "G11.rud")
    assert edges[0].tolist() == [0.0, 792.0, 1.0] and edges[1].tolist() == [0.0, 8.0, -1.0]
    # toroidal 2-D grid: every node has degree 4
    assert np.bincount(edges[:, :2].astype(int).ravel(), minlength=n).tolist() == [4] * 800
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.integers(0, 2, n)
        assert problem.energy(x) == -_cut(edges, x)
        assert _cut(edges, x) < 564  # far below the best-known cut


def test_small_graph_max_cut_equals_direct_enumeration(tmp_path):
    rng = np.random.default_rng(7)
    n = 9
    pairs = [p for p in itertools.combinations(range(1, n + 1), 2) if rng.random() < 0.5]
    edges1 = [(i, j, int(rng.choice([-1, 1, 2]))) for i, j in pairs]
    path = tmp_path / "g.rud"
    write_gset(path, n, edges1)
    problem, meta = read_gset(path)
    _, edges = read_gset_edges(path)
    cuts = [_cut(edges, np.array(x)) for x in itertools.product((0, 1), repeat=n)]
    assert problem.exact().energy == -max(cuts)
    assert -max(cuts) < 0 and meta["total_weight"] == sum(w for *_, w in edges1)


def test_round_trip_keeps_edges_weights_and_isolated_nodes(tmp_path):
    edges1 = [(1, 2, 1.0), (2, 4, -1.0), (4, 1, 0.25), (3, 4, 1e-3)]   # node 5 isolated
    path = tmp_path / "r.rud"
    write_gset(path, 5, edges1)
    n, edges = read_gset_edges(path)
    assert n == 5
    assert edges.tolist() == [[i - 1, j - 1, w] for i, j, w in edges1]
    problem, _ = read_gset(path)
    assert problem.num_bits == 5
    reference = maxcut([(i - 1, j - 1, w) for i, j, w in edges1])   # 4 bits: no node 5
    assert problem.polynomial == reference.polynomial
    again = tmp_path / "again.rud"
    write_gset(again, n, [(int(i) + 1, int(j) + 1, w) for i, j, w in edges])
    assert again.read_text() == path.read_text()
    with pytest.raises(ProblemError, match="exists"):
        write_gset(path, 5, edges1)


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("3\n1 2 1\n", r"r\.rud:1: the header must be 'n m'"),
    ("3 x\n", r"r\.rud:1: m must be an integer"),
    ("0 0\n", r"r\.rud:1: need 1 <= n"),
    ("3 4\n", r"r\.rud:1: .*at most 3 edges"),
    ("3 2\n1 2 1\n", "declares m=2 edges, the file has 1"),
    ("3 1\n1 2 1\n2 3 1\n", r"r\.rud:3: the header declares m=1"),
    ("3 2\n1 2 1\n\n2 3\n", r"r\.rud:4: an edge line is 'i j w'"),
    ("3 1\n1 2.5 1\n", r"r\.rud:2: j must be an integer"),
    ("3 1\n1 4 1\n", r"r\.rud:2: nodes must be in 1\.\.3"),
    ("3 1\n2 2 1\n", r"r\.rud:2: a loop"),
    ("3 2\n1 2 1\n2 1 1\n", r"r\.rud:3: edge \(1, 2\) appears twice"),
    ("3 1\n1 2 nan\n", r"r\.rud:2: the weight must be finite"),
    ("3 1\n1 2 w\n", r"r\.rud:2: the weight must be a number"),
])
def test_malformed_files_are_refused_with_their_line(tmp_path, text, match):
    path = tmp_path / "r.rud"
    path.write_text(text)
    with pytest.raises(GsetFormatError, match=match) as info:
        read_gset(path)
    assert isinstance(info.value, QdqError)


def test_size_limit_binary_and_missing_files(tmp_path):
    path = tmp_path / "big.rud"
    path.write_text("2 1\n1 2 1\n")
    with pytest.raises(GsetFormatError, match="more than the 4"):
        read_gset(path, max_bytes=4)
    (tmp_path / "bin.rud").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GsetFormatError, match="not a text file"):
        read_gset(tmp_path / "bin.rud")
    with pytest.raises(GsetFormatError, match="cannot read"):
        read_gset(tmp_path / "missing.rud")


def test_writer_and_problem_refuse_bad_graphs(tmp_path):
    for n, edges in [(0, []), (3, [(1, 1, 1)]), (3, [(1, 4, 1)]), (3, [(1, 2, 1), (2, 1, 1)]),
                     (3, [(1, 2, float("inf"))]), (3, [(1, 2)]), (True, [])]:
        with pytest.raises(ProblemError):
            write_gset(tmp_path / "w.rud", n, edges)
    assert not (tmp_path / "w.rud").exists()
    with pytest.raises(ProblemError, match="at least one node"):
        gset_problem(0, np.zeros((0, 3)))
