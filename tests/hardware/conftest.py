"""Fixtures for hardware tests: a temporary store, small specs, and a local fake IBM service.

The fake service stands in for ``QiskitRuntimeService`` (and the samplers / Batch /
Session it is used with), so the real-backend code path runs without a token or network:
``backend("ibm_torino")`` returns a ``FakeTorino`` (its target), submitted jobs are
simulated ideally on the circuit restricted to its active qubits, and failures can be
injected per method.
"""

from __future__ import annotations

import importlib

import pytest
import typer
from typer.testing import CliRunner

import qdq
from qdq.cli.hardware import register
from qdq.store import Store

from .fakes import FakeMode, FakeSampler, FakeService

launch_module = importlib.import_module("qdq.hardware.launch")
runtime_module = importlib.import_module("qdq.hardware.runtime")


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "qdq.sqlite3")


def small_spec(qubits: int = 3, steps: int = 1, initial="uniform"):
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=qubits)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=steps, initial=initial)


@pytest.fixture
def spec():
    return small_spec()


@pytest.fixture(autouse=True)
def _clean_local_registry():
    launch_module.LOCAL_JOBS.clear()
    launch_module.LOCAL_BY_LOCAL_ID.clear()
    yield
    launch_module.LOCAL_JOBS.clear()
    launch_module.LOCAL_BY_LOCAL_ID.clear()


@pytest.fixture
def sleeps(monkeypatch):
    """Record backoff delays instead of sleeping."""
    delays: list[float] = []
    monkeypatch.setattr(runtime_module, "_sleep", delays.append)
    return delays


@pytest.fixture
def fake_service(monkeypatch):
    """Replace the runtime service, samplers and modes with local fakes."""
    import qiskit_ibm_runtime
    import qiskit_ibm_runtime.executor_sampler as executor_sampler

    FakeService.reset()
    FakeService.backend_obj = None
    FakeSampler.created = []
    FakeMode.opened = []
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", FakeService)
    monkeypatch.setattr(qiskit_ibm_runtime, "SamplerV2", FakeSampler)
    monkeypatch.setattr(qiskit_ibm_runtime, "Batch", FakeMode)
    monkeypatch.setattr(qiskit_ibm_runtime, "Session", FakeMode)
    monkeypatch.setattr(executor_sampler, "Sampler", FakeSampler)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "test-token-not-real")
    return FakeService


@pytest.fixture
def cli(store):
    """``invoke(*args)``: the ``qdq`` hardware commands run against the temporary store."""
    app = typer.Typer()
    register(app)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [*args, "--store", str(store.path)])

    return invoke
