"""The price table and the ``max_cost`` guard (``qdq.hardware.clouds.pricing``)."""

from __future__ import annotations

import math

import pytest

from qdq.errors import ParameterError
from qdq.hardware.clouds.pricing import (
    PRICES,
    check_max_cost,
    cost_line,
    estimate_cost,
    price_for,
    price_key_for_arn,
)


def test_braket_cost_is_per_task_plus_per_shot():
    # IQM Garnet: $0.30 per task + $0.00145 per shot (Braket's on-demand table)
    assert estimate_cost("braket:iqm_garnet", 10_000) == pytest.approx(0.30 + 14.50)
    assert estimate_cost("iqm:garnet", 10_000) == estimate_cost("braket:iqm_garnet", 10_000)
    assert estimate_cost("braket:ionq_forteenterprise1", 100) == pytest.approx(8.30)


def test_every_price_names_its_source_and_date():
    for key, price in PRICES.items():
        if price.per_shot > 0:
            assert price.source.startswith("https://") and price.read_on.count("-") == 2, key
            assert price.per_task >= 0 and 0 < price.per_shot < 1


def test_no_price_is_guessed():
    for name in ("ibm_torino", "braket:iqm_emerald", "braket:amazon_sv1", "ionq:qpu.forte-1",
                 "braket:no_such_device"):
        assert estimate_cost(name, 1000) is None, name
        assert "does not guess" in cost_line(name, 1000)
    assert price_key_for_arn("arn:aws:braket:eu-north-1::device/qpu/iqm/Emerald") is None


def test_local_simulators_and_fake_backends_are_free():
    for name in ("braket:local", "fake_torino", "FakeSherbrooke"):
        assert price_for(name) is not None and estimate_cost(name, 10**6) == 0.0


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, True, "10", [5]])
def test_max_cost_must_be_a_finite_non_negative_number(bad):
    with pytest.raises(ParameterError, match="max_cost must be a finite number"):
        check_max_cost("braket:local", 10, max_cost=bad)


def test_guard_limits():
    assert check_max_cost("braket:iqm_garnet", 1000, max_cost=1.75) == pytest.approx(1.75)
    with pytest.raises(ParameterError, match="above max_cost"):
        check_max_cost("braket:iqm_garnet", 1001, max_cost=1.75)
    with pytest.raises(ParameterError, match="cannot be checked"):
        check_max_cost("ibm_torino", 1, max_cost=1000)
    assert check_max_cost("ibm_torino", 1, max_cost=None) is None
    assert check_max_cost("fake_torino", 10**6, max_cost=0) == 0.0


def test_the_guard_applies_to_ibm_submissions_too(store, monkeypatch):
    import qdq
    from qdq.hardware import jobs, submit

    def no_service(*args, **kwargs):
        raise AssertionError("the guard must refuse before IBM is reached")

    monkeypatch.setattr("qdq.hardware.runtime.get_service", no_service)
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)
    with pytest.raises(ParameterError, match="cannot be checked"):
        submit(spec, "ibm_torino", 100, store=store, max_cost=5)
    assert jobs(store=store) == []
    job = submit(spec, "fake_manila", 100, store=store, seed=1, max_cost=0)
    assert job.params["cost_usd"] == 0.0 and job.result().shots == 100
