r"""Figures of a comparison report (matplotlib; drawn on demand, never at import).

* :func:`success_figure` — grouped bars of the success rate per function and method with
  Wilson 95 % intervals;
* :func:`density_figure` — final densities of the quantum methods with the success region;
* :func:`convergence_figure` — median best-so-far gap vs. evaluations (shots for quantum
  methods).

Each takes a :class:`~qdq.compare.report.Report` (its :meth:`~qdq.compare.report.Report.plot`
and :meth:`~qdq.compare.report.Report.save` call them) and returns a ``Figure`` (or ``None``
when there is nothing to draw); close figures with ``matplotlib.pyplot.close``.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.5)**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.5])
    >>> rep = qdq.compare(p, methods=["random"], repeats=2, budget=10, radius=0.2,
    ...                   progress=False)
    >>> [name for name, fig in iter_figures(rep) if pyplot().close(fig) is None]
    ['success', 'convergence-(x - 0.5)**2']
"""

from __future__ import annotations

import numpy as np

__all__ = ["convergence_figure", "density_figure", "iter_figures", "pyplot", "success_figure"]


def iter_figures(report, *, densities: bool = True, convergence: bool = True):
    """Yield ``(name, Figure)`` one at a time (the caller closes each)."""
    yield "success", success_figure(report)
    for f in report.functions:
        if densities:
            fig = density_figure(report, f)
            if fig is not None:
                yield f"density-{f}", fig
        if convergence:
            fig = convergence_figure(report, f)
            if fig is not None:
                yield f"convergence-{f}", fig

