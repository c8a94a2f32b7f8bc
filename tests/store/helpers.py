"""Helpers shared by the store tests."""

from __future__ import annotations

from datetime import datetime, timedelta

#: A fake credential; tests put it in the environment and check it never leaks.
TOKEN = "tok-SECRET-123"


def utc(ts: str) -> datetime:
    """Parse a stored timestamp, asserting that it is in UTC."""
    parsed = datetime.fromisoformat(ts)
    assert parsed.utcoffset() == timedelta(0)
    return parsed
