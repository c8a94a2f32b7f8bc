"""The qdq.cli package: one app assembling the command modules, the method registry behind
--method, and an import layout without cycles."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import qdq
from qdq.cli import app
from qdq.cli.common import method_settings
from qdq.compare.registry import method_names
from qdq.errors import ParameterError
from qdq.problem import Problem

runner = CliRunner()
QDQ = Path(qdq.__file__).parent


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


def _imports(path: Path) -> set[str]:
    """Every module an import statement of ``path`` names (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_app_has_every_command():
    import typer

    assert set(typer.main.get_command(app).commands) == {
        "solve", "version", "compare", "suite", "submit", "runs", "jobs", "estimate",
        "scaling", "minimize", "devices"}


@pytest.mark.parametrize("module", ["common", "tables", "binary", "binary_scaling", "solve",
                                    "runs", "compare", "scaling", "minimize", "estimate",
                                    "hardware"])
def test_command_modules_never_import_the_cli_package(module):
    imported = _imports(QDQ / "cli" / f"{module}.py")
    assert "qdq.cli" not in imported and "qdq" not in imported
    assert not any(m.startswith("qdq.cli.")
                   and m.split(".")[2] not in ("common", "tables", "binary", "binary_scaling")
                   for m in imported)


def test_library_packages_hold_no_cli_code():
    for path in [*(QDQ / "compare").glob("*.py"), *(QDQ / "hardware").glob("*.py")]:
        imported = _imports(path)
        assert "typer" not in imported, path
        assert not any(m == "qdq.cli" or m.startswith("qdq.cli.") for m in imported), path
    assert not (QDQ / "cli.py").exists() and not (QDQ / "cli_common.py").exists()


def test_hardware_submodules_never_import_their_package():
    for path in (QDQ / "hardware").glob("*.py"):
        if path.name != "__init__.py":
            assert "qdq.hardware" not in _imports(path), path


def test_version_matches_the_package():
    res = runner.invoke(app, ["version"])
    assert res.exit_code == 0 and res.stdout.strip() == qdq.__version__


def test_python_dash_m_runs_the_app():
    res = subprocess.run([sys.executable, "-m", "qdq.cli", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "solve" in res.stdout and "jobs" in res.stdout


@pytest.mark.parametrize("given, canonical", [("imaginary", "imaginary-time"),
                                              ("QHD", "anneal"), ("twoloop", "two-loop"),
                                              ("Real_Time", "real-time")])
def test_method_names_resolve_through_the_registry(given, canonical):
    p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
    assert method_settings(p, {"name": given}, "emulator")["name"] == canonical


def test_solve_accepts_an_alias_and_reports_the_canonical_name():
    res = runner.invoke(app, ["solve", "-q", "3", "-m", "imaginary", "-n", "5", "-t", "1",
                              "--backend", "emulator", "--json", "--no-save"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["settings"]["name"] == "imaginary-time"
    assert summary["method"] == "imaginary-time"


def test_a_classical_method_is_refused_with_the_quantum_names():
    p = Problem("x**2", bounds=[(-1, 1)], qubits=3)
    with pytest.raises(ParameterError) as info:
        method_settings(p, {"name": "dmc"})
    msg = str(info.value)
    assert "got 'dmc'" in msg and "classical" in msg and "qdq compare" in msg
    for name in method_names("quantum"):
        assert name in msg
    res = runner.invoke(app, ["solve", "-q", "3", "-m", "dmc", "--no-save", "--json"])
    assert res.exit_code == 2
    assert json.loads(res.stdout)["error"]["type"] == "ParameterError"


def test_method_help_lists_the_registry_names():
    res = runner.invoke(app, ["solve", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert " | ".join(method_names("quantum")) in res.stdout
