"""The binary solver table: names, settings, refusals, and every solver on small instances."""

from __future__ import annotations

import importlib.util
import inspect

import numpy as np
import pytest

from qdq.binary.instances import labs, random_regular_maxcut, sk
from qdq.classical.binary import (
    BINARY_SOLVERS,
    KINDS,
    SolverInfo,
    resolve_solver,
    run_binary,
    solver_names,
)
from qdq.errors import ParameterError, ProblemError

pytest.importorskip("dwave.samplers")
pytest.importorskip("highspy")

OURS = ("sa", "sa-poly", "tabu", "steepest", "pimc", "uniform", "greedy", "exact", "mip")
# Generous settings: each of these finds the optimum of the instances below.
GENEROUS = {"sa": (10, {"sweeps": 1000}), "sa-poly": (10, {"sweeps": 500}),
            "steepest": (100, {}), "greedy": (100, {}), "uniform": (3, {"samples": 4096}),
            "exact": (1, {}), "mip": (1, {"time_limit": 30.0}),
            "tabu": (5, {"timeout_ms": 10}), "pimc": (10, {"sweeps": 500})}
INSTANCES = {"maxcut10": random_regular_maxcut(10, 3, seed=1), "sk10": sk(10, seed=1)}


def test_table_rows_are_well_formed():
    assert set(OURS) | {"qbo", "population", "mts"} == set(BINARY_SOLVERS)
    for name, info in BINARY_SOLVERS.items():
        assert isinstance(info, SolverInfo) and info.name == name
        module, sep, attr = info.target.partition(":")
        assert sep and module.startswith("qdq.classical.binary.") and attr.isidentifier()
        assert info.kind in KINDS and info.needs in ("", "binary", "qp")
        assert isinstance(info.scan_default, tuple)
        assert (info.scan_key is None) == (info.scan_default == ())
        assert list(info.scan_default) == sorted(info.scan_default)
    assert BINARY_SOLVERS["mts"].summary.endswith("(LABS only)")
    assert [n for n in OURS if BINARY_SOLVERS[n].quadratic_only] == ["sa", "tabu", "steepest",
                                                                     "pimc"]


@pytest.mark.parametrize("name", sorted(BINARY_SOLVERS))
def test_scan_key_is_a_setting_of_the_function(name):
    # Imports the target (helper modules included) without running it.
    info = BINARY_SOLVERS[name]
    module = info.target.partition(":")[0]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} not written yet")
    params = inspect.signature(info.function()).parameters
    assert params["reads"].kind is params["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    if info.scan_key is not None:
        assert info.scan_key in info.setting_keys()


@pytest.mark.parametrize("instance", sorted(INSTANCES))
@pytest.mark.parametrize("name", OURS)
def test_every_solver_finds_the_optimum_with_a_generous_setting(name, instance):
    b = INSTANCES[instance]
    opt = b.exact().energy
    reads, setting = GENEROUS[name]
    r = run_binary(name, b, reads=reads, seed=7, **setting)
    assert r.method == name and r.hits(opt).any()
    assert (r.energies >= opt - 1e-9).all()
    assert np.array_equal(r.energies, b.values[r.states])
    for key, value in setting.items():
        assert r.setting[key] == value
    # guard: a uniform random bitstring is not optimal
    assert np.mean(b.values <= opt + 1e-9) < 0.01


@pytest.mark.parametrize("name", [n for n in OURS if n != "tabu"])
def test_seeds_reproduce_exactly(name):
    # tabu stops on wall-clock time, so equal seeds need not give equal bits (not tested).
    b = sk(9, seed=3)
    reads, setting = GENEROUS[name]
    setting = {k: (min(v, 50) if k in ("sweeps", "samples") else v) for k, v in setting.items()}
    a = run_binary(name, b, reads=min(reads, 6), seed=5, **setting)
    c = run_binary(name, b, reads=min(reads, 6), seed=5, **setting)
    assert np.array_equal(a.states, c.states) and np.array_equal(a.energies, c.energies)


def test_one_uniform_sample_usually_misses_at_14_bits():
    b = sk(14, seed=0)
    opt = b.exact().energy
    r = run_binary("uniform", b, reads=300, seed=0, samples=1)
    assert r.hits(opt).mean() < 0.02          # expected |G|/2^14 ≈ 1e-4 per read


@pytest.mark.parametrize("alias, name", [
    ("SA", "sa"), ("simulated_annealing", "sa"), ("Simulated-Annealing", "sa"),
    ("sa_poly", "sa-poly"), ("random", "uniform"), ("pathintegral", "pimc"),
    ("PIMC", "pimc"), ("brute-force", "exact"), ("HiGHS", "mip"), (" greedy ", "greedy")])
def test_aliases_resolve(alias, name):
    assert resolve_solver(alias).name == name


def test_unknown_name_is_refused_with_close_matches():
    with pytest.raises(ParameterError, match=r"got 'tabbu'.*Did you mean \['tabu'"):
        run_binary("tabbu", sk(6), reads=1, seed=0)


def test_unknown_setting_key_is_refused_by_name():
    with pytest.raises(ParameterError, match=r"got 'sweep'.*Did you mean \['sweeps'\]"):
        run_binary("sa", sk(6), reads=1, seed=0, sweep=10)
    with pytest.raises(ParameterError, match=r"'greedy', got 'samples'"):
        run_binary("greedy", sk(6), reads=1, seed=0, samples=10)


@pytest.mark.parametrize("reads", [0, -1, 1.5, True, "3", None])
def test_reads_are_validated(reads):
    with pytest.raises(ParameterError, match="reads"):
        run_binary("greedy", sk(6), reads=reads, seed=0)


def test_seed_is_validated():
    with pytest.raises(ParameterError, match="seed.*got -1"):
        run_binary("greedy", sk(6), reads=1, seed=-1)


@pytest.mark.parametrize("name", ["sa", "tabu", "steepest", "pimc"])
def test_quadratic_only_solvers_refuse_labs_with_a_pointer(name):
    with pytest.raises(ParameterError, match=rf"'{name}'.*got degree 4.*'sa-poly'.*'mts'"):
        run_binary(name, labs(6), reads=1, seed=0)
    assert run_binary("sa-poly", labs(6), reads=2, seed=0, sweeps=20).reads == 2


def test_solver_names_by_kind():
    assert solver_names() == list(BINARY_SOLVERS)
    parts = [solver_names(k) for k in KINDS]
    assert sorted(sum(parts, [])) == sorted(BINARY_SOLVERS)
    assert solver_names("baseline") == ["uniform", "greedy"]
    with pytest.raises(ParameterError, match="got 'fast'"):
        solver_names("fast")


def test_not_a_binary_problem_is_refused():
    with pytest.raises(ProblemError, match="got dict"):
        run_binary("greedy", {"x0": 1}, reads=1, seed=0)
