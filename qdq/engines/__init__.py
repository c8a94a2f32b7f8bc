"""Engines: the functions that run an evolution spec and return a :class:`~qdq.Result`.

Owns the engine contract — ``engine(spec, *, shots, seed, options) -> Result`` — and its
pieces: :mod:`~qdq.engines.registry` (the table of engines, their declared options, lazy
loading), :mod:`~qdq.engines.readout` (shots → histograms with postselection, exact
sampling, the one ``Result`` constructor) and the engines themselves:
:mod:`~qdq.engines.emulator` (FFT), :mod:`~qdq.engines.aer`, :mod:`~qdq.engines.pennylane`
and :mod:`~qdq.engines.ibm` (IBM hardware and fake backends through :mod:`qdq.hardware`).

May import: ``qdq.errors``, ``qdq.validate``, ``qdq.grid``, ``qdq.evolution``,
``qdq.results``, ``qdq.circuits`` and (lazily, from :mod:`~qdq.engines.ibm` only)
``qdq.hardware``; never the top-level ``qdq`` package, ``qdq.api`` or algorithms built on
``qdq.run`` (``qdq.twoloop``, ``qdq.compare``). This ``__init__`` imports nothing, so
``import qdq`` stays light.
"""
