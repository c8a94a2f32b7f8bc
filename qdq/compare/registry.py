r"""The one method registry: canonical name → category, how to run it, default options.

Every command and API that names an optimization method resolves it here:
``qdq compare``/``qdq suite`` and :func:`qdq.compare.compare` through
:class:`~qdq.compare.methods.MethodSetting`, ``qdq solve`` through :func:`resolve_method`.
Canonical names are the CLI's: ``"anneal"``, ``"real-time"``, ``"imaginary-time"``,
``"two-loop"``, the classical names of :mod:`qdq.classical`, and the baselines
``"random"`` and ``"grid-argmin"``. Old spellings (``"imaginary"``, ``"twoloop"``,
``"qhd"``, …) are aliases, accepted only here at the boundary; case and ``_``/``-`` are
forgiven; an unknown name raises with the valid names and close matches.

Each :class:`MethodInfo` says how the method runs, by category:

* ``"quantum"`` — ``run(problem, options) -> (Result, circuit)``: the evolution on the
  FFT emulator (exact final distribution) and the CX bookkeeping of one shot's circuit
  (:mod:`qdq.compare.quantum`). Shots are then drawn from the distribution.
* ``"classical"`` / ``"baseline"`` — ``run(problem, budget, seed, options) -> outcome``, a
  mapping with ``x`` (list, or ``None``), ``value`` (``None`` when not finite), ``evals``,
  ``history`` (``[[evaluations, best], …]``) and optionally ``nit`` and ``wall_time``
  (:mod:`qdq.compare.searches`). A ``deterministic`` method is one seed-less cell.

Adding a method is one file with its ``run`` function and one line in :data:`BUILTIN` (or,
at run time, :func:`register` / the :func:`registered` context manager).

Example:
    >>> resolve_method("imaginary").name, resolve_method("Dual-Annealing").category
    ('imaginary-time', 'classical')
    >>> method_names("quantum")
    ('anneal', 'real-time', 'imaginary-time', 'two-loop')
    >>> resolve_method("aneal")
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: unknown method 'aneal' (did you mean 'anneal'?); valid methods: ...
"""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from qdq.compare.quantum import run_anneal, run_imaginary_time, run_real_time, run_two_loop
from qdq.compare.searches import classical_search, grid_search, random_search
from qdq.defaults import METHOD_DEFAULTS, scale_defaults
from qdq.errors import ParameterError
from qdq.methods import ALIASES as _QUANTUM_ALIASES

__all__ = [
    "BASELINES",
    "BUILTIN",
    "CLASSICAL",
    "CATEGORIES",
    "QUANTUM",
    "MethodInfo",
    "canonical_name",
    "category_of",
    "default_method_names",
    "method_names",
    "register",
    "registered",
    "resolve_method",
    "unregister",
]

#: The categories of method; the budget counts shots for quantum methods, else evaluations.
CATEGORIES: tuple[str, ...] = ("quantum", "classical", "baseline")


