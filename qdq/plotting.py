"""Figures for results: final densities over the objective (matplotlib, Agg backend).

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
from pathlib import Path

import numpy as np

from qdq.io import atomic_write_bytes
from qdq.results import Result


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def density_figure(result: Result, *, title: str | None = None):
    """Figure of the output distribution over ζ (1-D: curves; 2-D: heatmaps; n-D: marginals).

    Args:
        result: Any :class:`~qdq.Result`.
        title: Figure title (defaults to method, backend and the problem name).

    Returns:
        A matplotlib ``Figure``.
    """
    plt = _pyplot()
    g = result.grid
    title = title or f"{result.method} on {result.backend}: {result.problem.get('name', '')}"
    uniform = 1.0 / g.size
    if g.dims == 1:
        fig, ax = plt.subplots(figsize=(7, 4))
        x = g.points[0]
        ax.plot(x, result.values, color="0.4", label="ζ(x)")
        ax.set_xlabel("x")
        ax.set_ylabel("ζ")
        ax2 = ax.twinx()
        ax2.fill_between(x, result.probabilities, step="mid", alpha=0.5, color="C0",
                         label="|ψ|²")
        ax2.axhline(uniform, color="C3", ls="--", lw=1, label="uniform 1/N")
        ax2.set_ylabel("probability")
        xm = x[np.argmin(result.values)]
        ax.axvline(xm, color="k", ls=":", lw=1, label="grid argmin")
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax2.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper center", fontsize=8)
    elif g.dims == 2:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
        ext = [g.bounds[0][0], g.bounds[0][1], g.bounds[1][0], g.bounds[1][1]]
        for ax, data, label in ((axes[0], result.values, "ζ(x, y)"),
                                (axes[1], result.probabilities, "probability")):
            im = ax.imshow(data.T, origin="lower", extent=ext, aspect="auto", cmap="viridis")
            fig.colorbar(im, ax=ax, label=label)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
        j = np.unravel_index(np.argmin(result.values), g.shape)
        for ax in axes:
            ax.plot(g.points[0][j[0]], g.points[1][j[1]], "r+", ms=12, label="grid argmin")
        axes[1].legend(loc="upper right", fontsize=8)
    else:
        fig, axes = plt.subplots(1, g.dims, figsize=(3.2 * g.dims, 3))
        for d, ax in enumerate(axes):
            other = tuple(i for i in range(g.dims) if i != d)
            ax.bar(g.points[d], result.probabilities.sum(axis=other), width=g.spacing[d])
            ax.set_xlabel(f"x{d}")
        axes[0].set_ylabel("marginal probability")
    fig.suptitle(f"{title}\nP_gm = {result.p_global_min:.4g} "
                 f"({result.p_global_min_ratio:.3g}× uniform)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_density(result: Result, path: str | Path, *, title: str | None = None,
                 dpi: int = 110) -> str:
    """Write :func:`density_figure` to a PNG atomically and return its path."""
    plt = _pyplot()
    fig = density_figure(result, title=title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return str(path)
