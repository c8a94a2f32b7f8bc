"""Tests of qdq.redact: credential redaction in text and nested structures."""

from __future__ import annotations

import json

import pytest

from qdq import redact as qredact
from qdq.redact import SECRET_ENV_VARS

TOKEN = "tok-SECRET-123"


@pytest.fixture(autouse=True)
def _clean_secret_env(monkeypatch):
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def test_redact_uses_env_at_call_time(monkeypatch):
    assert qredact.redact(f"x {TOKEN} y") == f"x {TOKEN} y"
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", "other-token-456")
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "crn:v1:bluemix:instance-789")
    text = f"a={TOKEN}; b=other-token-456; inst=crn:v1:bluemix:instance-789"
    assert qredact.redact(text) == "a=***; b=***; inst=***"


def test_redact_extra_secrets_and_edge_cases(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "")  # empty values are ignored
    assert qredact.redact("nothing here") == "nothing here"
    assert qredact.redact("pw=hunter2!x", secrets=["hunter2!x", "", "  "]) == "pw=***"
    assert qredact.redact("pw=hunter2!x", secrets="hunter2!x") == "pw=***"
    # Overlapping secrets: the longer one is hidden completely.
    assert qredact.redact("abcdefgh-ij", secrets=["abcdefgh", "abcdefgh-ij"]) == "***"
    assert qredact.redact(1234567890, secrets=["1234567890"]) == "***"  # type: ignore[arg-type]


def test_redact_strips_whitespace_padded_env(monkeypatch):
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", f"  {TOKEN}\n")
    assert qredact.redact(f"t={TOKEN}") == "t=***"


def test_scrub_recurses_and_does_not_mutate(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    original = {
        "token": TOKEN,
        TOKEN: 1,
        "list": [TOKEN, 2, {"deep": (f"x={TOKEN}", 3.5)}],
        "set": {TOKEN},
        "n": None,
    }
    snapshot = json.dumps(original, default=list, sort_keys=True)
    out = qredact.scrub(original)
    assert out == {
        "token": "***",
        "***": 1,
        "list": ["***", 2, {"deep": ("x=***", 3.5)}],
        "set": {"***"},
        "n": None,
    }
    assert json.dumps(original, default=list, sort_keys=True) == snapshot
    assert TOKEN not in repr(out)


def test_scrub_extra_secrets_without_env():
    assert qredact.scrub(["a:password", {"k": "password"}], secrets=["password"]) == [
        "a:***", {"k": "***"}]
    data = {"a": [1, 2]}
    copy = qredact.scrub(data)
    assert copy == data and copy is not data and copy["a"] is not data["a"]


def test_short_env_secrets_are_ignored(monkeypatch):
    """An instance named ``time`` or ``qdq`` must not mangle keys and job ids."""
    for short in ("time", "qdq", "abc1234"):  # all < MIN_SECRET_LENGTH
        monkeypatch.setenv("QISKIT_IBM_INSTANCE", short)
        text = f'{{"time": 1.5, "id": "qdq-1f2e3d4c5b6a", "name": "{short}"}}'
        assert qredact.redact(text) == text
        assert qredact.scrub({"time": [short, "qdq-1f2e"]}) == {"time": [short, "qdq-1f2e"]}
    assert qredact.secret_values() == []


def test_secrets_replaced_only_as_whole_tokens(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "my-inst1")
    assert qredact.redact("instance my-inst1 used") == "instance *** used"
    assert qredact.redact("'my-inst1'") == "'***'"
    assert qredact.redact("my-inst1") == "***"
    # Inside a longer word it is a different name, not the secret.
    assert qredact.redact("my-inst10 xmy-inst1 my-inst1_x 9my-inst1") == \
        "my-inst10 xmy-inst1 my-inst1_x 9my-inst1"
    # Punctuation is a boundary: glued with '-' or '.' it is still hidden.
    assert qredact.redact("kind-my-inst1.json") == "kind-***.json"
    # A URL-encoded separator before it still counts as a boundary.
    assert qredact.redact("q=a%3Dmy-inst1&b") == "q=a%3D***&b"


def test_long_secrets_are_hidden_even_when_glued(monkeypatch):
    token = "A1b2C3d4E5f6G7h8I9j0K1l2M3"  # >= SUBSTRING_SECRET_LENGTH
    assert len(token) >= qredact.SUBSTRING_SECRET_LENGTH
    monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    for text in (f"apikey={token}", f"x{token}y", f"Bearer {token}", f"%3D{token}"):
        out = qredact.redact(text)
        assert token not in out and "***" in out
    assert qredact.redact(f"x{token}y") == "x***y"
    assert qredact.scrub({token: [f"k{token}"]}) == {"***": ["k***"]}


def test_redact_special_characters_in_secret(monkeypatch):
    inst = "crn:v1:bluemix:public:quantum:us-east:a/b1::"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", inst)
    assert qredact.redact(f"instance={inst} (x)") == "instance=*** (x)"
    assert qredact.redact("crn:v1:other") == "crn:v1:other"
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "a.b*c+d(e")  # regex metacharacters
    assert qredact.redact("is a.b*c+d(e here") == "is *** here"
    assert qredact.redact("aXb*c+d(e") == "aXb*c+d(e"


@pytest.mark.parametrize("bad", ["\x1b]0;title\x07", "\x1b[2J", "\x9b31m", "\x00", "\x7f",
                                 "\x08", "\r", "\u202e", "\u202a", "\u2066", "\u2069",
                                 "\x85", "\x1bP1$r\x1b\\"])
def test_printable_strips_control_and_bidi_characters(bad):
    out = qredact.printable(f"a{bad}b")
    assert out.startswith("a") and out.endswith("b")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u202a\u202b\u202c\u202d"
                   "\u202e\u2066\u2067\u2068\u2069" for c in out)


def test_printable_newlines_limit_and_secrets(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    assert qredact.printable("a\nb\tc") == "a b c"
    assert qredact.printable("a\nb\tc", newlines=True) == "a\nb\tc"
    assert qredact.printable(f"key {TOKEN}!", limit=6) == "key *…"
    assert qredact.printable(f"key {TOKEN}") == "key ***"
    assert len(qredact.printable("x" * 5_000_000, limit=10)) == 10


def test_saved_account_tokens_are_secrets(tmp_path, monkeypatch):
    saved = "saved-account-token-0123456789"
    accounts = tmp_path / "qiskit-ibm.json"
    accounts.write_text(json.dumps({"default": {"channel": "ibm_quantum_platform",
                                                "token": saved, "instance": "crn:v1:inst-9"},
                                    "odd": "not a dict"}))
    monkeypatch.setattr(qredact, "_SAVED_ACCOUNTS", str(accounts))
    assert qredact.redact(f"name {saved} and crn:v1:inst-9") == "name *** and ***"
    assert qredact.printable(saved) == "***"
    accounts.write_text("{not json")  # a broken file counts as no secrets
    assert qredact.redact(f"x {saved}") == f"x {saved}"
    monkeypatch.setattr(qredact, "_SAVED_ACCOUNTS", str(tmp_path / "missing.json"))
    assert qredact.secret_values() == []
