"""The oracle's compile cost: every quantum row carries ``compile_evals`` (issue 17).

A quantum method's oracle is compiled from ζ tabulated at every grid point — an exhaustive
grid search that already knows the grid argmin — so each report must say how many
objective evaluations that was, in the rows, the CSV, Markdown and HTML, with a note.
"""

import csv
import io

import pytest

import qdq
from qdq.compare.quantum import compile_evals
from qdq.compare.render import COMPILE_NOTE
from qdq.compare.report import COLUMNS, Report


@pytest.fixture(scope="module")
def report():
    p = qdq.Problem("(x - 0.5)**2", bounds=[(-1, 1)], qubits=4, minimizer=[0.5],
                    minimum=0.0, name="bowl")
    return qdq.compare(p, methods=["random", ("anneal", {"steps": 8})], repeats=2,
                       budget=10, radius=0.25, progress=False)


def test_rows_carry_compile_evals(report):
    assert "compile_evals" in COLUMNS
    assert report.row("anneal[steps=8]")["compile_evals"] == 16  # 2⁴ grid points
    assert report.row("random")["compile_evals"] == 0
    assert report.row("grid-argmin")["compile_evals"] == 0


def test_markdown_csv_html_show_it(report):
    md = report.to_markdown()
    assert "compile evals" in md and "| 16 |" in md
    # under each table with a quantum row: success pivot, per-shot, all methods, time
    assert md.count(COMPILE_NOTE) >= 3
    rows = {r["method"]: r for r in csv.DictReader(io.StringIO(report.to_csv()))}
    assert rows["anneal[steps=8]"]["compile_evals"] == "16"
    assert rows["random"]["compile_evals"] == "0"
    assert COMPILE_NOTE in report.to_html()


def test_no_note_without_quantum_rows():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
    rep = qdq.compare(p, ["random"], repeats=2, budget=5, progress=False)
    assert COMPILE_NOTE not in rep.to_markdown() and COMPILE_NOTE not in rep.to_html()


def test_old_cells_fall_back_to_grid_size(report):
    # a distribution cell stored before compile_evals was recorded
    cells = [dict(c, result={k: v for k, v in c["result"].items() if k != "compile_evals"})
             for c in report.cells]
    old = Report(cells, report.meta)
    assert old.row("anneal[steps=8]")["compile_evals"] == 16


def test_compile_evals_counts():
    assert compile_evals(qdq.Problem("x**2 + y", bounds=[(-1, 1)] * 2, qubits=[3, 2])) == 32
    # too large for the dense table: only the term groups (ten one-dimensional
    # sub-grids of 2⁸ points each; the constant costs nothing) were evaluated
    big = qdq.Problem(" + ".join(f"x{i}**2" for i in range(10)) + " + 1",
                      bounds=[(-1, 1)] * 10, qubits=8)
    assert compile_evals(big) == 10 * 256
