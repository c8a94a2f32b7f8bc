"""The one method registry: canonical names, aliases at the boundary, adding a method."""

import numpy as np
import pytest

import qdq
from qdq.compare import registry
from qdq.compare.methods import MethodSetting, resolve_methods
from qdq.compare.registry import MethodInfo, method_names, registered, resolve_method
from qdq.defaults import METHOD_DEFAULTS
from qdq.errors import ParameterError


def first_grid_argmin(problem, budget, seed, options):
    """A toy method: the grid argmin, claimed after one evaluation."""
    idx = np.unravel_index(int(np.argmin(problem.values)), problem.grid.shape)
    x = [float(problem.grid.points[d][i]) for d, i in enumerate(idx)]
    value = float(problem.values[idx])
    return {"x": x, "value": value, "evals": 1, "history": [[1.0, value]]}


@pytest.fixture
def bowl():
    return qdq.Problem("(x - 0.5)**2 + (y + 0.25)**2", bounds=[(-1, 1), (-1, 1)], qubits=4,
                       minimizer=[0.5, -0.25], minimum=0.0, name="bowl")


def test_a_toy_method_is_one_function_and_one_registration(bowl):
    with registered(MethodInfo("toy", "classical", first_grid_argmin)):
        rep = qdq.compare(bowl, methods=["toy"], repeats=3, budget=10, radius=0.1,
                          progress=False)
        assert resolve_method("TOY").name == "toy"
    row = rep.row("toy")
    assert (row["category"], row["n"], row["successes"], row["mean_evals"]) == \
        ("classical", 3, 3, 1.0)
    assert row["best_value"] == 0.0 and row["median_gap"] == 0.0
    assert [r["method"] for r in rep.table] == ["toy", "random", "grid-argmin"]
    assert "toy" not in method_names()                 # the registration is gone
    with pytest.raises(ParameterError, match="unknown method 'toy'"):
        resolve_method("toy")


def test_registration_is_removed_even_when_the_block_fails():
    with pytest.raises(RuntimeError), registered(MethodInfo("toy2", "baseline",
                                                            first_grid_argmin)):
        raise RuntimeError("boom")
    assert "toy2" not in method_names()


def test_replacing_restores_the_original_in_place():
    before = method_names()
    real = resolve_method("random")
    with registered(MethodInfo("random", "baseline", first_grid_argmin), replace=True):
        assert resolve_method("random").run is first_grid_argmin
    assert resolve_method("random") is real and method_names() == before


def test_taken_names_and_aliases_are_refused():
    with pytest.raises(ParameterError, match="'imaginary' is taken by 'imaginary-time'"):
        registry.register(MethodInfo("new", "classical", first_grid_argmin,
                                     aliases=("imaginary",)))
    with pytest.raises(ParameterError, match="'anneal' is taken"):
        registry.register(MethodInfo("anneal", "quantum", first_grid_argmin))
    with pytest.raises(ParameterError, match="category must be one of"):
        MethodInfo("x", "magic", first_grid_argmin)
    assert "new" not in method_names()


def test_canonical_names_are_the_cli_names_and_old_spellings_are_aliases():
    assert method_names("quantum") == ("anneal", "real-time", "imaginary-time", "two-loop")
    assert set(method_names("quantum")) == set(METHOD_DEFAULTS)
    assert method_names("baseline") == ("random", "grid-argmin")
    for old, new in [("imaginary", "imaginary-time"), ("Imaginary_Time", "imaginary-time"),
                     ("twoloop", "two-loop"), ("realtime", "real-time"), ("qhd", "anneal"),
                     ("uniform", "random"), ("grid", "grid-argmin"),
                     ("multistart_lbfgs", "multistart-lbfgs"),
                     ("Dual-Annealing", "dual_annealing")]:
        assert resolve_method(old).name == new
        assert MethodSetting(old).name == new
    # labels, tables and the store use the canonical name whatever was typed
    assert [s.label for s in resolve_methods(["imaginary", "imaginary-time"])] == \
        ["imaginary-time", "random", "grid-argmin"]


def test_unknown_names_get_did_you_mean_and_the_valid_list():
    with pytest.raises(ParameterError) as info:
        resolve_method("imaginary-tme")
    msg = str(info.value)
    assert "did you mean 'imaginary-time'" in msg
    assert all(n in msg for n in method_names())
    with pytest.raises(ParameterError, match="non-empty string, got None"):
        resolve_method(None)
    with pytest.raises(ParameterError, match="category must be one of"):
        method_names("quantumish")


def test_quantum_defaults_scale_with_the_box_like_qdq_solve():
    from qdq.defaults import method_defaults

    for name in method_names("quantum"):
        for box in ([(0, 1)], [(-3, 3), (-1, 1)]):
            assert resolve_method(name).options(box) == method_defaults(name, box)
    assert resolve_method("anneal").options([(-1, 1)], {"steps": 5})["steps"] == 5
    assert resolve_method("dmc").options([(-1, 1)], {"walkers": 3}) == {"walkers": 3}


def test_default_lists_skip_methods_whose_optional_package_is_missing(monkeypatch):
    import importlib.util

    from qdq.compare import registry
    from qdq.compare.registry import default_method_names

    assert registry.resolve_method("cma-es").requires == "cma"
    real = importlib.util.find_spec
    monkeypatch.setattr(registry.importlib.util, "find_spec",
                        lambda name, *a: None if name == "cma" else real(name, *a))
    assert "cma-es" in method_names("classical")
    assert "cma-es" not in default_method_names("classical")
    assert {"qbo", "sa-seed", "genetic", "dmc"} <= set(default_method_names("classical"))
    labels = [s.label for s in resolve_methods(None)]
    assert "cma-es" not in labels and labels[0] == "anneal" and "qbo" in labels
    # named explicitly it is still resolved (and fails at run time with the install hint)
    assert [s.name for s in resolve_methods(["cma-es"])][0] == "cma-es"
