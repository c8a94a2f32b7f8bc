"""Tests of qdq.store.cells: the resumable suite cells through :class:`qdq.store.Store`."""

from __future__ import annotations

import numpy as np
import pytest

from qdq.errors import ParameterError
from qdq.store import Store

from .helpers import utc


def test_cells_upsert_and_listing(store):
    assert store.get_cell("suite1", "sphere", "qdq", 0) is None
    store.put_cell("suite1", "sphere", "qdq", 0, {"best": 1.0})
    first = store.get_cell("suite1", "sphere", "qdq", 0)
    assert first is not None and first["result"] == {"best": 1.0}

    store.put_cell("suite1", "sphere", "qdq", 0, {"best": 0.5, "evals": np.int32(7)})
    again = store.get_cell("suite1", "sphere", "qdq", 0)
    assert again["result"] == {"best": 0.5, "evals": 7}
    assert again["created"] == first["created"]
    assert utc(again["updated"]) >= utc(first["updated"])

    store.put_cell("suite1", "sphere", "qdq", np.int64(1), {"best": 0.7})
    store.put_cell("suite1", "ackley", "nelder-mead", None, {"best": 2.0})
    store.put_cell("suite2", "sphere", "qdq", 0, {"best": 9.0})
    cells = store.list_cells("suite1")
    assert [(c["function"], c["method"], c["seed"]) for c in cells] == [
        ("ackley", "nelder-mead", None),
        ("sphere", "qdq", 0),
        ("sphere", "qdq", 1),
    ]
    assert len(store.list_cells("suite2")) == 1
    assert store.list_cells("missing") == []


def test_cell_key_is_unambiguous(store):
    assert Store.cell_key("a|b", "c", "d", 1) != Store.cell_key("a", "b|c", "d", 1)
    store.put_cell("a|b", "c", "d", 1, {"which": 1})
    store.put_cell("a", "b|c", "d", 1, {"which": 2})
    assert store.get_cell("a|b", "c", "d", 1)["result"] == {"which": 1}
    assert store.get_cell("a", "b|c", "d", 1)["result"] == {"which": 2}


def test_cell_validation(store):
    with pytest.raises(ParameterError, match="seed"):
        store.put_cell("s", "f", "m", "1", {})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="seed"):
        store.put_cell("s", "f", "m", True, {})
    with pytest.raises(ParameterError, match="method"):
        store.get_cell("s", "f", "", 0)
    with pytest.raises(ParameterError, match="result must be a dict"):
        store.put_cell("s", "f", "m", 0, 3.0)  # type: ignore[arg-type]
