"""Benchmark sets: every shipped optimum against an independent reference.

LABS against brute force, OR-Library bqp50 against a HiGHS MIP, TSPLIB against a Held–Karp
dynamic program and the published optimal tours, random families against ``values.min()``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdq.binary import benchsets
from qdq.binary.benchsets import (
    DATA_DIR,
    family,
    instance,
    labs_merit_factor,
    labs_optimum,
    list_instances,
)
from qdq.binary.instances import labs
from qdq.binary.io import read_qubo_file
from qdq.binary.tsp import TSPLIBInstance, tour_length, tsp, tsp_bit
from qdq.errors import ParameterError, ProblemError

BQP50_MAX = [2098, 3702, 4626, 3544, 4012, 3693, 4520, 4216, 3780, 3507]


# ------------------------------------------------------------------------------ LABS
@pytest.mark.parametrize("N", range(3, 17))
def test_labs_table_equals_brute_force(N):
    problem = labs(N)
    assert labs_optimum(N) == problem.exact().energy
    # not trivially right: the all-ones sequence (x = 0) is far from optimal for N >= 4
    if N >= 4:
        assert float(problem.values[0]) > labs_optimum(N)


@pytest.mark.slow
@pytest.mark.parametrize("N", range(17, 21))
def test_labs_table_equals_brute_force_slow(N):
    assert labs_optimum(N) == labs(N).exact().energy


def test_labs_table_obeys_the_parity_rule_and_merit_factor_range():
    # C_k ≡ N − k (mod 2): ⌊N/2⌋ odd correlations, each with C_k² ≡ 1 (mod 8), the rest
    # ≡ 0 (mod 4); so E ≡ ⌊N/2⌋ (mod 4) for every sequence, optimal or not.
    table = json.loads((DATA_DIR / "labs_optima.json").read_text())["energies"]
    assert sorted(int(n) for n in table) == list(range(3, 67))
    for N in range(3, 67):
        assert (labs_optimum(N) - N // 2) % 4 == 0, N
    F = np.array([labs_merit_factor(N) for N in range(3, 67)])
    # the best merit factor is the Barker sequence N = 13 (169/12); from N = 20 on the
    # table's F* stays in (5.5, 10) (5.628 at N = 23, 9.851 at N = 27); a random sequence
    # has mean E = N(N−1)/2, i.e. F ≈ 1
    assert int(np.argmax(F)) + 3 == 13 and F.max() == pytest.approx(169 / 12)
    assert F.min() == pytest.approx(9 / 3.5)  # N = 6: 36 / 14
    assert 5.5 < F[20 - 3:].min() and F[20 - 3:].max() < 10.0


@pytest.mark.parametrize("N", [2, 67, 0, True, 12.0, "12"])
def test_labs_optimum_refuses_untabulated_lengths(N):
    with pytest.raises(ParameterError, match="3..66"):
        labs_optimum(N)


def test_labs_instance_metadata_and_brute_force_outside_the_table():
    _, meta = instance("labs:13")
    assert meta["optimum"] == 6.0 and meta["proven"] and meta["merit_factor"] == 169 / 12
    p, meta = instance("labs:2")  # below the table: brute force
    assert meta["optimum"] == float(p.values.min()) == 1.0
    assert meta["optimum_source"] == "brute force"
    with pytest.raises(ParameterError, match="longer than"):
        instance("labs:500")


# ------------------------------------------------------------------------------ bqp50
def _mip_maximum(poly, n):
    """max ζ by HiGHS: each xᵢxⱼ becomes y ≤ xᵢ, y ≤ xⱼ, y ≥ xᵢ + xⱼ − 1."""
    highspy = pytest.importorskip("highspy")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    pairs = [(s, w) for s, w in poly.items() if len(s) == 2]
    for _ in range(n + len(pairs)):
        h.addVar(0.0, 1.0)
    for s, w in poly.items():
        if len(s) == 1:
            h.changeColCost(s[0], -w)
    inf = highspy.kHighsInf
    for k, ((i, j), w) in enumerate(pairs):
        y = n + k
        h.changeColCost(y, -w)
        for a in (i, j):
            h.addRow(-inf, 0.0, 2, np.array([y, a], dtype=np.int32), np.array([1.0, -1.0]))
        h.addRow(-1.0, inf, 3, np.array([y, i, j], dtype=np.int32), np.array([1.0, -1.0, -1.0]))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * n))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    x = np.round(h.getSolution().col_value[:n]).astype(int)
    return -h.getInfo().objective_function_value, x


@pytest.mark.parametrize("k", range(1, 11))
def test_bqp50_optimum_is_the_proven_mip_optimum(k):
    problem, meta = instance(f"bqp50.{k}")
    assert meta["optimum"] == -BQP50_MAX[k - 1] and meta["orlib_maximum"] == BQP50_MAX[k - 1]
    # read_qubo_file gives qdq's ζ = −xᵀQx: maximize −ζ, i.e. Beasley's objective
    zeta = read_qubo_file(DATA_DIR / "bqp50.txt", instance=k)
    value, x = _mip_maximum({s: -w for s, w in zeta.items()}, 50)
    assert value == pytest.approx(BQP50_MAX[k - 1], abs=1e-6)
    # the maximizer is a minimizer of qdq's (negated) problem, at the published value
    assert problem.energy(x) == pytest.approx(meta["optimum"], abs=1e-9)
    assert problem.energy(np.zeros(50, dtype=int)) == 0.0 > meta["optimum"]


def test_bqp50_sign_convention_matters():
    # minimizing the file's xᵀQx as written would be a different problem (min -5176 for
    # bqp50.1); the reader's ζ = −xᵀQx avoids it: maximizing ζ is that other problem
    value, _ = _mip_maximum(read_qubo_file(DATA_DIR / "bqp50.txt", instance=1), 50)
    assert -value == pytest.approx(-5176.0)
    assert instance("bqp50-1")[1]["name"] == "bqp50.1"
    with pytest.raises(ParameterError, match="1..10"):
        instance("bqp50.11")


# ------------------------------------------------------------------------------ random
@pytest.mark.parametrize("name, family_name", [("maxcut3:12:seed=3", "maxcut3"),
                                               ("sk:10:seed=1", "sk"),
                                               ("sk:9:seed=2:couplings=pm1", "sk")])
def test_random_instances_get_brute_force_optima(name, family_name):
    problem, meta = instance(name)
    assert meta["name"] == name and meta["family"] == family_name
    # two summation orders of the same polynomial: equal to rounding
    assert meta["optimum"] == pytest.approx(float(problem.values.min()), abs=1e-12)
    assert meta["proven"] and meta["optimum_source"] == "brute force"
    assert meta["optimum"] < float(np.median(problem.values))  # not a flat landscape
    again, _ = instance(name)
    assert np.array_equal(again.values, problem.values)  # seeded


def test_random_instances_defaults_seeds_and_limits():
    a, meta = instance("sk:8")
    assert meta["name"] == "sk:8:seed=0" and meta["seed"] == 0
    b, _ = instance("sk:8:seed=1")
    assert not np.array_equal(a.values, b.values)
    _, meta = instance("maxcut3:30:seed=0")  # past BRUTE_FORCE_MAX_BITS: unknown
    assert meta["optimum"] is None and not meta["proven"]
    _, meta = instance("maxcut3:10:seed=0", compute_optimum=False)
    assert meta["optimum"] is None and meta["optimum_source"] == "not computed"
    for bad in ("sk:8:seed=x", "sk:8:depth=2", "maxcut3:8:couplings=pm1",
                "sk:8:couplings=cauchy", "sk:5000"):
        with pytest.raises(ParameterError):
            instance(bad)


def test_family_iterates_sizes_in_order():
    assert [m["optimum"] for _, m in family("labs", [3, 4, 5])] == [1.0, 2.0, 2.0]
    metas = [m for _, m in family("maxcut3", [6, 8], seed=4)]
    assert [m["name"] for m in metas] == ["maxcut3:6:seed=4", "maxcut3:8:seed=4"]
    with pytest.raises(ParameterError, match="family must be"):
        list(family("bqp50", [1]))
    with pytest.raises(ParameterError, match="seed"):
        list(family("sk", [4], seed=-1))


# ------------------------------------------------------------------------------ G-set
def test_gset_g11_ships_with_its_best_known_cut():
    problem, meta = instance("gset:g11")
    assert meta["name"] == "gset:G11" and problem.num_bits == meta["num_nodes"] == 800
    assert meta["optimum"] == -564.0 and meta["best_known_cut"] == 564
    assert not meta["proven"] and "Benlic" in meta["optimum_source"]
    # a random cut is far from the best known one
    x = np.random.default_rng(0).integers(0, 2, 800)
    assert problem.energy(x) > meta["optimum"] + 100


def test_gset_missing_file_says_where_to_download(tmp_path, monkeypatch):
    monkeypatch.delenv(benchsets.GSET_DIR_ENV, raising=False)
    with pytest.raises(ParameterError, match="yyye/Gset"):
        instance("gset:G1", gset_dir=tmp_path)
    (tmp_path / "G12").write_text("3 1\n1 2 1\n")  # not the real G12
    monkeypatch.setenv(benchsets.GSET_DIR_ENV, str(tmp_path))
    with pytest.raises(ProblemError, match="not the G-set graph G12"):
        instance("gset:G12")


# ------------------------------------------------------------------------------ TSPLIB
def _held_karp(d: np.ndarray) -> float:
    """Optimal tour length by Held–Karp over subsets of cities 1…n−1 (city 0 fixed)."""
    m = d.shape[0] - 1
    full = 1 << m
    dp = np.full((full, m), np.inf, dtype=np.float32)
    for j in range(m):
        dp[1 << j, j] = d[0, j + 1]
    masks = np.arange(full)
    pop = np.bitwise_count(masks)
    step = d[1:, 1:].astype(np.float32)
    for k in range(2, m + 1):
        layer = masks[pop == k]
        for j in range(m):
            sel = layer[(layer >> j) & 1 == 1]
            dp[sel, j] = (dp[sel ^ (1 << j)] + step[:, j][None, :]).min(axis=1)
    return float((dp[full - 1] + d[1:, 0]).min())


@pytest.mark.parametrize("label", ["burma14", "ulysses16", "gr17"])
def test_tsplib_optimum_equals_held_karp_on_qdqs_distances(label):
    inst, meta = instance(f"tsplib:{label}")
    assert isinstance(inst, TSPLIBInstance) and meta["proven"]
    assert _held_karp(inst.distances) == meta["optimum"]
    # the identity tour is not optimal: the check can fail
    assert tour_length(inst.distances, range(inst.dimension)) > meta["optimum"]


@pytest.mark.slow
def test_tsplib_gr21_optimum_equals_held_karp():
    inst, meta = instance("tsplib:gr21")
    assert _held_karp(inst.distances) == meta["optimum"] == 2707.0


@pytest.mark.parametrize("label, kind", [("ulysses16", "GEO"), ("ulysses22", "GEO"),
                                         ("att48", "ATT"), ("berlin52", "EUC_2D")])
def test_published_optimal_tours_have_the_published_length(label, kind):
    inst, meta = instance(f"tsplib:{label}")
    assert meta["edge_weight_type"] == kind
    assert sorted(meta["optimal_tour"]) == list(range(inst.dimension))
    assert tour_length(inst.distances, meta["optimal_tour"]) == meta["optimum"]


def test_burma14_optimum_through_the_qubo_encoding():
    inst, meta = instance("tsplib:burma14")
    assert (meta["num_cities"], meta["num_bits"]) == (14, 169)
    problem = tsp(inst.distances)
    # an optimal tour from Held–Karp (1-based: 1 2 14 3 4 5 6 12 7 13 8 11 9 10)
    tour = [0, 1, 13, 2, 3, 4, 5, 11, 6, 12, 7, 10, 8, 9]
    assert tour_length(inst.distances, tour) == meta["optimum"] == 3323.0
    bits = np.zeros(problem.num_bits, dtype=int)
    for t, c in enumerate(tour[1:], start=1):
        bits[tsp_bit(c, t, 14)] = 1
    assert problem.energy(bits) == 3323.0


def test_tsplib_table_lists_every_shipped_file():
    data = json.loads((DATA_DIR / "tsplib_optima.json").read_text())
    assert sorted(data["optimum"]) == sorted(p.stem for p in DATA_DIR.glob("*.tsp"))
    assert data["optimum"]["gr24"] == 1272 and instance("tsplib:gr24")[0].dimension == 24
    with pytest.raises(ParameterError, match="burma14"):
        instance("tsplib:pr2392")


# ------------------------------------------------------------------------------ names
def test_list_instances_and_unknown_names():
    names = list_instances()
    assert len(names) == 64 + 10 + 1 + 9 and "gset:G11" in names
    for name in names:
        assert isinstance(name, str)
    with pytest.raises(ParameterError, match="did you mean 'labs:12'"):
        instance("lab:12")
    with pytest.raises(ParameterError, match="unknown benchmark instance"):
        instance("qubo:nothing")
    with pytest.raises(ParameterError, match="string"):
        instance(12)
