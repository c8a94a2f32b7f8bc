r"""Method registry of the comparison: quantum dynamics, classical optimizers, baselines.

Three kinds of methods, each run under a stated budget:

* **quantum** (``"anneal"``, ``"imaginary"``, ``"two-loop"``): the evolution runs once on
  the FFT emulator (exact final distribution ``p`` and postselection probability
  ``P_s``). The budget is **shots**: each repeat draws ``shots`` samples of the circuit
  that would run on hardware — each shot survives postselection with probability ``P_s``
  (rejected shots count against the budget), a surviving shot yields a grid point drawn
  from ``p`` — evaluates ζ at the surviving points and keeps the best; that point and
  value are the repeat's outcome. Reported per method as well: ``P_gm``, ``P_s``, the
  unconditional yield ``P_s·P_gm``, the per-shot success within the radius (the QHD
  paper's "success probability": ``p``'s mass within ``r``), the expected shots to a
  success ``1/(P_s·mass)``, and the CX count of one shot's circuit from the closed forms
  of :mod:`qdq.circuits` (state preparation needs no CX).
* **classical** (:data:`qdq.classical.METHODS`): the continuous objective ``f(*coords)``
  on the box, at most ``budget`` objective evaluations, the best point found is the
  outcome.
* **baseline** (always added): ``"random"`` — ``budget`` uniform random points of the
  box, best kept — and ``"grid-argmin"`` — the exact minimum of ζ over the ``N`` grid
  points (``N`` evaluations, deterministic).

Default quantum settings follow the QHD protocol on the unit box and scale with the box
(``L̄²`` is the mean squared side length, so a box of side 1 gets exactly the paper's
numbers): ``anneal`` — ``D = ½·L̄²``, ``schedule="qhd-cubic"``, ``time=10``,
``steps=10_000``, ``order=1``; ``imaginary`` — ``D = 10⁻⁴·L̄²``, ``time=20``,
``steps=200``, ``order=2``; ``two-loop`` — ``D0 = 10⁻²·L̄²``, ``ratio=½``, ``levels=8``,
other :class:`~qdq.twoloop.TwoLoop` defaults — the table of :mod:`qdq.defaults`, which
``qdq solve`` uses too. Any of them can be overridden per method:
``("anneal", {"steps": 2000})`` or ``MethodSpec("anneal", {"steps": 2000})``.

Example:
    >>> [m.name for m in resolve_methods(["dmc", ("anneal", {"steps": 50})])]
    ['dmc', 'anneal', 'random', 'grid-argmin']
    >>> resolve_methods(["aneal"])
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: unknown method 'aneal' (did you mean 'anneal'?); valid methods: ...
"""

from __future__ import annotations

import base64
import difflib
import math
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.compare.metrics import (
    SuccessCriterion,
    expected_shots,
    mass_within_epsilon,
    mass_within_radius,
)
from qdq.defaults import METHOD_DEFAULTS, method_defaults
from qdq.errors import ParameterError, QdqError

__all__ = [
    "BASELINES",
    "CLASSICAL",
    "QUANTUM",
    "MethodSpec",
    "cell_seed",
    "kind_of",
    "resolve_methods",
    "valid_methods",
]

#: Quantum-dynamics methods (run on the emulator; budget = shots).
QUANTUM: tuple[str, ...] = ("anneal", "imaginary", "two-loop")
#: Baselines, added to every comparison.
BASELINES: tuple[str, ...] = ("random", "grid-argmin")
#: Classical methods of :mod:`qdq.classical` (budget = objective evaluations).
CLASSICAL: tuple[str, ...] = ("dmc", "mqhoa", "langevin", "dual_annealing",
                              "differential_evolution", "basinhopping", "shgo",
                              "multistart-lbfgs")

_ALIASES = {"imaginary-time": "imaginary", "twoloop": "two-loop", "uniform": "random",
            "grid": "grid-argmin", "argmin": "grid-argmin", "qhd": "anneal"}

