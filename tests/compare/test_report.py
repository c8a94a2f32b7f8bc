import csv
import io

import numpy as np
import pytest

import qdq
from qdq.compare import Report, load_report
from qdq.compare.report import COLUMNS
from qdq.store import Store


@pytest.fixture(scope="module")
def report():
    p = qdq.Problem("(x - 0.5)**2 + (y + 0.25)**2", bounds=[(-1, 1), (-1, 1)], qubits=4,
                    minimizer=[0.5, -0.25], minimum=0.0, name="bowl")
    return qdq.compare(p, methods=["random", ("anneal", {"steps": 60})], repeats=6,
                       budget=40, radius=0.25, epsilon=0.01, progress=False)


def test_table_rows_and_columns(report):
    assert isinstance(report, Report)
    rows = report.table
    assert [r["method"] for r in rows] == ["random", "anneal[steps=60]", "grid-argmin"]
    for r in rows:
        assert set(r) == set(COLUMNS)
        assert r["ci_low"] <= r["success_rate"] <= r["ci_high"]
    q = report.row("anneal[steps=60]")
    assert q["category"] == "quantum" and q["p_success"] == 1.0
    assert q["yield"] == pytest.approx(q["p_gm"])
    assert q["expected_shots"] == pytest.approx(1 / q["shot_success"])
    assert q["cx_per_shot"] > 0 and q["eps_rate"] is not None
    r = report.row("random")
    assert r["p_gm"] is None and 0 < r["shot_success"] < 1
    assert report.rows(timing=False)[0].keys() == set(COLUMNS) - {"wall_time", "tts99_cpu_s"}
    with pytest.raises(KeyError, match="no row for method 'dmc'"):
        report.row("dmc")


def test_pivot(report):
    piv = report.pivot("success_rate")
    assert piv[0]["function"] == "bowl"
    assert piv[0]["grid-argmin"] == report.row("grid-argmin")["success_rate"]


def test_markdown_csv_html(report):
    md = report.to_markdown()
    assert "95 % Wilson" in md and "shots per repeat" in md
    assert "| bowl | random (baseline) | 40 | 6 |" in md
    assert "## Quantum-dynamics methods, per shot" in md
    assert "success ε [95% CI]" in md
    assert "## Compute time (all cells)" in md
    tim = {t["method"]: t for t in report.timing()}
    assert tim["random"]["cells"] == 6 and tim["anneal[steps=60]"]["cells"] == 7
    assert all(t["cpu_s"] is not None and t["cpu_s"] >= 0 and t["wall_s"] >= 0
               for t in tim.values())
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [r["method"] for r in rows] == ["random", "anneal[steps=60]", "grid-argmin"]
    assert float(rows[2]["success_rate"]) == 1.0
    html = report.to_html()
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html and "bowl" in html


def test_figures(report):
    import matplotlib.pyplot as plt

    figs = report.plot()
    assert set(figs) == {"success", "density-bowl", "convergence-bowl"}
    ax = figs["success"].axes[0]
    assert len(ax.patches) == 3                      # one bar per method
    assert figs["density-bowl"].axes[0].images         # a heatmap
    for fig in figs.values():
        plt.close(fig)


def test_save_writes_report_csv_and_pngs(report, tmp_path):
    files = report.save(tmp_path / "out")
    text = open(files["report"]).read()
    assert files["report"].endswith("report.md")
    assert "![success](figures/success.png)" in text
    for name in ("success", "density-bowl", "convergence-bowl"):
        assert open(files[name], "rb").read(4) == b"\x89PNG"
    assert open(files["csv"]).readline().startswith("function,method,category")
    files = report.save(tmp_path / "h", html=True, figures=False)
    assert files["report"].endswith("report.html") and "figures" not in "".join(files)
    assert not list(tmp_path.glob("**/.*.tmp"))       # atomic writes leave no temp files


def test_report_from_store_matches(tmp_path):
    store = Store(tmp_path / "r.sqlite3")
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.0], minimum=0.0,
                    name="parab")
    rep = qdq.compare(p, ["random", ("anneal", {"steps": 20})], repeats=3, budget=10,
                      store=store, progress=False, suite_name="mine")
    back = load_report(store, "mine")
    assert back.rows(timing=False) == rep.rows(timing=False)
    assert np.allclose(back.distribution("parab", "anneal[steps=20]"),
                       rep.distribution("parab", "anneal[steps=20]"))
    fig = back.density_figure("parab")            # 1-D densities draw as curves
    assert fig is not None and fig.axes[0].lines
    with pytest.raises(qdq.errors.ParameterError, match="no suite 'nope'"):
        load_report(store, "nope")
