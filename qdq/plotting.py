r"""Figures for results: final densities over the objective (matplotlib, Agg backend).

Grid-shaped arrays are drawn so that the cell of grid point ``x_j = low + j·h`` is centred
on ``x_j``: it spans ``[x_j − h/2, x_j + h/2)`` (:func:`cell_extent`). Markers placed at grid
coordinates (the grid argmin, the most probable point) therefore sit at the centre of the
pixel they label. The same helpers give every figure of :mod:`qdq.compare` its per-method
colour and marker (:func:`method_styles`) and its floor for exact zeros on log axes
(:data:`ZERO_FLOOR`).

Example:
    >>> import qdq, tempfile, os
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    >>> r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=5))
    >>> path = os.path.join(tempfile.mkdtemp(), "d.png")
    >>> plot_density(r, path) == path and os.path.getsize(path) > 0
    True
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qdq.files import atomic_write_bytes
from qdq.redact import printable
from qdq.results import Result

__all__ = ["MAX_TITLE", "ZERO_FLOOR", "cell_extent", "density_figure", "method_styles",
           "plot_density"]

#: The most characters of a figure title (longer ones end in "…").
MAX_TITLE = 200

#: Values ``≤ 0`` on a log axis are drawn at this floor (and every figure that does so says so).
ZERO_FLOOR = 1e-12

# 20 colours: tab20's strong half first, then its light half, so the first ten series get
# the most distinct colours. Markers: 9 shapes; 9 and 20 are coprime, so the (colour, marker)
# pair first repeats after 180 series.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", "*")


def _palette() -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i) for i in list(range(0, 20, 2)) + list(range(1, 20, 2))]


def method_styles(labels: Sequence[str]) -> dict[str, dict]:
    """A distinct colour and marker per series label, stable in label order.

    Args:
        labels: Series labels (e.g. the methods of a report), in drawing order.

    Returns:
        ``{label: {"color": RGBA tuple, "marker": str}}``; no two of the first 180 labels
        share the same (colour, marker) pair and the first 20 all differ in colour.

    Example:
        >>> s = method_styles([f"m{i}" for i in range(13)])
        >>> len({v["color"] for v in s.values()}), len({v["marker"] for v in s.values()})
        (13, 9)
    """
    colors = _palette()
    return {m: {"color": colors[i % len(colors)], "marker": _MARKERS[i % len(_MARKERS)]}
            for i, m in enumerate(labels)}


def cell_extent(bounds: Sequence[Sequence[float]], shape: Sequence[int]) -> list[float]:
    """``imshow`` extent that centres pixel ``(j₀, j₁)`` on the grid point ``(x_{j₀}, y_{j₁})``.

    Grid points are ``x_j = low + j·h`` with ``h = (high − low)/N`` (``high`` excluded), so
    cell ``j`` spans ``[x_j − h/2, x_j + h/2)`` and the image covers
    ``[low − h/2, high − h/2)`` per axis.

    Args:
        bounds: ``((low₀, high₀), (low₁, high₁))`` of the periodic grid.
        shape: ``(N₀, N₁)``.

    Returns:
        ``[left, right, bottom, top]`` for ``imshow(data.T, origin="lower", extent=...)``.

    Example:
        >>> cell_extent([(-1, 1), (0, 4)], (4, 8))
        [-1.25, 0.75, -0.25, 3.75]
    """
    out: list[float] = []
    for (low, high), n in zip(bounds[:2], shape[:2], strict=True):
        h = (float(high) - float(low)) / int(n)
        out += [float(low) - h / 2, float(high) - h / 2]
    return out


def _pyplot():
    import sys

    if "matplotlib.pyplot" not in sys.modules:  # keep a backend the user already chose
        import matplotlib

        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def density_figure(result: Result, *, title: str | None = None):
    """Figure of the output distribution over ζ (1-D: curves; 2-D: heatmaps; n-D: marginals).

    2-D heatmaps put each cell's centre on its grid point (:func:`cell_extent`), mark the
    grid argmin at that centre, and carry axis labels and a colour bar each.

    Args:
        result: Any :class:`~qdq.Result`.
        title: Figure title (defaults to method, backend and the problem name); cut to
            :data:`MAX_TITLE` characters, control characters and secrets removed.

    Returns:
        A matplotlib ``Figure`` (constrained layout: titles, labels and legends fit inside).
    """
    plt = _pyplot()
    g = result.grid
    title = title or f"{result.method} on {result.backend}: {result.problem.get('name', '')}"
    # Titles hold user text: a megabyte of it stalls the layout, a token must not show.
    title = printable(title, limit=MAX_TITLE)
    uniform = 1.0 / g.size
    if getattr(result, "is_binary", False):
        return _energy_levels_figure(plt, result, title)
    argmin = result.grid_argmin
    if g.dims == 1:
        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        x = g.points[0]
        ax.plot(x, result.values, color="0.4", label="ζ(x)")
        ax.set_xlabel("x")
        ax.set_ylabel("ζ")
        ax2 = ax.twinx()
        ax2.fill_between(x, result.probabilities, step="mid", alpha=0.5, color="C0",
                         label="|ψ|²")
        ax2.axhline(uniform, color="C3", ls="--", lw=1, label="uniform 1/N")
        ax2.set_ylabel("probability")
        ax.axvline(argmin[0], color="k", ls=":", lw=1, label="grid argmin")
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax2.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper center", fontsize=8)
    elif g.dims == 2:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), layout="constrained")
        ext = cell_extent(g.bounds, g.shape)
        for ax, data, label in ((axes[0], result.values, "ζ(x, y)"),
                                (axes[1], result.probabilities, "probability")):
            im = ax.imshow(data.T, origin="lower", extent=ext, aspect="auto", cmap="viridis",
                           interpolation="nearest")
            fig.colorbar(im, ax=ax, label=label)
            ax.plot(argmin[0], argmin[1], "r+", ms=12, mew=1.5, label="grid argmin")
            ax.set_xlabel("x")
            ax.set_ylabel("y")
        axes[1].legend(loc="upper right", fontsize=8)
    else:
        fig, axes = plt.subplots(1, g.dims, figsize=(3.2 * g.dims, 3), layout="constrained")
        for d, ax in enumerate(axes):
            other = tuple(i for i in range(g.dims) if i != d)
            ax.bar(g.points[d], result.probabilities.sum(axis=other), width=g.spacing[d])
            ax.axvline(argmin[d], color="r", ls=":", lw=1, label="grid argmin")
            ax.set_xlabel(f"x{d}")
        axes[0].set_ylabel("marginal probability")
        axes[0].legend(fontsize=8)
    fig.suptitle(f"{title}\nP_gm = {result.p_global_min:.4g} "
                 f"({result.p_global_min_ratio:.3g}× uniform)", fontsize=10)
    return fig


def _energy_levels_figure(plt, result: Result, title: str):
    """Binary problems: probability per energy level, beside uniform sampling's."""
    levels, inverse = np.unique(np.round(result.values, 9), return_inverse=True)
    got = np.bincount(inverse, weights=result.probabilities)
    uniform = np.bincount(inverse) / result.values.size
    shown = min(levels.size, 40)  # the lowest levels: where the optimum is
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    pos = np.arange(shown)
    ax.bar(pos - 0.2, got[:shown], width=0.4, label="method")
    ax.bar(pos + 0.2, uniform[:shown], width=0.4, color="0.6", label="uniform sampling")
    ax.set_xticks(pos, [f"{v:.4g}" for v in levels[:shown]], rotation=60, fontsize=7)
    ax.set_xlabel(f"ζ (lowest {shown} of {levels.size} levels; exact optimum first)")
    ax.set_ylabel("probability")
    ax.legend(fontsize=8)
    fig.suptitle(f"{title}\nP(ground state) = {result.p_global_min:.4g} "
                 f"({result.p_global_min_ratio:.3g}× uniform)", fontsize=10)
    return fig


def plot_density(result: Result, path: str | Path, *, title: str | None = None,
                 dpi: int = 110) -> str:
    """Write :func:`density_figure` to a PNG atomically and return its path."""
    plt = _pyplot()
    fig = density_figure(result, title=title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return str(path)