#: Default options of the quantum methods (``"D"``/``"D0"`` are multiplied by L̄²): the
#: table of :mod:`qdq.defaults`, which ``qdq solve`` uses too.
QUANTUM_DEFAULTS: dict[str, dict[str, Any]] = {
    name: METHOD_DEFAULTS["imaginary-time" if name == "imaginary" else name] for name in QUANTUM
}


def valid_methods() -> tuple[str, ...]:
    """Every method name :func:`resolve_methods` accepts (canonical spelling).

    Example:
        >>> "grid-argmin" in valid_methods() and "anneal" in valid_methods()
        True
    """
    return QUANTUM + CLASSICAL + BASELINES


def _canon(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def canonical_name(name: object) -> str:
    """The registry spelling of a method name (case, ``_``/``-`` and aliases forgiven).

    Raises:
        ParameterError: Unknown name; the valid names and close matches are listed.

    Example:
        >>> canonical_name("Dual-Annealing"), canonical_name("imaginary-time")
        ('dual_annealing', 'imaginary')
    """
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"a method name must be a non-empty string, got {name!r}; "
                             f"valid methods: {', '.join(valid_methods())}")
    key = _canon(name)
    key = _ALIASES.get(key, key)
    for valid in valid_methods():
        if _canon(valid) == key:
            return valid
    close = difflib.get_close_matches(name, list(valid_methods()), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise ParameterError(f"unknown method {name!r}{hint}; valid methods: "
                         f"{', '.join(valid_methods())}")


def kind_of(name: str) -> str:
    """``"quantum"``, ``"classical"`` or ``"baseline"``.

    Example:
        >>> kind_of("anneal"), kind_of("dmc"), kind_of("random")
        ('quantum', 'classical', 'baseline')
    """
    name = canonical_name(name)
    if name in QUANTUM:
        return "quantum"
    return "baseline" if name in BASELINES else "classical"


@dataclass(frozen=True)
class MethodSpec:
    """One method with its options (picklable, hashable, JSON-describable).

    Args:
        name: A name of :func:`valid_methods` (aliases are normalized).
        options: Method options (quantum: spec options such as ``steps``; classical:
            keyword options of :func:`qdq.classical.run_classical`).
        label: Name used in tables and the store (default: ``name``, plus the options
            when there are any, e.g. ``anneal[steps=2000]``).

    Example:
        >>> MethodSpec("anneal", {"steps": 2000}).label
        'anneal[steps=2000]'
    """

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        """Normalize the name, freeze the options and fill the label."""
        object.__setattr__(self, "name", canonical_name(self.name))
        if not isinstance(self.options, Mapping):
            raise ParameterError(f"options of method {self.name!r} must be a mapping, got "
                                 f"{self.options!r}")
        opts = tuple(sorted((str(k), v) for k, v in dict(self.options).items()))
        object.__setattr__(self, "options", _FrozenOptions(opts))
        if not self.label:
            text = ",".join(f"{k}={v}" for k, v in opts)
            object.__setattr__(self, "label", f"{self.name}[{text}]" if opts else self.name)

    @property
    def kind(self) -> str:
        """``"quantum"``, ``"classical"`` or ``"baseline"``."""
        return kind_of(self.name)

    @property
    def deterministic(self) -> bool:
        """True for ``grid-argmin`` (one cell, no seed)."""
        return self.name == "grid-argmin"

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"name": self.name, "label": self.label, "kind": self.kind,
                "options": dict(self.options)}


class _FrozenOptions(Mapping):
    """A read-only, hashable mapping of options (pairs sorted by key)."""

    def __init__(self, pairs: tuple[tuple[str, Any], ...]):
        self._pairs = pairs
        self._dict = dict(pairs)

    def __getitem__(self, key: str) -> Any:
        return self._dict[key]

    def __iter__(self):
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __hash__(self) -> int:
        return hash(repr(self._pairs))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self) == dict(other)

    def __repr__(self) -> str:
        return repr(self._dict)

    def __reduce__(self):
        return (_FrozenOptions, (self._pairs,))


