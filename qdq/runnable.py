"""The protocol of composite algorithms that :func:`qdq.run` delegates to.

An evolution spec (:class:`~qdq.RealTime`, …) is run by an engine; a composite algorithm
that runs several specs itself (e.g. :class:`~qdq.TwoLoop`) subclasses :class:`Runnable`,
and ``qdq.run(algorithm, backend=..., ...)`` calls its :meth:`Runnable.run`.

Example:
    >>> class Twice(Runnable):
    ...     def run(self, backend="emulator", shots=None, seed=None, **options):
    ...         return (backend, shots)
    >>> from qdq.api import run
    >>> run(Twice(), backend="aer", shots=10)
    ('aer', 10)
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["Runnable"]


class Runnable(abc.ABC):
    """A composite algorithm run on an engine by :func:`qdq.run`."""

    @abc.abstractmethod
    def run(self, backend: str = "local", shots: int | None = None, seed: int | None = None,
            **options: Any) -> Any:
        """Run on engine ``backend`` (``shots``/``seed`` already validated by ``qdq.run``).

        Args:
            backend: A registered engine name (:mod:`qdq.engines.registry`).
            shots: ``None`` (exact) or a number of shots.
            seed: Sampling seed.
            **options: Engine options, passed on to the engine.
        """
