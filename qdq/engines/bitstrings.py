r"""Bitstrings sampled from a binary spec's circuit, without a dense state: Aer MPS past 30 bits.

Every engine's :class:`~qdq.Result` holds arrays over all ``2ⁿ`` assignments, so it stops
near 30 bits. A sparse binary problem (few terms per bit, low entanglement at low depth) can
still be *sampled* far beyond: the circuit is simulated by Aer's matrix-product-state method
and only the shots are kept. Energies come from the polynomial, never from a table of ζ.

Only unitary specs (real time, anneal, QAOA) are sampled; imaginary time's postselection
needs the statevector engines.

Example:
    >>> import qdq
    >>> n = 40
    >>> ring = qdq.BinaryProblem({(i, (i + 1) % n): 2.0 for i in range(n)}
    ...                          | {(i,): -2.0 for i in range(n)}, num_bits=n)   # −cut
    >>> s = sample_bitstrings(qdq.QAOA(ring, [0.4], [-0.3]), shots=64, seed=1)
    >>> s.num_bits, sum(s.counts.values()), s.best_energy <= s.mean_energy
    (40, 64, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdq.errors import ParameterError
from qdq.evolution import EvolutionSpec
from qdq.validate import check_seed, check_shots

#: Aer methods that simulate without a dense 2ⁿ state (or with one, for small checks).
METHODS = ("matrix_product_state", "statevector", "automatic")


@dataclass
class BitstringSamples:
    """Shots of a binary spec.

    Attributes:
        num_bits: ``n``.
        counts: ``{bitstring: count}``, bitstrings written ``x0 x1 …`` left to right.
        energies: ``{bitstring: ζ}`` from the polynomial.
        method: The Aer method used.
        seconds: Simulation wall time.
    """

    num_bits: int
    counts: dict[str, int]
    energies: dict[str, float]
    method: str
    seconds: float

    @property
    def shots(self) -> int:
        """Total shots."""
        return int(sum(self.counts.values()))

    @property
    def best_bitstring(self) -> str:
        """The sampled assignment of lowest ζ."""
        return min(self.energies, key=self.energies.get)

    @property
    def best_energy(self) -> float:
        """Its ζ."""
        return float(self.energies[self.best_bitstring])

    @property
    def mean_energy(self) -> float:
        """``⟨ζ⟩`` over the shots."""
        return float(sum(c * self.energies[b] for b, c in self.counts.items()) / self.shots)

    def summary(self) -> dict:
        """Headline numbers (bit order stated)."""
        return {"num_bits": self.num_bits, "shots": self.shots, "distinct": len(self.counts),
                "best_bitstring": self.best_bitstring, "bit_order": "x0 x1 … left to right",
                "best_energy": self.best_energy, "mean_energy": self.mean_energy,
                "method": self.method, "seconds": self.seconds}


def sample_bitstrings(spec: EvolutionSpec, shots: int, *, method: str = "matrix_product_state",
                      seed: int | None = None,
                      max_bond_dimension: int | None = None) -> BitstringSamples:
    """Sample ``shots`` bitstrings of a unitary binary spec with Aer.

    Args:
        spec: A :class:`~qdq.QAOA`, :class:`~qdq.Anneal` or :class:`~qdq.RealTime` on a
            :class:`~qdq.BinaryProblem` (any number of bits the method can hold).
        shots: Number of samples ``>= 1``.
        method: ``"matrix_product_state"`` (default), ``"statevector"`` or ``"automatic"``.
        seed: Simulator seed.
        max_bond_dimension: Truncate the MPS bond dimension (approximate; ``None``: exact).

    Raises:
        ParameterError: Not a binary spec, imaginary time, bad shots/seed/method.
    """
    import time

    EvolutionSpec.require(spec, "sample_bitstrings")
    problem = spec.problem
    if not getattr(problem, "is_binary", False):
        raise ParameterError("sample_bitstrings samples binary problems; for grids use "
                             "qdq.run(spec, backend='aer', shots=...)")
    if spec.time_axis == "imaginary":
        raise ParameterError("imaginary time postselects ancillas; sample it with "
                             "qdq.run(spec, backend='aer', shots=...) at <= 30 bits")
    shots = check_shots(shots)
    if shots is None:
        raise ParameterError("shots must be an integer >= 1, got None")
    seed = check_seed(seed)
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}")
    if max_bond_dimension is not None and (isinstance(max_bond_dimension, bool) or not
                                           isinstance(max_bond_dimension, int) or
                                           max_bond_dimension < 1):
        raise ParameterError(f"max_bond_dimension must be None or an integer >= 1, got "
                             f"{max_bond_dimension!r}")
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from qdq.binary.polynomial import evaluate_bits
    from qdq.circuits.trotter import build_circuit

    opts = {"method": method}
    if max_bond_dimension is not None:
        opts["matrix_product_state_max_bond_dimension"] = max_bond_dimension
    sim = AerSimulator(**opts)
    qc = transpile(build_circuit(spec, measure=True), sim)
    t0 = time.perf_counter()
    raw = sim.run(qc, shots=shots, seed_simulator=seed).result().get_counts()
    seconds = time.perf_counter() - t0
    counts: dict[str, int] = {}
    for key, c in raw.items():
        bits = key.replace(" ", "")[::-1][:problem.num_bits]  # Qiskit: clbit 0 rightmost
        counts[bits] = counts.get(bits, 0) + int(c)
    keys = list(counts)
    arr = np.array([[int(ch) for ch in k] for k in keys], dtype=np.int8)
    values = evaluate_bits(problem.polynomial, problem.offset, arr)
    return BitstringSamples(problem.num_bits, counts, dict(zip(keys, map(float, values),
                                                               strict=True)), method, seconds)