def _as_spec(item: Any) -> MethodSpec:
    if isinstance(item, MethodSpec):
        return item
    if isinstance(item, str):
        return MethodSpec(item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Mapping):
        return MethodSpec(item[0], item[1])
    if isinstance(item, Mapping) and "name" in item:
        return MethodSpec(item["name"], item.get("options", {}), item.get("label", ""))
    raise ParameterError(
        f"a method must be a name, a (name, options) pair, a dict with 'name', or a "
        f"MethodSpec, got {item!r}; valid names: {', '.join(valid_methods())}"
    )


def resolve_methods(methods: Iterable[Any] | str | None, *,
                    baselines: bool = True) -> list[MethodSpec]:
    """Validate a method list and append the baselines that are missing.

    Args:
        methods: Names (a comma-separated string works too), ``(name, options)`` pairs,
            dicts or :class:`MethodSpec` objects; ``None`` means every quantum method
            except ``two-loop`` plus every classical method.
        baselines: Append ``random`` and ``grid-argmin`` when absent (always, in
            :func:`qdq.compare.compare`).

    Returns:
        The specs in the given order, baselines last, duplicates (same label) removed.

    Raises:
        ParameterError: An unknown name (valid names and close matches listed), a bad
            item, or an empty list.

    Example:
        >>> [m.label for m in resolve_methods("random, anneal")]
        ['random', 'anneal', 'grid-argmin']
    """
    if methods is None:
        methods = ["anneal", *CLASSICAL]
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m.strip()]
    specs = [_as_spec(m) for m in methods]
    if not specs:
        raise ParameterError(f"no methods given; choose from {', '.join(valid_methods())}")
    if baselines:
        present = {s.name for s in specs}
        specs += [MethodSpec(b) for b in BASELINES if b not in present]
    out, seen = [], set()
    for s in specs:
        if s.label not in seen:
            seen.add(s.label)
            out.append(s)
    return out


def cell_seed(seed: int | None, function: str, method: str) -> int:
    """Seed of one cell's random stream: a stable function of (seed, function, method).

    Independent of the process and of Python's hash randomization, so a cell computed
    by a worker process, a thread or a Dask worker draws the same numbers.

    Example:
        >>> cell_seed(1, "rastrigin", "dmc") == cell_seed(1, "rastrigin", "dmc")
        True
    """
    words = [0 if seed is None else int(seed) + 1,
             zlib.crc32(function.encode()), zlib.crc32(method.encode())]
    return int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint32)[0])


def check_budget(budget: Any, method: str) -> int:
    """Validate a budget (an integer ``>= 1``) for a method.

    Raises:
        ParameterError: Naming the method and the bad value.

    Example:
        >>> check_budget(0, "dmc")
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: budget of method 'dmc' must be an integer >= 1, got 0; ...
    """
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        what = "shots" if kind_of(method) == "quantum" else "objective evaluations"
        raise ParameterError(f"budget of method {method!r} must be an integer >= 1, got "
                             f"{budget!r}; it counts {what}")
    return int(budget)


def quantum_options(spec: MethodSpec, bounds) -> dict[str, Any]:
    """The effective options of a quantum method: defaults (scaled by L̄²) then overrides.

    Example:
        >>> quantum_options(MethodSpec("anneal", {"steps": 20}), [(-1, 1)])["D"]
        2.0
    """
    opts = method_defaults(spec.name, bounds)
    opts.update(spec.options)
    return opts


# ------------------------------------------------------------------ distribution encoding
def encode_array(a: np.ndarray) -> dict:
    """A grid-shaped float array as compact JSON (float32, zlib, base64).

    Example:
        >>> d = encode_array(np.array([[0.25, 0.75]]))
        >>> decode_array(d).tolist()
        [[0.25, 0.75]]
    """
    a32 = np.ascontiguousarray(a, dtype="<f4")
    return {"shape": list(a32.shape), "dtype": "float32",
            "zlib_b64": base64.b64encode(zlib.compress(a32.tobytes(), 6)).decode("ascii")}


