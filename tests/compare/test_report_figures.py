"""Figures of a comparison report: distinct styles, nothing clipped, cells centred, floors said."""

import io

import numpy as np
import pytest

import qdq
from qdq.compare.registry import method_names
from qdq.plotting import ZERO_FLOOR, cell_extent

matplotlib = pytest.importorskip("matplotlib")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(scope="module")
def report13():
    # every built-in method but real-time (17 series), tiny budgets; the minimizer
    # (0.5, -0.25) lies on the 16 x 16 grid (h = 0.125), so grid-argmin's gap is exactly 0.
    p = qdq.Problem("(x - 0.5)**2 + (y + 0.25)**2", bounds=[(-1, 1), (-1, 1)], qubits=4,
                    minimizer=[0.5, -0.25], minimum=0.0, name="bowl")
    quantum = [("anneal", {"steps": 30}), ("imaginary-time", {"steps": 10}),
               ("two-loop", {"levels": 2})]
    methods = quantum + [m for m in method_names() if m not in
                         (*method_names("quantum"), "grid-argmin")]
    return qdq.compare(p, methods=methods, repeats=2, budget=30, radius=0.25, progress=False,
                       suite_name="a rather long suite name that would clip a fixed title")


def _assert_inside(fig, artists):
    """Every artist's drawn extent lies within the figure (1 px slack)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    fb = fig.bbox
    for a in artists:
        bb = a.get_window_extent(renderer)
        assert bb.width > 0 and bb.height > 0
        assert (bb.x0 >= fb.x0 - 1 and bb.y0 >= fb.y0 - 1 and bb.x1 <= fb.x1 + 1
                and bb.y1 <= fb.y1 + 1), (a, bb, fb)
    tight = fig.get_tightbbox(renderer)       # what bbox_inches="tight" would keep (inches)
    full = fig.bbox_inches
    assert tight.x0 >= full.x0 - 0.02 and tight.y0 >= full.y0 - 0.02
    assert tight.x1 <= full.x1 + 0.02 and tight.y1 <= full.y1 + 0.02


def test_every_method_gets_a_distinct_colour_and_marker(report13):
    n = len(method_names()) - 1          # all but real-time
    assert len(report13.methods) == n >= 13
    fig = report13.success_figure()
    try:
        ax = fig.axes[0]
        bars = {c.get_label(): c for c in ax.containers if hasattr(c, "patches")}
        marks = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
        assert set(bars) == set(marks) == set(report13.methods)
        colours = [tuple(np.round(bars[m].patches[0].get_facecolor(), 4))
                   for m in report13.methods]
        markers = [marks[m].get_marker() for m in report13.methods]
        assert len(set(colours)) == n
        assert len(set(zip(colours, markers, strict=True))) == n
        for m in report13.methods:               # marker face = bar colour
            assert np.allclose(matplotlib.colors.to_rgba(marks[m].get_markerfacecolor()),
                               bars[m].patches[0].get_facecolor())
        legend = fig.legends[0]
        assert [t.get_text() for t in legend.get_texts()] == report13.methods
        _assert_inside(fig, [ax.title, legend, *ax.get_xticklabels(), ax.yaxis.label])
    finally:
        plt.close(fig)


def test_convergence_styles_match_and_zero_floor_is_stated(report13):
    fig = report13.convergence_figure("bowl")
    try:
        ax = fig.axes[0]
        label = ax.get_ylabel()
        assert f"0 plotted at floor {ZERO_FLOOR:g}" in label
        legend = fig.legends[0]
        texts = [t.get_text() for t in legend.get_texts()]
        assert f"exact 0 plotted at floor {ZERO_FLOOR:g}" in texts
        assert len(texts) == len(set(texts))
        floor_lines = [ln for ln in ax.lines if ln.get_label().startswith("exact 0")]
        assert np.allclose(floor_lines[0].get_ydata(), ZERO_FLOOR)
        star = next(ln for ln in ax.lines if ln.get_label() == "grid-argmin")
        assert star.get_ydata()[0] == ZERO_FLOOR             # its exact 0, at the floor
        _assert_inside(fig, [ax.title, legend, ax.yaxis.label])
    finally:
        plt.close(fig)


def test_convergence_without_zero_has_no_floor_note():
    p = qdq.Problem("(x - 0.3)**2 + 1", bounds=[(-1, 1)], qubits=3, minimizer=[0.3],
                    minimum=0.5, name="offset")          # f − f* ≥ 0.5 everywhere
    rep = qdq.compare(p, ["random"], repeats=2, budget=10, radius=0.2, progress=False)
    fig = rep.convergence_figure("offset")
    try:
        assert "floor" not in fig.axes[0].get_ylabel()
        assert not any("floor" in t.get_text() for t in fig.legends[0].get_texts())
    finally:
        plt.close(fig)


def test_density_cells_centred_on_grid_points_with_colorbars(report13):
    fig = report13.density_figure("bowl")
    try:
        heat = [ax for ax in fig.axes if ax.images]
        assert len(heat) == 3                                # the three quantum methods
        for ax in heat:
            im = ax.images[0]
            data = np.asarray(im.get_array())                # (y, x) after the transpose
            assert data.shape == (16, 16)
            left, right, bottom, top = im.get_extent()
            assert [left, right, bottom, top] == cell_extent([(-1, 1), (-1, 1)], (16, 16))
            # pixel j's centre is the grid point x_j = low + j h
            h = 2 / 16
            centres = left + (np.arange(16) + 0.5) * (right - left) / 16
            assert np.allclose(centres, -1 + h * np.arange(16), atol=1e-12)
            assert im.colorbar is not None and "probability" in im.colorbar.ax.get_ylabel()
            plus = next(ln for ln in ax.lines if ln.get_label() == "minimizer")
            assert (plus.get_xdata()[0], plus.get_ydata()[0]) == (0.5, -0.25)
            assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
        _assert_inside(fig, [ax.title for ax in heat] + [fig._suptitle])
    finally:
        plt.close(fig)


def test_saved_pngs_are_tight_and_readable(report13, tmp_path):
    files = report13.save(tmp_path / "out")
    from matplotlib.image import imread

    for name in ("success", "density-bowl", "convergence-bowl"):
        img = imread(files[name])
        assert img.ndim == 3 and min(img.shape[:2]) > 200
    buf = io.BytesIO()
    fig = report13.success_figure()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    assert buf.getbuffer().nbytes > 10_000
