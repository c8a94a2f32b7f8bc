"""``qdq submit`` and ``qdq jobs …`` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest

PROBLEM = ["--objective", "x**2", "--bounds=-2,2", "--qubits", "3", "--method", "real-time",
           "--D", "0.5", "--time", "0.5", "--steps", "1"]


def test_submit_fake_waits_and_prints_json(cli, store):
    res = cli("submit", *PROBLEM, "--backend", "FakeManilaV2", "--shots", "300", "--seed", "1",
              "--dd", "XX", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["job"]["backend"] == "fake_manila" and out["job"]["status"] == "done"
    assert out["resource_report"]["logical_qubits"] == 3
    assert out["summary"]["shots"] == 300
    row = store.get_job(out["job"]["id"])
    assert row["params"]["dynamical_decoupling"] == {"enable": True, "sequence_type": "XX"}
    assert row["result"] is not None


def test_submit_tables_and_jobs_commands(cli, store, tmp_path):
    res = cli("submit", *PROBLEM, "--backend", "fake_manila", "--shots", "200", "--seed", "2")
    assert res.exit_code == 0, res.output
    assert "resource report" in res.stdout and "estimated success fidelity" in res.stdout
    assert "P(global-min cell)" in res.stdout  # the result summary beside the baselines
    (job,) = store.list_jobs()
    jid = job["local_id"]

    listing = cli("jobs", "list")
    assert listing.exit_code == 0 and jid in listing.stdout and "fake_manila" in listing.stdout
    filtered = json.loads(cli("jobs", "list", "--status", "done", "--backend", "FakeManila",
                              "--json").stdout)
    assert [j["id"] for j in filtered] == [jid]
    assert json.loads(cli("jobs", "list", "--status", "queued", "--json").stdout) == []
    refreshed = cli("jobs", "list", "--refresh", "--json")
    assert refreshed.exit_code == 0 and json.loads(refreshed.stdout)[0]["status"] == "done"

    status = cli("jobs", "status", jid, "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["status"] == "done"
    assert "2-qubit gates" in cli("jobs", "status", jid).stdout

    out_dir = tmp_path / "results"
    fetched = cli("jobs", "fetch", jid, "--out", str(out_dir), "--json")
    assert fetched.exit_code == 0, fetched.output
    files = json.loads(fetched.stdout)["files"]
    assert (out_dir / f"{jid}.json").exists() and files["png"].endswith(".png")
    saved = json.loads((out_dir / f"{jid}.json").read_text())
    assert saved["backend"] == "fake_manila" and len(saved["probabilities"]) == 8

    cancelled = cli("jobs", "cancel", jid)
    assert cancelled.exit_code == 2 and "already done" in cancelled.stderr


def test_report_only_submits_nothing(cli, store):
    res = cli("submit", *PROBLEM, "--backend", "fake_torino", "--report-only", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["resource_report"]["backend"] == "fake_torino"
    assert store.list_jobs() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["submit", *PROBLEM[:-6], "--qubits", "6", "--method", "real-time", "--steps", "1",
          "--backend", "fake_manila"], "needs 6 qubits but backend 'fake_manila' has 5"),
        (["submit", *PROBLEM, "--backend", "fake_manilla"], "did you mean fake_manila"),
        (["submit", *PROBLEM, "--backend", "fake_manila", "--mode", "turbo"], "mode must be"),
        (["jobs", "status", "qdq-000000000000"], "no job with local id"),
        (["jobs", "fetch", "nope"], "qdq jobs list"),
    ],
)
def test_errors_exit_2_with_a_message(cli, args, message):
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr


def test_remote_submit_does_not_wait(cli, store, fake_service):
    res = cli("submit", *PROBLEM, "--backend", "ibm_torino", "--shots", "100", "--mode", "batch")
    assert res.exit_code == 0, res.output
    assert "qdq jobs fetch" in res.stdout
    (row,) = store.list_jobs()
    assert row["status"] == "queued" and row["result"] is None  # polled once after submit
    assert cli("jobs", "cancel", row["local_id"]).exit_code == 0
    assert store.get_job(row["local_id"])["status"] == "cancelled"


def test_recover_command(cli, store, monkeypatch):
    from qdq.store import Store

    def crash(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "attach_provider_job", crash)
    res = cli("submit", *PROBLEM, "--backend", "fake_manila", "--shots", "100", "--no-wait")
    assert res.exit_code != 0
    monkeypatch.undo()
    (row,) = store.list_jobs(status="created")
    res = cli("jobs", "recover", "--older-than", "0", "--json")
    assert res.exit_code == 0, res.output
    (recovered,) = json.loads(res.stdout)
    assert recovered["id"] == row["local_id"] and recovered["provider_id"]