def decode_array(data: dict) -> np.ndarray:
    """Inverse of :func:`encode_array` (as float64)."""
    raw = zlib.decompress(base64.b64decode(data["zlib_b64"]))
    return np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(data["shape"])


def sampling_distribution(probabilities: np.ndarray) -> np.ndarray:
    """The distribution shots are drawn from: float32-rounded then renormalized.

    Sampling always uses this rounded copy (also when it was just computed), so a
    distribution reloaded from the store draws exactly the same shots.
    """
    p = np.clip(decode_array(encode_array(probabilities)).reshape(-1), 0.0, None)
    return p / p.sum()


# ------------------------------------------------------------------ quantum methods
def _cx_anneal_like(problem, factors: dict[str, int]) -> dict:
    from qdq.circuits.kinetic import kinetic_cx_count
    from qdq.circuits.trotter import PotentialOracle, strang_step_cx_count

    oracle = PotentialOracle(problem).cx_count()
    kinetic = sum(kinetic_cx_count(n) for n in problem.grid.qubits)
    return {"cx_per_shot": factors["potential"] * oracle + factors["kinetic"] * kinetic,
            "cx_per_step": strang_step_cx_count(problem),
            "potential_factors": factors["potential"], "kinetic_factors": factors["kinetic"]}


def _cx_imaginary_factors(problem, potential: int, kinetic: int) -> dict:
    from qdq.circuits.imaginary import imaginary_block_cx_counts, imaginary_step_cx_count

    counts = imaginary_block_cx_counts(problem)
    return {"cx_per_shot": potential * sum(counts["potential"].values())
            + kinetic * sum(counts["kinetic"].values()),
            "cx_per_step": imaginary_step_cx_count(problem),
            "potential_factors": potential, "kinetic_factors": kinetic}


def run_quantum(problem, spec: MethodSpec) -> tuple[Any, dict]:
    """Run a quantum method's evolution on the emulator (exact final distribution).

    Returns:
        ``(result, circuit)``: a :class:`~qdq.Result` and the CX bookkeeping
        (``cx_per_shot``, ``cx_per_step``, factor counts, options).

    Raises:
        QdqError: Whatever the spec or engine raises (e.g. a postselection underflow).
    """
    from qdq.api import run
    from qdq.evolution import Anneal, ImaginaryTime
    from qdq.hamiltonian import Hamiltonian

    opts = quantum_options(spec, problem.grid.bounds)
    if spec.name == "anneal":
        s = Anneal(problem, **opts)
        result = run(s, backend="emulator", workers=1)
        circuit = _cx_anneal_like(problem, result.extra["factors"])
    elif spec.name == "imaginary":
        D = opts.pop("D")
        s = ImaginaryTime(Hamiltonian(problem, D=D), **opts)
        result = run(s, backend="emulator", workers=1)
        f = result.extra["factors"]
        circuit = _cx_imaginary_factors(problem, f["potential"], f["kinetic"])
    elif spec.name == "two-loop":
        from qdq.twoloop import TwoLoop

        tl = TwoLoop(problem, **opts)
        out = tl.run(backend="emulator", workers=1)
        result = out.result
        kinetic = sum(int(r["inner_steps"]) for r in out.trace)
        chunks = sum(math.ceil(int(r["inner_steps"]) / tl.chunk_steps) for r in out.trace)
        potential = kinetic + (chunks if tl.order == 2 else 0)
        circuit = _cx_imaginary_factors(problem, potential, kinetic)
        circuit["levels"] = len(out.trace)
        if result.success_probability == 0.0:
            circuit["log_success"] = out.log_success
    else:  # pragma: no cover - guarded by the registry
        raise ParameterError(f"{spec.name!r} is not a quantum method")
    circuit["options"] = {k: (v if isinstance(v, (int, float, str)) else repr(v))
                          for k, v in opts.items()}
    return result, circuit


