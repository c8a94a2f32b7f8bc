"""Fixtures for the store tests: a clean environment and a fresh store file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdq.redact import SECRET_ENV_VARS
from qdq.store import Store


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (*SECRET_ENV_VARS, "QDQ_STORE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store" / "qdq.sqlite3"


@pytest.fixture
def store(db) -> Store:
    return Store(db)
