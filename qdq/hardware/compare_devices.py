r"""The same spec's resource report and price on several devices, side by side.

``qdq submit --report-only --backend fake_torino,braket:local,iqm:garnet`` prints one row
per device: the transpiled two-qubit (CX or native) count and depth, the depth, the
estimated success fidelity from each device's reported error rates, the shots and the
price from each provider's published pricing. Nothing is recorded or submitted. A device
that cannot be reached (no credentials, an unknown name) gets a row with the reason instead
of stopping the others.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=2)
    >>> spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.2, steps=1)
    >>> rows = preview_devices(spec, ["fake_manila", "fake_nowhere"], shots=100, seed=1)
    >>> rows[0]["backend"], rows[0]["report"].cost_usd, rows[1]["report"] is None
    ('fake_manila', 0.0, True)
"""

from __future__ import annotations

from typing import Any

from qdq.errors import ParameterError, QdqError
from qdq.redact import redact

__all__ = ["preview_devices", "split_backends"]


def split_backends(text: str) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]`` (empty names refused, duplicates kept once).

    Example:
        >>> split_backends("fake_torino, braket:local,fake_torino")
        ['fake_torino', 'braket:local']
    """
    if not isinstance(text, str):
        raise ParameterError(f"backends must be a comma-separated string, got "
                             f"{type(text).__name__}")
    names = [part.strip() for part in text.split(",")]
    if not names or any(not n for n in names):
        raise ParameterError(f"backend list {redact(text)!r} has an empty name; separate "
                             "names with commas: fake_torino,braket:local")
    return list(dict.fromkeys(names))


def preview_devices(spec: Any, backends: list[str], *, shots: int,
                    optimization_level: int = 2, seed: int | None = None
                    ) -> list[dict[str, Any]]:
    """One :func:`~qdq.hardware.submit.preview` per backend, errors kept per row.

    Args:
        spec: The evolution spec.
        backends: Backend names (IBM, fake, ``braket:…``, ``ionq:…``, ``iqm:…``).
        shots: Shots the price is for.
        optimization_level: Transpiler level 0–3.
        seed: Transpiler seed.

    Returns:
        ``[{"backend", "report" (ResourceReport or None), "error" (str or None)}]`` in
        the order given.
    """
    from qdq.hardware.submit import preview

    rows = []
    for name in backends:
        try:
            report = preview(spec, name, optimization_level=optimization_level, seed=seed,
                             shots=shots)
            rows.append({"backend": report.backend, "report": report, "error": None})
        except QdqError as exc:
            rows.append({"backend": name, "report": None, "error": str(exc)})
    return rows