def quantum_distribution(problem, spec: MethodSpec, criterion: SuccessCriterion) -> dict:
    """The per-method (seed-free) cell of a quantum method: final distribution and metrics.

    Returns:
        A JSON-safe dict: ``probabilities`` (encoded, see :func:`encode_array`),
        ``success_probability``, ``p_global_min``, ``unconditional_yield``,
        ``shot_success`` (mass within the radius, or within ε), ``shot_success_radius``,
        ``shot_success_epsilon``, ``expected_shots``, ``cx_per_shot`` (and the rest of
        the circuit bookkeeping), ``wall_time``; or ``error`` when the method failed.
    """
    t0 = time.perf_counter()
    try:
        result, circuit = run_quantum(problem, spec)
    except QdqError as exc:
        return {"type": "distribution", "error": f"{type(exc).__name__}: {exc}",
                "wall_time": time.perf_counter() - t0, "success_probability": 0.0}
    wall = time.perf_counter() - t0
    probs = sampling_distribution(result.probabilities).reshape(problem.grid.shape)
    ps = float(result.success_probability)
    p_gm = float(probs[problem.global_min_mask].sum())
    out: dict[str, Any] = {
        "type": "distribution", "error": None, "probabilities": encode_array(probs),
        "success_probability": ps, "p_global_min": p_gm, "unconditional_yield": ps * p_gm,
        "uniform_p_global_min": float(problem.global_min_mask.sum() / problem.values.size),
        "shot_success_radius": None, "shot_success_epsilon": None, "wall_time": wall,
        **circuit,
    }
    if criterion.radius is not None:
        out["shot_success_radius"] = mass_within_radius(probs, problem.grid, criterion.center,
                                                        criterion.radius)
    if criterion.epsilon is not None:
        out["shot_success_epsilon"] = mass_within_epsilon(probs, problem.values,
                                                          criterion.minimum, criterion.epsilon)
    out["shot_success"] = out[f"shot_success_{criterion.primary}"]
    out["expected_shots"] = expected_shots(ps * out["shot_success"])
    return out


