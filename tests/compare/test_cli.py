import pytest
import typer
from typer.testing import CliRunner

from qdq.cli.compare import register

runner = CliRunner()


@pytest.fixture(scope="module")
def app():
    a = typer.Typer()
    register(a)
    return a


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


def test_compare_benchmark_writes_markdown(app, tmp_path):
    out = tmp_path / "cmp"
    res = runner.invoke(app, ["compare", "--benchmark", "sumofsquares", "--qubits", "4",
                              "--methods", "random,anneal", "--steps", "40", "--repeats", "3",
                              "--budget", "20", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    text = (out / "report.md").read_text()
    assert "sumofsquares" in text and "anneal" in text and "grid-argmin (baseline)" in text
    assert (out / "figures" / "success.png").exists() and (out / "table.csv").exists()


def test_compare_objective_html(app, tmp_path):
    out = tmp_path / "h"
    res = runner.invoke(app, ["compare", "-f", "(x-0.5)**2", "-b", "-1,1", "-q", "4",
                              "--methods", "random", "--repeats", "2", "--budget", "5",
                              "--radius", "0.2", "--out", str(out), "--html", "--no-figures",
                              "--quiet"])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args,match", [
    (["--benchmark", "sumofsquares", "--methods", "dmcc"], "unknown method 'dmcc'"),
    (["--benchmark", "sumofsquares", "--budget", "0", "--methods", "random"], "got 0"),
    (["--objective", "x**2"], "needs --bounds"),
    ([], "give --benchmark"),
])
def test_compare_errors_exit_2(app, tmp_path, args, match):
    res = runner.invoke(app, ["compare", *args, "--quiet", "--out", str(tmp_path / "e")])
    assert res.exit_code == 2
    assert match in res.output


def test_suite_small_and_resumable(app, tmp_path):
    store = tmp_path / "suite.sqlite3"
    args = ["suite", "--functions", "rastrigin,easom", "--methods", "random,anneal",
            "--qubits", "4", "--steps", "30", "--budget", "20", "--repeats", "2",
            "--executor", "serial", "--store", str(store), "--out", str(tmp_path / "s"),
            "--no-figures"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "computed 12 cells, reused 0" in res.output
    assert "QHD256 published" in (tmp_path / "s" / "report.md").read_text()
    res = runner.invoke(app, args)
    assert res.exit_code == 0 and "computed 0 cells, reused 12" in res.output
