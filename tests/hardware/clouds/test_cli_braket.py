"""``qdq submit --backend braket:…`` and ``qdq jobs …`` on a cloud job, offline."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("qiskit_braket_provider")

from .fake_aws import FakeAws  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PROBLEM = ["--objective", "(x-0.5)**2", "--bounds=-2,2", "--qubits", "3", "--method",
           "real-time", "--D", "0.5", "--time", "0.8", "--steps", "2"]


def test_submit_to_the_local_simulator_then_list_status_fetch(cli, store, tmp_path):
    res = cli("submit", *PROBLEM, "--backend", "braket:local", "--shots", "500", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    jid = out["job"]["id"]
    assert out["job"]["backend"] == "braket:local" and out["job"]["status"] == "done"
    assert out["resource_report"]["cost_note"] == "$0.00 (local simulator)"
    assert out["summary"]["shots"] == 500
    assert jid in cli("jobs", "list").stdout
    assert json.loads(cli("jobs", "status", jid, "--json").stdout)["status"] == "done"
    fetched = cli("jobs", "fetch", jid, "--out", str(tmp_path), "--json")
    assert fetched.exit_code == 0, fetched.output
    assert json.loads((tmp_path / f"{jid}.json").read_text())["backend"] == "braket:local"


def test_remote_job_is_left_to_poll_and_cancel(cli, store, monkeypatch):
    aws = FakeAws().install(monkeypatch)
    aws.auto_complete = False
    res = cli("submit", *PROBLEM, "--backend", "iqm:garnet", "--shots", "100")
    assert res.exit_code == 0, res.output
    assert "qdq jobs status" in res.stdout and "$0.445" in res.stdout
    (row,) = store.list_jobs()
    assert json.loads(cli("jobs", "status", row["local_id"], "--json").stdout)["status"] \
        == "queued"
    listing = cli("jobs", "list", "--wide")
    assert "iqm:garnet" in listing.stdout and "$0.445" in listing.stdout  # the job's price
    assert json.loads(cli("jobs", "list", "--json").stdout)[0]["cost_usd"] == \
        pytest.approx(0.445)
    assert cli("jobs", "cancel", row["local_id"]).exit_code == 0
    assert store.get_job(row["local_id"])["status"] == "cancelled"


def test_max_cost_refuses_on_the_command_line(cli, store, monkeypatch):
    FakeAws().install(monkeypatch)
    res = cli("submit", *PROBLEM, "--backend", "braket:ionq_forte1", "--shots", "1000",
              "--max-cost", "10")
    assert res.exit_code == 2 and "above max_cost=$10.00" in res.stderr
    assert store.list_jobs() == []


def test_report_only_compares_devices_side_by_side(cli, store, monkeypatch):
    FakeAws().install(monkeypatch)
    res = cli("submit", *PROBLEM, "--backend", "fake_manila,braket:local,iqm:garnet,"
              "braket:nowhere", "--shots", "1000", "--report-only", "--json")
    assert res.exit_code == 0, res.output
    rows = {r["backend"]: r for r in json.loads(res.stdout)}
    assert rows["fake_manila"]["resource_report"]["cost_usd"] == 0.0
    garnet = rows["iqm:garnet"]["resource_report"]
    assert garnet["cost_usd"] == pytest.approx(1.75) and 0 < garnet["estimated_fidelity"] < 1
    assert rows["braket:nowhere"]["resource_report"] is None
    assert "unknown Amazon Braket device" in rows["braket:nowhere"]["error"]
    assert store.list_jobs() == []
    table = cli("submit", *PROBLEM, "--backend", "fake_manila,braket:local", "--shots", "10",
                "--report-only")
    assert table.exit_code == 0 and "2q gates" in table.stdout
    several = cli("submit", *PROBLEM, "--backend", "fake_manila,braket:local")
    assert several.exit_code == 2 and "--report-only" in several.stderr


def test_solve_runs_on_a_cloud_device_and_needs_shots(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from qdq.cli import app

    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    runner = CliRunner()
    res = runner.invoke(app, ["solve", *PROBLEM, "--backend", "braket:local", "--shots", "400",
                              "--json", "--no-save"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["backend"] == "braket:local" and summary["shots"] == 400
    exact = runner.invoke(app, ["solve", *PROBLEM, "--backend", "braket:local", "--json",
                                "--no-save"])
    assert exact.exit_code == 2 and "--shots" in exact.stdout
