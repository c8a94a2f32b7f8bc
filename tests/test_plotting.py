"""qdq.plotting: cell-centred heatmaps, argmin marker, colour bars, distinct method styles."""

import numpy as np
import pytest

import qdq
from qdq.plotting import cell_extent, density_figure, method_styles, plot_density

plt = pytest.importorskip("matplotlib.pyplot")


def test_cell_extent_centres_pixels_on_grid_points():
    g = qdq.Problem("x**2 + y**2", bounds=[(-1, 1), (0, 4)], qubits=[2, 3]).grid
    left, right, bottom, top = cell_extent(g.bounds, g.shape)
    assert [left, right, bottom, top] == [-1.25, 0.75, -0.25, 3.75]
    for d, (lo, hi) in enumerate(((left, right), (bottom, top))):
        n = g.shape[d]
        centres = lo + (np.arange(n) + 0.5) * (hi - lo) / n
        assert np.allclose(centres, g.points[d], atol=1e-12)


def test_method_styles_unique_for_thirteen_and_stable():
    labels = [f"m{i}" for i in range(13)]
    s = method_styles(labels)
    assert len({v["color"] for v in s.values()}) == 13
    assert len({(v["color"], v["marker"]) for v in s.values()}) == 13
    assert method_styles(labels[:5]) == {k: s[k] for k in labels[:5]}
    big = method_styles([str(i) for i in range(180)])
    assert len({(v["color"], v["marker"]) for v in big.values()}) == 180


def test_2d_density_marks_argmin_at_cell_centre_and_has_colorbars(tmp_path):
    # minimum of the shifted bowl is off-grid; the grid argmin is cell (j0, j1) = (5, 2)
    p = qdq.Problem("(x - 0.3)**2 + (y + 0.5)**2", bounds=[(-1, 1), (-1, 1)], qubits=3)
    r = qdq.run(qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.05), time=1.0, steps=5),
                backend="emulator")
    j = np.unravel_index(np.argmin(r.values), r.grid.shape)
    assert tuple(int(i) for i in j) == (5, 2)
    fig = density_figure(r)
    try:
        heat = [ax for ax in fig.axes if ax.images]
        assert len(heat) == 2
        for ax in heat:
            im = ax.images[0]
            left, right, bottom, top = im.get_extent()
            plus = next(ln for ln in ax.lines if ln.get_label() == "grid argmin")
            x, y = plus.get_xdata()[0], plus.get_ydata()[0]
            assert (x, y) == r.grid_argmin == (-1 + 5 * 0.25, -1 + 2 * 0.25)
            # the pixel under the marker is cell j, and the marker sits at its centre
            wx, wy = (right - left) / 8, (top - bottom) / 8
            assert int((x - left) // wx) == 5 and int((y - bottom) // wy) == 2
            assert left + (5 + 0.5) * wx == pytest.approx(x, abs=1e-12)
            assert bottom + (2 + 0.5) * wy == pytest.approx(y, abs=1e-12)
            assert np.asarray(im.get_array())[2, 5] == pytest.approx(
                (r.values if "ζ" in im.colorbar.ax.get_ylabel() else r.probabilities)[5, 2])
            assert im.colorbar is not None and im.colorbar.ax.get_ylabel()
            assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
        fig.canvas.draw()
        rend = fig.canvas.get_renderer()
        tight = fig.get_tightbbox(rend)
        assert tight.x0 >= -0.02 and tight.y0 >= -0.02
        assert tight.x1 <= fig.bbox_inches.x1 + 0.02 and tight.y1 <= fig.bbox_inches.y1 + 0.02
    finally:
        plt.close(fig)
    path = plot_density(r, tmp_path / "d.png")
    from matplotlib.image import imread

    assert imread(path).shape[2] in (3, 4)


def test_1d_density_marks_grid_argmin():
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=5)
    r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=2),
                backend="emulator")
    fig = density_figure(r)
    try:
        v = next(ln for ln in fig.axes[0].lines if ln.get_label() == "grid argmin")
        assert v.get_xdata()[0] == r.grid_argmin[0]
    finally:
        plt.close(fig)


def test_a_huge_or_hostile_title_is_cut_and_cleaned(monkeypatch):
    secret = "tokTOKENtokTOKEN-0123456789abcdef"
    monkeypatch.setenv("QISKIT_IBM_TOKEN", secret)
    r = qdq.run(qdq.Anneal(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3), time=1.0,
                           steps=5), backend="emulator")
    fig = density_figure(r, title=f"{secret}\x1b]0;x\x07" + "n" * 10_000_000)
    text = fig._suptitle.get_text()
    first = text.split("\n")[0]
    assert len(first) <= 200 and first.endswith("…")
    assert secret not in text and "\x1b" not in text and "\x07" not in text
    plt.close(fig)
