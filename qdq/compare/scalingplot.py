r"""Tables, figures and extrapolation of a scaling study (:mod:`qdq.compare.study`).

* :func:`extrapolate` — TTS past the simulated dimensions from each ``d`` fit,
  ``TTS(d) = TTS_fit(d_max)·b^{d − d_max}`` with ``b`` and its interval from the fit, and a
  wall-clock figure: quantum methods × the fault-tolerant seconds per shot
  (``qdq.estimate``, stored per size in the cells, fitted as ``A·g^d``: the estimates
  grow by a near-constant factor per added dimension, not as a power of ``d``);
  classical methods × the measured CPU seconds per evaluation at the largest simulated
  size, scaled by ``d/d_max`` (one evaluation touches ``d`` coordinates). Every row says
  ``extrapolated: True``; nothing here was simulated.
* :func:`study_markdown` — the best-setting points, the fitted exponents and any
  extrapolation as Markdown.
* :func:`figure` — TTS vs ``d`` on log axes per method (error bars: bootstrap 95 %), the
  uniform-sampling line, fits solid over the simulated range and dashed (labelled
  "extrapolated") past it.

Example:
    >>> from qdq.compare.study import scaling
    >>> study = scaling("levy", dims=[1, 2], qubits=3, methods=["random"], budgets=[8],
    ...                 repeats=8, progress=False)
    >>> row = extrapolate(study, [6])[0]
    >>> row["d"], row["extrapolated"], row["tts"] > 0
    (6, True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from qdq.compare.ftcost import FT_NOTE

__all__ = ["extrapolate", "figure", "study_markdown"]


def _fmt(v, spec: str = ".3g") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return format(v, spec)


def _seconds_per_unit(points: list[dict], category: str, d: int) -> tuple[float | None, str]:
    """Seconds per attempt-unit at dimension ``d`` (FT per shot, or CPU per evaluation)."""
    if category == "quantum":
        pairs = [(p["d"], p["cost_units"].get("tts99_ft_s") / p["tts"]) for p in points
                 if p["cost_units"].get("tts99_ft_s") and math.isfinite(p["tts"])
                 and p["tts"] > 0]
        if not pairs:
            return None, "no fault-tolerant estimate"
        if len({x for x, _ in pairs}) < 2:
            x0, s0 = pairs[-1]
            return s0 * d / x0, "FT s/shot ∝ d"
        # exponential in d, like the estimates themselves (a power law in d under-states
        # d = 12 by ~10⁵ on a dense oracle: issue 17)
        g, c = np.polyfit([x for x, _ in pairs], np.log([s for _, s in pairs]), 1)
        return float(math.exp(c + g * d)), f"FT s/shot ≈ A·{math.exp(g):.3g}^d"
    pairs = [(p["d"], p["cost_units"].get("tts99_cpu_s") / p["tts"]) for p in points
             if p["cost_units"].get("tts99_cpu_s") and math.isfinite(p["tts"]) and p["tts"] > 0]
    if not pairs:
        return None, "no CPU time"
    x0, s0 = max(pairs)
    return s0 * d / x0, "CPU s/eval ∝ d"


def extrapolate(study, dims: Sequence[int]) -> list[dict]:
    """Extrapolated TTS (and seconds) per ``d`` fit, for each ``d`` in ``dims``.

    Returns:
        Rows: ``function``, ``method``, ``category``, ``n``, ``d``, ``unit``, ``tts``,
        ``tts_low``, ``tts_high`` (from the base interval), ``seconds`` (or ``None``),
        ``seconds_basis``, ``extrapolated`` (always ``True``).
    """
    pts = study.points()
    out = []
    for fit in study.fits():
        if fit["axis"] != "dims" or fit["slope"] is None:
            continue
        n = fit["fixed"]["n"]
        mine = [p for p in pts if p["function"] == fit["function"]
                and p["method"] == fit["method"] and p["n"] == n]
        category = mine[0]["category"]
        d0 = max(fit["used"])
        anchor = math.exp(fit["intercept"] + fit["slope"] * d0)
        for d in dims:
            step = d - d0
            tts = anchor * math.exp(fit["slope"] * step)
            lo_s, hi_s = fit["slope_low"], fit["slope_high"]
            low = anchor * math.exp(lo_s * step) if lo_s is not None else None
            high = anchor * math.exp(hi_s * step) if hi_s is not None and \
                math.isfinite(hi_s) else (math.inf if hi_s is not None else None)
            sec, basis = _seconds_per_unit(mine, category, d)
            out.append({"function": fit["function"], "method": fit["method"], "category": category,
                        "n": n, "d": int(d), "unit": fit["unit"], "tts": tts,
                        "tts_low": low, "tts_high": high,
                        "seconds": None if sec is None else tts * sec,
                        "seconds_basis": basis, "extrapolated": True})
    return out


def _md(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def study_markdown(study, extrapolate_to: Sequence[int] = ()) -> str:
    """The study as Markdown: best-setting TTS per size, fitted exponents, extrapolation."""
    pts = study.points()
    parts = [f"# qdq scaling study — {study.report.meta.get('suite', '')}", "",
             "- TTS99 in shots (quantum) or objective evaluations (classical, random), each "
             "method at its best scanned setting per size; 95 % bootstrap intervals",
             "- uniform: TTS99 of uniform sampling, ln 0.01 / ln(1 − box fraction within r)",
             ""]
    if study.skipped:
        parts += ["- skipped: " + "; ".join(f"{s['function']} d={s['d']}"
                                            for s in study.skipped), ""]
    rows = [[p["function"], str(p["d"]), str(p["n"]), p["method"], p["setting"], p["unit"],
             _fmt(p["p"]), f"{_fmt(p['tts'])} [{_fmt(p['low'])}, {_fmt(p['high'])}]",
             _fmt(p["cost_units"].get("tts99_cx")), _fmt(p["cost_units"].get("tts99_ft_s")),
             _fmt(p["uniform"])] for p in pts]
    parts += ["## TTS99 per size (best setting)", "",
              _md(["function", "d", "n", "method", "setting", "unit", "p/attempt",
                   "TTS99 [95% CI]", "CX", "FT s", "uniform"], rows), ""]
    frows = []
    for f in study.fits():
        if f["axis"] == "dims":
            what = f"TTS ≈ a·b^d (n={f['fixed']['n']})"
            val = (f["base"], f["base_low"], f["base_high"])
        else:
            what = f"TTS ≈ a·N^k (d={f['fixed']['d']})"
            val = (f["exponent"], f["exponent_low"], f["exponent_high"])
        frows.append([f["function"], f["method"], what, _fmt(val[0]),
                      f"[{_fmt(val[1])}, {_fmt(val[2])}]", str(f["used"]),
                      str(f["excluded"]) if f["excluded"] else "–"])
    if frows:
        parts += ["## Fitted scaling (b per dimension, or k per ln N)", "",
                  _md(["function", "method", "model", "b or k", "95% CI", "sizes used",
                       "∞ (excluded)"], frows), ""]
    if extrapolate_to:
        ex = extrapolate(study, extrapolate_to)
        erows = [[e["function"], e["method"], str(e["d"]), e["unit"],
                  f"{_fmt(e['tts'])} [{_fmt(e['tts_low'])}, {_fmt(e['tts_high'])}]",
                  _fmt(e["seconds"]), e["seconds_basis"]] for e in ex]
        parts += ["## Extrapolation (not simulated)", "",
                  _md(["function", "method", "d", "unit", "TTS99 (extrapolated) [CI]",
                       "seconds", "basis"], erows), ""]
        if not any(e["seconds"] is not None and e["category"] == "quantum" for e in ex):
            parts += [f"- {FT_NOTE}", ""]
    return "\n".join(parts)


def figure(study, function: str, extrapolate_to: Sequence[int] = ()):
    """TTS99 vs ``d`` (log y) per method for one function; ``None`` without points.

    Markers with bootstrap 95 % error bars (an open upper end, ``∞``, is drawn to the top
    of the axes), the least-squares fit solid over the simulated ``d`` and dashed past it
    (legend: "extrapolated"), and the uniform-sampling line (grey).
    """
    from qdq.compare.figures import pyplot
    from qdq.plotting import method_styles

    pts = [p for p in study.points() if p["function"] == function]
    if not pts:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    styles = method_styles(study.methods)
    fits = {(f["method"], f["fixed"]["n"]): f for f in study.fits()
            if f["function"] == function and f["axis"] == "dims"}
    top = max([p["high"] for p in pts if math.isfinite(p["high"])] + [p["uniform"] for p in pts
              if math.isfinite(p["uniform"])] + [1.0])
    ex = [e for e in extrapolate(study, extrapolate_to) if e["function"] == function]
    dashed_label = True
    for method in study.methods:
        mine = [p for p in pts if p["method"] == method]
        if not mine:
            continue
        st = styles.get(method, {})
        color, marker = st.get("color"), st.get("marker", "o")
        for n in sorted({p["n"] for p in mine}):
            line = sorted((p for p in mine if p["n"] == n), key=lambda p: p["d"])
            fin = [p for p in line if math.isfinite(p["tts"])]
            label = method if len({p["n"] for p in mine}) == 1 else f"{method} (n={n})"
            if fin:
                d = np.array([p["d"] for p in fin], float)
                y = np.array([p["tts"] for p in fin])
                lo = np.array([p["low"] for p in fin])
                # an open upper end (∞) is drawn a factor 3 above the simulated range
                hi = np.array([p["high"] if math.isfinite(p["high"]) else top * 3 for p in fin])
                ax.errorbar(d, y, yerr=[np.maximum(y - lo, 0), np.maximum(hi - y, 0)],
                            fmt=marker, color=color, label=label, capsize=3)
            for p in line:
                if not math.isfinite(p["tts"]):
                    ax.annotate("∞", (p["d"], top * 2), color=color, ha="center")
            f = fits.get((method, n))
            if f is not None and f["slope"] is not None:
                xs = np.linspace(min(f["used"]), max(f["used"]), 20)
                ax.plot(xs, np.exp(f["intercept"] + f["slope"] * xs), "-", color=color,
                        alpha=0.6)
                mine_ex = [e for e in ex if e["method"] == method and e["n"] == n]
                if mine_ex:
                    xe = np.array([max(f["used"])] + [e["d"] for e in mine_ex], float)
                    ax.plot(xe, np.exp(f["intercept"] + f["slope"] * xe), "--", color=color,
                            alpha=0.8, label="extrapolated" if dashed_label else None)
                    dashed_label = False
    uni = sorted({(p["d"], p["uniform"]) for p in pts if math.isfinite(p["uniform"])})
    if uni:
        ax.plot([u[0] for u in uni], [u[1] for u in uni], ":", color="0.4", lw=2,
                label="uniform sampling")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("TTS99 (shots; classical: evaluations)")
    ax.set_title(f"{function}: time to solution vs dimension")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig
