r"""Scaling studies: time to solution versus dimension and resolution, with fitted exponents.

:func:`scaling` runs every method on every benchmark function at every size ``(d, n)``
(``d`` dimensions, ``n`` qubits per dimension, ``N = 2^{nd}`` grid points; the function
QHD-rescaled to the unit box) through the suite's cell machinery
(:func:`qdq.compare.runner.run_cells`): every cell is stored as it finishes, so a study
killed at any point resumes without recomputing finished cells.

A method is compared at its best setting, never at an arbitrary one: classical methods
and ``random`` run at each budget of ``budgets`` (one attempt = one run), quantum methods
at each setting of ``quantum`` (evolution time / steps; one attempt = one shot), and at
each size the setting with the least TTS99 (:mod:`qdq.compare.tts`) is kept
(:meth:`ScalingStudy.points`). Choosing the minimum biases the kept TTS slightly low; the
same choice is made for every method.

Fits (:meth:`ScalingStudy.fits`): along ``d`` at fixed ``n``, ``TTS ≈ a·b^d`` by least
squares on ``ln TTS`` vs ``d`` (``b``: the factor per added dimension); along resolution at
fixed ``d``, ``TTS ≈ a·N^k`` on ``ln TTS`` vs ``ln N``. Intervals: the fit repeated on
each bootstrap replicate of the TTS values (independent resamples per size), percentile
95 %. Sizes where no attempt succeeded (``TTS = ∞``) are left out of the fit and listed.
Figures, tables and extrapolation past the simulated sizes: :mod:`qdq.compare.scalingplot`.

Example:
    >>> study = scaling("ackley", dims=[1, 2], qubits=3, methods=["random"], budgets=[4, 16],
    ...                 repeats=8, progress=False)
    >>> [(p["d"], p["method"], p["setting"]) for p in study.points()][:2]
    [(1, 'random', 'random@4'), (1, 'grid-argmin', 'grid-argmin')]
    >>> fit = study.fits()[0]
    >>> fit["method"], fit["axis"], fit["sizes"]
    ('random', 'dims', 2)
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qdq.compare.fits import fit_exponent, parse_sizes
from qdq.compare.methods import MethodSetting
from qdq.compare.recipes import FunctionRecipe
from qdq.compare.tts import method_tts, tts99
from qdq.errors import ParameterError, ProblemError

__all__ = ["DEFAULT_BUDGETS", "DEFAULT_QUANTUM", "MAX_GRID_QUBITS", "ScalingStudy",
           "fit_exponent", "parse_sizes", "scaling"]

#: Budgets (evaluations per run) scanned for classical methods and ``random``.
DEFAULT_BUDGETS: tuple[int, ...] = (30, 100, 300, 1000)
#: Settings scanned for quantum methods (the evolution time stays the method default).
DEFAULT_QUANTUM: tuple[dict, ...] = ({"steps": 50}, {"steps": 200}, {"steps": 800})
#: Largest total register the emulator is asked to hold (2^24 complex amplitudes).
MAX_GRID_QUBITS = 24


def _label(name: str, d: int, n: int) -> str:
    return f"{name}|d={d}|n={n}"


def _variants(methods, budgets, quantum, shots) -> tuple[list[MethodSetting], dict, dict]:
    """Method specs of every setting, their budgets, and each label's method name."""
    from qdq.compare.methods import resolve_methods

    specs, budget, group = [], {}, {}
    for base in resolve_methods(methods, baselines=True):
        if base.deterministic:
            specs.append(base)
            budget[base.label] = 1
            group[base.label] = base.label
        elif base.category == "quantum":
            for setting in quantum:
                s = MethodSetting(base.name, {**base.options, **setting})
                specs.append(s)
                budget[s.label], group[s.label] = shots, base.label
        else:
            for b in budgets:
                s = MethodSetting(base.name, base.options, label=f"{base.label}@{b}")
                specs.append(s)
                budget[s.label], group[s.label] = b, base.label
    return specs, budget, group


