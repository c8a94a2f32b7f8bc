"""Credential scrubbing: keep cloud tokens (IBM, AWS, IonQ, IQM) out of files, store, errors.

:func:`redact` and :func:`scrub` replace credentials (IBM Quantum tokens and
instance names taken from the environment at call time, plus any extra secrets you
pass) with ``"***"``. Every writer in qdq (:mod:`qdq.files`, :mod:`qdq.store`) and
every :class:`~qdq.errors.QdqError` message goes through them, so a secret never
lands in a result file, the store, a log line or a traceback.

This module imports nothing from qdq (``qdq.errors`` imports it), so it can be used
from anywhere without an import cycle.

Example:
    >>> from qdq.redact import redact, scrub
    >>> redact("Bearer hunter2-pw", secrets=["hunter2-pw"])
    'Bearer ***'
    >>> scrub({"token": "hunter2-pw", "n": 3}, secrets=["hunter2-pw"])
    {'token': '***', 'n': 3}

"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "SECRET_ENV_VARS",
    "SUBSTRING_SECRET_LENGTH",
    "printable",
    "redact",
    "scrub",
    "secret_values",
]

#: Replacement written in place of every secret.
REDACTED = "***"

#: Environment variables whose values are treated as secrets by default.
SECRET_ENV_VARS: tuple[str, ...] = (
    "QISKIT_IBM_TOKEN",
    "IBM_QUANTUM_TOKEN",
    "QISKIT_IBM_INSTANCE",
    # Amazon Braket (AWS's credential chain); the key id is not secret alone, but it
    # names the account and never belongs in a result either.
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID",
    # IonQ (every variable qiskit-ionq reads the API key from)
    "IONQ_API_KEY",
    "IONQ_API_TOKEN",
    "QISKIT_IONQ_API_TOKEN",
    # IQM Resonance
    "IQM_TOKEN",
)

#: Secrets shorter than this are ignored: a 3-letter instance name such as ``qdq``
#: would otherwise turn every job id and key containing it into ``***``.
MIN_SECRET_LENGTH = 8

#: Secrets at least this long are hidden wherever they occur, even glued to other
#: characters (``%3D<token>`` in a URL); shorter ones only as whole tokens.
SUBSTRING_SECRET_LENGTH = 24

# A "token character": a hit must not continue into one on either side to count as
# a whole token. Punctuation (``-``, ``.``, ``:``) is a boundary, so ``kind-<secret>``
# and ``p-<secret>`` are still hidden.
_TOKEN_CHAR = r"\w"


def secret_values(secrets: Iterable[str] | None = None) -> list[str]:
    """Return the secrets :func:`redact` will hide, longest first.

    These are the values of :data:`SECRET_ENV_VARS` currently set in the environment
    (read at call time) plus every string in ``secrets``, each counted only if it is
    at least :data:`MIN_SECRET_LENGTH` characters long once surrounding whitespace is
    stripped (shorter values are too common to be secrets, and hiding them would
    mangle unrelated text).

    Args:
        secrets: Extra secret strings (a single ``str`` counts as one secret).

    Returns:
        Distinct secrets, longest first (so overlapping secrets are fully hidden).

    Example:
        >>> secret_values(["abc", "", "password1", "password1-long"])
        ['password1-long', 'password1']

    """
    found: set[str] = set()
    candidates: list[Any] = [os.environ.get(name) for name in SECRET_ENV_VARS]
    candidates.extend(_saved_account_secrets())
    if secrets is not None:
        candidates.extend([secrets] if isinstance(secrets, str) else secrets)
    for value in candidates:
        if isinstance(value, str) and len(value.strip()) >= MIN_SECRET_LENGTH:
            found.add(value)
            found.add(value.strip())
    return sorted(found, key=lambda s: (-len(s), s))


#: Where qiskit-ibm-runtime's ``save_account`` keeps accounts (token, instance).
_SAVED_ACCOUNTS = os.path.join("~", ".qiskit", "qiskit-ibm.json")
_saved_cache: dict[str, Any] = {"key": None, "values": []}


def _saved_account_secrets() -> list[str]:
    """Tokens and instances of saved IBM accounts (cached on the file's size and mtime).

    A token saved with ``QiskitRuntimeService.save_account`` is as secret as one in
    ``QISKIT_IBM_TOKEN``; it is read here as plain JSON (no qiskit import) so the floor
    module stays dependency-free. Unreadable or odd files count as no secrets.
    """
    path = os.path.expanduser(_SAVED_ACCOUNTS)
    try:
        st = os.stat(path)
    except OSError:
        return []
    key = (path, st.st_mtime_ns, st.st_size)
    if _saved_cache["key"] != key:
        values: list[str] = []
        try:
            if st.st_size <= 1_000_000:  # an account file is tiny; never read a huge one
                import json

                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
                for account in data.values() if isinstance(data, dict) else ():
                    if isinstance(account, dict):
                        values.extend(v for k, v in account.items()
                                      if k in ("token", "instance") and isinstance(v, str))
        except (OSError, ValueError, RecursionError):
            values = []
        _saved_cache.update(key=key, values=values)
    return list(_saved_cache["values"])


# C0 controls (ESC, BEL, CR, backspace, ...), DEL, C1 (incl. the 8-bit CSI/OSC) and the
# bidi embeddings/overrides/isolates that can make a terminal show text other than it is.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
_CONTROL_ALL_RE = re.compile(f"[{_CONTROL}\t\n]")


def printable(text: Any, *, newlines: bool = False, limit: int | None = None) -> str:
    r"""Make text safe for a terminal: secrets redacted, control characters removed.

    Every printer of the command line passes user-supplied or stored text through this
    one function, so an ``ESC ]`` (OSC) or ``ESC [`` (CSI) sequence in a problem name or a
    tampered store cannot retitle, recolour or rewrite the terminal, and a token never
    reaches it. Removed: C0 controls, DEL, C1 controls and the bidi overrides
    U+202A–U+202E, U+2066–U+2069; tab and newline are kept only with ``newlines=True``
    (otherwise each becomes a space, so a table cell stays one line).

    Args:
        text: Any value (``str()`` is applied first).
        newlines: Keep ``\n`` and ``\t``.
        limit: Cut to at most this many characters (ending in "…").

    Returns:
        The cleaned text.

    Example:
        >>> printable("a\x1b]0;pwned\x07b\u202ec\nd")
        'a]0;pwnedbc d'
        >>> printable("x" * 10, limit=5)
        'xxxx…'
    """
    if not isinstance(text, str):
        text = str(text)
    if limit is not None and len(text) > max(4 * limit, 1_000_000):
        # Keep redaction cheap on huge inputs; the cut is far beyond what is shown.
        text = text[: max(4 * limit, 1_000_000)]
    text = redact(text)
    if newlines:
        text = _CONTROL_RE.sub("", text)
    else:
        text = _CONTROL_ALL_RE.sub(lambda m: " " if m.group() in "\t\n" else "", text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def _pattern(secret: str) -> str:
    escaped = re.escape(secret)
    if len(secret) >= SUBSTRING_SECRET_LENGTH:
        return escaped
    # Whole tokens only; a percent-escape right before the secret (``%3D``) still counts
    # as a boundary, so URL-encoded query strings are covered.
    head = f"(?:(?<!{_TOKEN_CHAR})|(?<=%[0-9A-Fa-f]{{2}}))" if re.match(_TOKEN_CHAR, secret) \
        else ""
    tail = f"(?!{_TOKEN_CHAR})" if re.match(_TOKEN_CHAR, secret[-1]) else ""
    return head + escaped + tail


def _compile(values: list[str]) -> re.Pattern[str] | None:
    if not values:
        return None
    # Longest first inside one alternation: overlapping secrets are hidden completely.
    return re.compile("|".join(_pattern(v) for v in values))


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace every secret occurring in ``text`` with ``"***"``.

    Secrets are the values of ``QISKIT_IBM_TOKEN``, ``IBM_QUANTUM_TOKEN`` and
    ``QISKIT_IBM_INSTANCE`` (read from the environment at call time) plus anything
    in ``secrets``; values shorter than :data:`MIN_SECRET_LENGTH` are ignored. A
    secret shorter than :data:`SUBSTRING_SECRET_LENGTH` is replaced only where it
    stands as a whole token (not inside a longer word such as ``my_secret2``); a
    longer one wherever it occurs.

    Args:
        text: Text that may contain a secret; non-``str`` values are converted with
            ``str()`` first.
        secrets: Extra secrets to hide.

    Returns:
        The text with each secret replaced by ``"***"``.

    Example:
        >>> redact("token=abc12345 ok", secrets=["abc12345"])
        'token=*** ok'
        >>> redact("abc123456 and qdq-1f", secrets=["abc12345", "qdq"])
        'abc123456 and qdq-1f'

    """
    if not isinstance(text, str):
        text = str(text)
    return _redact_with(text, _compile(secret_values(secrets)))


def scrub(obj: Any, secrets: Iterable[str] | None = None) -> Any:
    """Return a copy of ``obj`` with secrets redacted from every string inside it.

    Walks dicts (keys and values), lists, tuples, sets and frozensets recursively
    and applies :func:`redact` to each ``str``. Other values are returned as they
    are; containers are rebuilt with the same type (``dict`` for any mapping).

    Args:
        obj: A (nested) structure of containers and scalars.
        secrets: Extra secrets to hide, in addition to the environment ones.

    Returns:
        The scrubbed copy (the input is not modified).

    Example:
        >>> scrub({"token": "s3cr3t-pw", "runs": [1, "pw=s3cr3t-pw;"]}, secrets=["s3cr3t-pw"])
        {'token': '***', 'runs': [1, 'pw=***;']}

    """
    return _scrub(obj, _compile(secret_values(secrets)))


def _redact_with(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return text
    return pattern.sub(REDACTED, text)


def _scrub(obj: Any, values: re.Pattern[str] | None) -> Any:
    if isinstance(obj, str):
        return _redact_with(obj, values)
    if isinstance(obj, Mapping):
        return {
            (_redact_with(k, values) if isinstance(k, str) else k): _scrub(v, values)
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_scrub(v, values) for v in obj]
    if isinstance(obj, tuple):
        items = [_scrub(v, values) for v in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, (set, frozenset)):
        return type(obj)(_scrub(v, values) for v in obj)
    return obj
