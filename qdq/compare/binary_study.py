r"""Binary comparisons and scaling studies: TTS99 per method at its best setting, vs ``n``.

:func:`binary_scaling` runs every method at every setting of its scan on every instance of a
family (LABS, random 3-regular Max-Cut, SK, …; :mod:`qdq.binary.benchsets`), each cell
stored as it finishes (:mod:`qdq.compare.binary_cells`), so a study killed at any point
— ``kill -9`` included — resumes without recomputing. :func:`compare_binary` is the same
on one instance.

**Attempts and TTS.** A classical read (one restart of a solver at one setting) or a
quantum shot is one attempt; it succeeds when it ends at the instance's optimum energy.
``TTS99 = c·max(1, ln 0.01 / ln(1 − p))`` (:func:`qdq.compare.tts.tts99`). Units:
classical methods in *evaluations* (candidate states scored, :mod:`qdq.classical.binary`;
CPU seconds where a solver does not count them) and CPU seconds; quantum methods in *CX
gates* (shots × CX per shot), and also shots, shots × two-qubit depth and fault-tolerant
seconds. Each method is reported at the setting of its scan with the least TTS99 in its own
unit (which biases every method slightly low, equally) — for quantum methods that is gates,
not shots: a longer anneal needs fewer shots, but each costs more layers. Intervals:
classical — percentile bootstrap over the reads; quantum — the per-shot ``p`` is exact (the
emulator's final distribution), so the TTS has no sampling error.

**Fits** (:meth:`BinaryStudy.fits`): ``TTS ≈ a·bⁿ`` by least squares on ``ln TTS`` vs ``n``.
The 95 % interval of ``b`` covers two sources of error: the sampling of the reads (classical:
the fit repeated on bootstrap replicate ``j`` of every size) and the scatter of the sizes
about the line — one instance per size, and LABS's optimum count jumps from one ``N`` to the
next — from the regression's standard error (Student t, ``sizes − 2`` degrees of freedom);
the reported interval is the union of the two (quantum values are exact, so only the second
applies). Sizes where no attempt succeeded (``∞``) are left out and listed.

Example:
    >>> study = binary_scaling("maxcut3", [6, 8], methods=["greedy"], reads=20,
    ...                        progress=False)
    >>> sorted({p["method"] for p in study.points()})
    ['exact', 'greedy', 'uniform']
    >>> [p["tts"] for p in study.points() if p["method"] == "exact"]
    [64.0, 256.0]
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from qdq.compare.binary_cells import classical_cell, quantum_cell, train_angles
from qdq.compare.binary_methods import (
    DEFAULT_SCANS,
    BinaryMethod,
    parse_methods,
    setting_label,
)
from qdq.compare.fits import fit_exponent, parse_sizes
from qdq.compare.tts import TTSEstimate, bootstrap_tts, tts99
from qdq.errors import ParameterError
from qdq.store import resolve_store

__all__ = ["BinaryMethod", "BinaryStudy", "DEFAULT_SCANS", "binary_scaling", "compare_binary",
           "parse_methods"]

CELL_VERSION = 2


def _fingerprint(problem, optimum: float, method: BinaryMethod, setting: dict,
                 reads: int) -> str:
    poly = sorted((list(k), float(w)) for k, w in problem.polynomial.items())
    text = json.dumps([CELL_VERSION, problem.num_bits, poly, float(problem.offset),
                       float(optimum), method.name, setting, int(reads)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _seed_of(seed: int, *words: str) -> int:
    mixed = [int(seed)] + [zlib.crc32(w.encode()) for w in words]
    return int(np.random.SeedSequence(mixed).generate_state(1, dtype=np.uint32)[0])


@dataclass
class BinaryStudy:
    """Cells of a binary study with TTS per (instance, method), fits and tables.

    Attributes:
        instances: ``[{label, family, n, optimum, source}]`` in size order.
        methods: The methods and their scans.
        cells: ``{(instance label, setting label): payload}``.
        reads: Reads per classical cell.
        info: Run bookkeeping: computed and reused cells, the suite name.
    """

    instances: list[dict]
    methods: list[BinaryMethod]
    cells: dict[tuple[str, str], dict]
    reads: int
    info: dict = field(default_factory=dict)

    def _estimate(self, inst: dict, method: BinaryMethod, setting: dict
                  ) -> tuple[TTSEstimate, dict] | None:
        cell = self.cells.get((inst["label"], setting_label(method, setting)))
        if cell is None or cell.get("error"):
            return None
        if method.kind == "quantum":
            # Choose and fit by gates, not shots: a longer anneal needs fewer shots but each
            # costs more layers, and shots alone would always pick the longest one scanned.
            p = float(cell["p"])
            shots = float(tts99(p, 1.0))
            cx = shots * cell["cx_per_shot"] if math.isfinite(shots) else math.inf
            est = TTSEstimate(cx, cx, cx, p, float(cell["cx_per_shot"]), 0)
            units = {"shots": shots, "cx": cx,
                     "two_qubit_layers": shots * cell["two_qubit_depth"]
                     if math.isfinite(shots) else math.inf,
                     "ft_s": None if cell.get("ft_s_per_shot") is None or math.isinf(shots)
                     else shots * cell["ft_s_per_shot"]}
            return est, {"unit": "cx", "units": units, "cell": cell}
        hits = cell["hits"]
        per_read_cpu = cell["cpu_s"] / max(1, cell["reads"])
        evals = cell.get("evals_per_read")
        each = cell.get("evals_each")
        unit = "evaluations" if evals is not None or each else "cpu_s"
        costs = ([float(e) for e in each] if each else
                 [float(evals) if evals is not None else per_read_cpu] * len(hits))
        cost = float(np.mean(costs))
        if method.kind == "exact":          # one deterministic run: no sampling error
            value = cost if hits[0] else math.inf
            est = TTSEstimate(value, value if hits[0] else cost, value, float(hits[0]), cost,
                              1, replicates=np.full(2000, value))
        else:
            seed = zlib.crc32(f"{inst['label']}|{setting_label(method, setting)}".encode())
            est = bootstrap_tts(hits, costs, seed=seed)
        attempts = est.value / cost if cost > 0 and math.isfinite(est.value) else math.inf
        units = {"evaluations": est.value if unit == "evaluations" else None,
                 "cpu_s": attempts * per_read_cpu if math.isfinite(attempts) else math.inf}
        return est, {"unit": unit, "units": units, "cell": cell}

    def points(self) -> list[dict]:
        """Best-setting TTS per (instance, method).

        Each point: ``family``, ``instance``, ``n``, ``method``, ``kind``, ``setting``,
        ``unit``, ``tts``, ``low``, ``high``, ``p``, ``units`` (the same TTS in every unit
        the method has: ``evaluations``, ``cpu_s``, ``shots``, ``cx``, ``two_qubit_layers``,
        ``ft_s`` — fault-tolerant seconds, where :mod:`qdq.estimate` is installed)
        and ``estimate``.
        """
        out = []
        for inst in self.instances:
            for m in self.methods:
                best = None
                for s in m.settings():
                    got = self._estimate(inst, m, s)
                    if got is not None and (best is None or got[0].value < best[1].value):
                        best = (s, *got)
                if best is None:
                    continue
                s, est, extra = best
                out.append({"family": inst["family"], "instance": inst["label"],
                            "n": inst["n"], "method": m.label, "kind": m.kind,
                            "setting": s, "unit": extra["unit"], "tts": est.value,
                            "low": est.low, "high": est.high, "p": est.p,
                            "units": extra["units"], "estimate": est})
        return out

    def fits(self, unit: str | None = None) -> list[dict]:
        """``TTS ≈ a·bⁿ`` per (family, method): ``base`` with ``base_low``/``base_high``.

        Args:
            unit: ``None``: each method's own unit (classical: evaluations or CPU s;
                quantum: CX gates). ``"shots"``: the quantum methods in shots at the same
                settings (the unit of published QAOA scaling); classical methods left out.
        """
        pts = self.points()
        out = []
        for family in dict.fromkeys(i["family"] for i in self.instances):
            for m in self.methods:
                if unit is not None and m.kind != "quantum":
                    continue
                line = sorted((p for p in pts if p["family"] == family
                               and p["method"] == m.label), key=lambda p: p["n"])
                if len(line) < 2:
                    continue
                ns = [p["n"] for p in line]
                values = [p["tts"] if unit is None else p["units"][unit] for p in line]
                quantum = m.kind == "quantum"
                reps = None if quantum else [p["estimate"].replicates for p in line]
                fit = fit_exponent(ns, values, reps)
                if fit["slope"] is not None:
                    # the sizes' scatter about the line (one instance per size): Student t
                    t = _t_interval(fit["used"], [v for v in values if math.isfinite(v)
                                                  and v > 0])
                    for k, pick in (("slope_low", min), ("slope_high", max)):
                        have = [v for v in (fit[k], t[k]) if v is not None]
                        fit[k] = pick(have) if have else None
                row = {"family": family, "method": m.label, "kind": m.kind,
                       "unit": unit or line[0]["unit"], "sizes": fit["used"],
                       "excluded": fit["excluded"]}
                for k in ("slope", "slope_low", "slope_high"):
                    v = fit[k]
                    row[k.replace("slope", "base")] = None if v is None else math.exp(v)
                out.append(row)
        return out

    def to_markdown(self) -> str:
        """The points and fits as Markdown tables (:mod:`qdq.compare.binary_report`)."""
        from qdq.compare.binary_report import study_markdown

        return study_markdown(self)


def _t_interval(ns: Sequence[float], values: Sequence[float], confidence: float = 0.95
                ) -> dict:
    """Slope interval of ``ln v = α + β n`` from the residuals (Student t)."""
    from scipy import stats

    x, y = np.asarray(ns, float), np.log(np.asarray(values, float))
    if x.size < 3:
        return {"slope_low": None, "slope_high": None}
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    se = math.sqrt(float(resid @ resid) / (x.size - 2) / float(((x - x.mean()) ** 2).sum()))
    t = float(stats.t.ppf(0.5 + confidence / 2, x.size - 2))
    return {"slope_low": float(slope - t * se), "slope_high": float(slope + t * se)}


def _run_cells(instances: list[dict], methods: list[BinaryMethod], *, reads: int, seed: int,
               store, suite_name: str, progress: bool, train: Mapping[str, Any]) -> BinaryStudy:
    db = resolve_store(store)
    cells: dict[tuple[str, str], dict] = {}
    computed = reused = 0
    angles: dict[int, dict] = {}

    def cached(function: str, label: str, fp: str, compute) -> dict:
        nonlocal computed, reused
        if db is not None:
            hit = db.get_cell(suite_name, function, label, None)
            if hit is not None and hit["result"].get("fingerprint") == fp:
                reused += 1
                return hit["result"]
        try:
            payload = dict(compute())
        except MemoryError as exc:     # a size past this machine: listed, not fatal
            payload = {"error": f"{type(exc).__name__}: {exc}"}
        payload["fingerprint"] = fp
        computed += 1
        if db is not None:
            db.put_cell(suite_name, function, label, None, payload)
        return payload

    total = len(instances) * sum(len(m.settings()) for m in methods)
    done = 0
    for inst in instances:
        problem, optimum = inst["problem"], float(inst["optimum"])
        for m in methods:
            for s in m.settings():
                label = setting_label(m, s)
                if m.name == "exact" and problem.num_bits > train.get("max_exact_bits", 26):
                    continue
                fp = _fingerprint(problem, optimum, m, s, reads)
                if m.kind == "quantum":
                    if m.name == "qaoa":
                        p = int(s["p"])
                        if p not in angles:
                            tp = train["problem"]
                            tfp = _fingerprint(tp, 0.0, m, {"p": p, **train["options"]}, 0)
                            angles[p] = cached(f"train:{train['label']}", label, tfp,
                                               partial(train_angles, tp, p,
                                                       **train["options"]))
                        fp = hashlib.sha256((fp + json.dumps(angles[p], sort_keys=True,
                                            default=str)).encode()).hexdigest()[:24]
                    cell = cached(inst["label"], label, fp, partial(
                        quantum_cell, problem, m.name, s, optimum=optimum,
                        angles=angles.get(s.get("p"))))
                else:
                    cseed = _seed_of(seed, inst["label"], label)
                    cell = cached(inst["label"], label, fp, partial(
                        classical_cell, problem, m.name, s, optimum=optimum,
                        reads=1 if m.kind == "exact" else reads, seed=cseed))
                cells[(inst["label"], label)] = cell
                done += 1
                if progress:
                    import sys

                    print(f"\r[{done}/{total}] {inst['label']} {label}          ",
                          end="", file=sys.stderr, flush=True)
    if progress:
        import sys

        print(file=sys.stderr)
    meta = [{k: v for k, v in i.items() if k != "problem"} for i in instances]
    return BinaryStudy(meta, methods, cells, reads,
                       {"suite": suite_name, "computed_cells": computed,
                        "reused_cells": reused, "angles": angles})


def _check_degrees(instances: list[dict], methods: list[BinaryMethod]) -> None:
    """Refuse a quadratic-only solver on a higher-degree family before anything runs."""
    from qdq.classical.binary import QUADRATIC_HINT, resolve_solver

    degree = max(i["problem"].degree for i in instances)
    for m in methods:
        if m.kind != "quantum" and resolve_solver(m.name).quadratic_only and degree > 2:
            raise ParameterError(f"{m.name!r} takes quadratic objectives, and these instances "
                                 f"have degree {degree}; {QUADRATIC_HINT}")


def _check_reads(reads: Any) -> int:
    if isinstance(reads, bool) or not isinstance(reads, (int, np.integer)) or reads < 2:
        raise ParameterError(f"reads must be an integer >= 2 (the TTS is a rate over reads), "
                             f"got {reads!r}")
    return int(reads)


def binary_scaling(family: str, sizes: Any, *, methods: Any = ("sa", "qaoa:p=1"),
                   reads: int = 100, seed: int = 1, store: Any = None,
                   suite_name: str | None = None, progress: bool = True,
                   train_size: int | None = None, train_steps: int = 300) -> BinaryStudy:
    """Run (or resume) a TTS scaling study over sizes of a binary family.

    Args:
        family: ``"labs"``, ``"maxcut3"`` (random 3-regular Max-Cut, one seeded graph per
            size) or ``"sk"`` (:func:`qdq.binary.benchsets.family`).
        sizes: Sizes ``n``: a list, ``"8-14"`` or ``"8,10,12"``.
        methods: Method names with optional settings (:func:`parse_methods`); uniform
            sampling and the exact optimum are always added.
        reads: Reads per classical setting (the TTS is a success rate over them).
        seed: Seeds the instances' cells (and the random families' graphs via the family).
        store: A :class:`~qdq.store.Store`, a path or ``True`` (resumable); ``None``: memory.
        suite_name: Store key (default: from the family, sizes, methods and reads).
        progress: Progress on stderr.
        train_size: Size at which QAOA angles are trained (default: the smallest size).
        train_steps: Adam steps of that training.

    Raises:
        ParameterError: Bad sizes, methods or reads; ProblemError: an unknown family.
    """
    from qdq.binary.benchsets import family as family_instances

    reads = _check_reads(reads)
    ns = parse_sizes(sizes, "sizes")
    ms = parse_methods(methods)
    def entry(problem, meta) -> dict:
        return {"label": meta["name"], "family": str(family).strip().lower(),
                "n": problem.num_bits, "optimum": float(meta["optimum"]),
                "source": meta["optimum_source"], "problem": problem}

    instances = [entry(*item) for item in family_instances(family, ns, seed=seed)]
    t_n = ns[0] if train_size is None else int(train_size)
    t_problem, t_meta = next(iter(family_instances(family, [t_n], seed=seed)))
    train = {"problem": t_problem, "label": t_meta["name"],
             "options": {"steps": int(train_steps)}}
    if suite_name is None:
        suite_name = (f"binary-scaling:{family}:n={','.join(map(str, ns))}:"
                      f"{','.join(m.label for m in ms)}:reads={reads}:seed={seed}")
    _check_degrees(instances, ms)
    return _run_cells(instances, ms, reads=reads, seed=seed, store=store,
                      suite_name=suite_name, progress=progress, train=train)


def compare_binary(problem, *, methods: Any = ("sa", "qaoa:p=1"), optimum: float | None = None,
                   reads: int = 100, seed: int = 1, store: Any = None,
                   suite_name: str | None = None, progress: bool = False,
                   train_steps: int = 300) -> BinaryStudy:
    """TTS99 of each method at its best setting on one binary instance.

    ``optimum`` defaults to brute force (``n ≤ 32``); QAOA angles are trained on the
    instance itself (no transfer). See :func:`binary_scaling` for the other arguments.

    Example:
        >>> from qdq.binary.instances import random_regular_maxcut
        >>> s = compare_binary(random_regular_maxcut(8, 3, seed=2), methods=["greedy"],
        ...                    reads=10)
        >>> [p["method"] for p in s.points()]
        ['greedy', 'uniform', 'exact']
    """
    if not getattr(problem, "is_binary", False):
        raise ParameterError(f"compare_binary needs a qdq.BinaryProblem, got "
                             f"{type(problem).__name__}; continuous problems: qdq.compare")
    reads = _check_reads(reads)
    ms = parse_methods(methods)
    source = "given" if optimum is not None else "brute force"
    if optimum is None:
        optimum = float(problem.exact().energy)
    label = problem.name or f"binary-{problem.num_bits}"
    inst = {"label": label, "family": label, "n": problem.num_bits, "optimum": float(optimum),
            "source": source, "problem": problem}
    train = {"problem": problem, "label": label, "options": {"steps": int(train_steps)}}
    _check_degrees([inst], ms)
    return _run_cells([inst], ms, reads=reads, seed=seed, store=store,
                      suite_name=suite_name or f"binary-compare:{label}:reads={reads}",
                      progress=progress, train=train)