def sample_shots(problem, distribution: dict, shots: int, seed: int,
                 criterion: SuccessCriterion) -> dict:
    """One repeat of a quantum method: ``shots`` shots from the final distribution.

    Each shot survives postselection with probability ``P_s``; survivors are grid points
    drawn from the distribution; ζ is evaluated at each and the best is the outcome.

    Returns:
        The cell payload: ``x``, ``value`` (``None`` if no shot survived), ``evals``
        (surviving shots = objective evaluations), ``shots``, ``history`` (best value
        vs. evaluations), the success flags of :meth:`SuccessCriterion.check`.
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    if distribution.get("error"):
        payload = {"x": None, "value": None, "evals": 0, "shots": shots, "history": [],
                   "error": distribution["error"]}
        payload.update(criterion.check(None, None))
        payload["wall_time"] = time.perf_counter() - t0
        return payload
    ps = float(distribution["success_probability"])
    accepted = shots if ps >= 1.0 else int(rng.binomial(shots, ps))
    payload: dict[str, Any] = {"shots": shots, "evals": accepted, "error": None}
    if accepted == 0:
        payload.update({"x": None, "value": None, "history": []})
        payload.update(criterion.check(None, None))
    else:
        p = sampling_distribution(decode_array(distribution["probabilities"]))
        idx = rng.choice(p.size, size=accepted, p=p)
        vals = problem.values.reshape(-1)[idx]
        best = int(np.argmin(vals))
        grid_idx = np.unravel_index(int(idx[best]), problem.grid.shape)
        x = [float(problem.grid.points[d][i]) for d, i in enumerate(grid_idx)]
        payload.update({"x": x, "value": float(vals[best]), "history": _history(vals)})
        payload.update(criterion.check(x, float(vals[best])))
    payload["wall_time"] = time.perf_counter() - t0
    return payload


def _history(values: np.ndarray) -> list[list[float]]:
    """Best-so-far curve ``[[evaluations, best], …]`` at each improvement (plus the end)."""
    v = np.where(np.isnan(values), np.inf, np.asarray(values, dtype=float))
    running = np.minimum.accumulate(v)
    prev = np.concatenate(([np.inf], running[:-1]))
    rows = [[float(j + 1), float(running[j])] for j in np.flatnonzero(running < prev)]
    if rows and rows[-1][0] != len(v):
        rows.append([float(len(v)), float(running[-1])])
    return rows


# ------------------------------------------------------------------ classical and baselines
def classical_cell(problem, spec: MethodSpec, budget: int, seed: int,
                   criterion: SuccessCriterion) -> dict:
    """One repeat of a classical method through :func:`qdq.classical.run_classical`.

    The objective is the continuous ``problem(*coords)`` on the problem's box.

    Returns:
        The cell payload (``x``, ``value``, ``evals`` = ``nfev``, ``nit``, ``history``,
        ``wall_time``, success flags, ``error``).
    """
    from qdq.classical import run_classical

    t0 = time.perf_counter()
    try:
        out = run_classical(spec.name, problem, problem.grid.bounds, budget=budget, seed=seed,
                            **dict(spec.options))
    except QdqError as exc:
        payload = {"x": None, "value": None, "evals": 0, "history": [],
                   "error": f"{type(exc).__name__}: {exc}"}
        payload.update(criterion.check(None, None))
        payload["wall_time"] = time.perf_counter() - t0
        return payload
    x = [float(v) for v in np.asarray(out.x, dtype=float).ravel()]
    value = float(out.fun)
    payload = {"x": x, "value": value if math.isfinite(value) else None,
               "evals": int(out.nfev), "nit": int(out.nit), "wall_time": float(out.wall_time),
               "history": np.asarray(out.history, dtype=float).reshape(-1, 2).tolist(),
               "error": None}
    payload.update(criterion.check(x if math.isfinite(value) else None, value))
    return payload


def random_cell(problem, budget: int, seed: int, criterion: SuccessCriterion) -> dict:
    """Uniform random sampling: ``budget`` uniform points of the box, the best kept.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
        >>> c = SuccessCriterion((0.0,), 0.5, 0.0, None)
        >>> cell = random_cell(p, 10, 7, c)
        >>> cell["evals"], cell["success"]
        (10, True)
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    b = np.asarray(problem.grid.bounds, dtype=float)
    X = b[:, 0] + (b[:, 1] - b[:, 0]) * rng.random((budget, len(b)))
    with np.errstate(all="ignore"):
        vals = np.asarray(problem(*X.T), dtype=float)
    vals = np.array(np.broadcast_to(vals, (budget,)))
    masked = np.where(np.isnan(vals), np.inf, vals)
    best = int(np.argmin(masked))
    x = [float(v) for v in X[best]]
    value = float(masked[best])
    payload = {"x": x, "value": value, "evals": int(budget), "history": _history(vals),
               "error": None}
    payload.update(criterion.check(x, value))
    payload["wall_time"] = time.perf_counter() - t0
    return payload


def grid_argmin_cell(problem, criterion: SuccessCriterion) -> dict:
    """Exhaustive search of the grid: ``N`` evaluations, the grid argmin (deterministic).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.3])
        >>> cell = grid_argmin_cell(p, SuccessCriterion((0.3,), 0.2, 0.0, None))
        >>> cell["x"], cell["evals"], cell["success"]
        ([0.25], 8, True)
    """
    t0 = time.perf_counter()
    values = np.asarray(problem.values)       # ζ on the grid: the N evaluations
    flat = int(np.argmin(values))
    idx = np.unravel_index(flat, problem.grid.shape)
    x = [float(problem.grid.points[d][i]) for d, i in enumerate(idx)]
    value = float(values[idx])
    payload = {"x": x, "value": value, "evals": int(problem.grid.size),
               "history": [[float(problem.grid.size), value]], "error": None}
    payload.update(criterion.check(x, value))
    payload["wall_time"] = time.perf_counter() - t0
    return payload