def success_figure(report):
    """Grouped bars: success rate per function and method with Wilson 95 % intervals.

    Functions are spread over rows (about 60 bars per row) so large suites stay legible.
    Every method has its own colour and marker (:func:`qdq.plotting.method_styles`; the
    marker sits on the bar's top), baselines are hatched, quantum methods outlined. The
    legend is outside the axes on the right and the layout is constrained, so the title,
    the tick labels and every legend entry lie inside the figure.
    """
    import textwrap

    from matplotlib.legend_handler import HandlerTuple

    from qdq.plotting import method_styles

    plt = pyplot()
    fns, ms = report.functions, report.methods
    styles = method_styles(ms)
    per_row = max(1, min(len(fns), 60 // max(1, len(ms))))
    nrows = -(-len(fns) // per_row)
    width = 0.8 / max(1, len(ms))
    ncol = 1 if len(ms) <= 18 else 2
    legend_w = ncol * (0.6 + 0.075 * max((len(m) for m in ms), default=8))
    axes_w = min(14.0, max(5.5, 1.0 + 0.13 * per_row * len(ms) + 0.4 * per_row))
    fig_w = axes_w + legend_w
    height = 2.9 * nrows + 0.9
    fig, axes = plt.subplots(nrows, 1, figsize=(fig_w, height), squeeze=False,
                             layout="constrained")
    by = {(r["function"], r["method"]): r for r in report.table}
    handles: dict[str, tuple] = {}
    for i, ax in enumerate(axes[:, 0]):
        chunk = fns[i * per_row:(i + 1) * per_row]
        x = np.arange(len(chunk))
        for j, m in enumerate(ms):
            rates, lo, hi = [], [], []
            for f in chunk:
                r = by.get((f, m))
                ok = r is not None and r["success_rate"] is not None
                rate = r["success_rate"] if ok else np.nan
                rates.append(rate)
                lo.append(rate - r["ci_low"] if ok else 0.0)
                hi.append(r["ci_high"] - rate if ok else 0.0)
            category = report.method_category(m)
            xs = x + (j - (len(ms) - 1) / 2) * width
            bars = ax.bar(xs, rates, width, yerr=[np.nan_to_num(lo), np.nan_to_num(hi)],
                          capsize=1.5, color=styles[m]["color"],
                          hatch="//" if category == "baseline" else None,
                          edgecolor="k" if category == "quantum" else "0.3", linewidth=0.6,
                          error_kw={"elinewidth": 0.6}, label=m)
            (mark,) = ax.plot(xs, rates, ls="none", marker=styles[m]["marker"], ms=4.5,
                              mfc=styles[m]["color"], mec="k", mew=0.6, gid=m)
            handles.setdefault(m, (bars.patches[0], mark))
        ax.set_xticks(x)
        ax.set_xticklabels(chunk, rotation=30 if len(chunk) > 5 else 0,
                           ha="right" if len(chunk) > 5 else "center")
        ax.set_xlim(-0.6, max(len(chunk), per_row) - 0.4)
        ax.set_ylim(0, 1.08)
        ax.set_ylabel("success rate")
    title = (f"{report.meta.get('suite', '')}: outcome within r of the minimizer "
             "(95 % Wilson intervals; hatched: baselines; outlined: quantum)")
    # An axes title (not a suptitle) so the outside legend cannot overlap it; wrapped to
    # about 12 characters per inch of axes width at 10 pt.
    axes[0, 0].set_title(textwrap.fill(title, width=max(30, int((axes_w - 0.8) * 12))),
                         fontsize=10)
    fig.legend([handles[m] for m in ms if m in handles], [m for m in ms if m in handles],
               handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
               loc="outside right upper", ncol=ncol, fontsize=8, title="method",
               title_fontsize=8)
    return fig

def density_figure(report, function: str):
    """Final densities of the quantum methods on ``function`` (``None`` if none).

    2-D (or marginalized to the first two axes): a log-scaled heatmap whose pixel
    ``(j₀, j₁)`` is centred on the grid point (:func:`qdq.plotting.cell_extent`), the
    known minimizer marked ``+`` and the success radius drawn as a circle, with axis
    labels and a colour bar. 1-D: the density on a log axis with the success interval.
    """
    quantum = [m for m in report.methods if report.method_category(m) == "quantum"
               and report.distribution(function, m) is not None]
    if not quantum:
        return None
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    from qdq.plotting import ZERO_FLOOR, cell_extent

    plt = pyplot()
    fm = report.function_meta(function)
    box = fm["bounds"]
    crit = fm["criterion"]
    fig, axes = plt.subplots(1, len(quantum), figsize=(4.6 * len(quantum), 4.0),
                             squeeze=False, layout="constrained")
    for ax, m in zip(axes[0], quantum, strict=True):
        p = report.distribution(function, m)
        d = report.distribution_cell(function, m)
        has_region = crit.get("center") is not None and crit.get("radius") is not None
        if p.ndim == 1:
            xs = box[0][0] + (box[0][1] - box[0][0]) * np.arange(p.size) / p.size
            ax.plot(xs, np.maximum(p, ZERO_FLOOR), label="probability")
            ax.set_yscale("log")
            if has_region:
                c, r = crit["center"][0], crit["radius"]
                ax.axvspan(c - r, c + r, color="C3", alpha=0.15, label="success region")
            ax.set_xlabel("x")
            ax.set_ylabel(f"probability (0 drawn at {ZERO_FLOOR:g})")
            ax.legend(fontsize=7)
        else:
            img = p if p.ndim == 2 else p.sum(axis=tuple(range(2, p.ndim)))
            vmax = float(img.max())
            cmap = colormaps["magma"].with_extremes(under="black", bad="black")
            im = ax.imshow(img.T, origin="lower", extent=cell_extent(box, img.shape),
                           aspect="auto", cmap=cmap, interpolation="nearest",
                           norm=LogNorm(vmin=max(vmax * 1e-6, 1e-300), vmax=vmax))
            fig.colorbar(im, ax=ax, extend="min",
                         label="probability (log; below 1e-6·max: black)")
            if has_region:
                c = crit["center"]
                ax.add_patch(plt.Circle((c[0], c[1]), crit["radius"], fill=False,
                                        color="c", lw=1.2, label="success radius"))
                ax.plot(c[0], c[1], "c+", ms=9, mew=1.5, label="minimizer")
                ax.legend(fontsize=7, loc="upper right")
            ax.set_xlabel("x")
            ax.set_ylabel("y")
        ax.set_title(f"{m}: per-shot {d.get('shot_success', 0):.3g}, "
                     f"P_s {d.get('success_probability', 0):.2g}", fontsize=9)
    fig.suptitle(f"{function}: final densities", fontsize=10)
    return fig

def convergence_figure(report, function: str):
    """Median best-so-far gap ``f − f*`` vs. evaluations (shots for quantum methods).

    Log-log axes; an exact gap of 0 cannot be drawn on them, so medians ``≤ 0`` are
    drawn at :data:`qdq.plotting.ZERO_FLOOR`, which the y label and a legend entry (a
    grey line at the floor) then state. Colours and markers match
    :func:`success_figure`.
    """
    from qdq.plotting import ZERO_FLOOR, method_styles

    plt = pyplot()
    fm = report.function_meta(function)
    fstar = fm["criterion"].get("minimum") or 0.0
    styles = method_styles(report.methods)
    fig, ax = plt.subplots(figsize=(7.6, 4.2), layout="constrained")
    drawn = 0
    floored = False
    for m in report.methods:
        results = report.seed_cells(function, m)
        hists = [np.asarray(r.get("history") or [], dtype=float).reshape(-1, 2)
                 for r in results]
        hists = [h for h in hists if len(h)]
        if not hists:
            continue
        top = max(float(h[-1, 0]) for h in hists)
        grid = np.unique(np.geomspace(1, max(top, 1), 80).round())
        curves = []
        for h in hists:
            idx = np.searchsorted(h[:, 0], grid, side="right") - 1
            vals = np.where(idx >= 0, h[np.clip(idx, 0, None), 1], np.nan)
            curves.append(vals - fstar)
        med = np.nanmedian(np.vstack(curves), axis=0) if len(curves) > 1 else curves[0]
        floored |= bool(np.any(med <= ZERO_FLOOR))
        shown = np.maximum(med, ZERO_FLOOR)
        category = report.method_category(m)
        style = {"quantum": "--", "baseline": ":"}.get(category, "-")
        st = styles[m]
        if m == "grid-argmin":
            ax.plot(grid[-1:], shown[-1:], ls="none", marker="*", ms=10, color="k",
                    label=m)
        else:
            ax.step(grid, shown, where="post", ls=style, color=st["color"],
                    marker=st["marker"], markevery=[len(grid) - 1], ms=5, mec="k",
                    mew=0.5, label=m + (" (shots)" if category == "quantum" else ""))
        drawn += 1
    if not drawn:
        plt.close(fig)
        return None
    ylabel = "median best-so-far  f − f*"
    if floored:
        ax.axhline(ZERO_FLOOR, color="0.6", lw=0.8, ls="-.",
                   label=f"exact 0 plotted at floor {ZERO_FLOOR:g}")
        ylabel += f"  (0 plotted at floor {ZERO_FLOOR:g})"
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("objective evaluations (quantum: surviving shots)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{function}: convergence")
    fig.legend(fontsize=7, loc="outside right upper")
    return fig


def pyplot():
    """``matplotlib.pyplot``, selecting the Agg backend unless one was chosen already."""
    import sys

    if "matplotlib.pyplot" not in sys.modules:  # keep a backend the user already chose
        import matplotlib

        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt
