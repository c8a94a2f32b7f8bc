r"""Method selection of a comparison: :class:`MethodSetting` (a method with its options).

A method is named by its registry name (:mod:`qdq.compare.registry`: canonical names such
as ``"anneal"``, ``"imaginary-time"``, ``"dual_annealing"``; old spellings are aliases)
and carries its options: ``("anneal", {"steps": 2000})`` or
``MethodSetting("anneal", {"steps": 2000})``. Default quantum settings follow the QHD protocol
on the unit box and scale with the box (:mod:`qdq.defaults`, which ``qdq solve`` uses too).
Also here: the per-cell random stream (:func:`cell_seed`) and budget validation.

Example:
    >>> [m.name for m in resolve_methods(["dmc", ("imaginary", {"steps": 50})])]
    ['dmc', 'imaginary-time', 'random', 'grid-argmin']
    >>> resolve_methods(["aneal"])
    Traceback (most recent call last):
    ...
    qdq.errors.ParameterError: unknown method 'aneal' (did you mean 'anneal'?); valid methods: ...
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdq.compare.registry import (
    MethodInfo,
    canonical_name,
    default_method_names,
    method_names,
    resolve_method,
)
from qdq.errors import ParameterError

__all__ = ["MethodSetting", "cell_seed", "check_budget", "resolve_methods", "valid_methods"]


def valid_methods() -> tuple[str, ...]:
    """Every method name :func:`resolve_methods` accepts (canonical spelling).

    Example:
        >>> "grid-argmin" in valid_methods() and "imaginary-time" in valid_methods()
        True
    """
    return method_names()


@dataclass(frozen=True)
class MethodSetting:
    """One method with its options (picklable, hashable, JSON-describable).

    Args:
        name: A registered method name (:func:`qdq.compare.registry.resolve_method`;
            aliases are normalized).
        options: Method options (quantum: spec options such as ``steps``; classical:
            keyword options of :func:`qdq.classical.run_classical`).
        label: Name used in tables and the store (default: ``name``, plus the options
            when there are any, e.g. ``anneal[steps=2000]``).

    Example:
        >>> MethodSetting("anneal", {"steps": 2000}).label
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
    def info(self) -> MethodInfo:
        """The registry entry (:class:`~qdq.compare.registry.MethodInfo`)."""
        return resolve_method(self.name)

    @property
    def category(self) -> str:
        """``"quantum"``, ``"classical"`` or ``"baseline"``."""
        return self.info.category

    @property
    def deterministic(self) -> bool:
        """True for a seed-less method such as ``grid-argmin`` (one cell)."""
        return self.info.deterministic

    def options_for(self, bounds) -> dict[str, Any]:
        """The effective options on a box: registry defaults (quantum: scaled), then ours.

        Example:
            >>> MethodSetting("anneal", {"steps": 20}).options_for([(-1, 1)])["D"]
            2.0
        """
        return self.info.options(bounds, self.options)

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"name": self.name, "label": self.label, "category": self.category,
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


def _as_spec(item: Any) -> MethodSetting:
    if isinstance(item, MethodSetting):
        return item
    if isinstance(item, str):
        return MethodSetting(item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Mapping):
        return MethodSetting(item[0], item[1])
    if isinstance(item, Mapping) and "name" in item:
        return MethodSetting(item["name"], item.get("options", {}), item.get("label", ""))
    raise ParameterError(
        f"a method must be a name, a (name, options) pair, a dict with 'name', or a "
        f"MethodSetting, got {item!r}; valid names: {', '.join(method_names())}"
    )


def resolve_methods(methods: Iterable[Any] | str | None, *,
                    baselines: bool = True) -> list[MethodSetting]:
    """Validate a method list and append the baselines that are missing.

    Args:
        methods: Names (a comma-separated string works too), ``(name, options)`` pairs,
            dicts or :class:`MethodSetting` objects; ``None`` means ``anneal`` plus every
            classical method whose optional package is installed
            (:func:`~qdq.compare.registry.default_method_names`).
        baselines: Append the baselines (``random``, ``grid-argmin``) when absent (always, in
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
        methods = ["anneal", *default_method_names("classical")]
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m.strip()]
    specs = [_as_spec(m) for m in methods]
    if not specs:
        raise ParameterError(f"no methods given; choose from {', '.join(method_names())}")
    if baselines:
        present = {s.name for s in specs}
        specs += [MethodSetting(b) for b in method_names("baseline") if b not in present]
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
        what = "shots" if resolve_method(method).category == "quantum" else "objective evaluations"
        raise ParameterError(f"budget of method {method!r} must be an integer >= 1, got "
                             f"{budget!r}; it counts {what}")
    return int(budget)