def scaling(functions: str | Sequence[str], *, dims: Any = (1, 2, 3), qubits: Any = 3,
            methods: Any = ("anneal", "dual_annealing"), budgets: Sequence[int] = DEFAULT_BUDGETS,
            quantum: Sequence[Mapping[str, Any]] = DEFAULT_QUANTUM, shots: int = 1000,
            repeats: int = 10, seed: int = 1, store: Any = None, suite_name: str | None = None,
            executor: Any = "serial", workers: int = 1, progress: bool = True,
            radius: float | None = None) -> ScalingStudy:
    """Run (or resume) a scaling study and return a :class:`ScalingStudy`.

    Args:
        functions: :mod:`qdq.benchmarks` names (a list or ``"ackley,rosenbrock"``), each
            rescaled to the unit box (QHD protocol). Use non-separable functions: a separable
            one is d independent 1-D problems (docs/benchmarks.md).
        dims: Dimensions: an int, a list or ``"1-4"``. Sizes a function does not accept
            (rosenbrock at d = 1) are skipped and listed in ``study.skipped``.
        qubits: Qubits per dimension, same forms (several values: a resolution study).
        methods: Method names or ``(name, options)`` pairs; ``random`` and ``grid-argmin``
            are always added.
        budgets: Evaluations per run scanned for classical methods and ``random``.
        quantum: Option sets scanned for quantum methods (e.g. ``{"steps": 200}``).
        shots: Shots per repeat of a quantum method.
        repeats: Seeds per (size, method, setting).
        seed: First seed.
        store: A :class:`~qdq.store.Store` or path (resumable); ``None``: in memory.
        suite_name: Store key (default: from the functions, sizes and methods).
        executor: As in :func:`qdq.compare.run_suite` (``"serial"`` stores each cell at once).
        workers: Workers of a named executor.
        progress: Show a progress bar on stderr.
        radius: Success radius in the unit box for every function (default: each function's
            own — 0.1 for the QHD rows, one grid-cell diagonal where it has none). Give one
            value so that factors compare across functions.

    Raises:
        ParameterError: Bad sizes, budgets, settings, a radius ``<= 0``, or a size past
            :data:`MAX_GRID_QUBITS` total qubits.
        ProblemError: An unknown function name (valid names listed).
    """
    import qdq.benchmarks as benchmarks
    from qdq.compare.runner import run_cells

    names = [f.strip() for f in functions.split(",")] if isinstance(functions, str) \
        else [str(f).strip() for f in functions]
    names = [f.lower().replace("-", "_") for f in names if f]
    if not names:
        raise ParameterError("no functions given; e.g. "
                             "functions='ackley,rosenbrock,rotated_rastrigin'")
    if radius is not None and (isinstance(radius, bool) or not np.isfinite(float(radius))
                               or float(radius) <= 0):
        raise ParameterError(f"radius must be a finite number > 0, got {radius!r}")
    ds, ns = parse_sizes(dims, "dims"), parse_sizes(qubits, "qubits")
    if max(ds) * max(ns) > MAX_GRID_QUBITS and any(d * n > MAX_GRID_QUBITS
                                                   for d in ds for n in ns):
        raise ParameterError(f"d·n must be <= {MAX_GRID_QUBITS} (2^{MAX_GRID_QUBITS} grid "
                             f"points on the emulator), got dims={ds}, qubits={ns}; "
                             "extrapolate past it with ScalingStudy.extrapolate")
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ParameterError(f"shots must be an integer >= 1, got {shots!r}")
    budgets = [int(b) for b in budgets]
    if not budgets or any(b < 1 for b in budgets):
        raise ParameterError(f"budgets must be integers >= 1, got {budgets!r}")
    quantum = [dict(q) for q in quantum]
    if not quantum or not all(isinstance(q, dict) for q in quantum):
        raise ParameterError(f"quantum must be a non-empty list of option dicts, got "
                             f"{quantum!r}; e.g. [{{'steps': 200}}]")
    fspecs, sizes, skipped = [], {}, []
    for name in names:
        benchmarks.get(name, 2 if name != "double_well" else 1)   # validates the name
        for d in ds:
            try:
                benchmarks.get(name, d)
            except ProblemError as exc:
                skipped.append({"function": name, "d": d, "reason": str(exc)})
                continue
            for n in ns:
                label = _label(name, d, n)
                fspecs.append(FunctionRecipe(label, benchmark=name, dims=d, rescale=True,
                                           qubits=n, radius=radius))
                sizes[label] = (name, d, n)
    if not fspecs:
        raise ParameterError(f"no valid sizes: {skipped}")
    specs, budget, group = _variants(methods, budgets, quantum, shots)
    if suite_name is None:
        suite_name = (f"scaling:{','.join(names)}:d={','.join(map(str, ds))}:"
                      f"n={','.join(map(str, ns))}"
                      + ("" if radius is None else f":r={float(radius):g}"))
    settings = {"mode": "scaling", "dims": ds, "qubits": ns, "budgets": budgets,
                "radius": radius,
                "quantum": quantum, "shots": int(shots),
                "budget_semantics": "evaluations per run (classical, random); shots per "
                                    "repeat (quantum); scanned, best TTS99 kept"}
    report = run_cells(fspecs, specs, repeats=repeats, seed=seed, budget=budget,
                       default_budget=int(shots), suite_name=suite_name, executor=executor,
                       workers=workers, store=store, progress=progress, settings=settings)
    return ScalingStudy(report, sizes, group, names, skipped)


