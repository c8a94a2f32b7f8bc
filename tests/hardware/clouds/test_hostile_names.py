"""Hostile backend names for the clouds: a clear QdqError, nothing recorded, nothing sent."""

from __future__ import annotations

import pytest

pytest.importorskip("qiskit_braket_provider")
pytest.importorskip("qiskit_ionq")

import qdq  # noqa: E402
from qdq.errors import QdqError  # noqa: E402
from qdq.hardware import jobs, preview, submit  # noqa: E402
from qdq.hardware.clouds.listing import list_devices  # noqa: E402

HOSTILE = [
    "braket:", "braket: ", "ionq:", "iqm:", "braket:\x1b[31mred", "ionq:simu\nlator",
    "braket:" + "x" * 5000, "braket:../../etc/passwd", "iqm:garnet; rm -rf /",
    "ionq:qpu.forte-1\x00", "braket:arn:aws:braket:::device/../../x.emulator.emulator",
    "braket:local.emulator", "braket:amazon_sv1.emulator", "IONQ:QPU.nothing",
]


@pytest.fixture
def spec():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_cloud_names_fail_cleanly(name, spec, store, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "IONQ_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    def no_network(*args, **kwargs):
        raise AssertionError("a hostile name reached the network")

    monkeypatch.setattr("requests.adapters.HTTPAdapter.send", no_network)
    with pytest.raises(QdqError) as err:
        submit(spec, name, 10, store=store)
    text = str(err.value)
    assert "\x1b" not in text and "\x00" not in text and len(text) < 2000
    assert jobs(store=store) == []
    with pytest.raises(QdqError):
        preview(spec, name, shots=10)


def test_listing_survives_an_unknown_cloud_name():
    with pytest.raises(QdqError, match="cloud must be one of"):
        list_devices("braket; rm -rf /")
