"""``list_devices`` and ``qdq devices``: every cloud's devices, prices and credential state."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from qdq.cli.hardware import register
from qdq.errors import ParameterError
from qdq.hardware.clouds.listing import list_devices

pytest.importorskip("qiskit_braket_provider")


def _devices(*args):
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["devices", *args])


def test_listing_is_offline_and_honest_about_prices(monkeypatch):
    monkeypatch.delenv("IONQ_API_KEY", raising=False)
    rows = {r["backend"]: r for r in list_devices()}
    assert rows["braket:local"]["credentials"] == "not needed"
    assert rows["braket:iqm_garnet"]["per_shot_usd"] == 0.00145
    assert rows["iqm:garnet"]["per_task_usd"] == 0.30
    assert rows["braket:iqm_emerald"]["per_shot_usd"] is None
    assert rows["braket:iqm_emerald"]["note"] == "no published per-shot price"
    assert rows["ionq:simulator"]["local"] is False  # IonQ's simulator runs in its cloud
    with pytest.raises(ParameterError, match="cloud must be one of"):
        list_devices("azure")


def test_credentials_state_is_reported_never_their_value(monkeypatch):
    secret = "ionq-SENTINEL-listing-0123456789"
    monkeypatch.setenv("IONQ_API_KEY", secret)
    res = _devices("--cloud", "ionq", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["credentials"] for r in rows} == {"set"} and secret not in res.output
    table = _devices("--cloud", "ionq")
    assert table.exit_code == 0 and "qpu.forte-1" in table.stdout and secret not in table.output


def test_a_missing_cloud_package_is_listed_with_its_install_hint(monkeypatch):
    import qdq.hardware.clouds.base as base
    from qdq.errors import DependencyError

    def missing(self):
        raise DependencyError(f"{self.module} is not installed: pip install -e '.[{self.extra}]'")

    monkeypatch.setattr(base.CloudProvider, "load", missing)
    (row,) = list_devices("ionq")
    assert row["backend"] == "ionq:*" and ".[ionq]" in row["note"]