class ScalingStudy:
    """The result of :func:`scaling`: best-setting TTS per size, fits, extrapolation.

    Attributes:
        report: The underlying :class:`~qdq.compare.report.Report` (every setting's row).
        sizes: ``{function label: (name, d, n)}``.
        group: ``{method label: method name}`` (settings of one method share a name).
        functions: Function names in order.
        skipped: Sizes a function does not accept.
    """

    def __init__(self, report, sizes: Mapping[str, tuple], group: Mapping[str, str],
                 functions: Sequence[str], skipped: Sequence[dict] = ()):
        self.report = report
        self.sizes = dict(sizes)
        self.group = dict(group)
        self.functions = list(functions)
        self.skipped = list(skipped)
        self._points: list[dict] | None = None

    @property
    def methods(self) -> list[str]:
        """Method names (one per scanned method), in suite order."""
        return list(dict.fromkeys(self.group[m] for m in self.report.methods))

    def _estimate(self, flabel: str, mlabel: str):
        rep = self.report
        category = rep.method_category(mlabel)
        return method_tts(category, rep.seed_cells(flabel, mlabel),
                          rep.distribution_cell(flabel, mlabel),
                          deterministic=rep._deterministic(mlabel),
                          seed=zlib.crc32(f"{flabel}|{mlabel}".encode()))

    def points(self) -> list[dict]:
        """Best-setting TTS per (function, size, method), in function/size/method order.

        Each point: ``function``, ``d``, ``n``, ``N``, ``method``, ``category``, ``setting``
        (the label kept), ``unit``, ``tts``, ``low``, ``high`` (``inf`` allowed),
        ``p``, ``uniform`` (``R(box fraction)`` evaluations: uniform sampling's TTS),
        ``cost_units`` (the kept row's ``tts99_*`` columns) and ``estimate``.
        """
        if self._points is not None:
            return self._points
        rows = {(r["function"], r["method"]): r for r in self.report.table}
        out = []
        for flabel, (name, d, n) in self.sizes.items():
            fm = self.report.function_meta(flabel)
            area = fm.get("area_fraction")
            uniform = float(tts99(area, 1.0)) if area else math.inf
            for method in self.methods:
                best = None
                for mlabel in self.report.methods:
                    if self.group[mlabel] != method or (flabel, mlabel) not in rows:
                        continue
                    est = self._estimate(flabel, mlabel)
                    if est is None:
                        continue
                    if best is None or est.value < best[1].value:
                        best = (mlabel, est)
                if best is None:
                    continue
                mlabel, est = best
                row = rows[(flabel, mlabel)]
                out.append({"function": name, "d": d, "n": n, "N": 2 ** (d * n),
                            "method": method, "category": row["category"], "setting": mlabel,
                            "unit": row["tts_unit"], "tts": est.value, "low": est.low,
                            "high": est.high, "p": est.p, "uniform": uniform,
                            "cost_units": {k: row[k] for k in row if k.startswith("tts99_")},
                            "estimate": est})
        self._points = out
        return out

    def fits(self) -> list[dict]:
        """Scaling exponents per (function, method): along ``d`` (each ``n``) and ``N``.

        Returns:
            Rows with ``function``, ``method``, ``axis`` (``"dims"``: ``TTS ≈ a·b^d``,
            ``base`` = ``b`` with ``base_low``/``base_high``; ``"resolution"``:
            ``TTS ≈ a·N^k``, ``exponent`` = ``k`` with its interval), ``fixed`` (the ``n``
            or ``d`` held fixed), ``sizes`` (points used), ``excluded`` (sizes with
            ``TTS = ∞``), ``slope``/``intercept`` (natural-log fit) and the unit.
        """
        pts = self.points()
        out = []
        for name in self.functions:
            for method in self.methods:
                mine = [p for p in pts if p["function"] == name and p["method"] == method]
                for axis, key, fixed_key in (("dims", "d", "n"), ("resolution", "N", "d")):
                    for fixed in sorted({p[fixed_key] for p in mine}):
                        line = sorted((p for p in mine if p[fixed_key] == fixed),
                                      key=lambda p: p[key])
                        if len(line) < 2:
                            continue
                        fit = fit_exponent([p[key] for p in line], [p["tts"] for p in line],
                                           [p["estimate"].replicates for p in line],
                                           log_x=axis == "resolution")
                        row = {"function": name, "method": method, "axis": axis,
                               "fixed": {fixed_key: fixed}, "unit": line[0]["unit"],
                               "sizes": len(fit["used"]), "used": fit["used"],
                               "excluded": fit["excluded"], "slope": fit["slope"],
                               "intercept": fit["intercept"],
                               "slope_low": fit["slope_low"], "slope_high": fit["slope_high"]}
                        if axis == "dims":
                            row.update({k.replace("slope", "base"): _exp(fit[k])
                                        for k in ("slope", "slope_low", "slope_high")})
                        else:
                            row.update({k.replace("slope", "exponent"): fit[k]
                                        for k in ("slope", "slope_low", "slope_high")})
                        out.append(row)
        return out

    def extrapolate(self, dims: Sequence[int]) -> list[dict]:
        """TTS past the simulated sizes from the ``d`` fits (:mod:`qdq.compare.scalingplot`)."""
        from qdq.compare.scalingplot import extrapolate

        return extrapolate(self, dims)

    def to_markdown(self, extrapolate_to: Sequence[int] = ()) -> str:
        """Tables of the points, the fits and (optionally) extrapolations as Markdown."""
        from qdq.compare.scalingplot import study_markdown

        return study_markdown(self, extrapolate_to)

    def figure(self, function: str, extrapolate_to: Sequence[int] = ()):
        """TTS vs ``d`` on log axes per method (:func:`qdq.compare.scalingplot.figure`)."""
        from qdq.compare.scalingplot import figure

        return figure(self, function, extrapolate_to)


def _exp(v: float | None) -> float | None:
    if v is None:
        return None
    return math.inf if v > 700 else math.exp(v)