@dataclass(frozen=True)
class MethodInfo:
    """One registered method.

    Attributes:
        name: Canonical name (what tables, the store and the CLI show).
        category: ``"quantum"``, ``"classical"`` or ``"baseline"``.
        run: How to run it (signature by category, see the module docstring).
        defaults: Default options; for quantum methods on the unit box (``D``/``D0`` are
            multiplied by ``L̄²``, :func:`qdq.defaults.box_scale`).
        aliases: Other accepted spellings.
        deterministic: One seed-less cell (``grid-argmin``).
        summary: One line for listings.
        requires: The optional module the method imports (``"cma"`` for ``cma-es``);
            default method lists (:func:`default_method_names`) skip it when absent.
    """

    name: str
    category: str
    run: Callable[..., Any] = field(compare=False, repr=False)
    defaults: Mapping[str, Any] = field(default_factory=dict, compare=False)
    aliases: tuple[str, ...] = ()
    deterministic: bool = False
    summary: str = ""
    requires: str | None = None

    def __post_init__(self) -> None:
        """Validate the name and category, freeze the defaults."""
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError(f"a method name must be a non-empty string, got {self.name!r}")
        if self.category not in CATEGORIES:
            raise ParameterError(f"method category must be one of {', '.join(CATEGORIES)}, got "
                                 f"{self.category!r}")
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    def options(self, bounds: Sequence[Sequence[float]],
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Effective options on a box: defaults (quantum: scaled by ``L̄²``), then overrides.

        Example:
            >>> resolve_method("anneal").options([(-1, 1)], {"steps": 20})["D"]
            2.0
        """
        opts = dict(self.defaults)
        if self.category == "quantum":
            opts = scale_defaults(opts, bounds)
        opts.update(overrides or {})
        return opts


#: Classical optimizers of :mod:`qdq.classical` (budget = objective evaluations).
#: ``"reweighted-annealing"`` (Seok & Cho's "quantum annealing", a classical homotopy SA
#: centred on the origin) stays out: its parabola ``0.125‖x‖²`` pulls toward ``x = 0``, where
#: most benchmarks have their minimizer, so on them it measures that prior, not a search;
#: it runs through :func:`qdq.classical.run_classical` and can be :func:`register`-ed.
CLASSICAL: tuple[str, ...] = ("dmc", "mqhoa", "langevin", "dual_annealing",
                              "differential_evolution", "basinhopping", "shgo",
                              "multistart-lbfgs", "qbo", "sa-seed", "genetic", "cma-es")

#: Optional modules of classical methods (imported lazily; ``pip install 'qdq[classical]'``).
_REQUIRES: dict[str, str] = {"cma-es": "cma"}


def _aliases(name: str) -> tuple[str, ...]:
    # The quantum aliases are qdq.methods'; the registry only lists them.
    return tuple(a for a, n in _QUANTUM_ALIASES.items() if n == name)


#: The built-in methods, one line each.
BUILTIN: tuple[MethodInfo, ...] = (
    MethodInfo("anneal", "quantum", run_anneal, METHOD_DEFAULTS["anneal"],
               _aliases("anneal"), summary="QHD annealing schedule, real time"),
    MethodInfo("real-time", "quantum", run_real_time, METHOD_DEFAULTS["real-time"],
               _aliases("real-time"), summary="Schrödinger evolution at constant D"),
    MethodInfo("imaginary-time", "quantum", run_imaginary_time,
               METHOD_DEFAULTS["imaginary-time"], _aliases("imaginary-time"),
               summary="Wick-rotated evolution, postselected"),
    MethodInfo("two-loop", "quantum", run_two_loop, METHOD_DEFAULTS["two-loop"],
               _aliases("two-loop"), summary="D lowered geometrically, imaginary time per level"),
    *(MethodInfo(n, "classical", partial(classical_search, n),
                 summary="qdq.classical optimizer", requires=_REQUIRES.get(n))
      for n in CLASSICAL),
    MethodInfo("random", "baseline", random_search, aliases=("uniform",),
               summary="uniform random points of the box, best kept"),
    MethodInfo("grid-argmin", "baseline", grid_search, aliases=("grid", "argmin"),
               deterministic=True, summary="exhaustive search of the grid"),
)

#: Quantum-dynamics methods (run on the emulator; budget = shots).
QUANTUM: tuple[str, ...] = tuple(m.name for m in BUILTIN if m.category == "quantum")
#: Baselines, added to every comparison.
BASELINES: tuple[str, ...] = tuple(m.name for m in BUILTIN if m.category == "baseline")

_METHODS: dict[str, MethodInfo] = {m.name: m for m in BUILTIN}


def _canon(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def method_names(category: str | None = None) -> tuple[str, ...]:
    """Canonical names of the registered methods (of one ``category``), in registry order.

    Example:
        >>> method_names("baseline")
        ('random', 'grid-argmin')
    """
    if category is not None and category not in CATEGORIES:
        raise ParameterError(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    return tuple(n for n, m in _METHODS.items() if category is None or m.category == category)


def default_method_names(category: str | None = None) -> tuple[str, ...]:
    """:func:`method_names` less the methods whose optional module is not installed.

    What ``qdq.compare`` runs when no methods are named: naming one explicitly still works
    and, without its package, fails with the install hint.

    Example:
        >>> set(default_method_names("classical")) <= set(method_names("classical"))
        True
    """
    return tuple(n for n in method_names(category)
                 if _METHODS[n].requires is None
                 or importlib.util.find_spec(_METHODS[n].requires) is not None)


def resolve_method(name: object) -> MethodInfo:
    """The registered method of a name (case, ``_``/``-`` and aliases forgiven).

    Raises:
        ParameterError: An unknown name; the valid names and close matches are listed.

    Example:
        >>> resolve_method("twoloop").name, resolve_method("two-loop").category
        ('two-loop', 'quantum')
    """
    valid = ", ".join(method_names())
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"a method name must be a non-empty string, got {name!r}; "
                             f"valid methods: {valid}")
    key = _canon(name)
    for info in _METHODS.values():
        if key == _canon(info.name) or key in (_canon(a) for a in info.aliases):
            return info
    close = difflib.get_close_matches(name, list(method_names()), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise ParameterError(f"unknown method {name!r}{hint}; valid methods: {valid}")


def canonical_name(name: object) -> str:
    """The canonical spelling of a method name (see :func:`resolve_method`).

    Example:
        >>> canonical_name("Dual-Annealing"), canonical_name("imaginary")
        ('dual_annealing', 'imaginary-time')
    """
    return resolve_method(name).name


def category_of(name: str) -> str:
    """``"quantum"``, ``"classical"`` or ``"baseline"``.

    Example:
        >>> category_of("anneal"), category_of("dmc"), category_of("random")
        ('quantum', 'classical', 'baseline')
    """
    return resolve_method(name).category


def register(info: MethodInfo, *, replace: bool = False) -> MethodInfo | None:
    """Add a method to the registry of this process.

    Worker processes forked later inherit it; spawned ones (``forkserver``/``spawn``, Dask)
    do not, so run a method registered at run time with the serial or thread executor.

    Args:
        info: The method.
        replace: Allow replacing a registered method of the same name.

    Returns:
        The method it replaced, or ``None``.

    Raises:
        ParameterError: The name or an alias is taken (and ``replace`` is false).
    """
    if not isinstance(info, MethodInfo):
        raise ParameterError(f"register needs a MethodInfo, got {type(info).__name__}")
    previous = _METHODS.get(info.name)
    if not replace:
        for spelling in (info.name, *info.aliases):
            try:
                taken = resolve_method(spelling).name
            except ParameterError:
                continue
            raise ParameterError(f"method name {spelling!r} is taken by {taken!r}; choose "
                                 "another name or pass replace=True")
    _METHODS[info.name] = info
    return previous


def unregister(name: str) -> MethodInfo:
    """Remove a registered method and return it.

    Raises:
        ParameterError: No method of that canonical name.
    """
    if name not in _METHODS:
        raise ParameterError(f"no registered method {name!r}; registered: "
                             f"{', '.join(method_names())}")
    return _METHODS.pop(name)


@contextmanager
def registered(info: MethodInfo, *, replace: bool = False) -> Iterator[MethodInfo]:
    """Register ``info`` for the duration of a ``with`` block, then restore the registry.

    Example:
        >>> toy = MethodInfo("toy", "baseline", lambda problem, budget, seed, options: {})
        >>> with registered(toy):
        ...     "toy" in method_names()
        True
        >>> "toy" in method_names()
        False
    """
    previous = register(info, replace=replace)
    try:
        yield info
    finally:
        if previous is not None:
            _METHODS[previous.name] = previous     # same key: keeps the registry order
        else:
            _METHODS.pop(info.name, None)
