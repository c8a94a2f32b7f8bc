r"""The methods of a binary study: a name, its kind, and the settings its scan visits.

``"sa:sweeps=10/100"`` scans simulated annealing over two sweep counts; ``"qaoa:p=1/4"``
gives one method line per fixed QAOA depth; ``"anneal:tau=4/16"`` scans the quantum
anneal's dimensionless time. Classical names and their default scans come from the solver
table (:data:`qdq.classical.binary.BINARY_SOLVERS`); uniform sampling and exhaustive search
are added to every study (:data:`ALWAYS`).

Example:
    >>> [m.label for m in parse_methods("sa:sweeps=10/100,qaoa:p=1/4")]
    ['sa', 'qaoa-p1', 'qaoa-p4', 'uniform', 'exact']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qdq.compare.binary_cells import QUANTUM_METHODS
from qdq.errors import ParameterError

__all__ = ["ALWAYS", "DEFAULT_SCANS", "BinaryMethod", "parse_methods", "setting_label"]

#: The scan of each quantum method's setting (classical scans: the solver table's).
DEFAULT_SCANS: dict[str, tuple] = {"anneal": (4.0, 16.0, 64.0), "qaoa": (1,)}
#: Methods added to every study: uniform sampling (a trivial baseline) and the optimum.
ALWAYS: tuple[str, ...] = ("uniform", "exact")


@dataclass(frozen=True)
class BinaryMethod:
    """A method with the settings its scan visits.

    Attributes:
        name: Solver or quantum method name (``"sa"``, ``"qaoa"``, ``"anneal"``, …).
        kind: ``"quantum"``, ``"classical"``, ``"baseline"`` or ``"exact"``.
        key: The setting's option name (``"sweeps"``, ``"tau"``, ``"p"``; ``None``: none).
        values: The scanned values (QAOA: one fixed depth per method line).
        label: Name in tables (``"qaoa-p4"`` for QAOA at depth 4).
    """

    name: str
    kind: str
    key: str | None
    values: tuple = ()
    label: str = ""

    def settings(self) -> list[dict]:
        """One options dict per scanned value (``[{}]`` without a scan)."""
        if self.key is None or not self.values:
            return [{}]
        return [{self.key: v} for v in self.values]


def _values(text: str) -> tuple:
    out = []
    for tok in text.split("/"):
        v = float(tok)
        out.append(int(v) if v.is_integer() else v)
    return tuple(out)


def parse_methods(methods: Iterable[Any] | str) -> list[BinaryMethod]:
    """Methods from names: ``"sa"``, ``"sa:sweeps=10/100"``, ``"qaoa:p=4"``, ``"anneal"``.

    A QAOA depth list (``"qaoa:p=1/4"``) gives one method line per depth (fixed ``p``);
    :data:`ALWAYS` are added.

    Raises:
        ParameterError: An unknown name (valid ones listed) or a malformed setting.

    Example:
        >>> [m.label for m in parse_methods("sa:sweeps=10/100,qaoa:p=1/4")]
        ['sa', 'qaoa-p1', 'qaoa-p4', 'uniform', 'exact']
    """
    from qdq.classical.binary import resolve_solver

    items = [m.strip() for m in methods.split(",")] if isinstance(methods, str) \
        else [str(m).strip() for m in methods]
    out: list[BinaryMethod] = []
    for item in [*(i for i in items if i), *ALWAYS]:
        name, _, rest = item.partition(":")
        key, values = None, ()
        if rest:
            key, eq, vals = rest.partition("=")
            try:
                if not eq:
                    raise ValueError
                values = _values(vals)
            except ValueError:
                raise ParameterError(f"a method setting looks like 'sa:sweeps=10/100', got "
                                     f"{item!r}") from None
        name = name.strip().lower().replace("_", "-")
        if name in QUANTUM_METHODS:
            want = QUANTUM_METHODS[name]
            if key not in (None, want):
                raise ParameterError(f"{name}'s setting is {want!r}, got {key!r} in {item!r}")
            values = values or DEFAULT_SCANS[name]
            if name == "qaoa":
                out += [BinaryMethod("qaoa", "quantum", "p", (int(v),), f"qaoa-p{int(v)}")
                        for v in values]
            else:
                out.append(BinaryMethod(name, "quantum", want, tuple(values), name))
            continue
        info = resolve_solver(name)
        if info.kind == "exact" and key is None:
            pass                # one proven optimum per instance: nothing to scan
        else:
            key = key or info.scan_key
            values = values or (tuple(info.scan_default) if key else ())
        if any(m.label == info.name for m in out):
            continue
        out.append(BinaryMethod(info.name, info.kind, key, tuple(values), info.name))
    return out


def setting_label(method: BinaryMethod, setting: dict) -> str:
    """The cell label of ``method`` at ``setting``: ``"sa@sweeps=10"``, ``"qaoa-p4"``."""
    if not setting or method.name == "qaoa":
        return method.label
    return f"{method.label}@" + ",".join(f"{k}={v}" for k, v in setting.items())
