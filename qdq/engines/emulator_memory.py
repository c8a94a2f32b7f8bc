"""The FFT emulator's memory model: what a run allocates, declared before it runs.

A run holds the state (16 B per amplitude), scipy.fft's line buffer and plan (≤ 32 B), phase
tables only while they fit :data:`CACHE_BYTES`, and block buffers of :data:`BLOCK` elements;
:func:`peak_bytes` adds these up and :func:`check_run_memory` refuses a run that does not
fit. Measured peaks stay below the declared figure (``tests/engines/test_emulator_memory.py``).

Example:
    >>> PEAK_BYTES_PER_AMP
    48
"""

from __future__ import annotations

import math

from qdq.evolution import EvolutionSpec
from qdq.grid import check_memory

#: Phase tables (one full-grid array per distinct factor) are cached only within this budget.
CACHE_BYTES = 32 << 20
#: Elements per block when phases are computed on the fly.
BLOCK = 1 << 16
#: Worst-case peak bytes per amplitude of a run, excluding the bounded cache: the state
#: (16), scipy.fft's line buffer (<= 16) and its plan's twiddles (<= 16).
PEAK_BYTES_PER_AMP = 48
#: Extra bytes per amplitude while an observation (``observe_every``) is computed: a copy
#: of the state (16) and :meth:`~qdq.Hamiltonian.energy`'s momentum-space temporaries (48).
OBSERVE_BYTES_PER_AMP = 64
#: Fixed overhead: block buffers and small per-axis tables.
FIXED_BYTES = 8 * BLOCK * 16


def _fft_bytes(shape: tuple[int, ...], workers: int | None) -> int:
    """scipy.fft's (pocketfft) transient line buffer plus its cached plans, in bytes.

    Measured on scipy 1.17: a 1-D transform of N points holds a 16N-byte buffer and a
    16N-byte plan; an axis of length N_d with other lines holds up to 4 lines per thread.
    """
    n = math.prod(shape)
    threads = max(1, int(workers or 1))
    scratch = max(16 * nd * (1 if n == nd else 4 * threads) for nd in shape)
    plans = 16 * sum(set(shape))
    return min(scratch, 32 * n * threads) + plans


def peak_bytes(spec: EvolutionSpec, *, observe: bool = False, workers: int | None = None,
               shots: int | None = None) -> int:
    """Declared peak bytes a run of ``spec`` allocates (beyond the problem's own arrays).

    ``16 N`` for the state, scipy.fft's buffer and plans (``≤ 32 N``; see
    :data:`PEAK_BYTES_PER_AMP`), phase tables bounded by :data:`CACHE_BYTES`, block
    buffers, and :data:`OBSERVE_BYTES_PER_AMP` while observing. Measured peaks stay below
    it (``tests/engines/test_emulator_memory.py``).

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=20)
        >>> b = peak_bytes(qdq.RealTime(qdq.Hamiltonian(p, D=0.5)))
        >>> (b - CACHE_BYTES - FIXED_BYTES) // p.grid.size    # bytes per amplitude
        48
    """
    shape = spec.grid.shape
    n = spec.grid.size
    if getattr(spec.grid, "flat", False):  # bits: the kinetic term applies itself in place
        # The hypercube: no transform; the state and ζ's table (8 N), butterflies in blocks.
        run = 24 * n + (OBSERVE_BYTES_PER_AMP * n if observe else 0)
        final = 24 * n + 8 * n * (3 if shots is not None else 1)
        return max(run, final) + CACHE_BYTES + FIXED_BYTES
    run = 16 * n + _fft_bytes(shape, workers)
    if observe:
        run += OBSERVE_BYTES_PER_AMP * n
    # After the evolution: the state, the plans, probabilities and (shots) sampling arrays.
    # (+8 N for the Result's metric temporaries, e.g. |ζ| in the global-min mask).
    final = 16 * n + 16 * sum(set(shape)) + 8 * n * (5 if shots is not None else 2)
    return max(run, final) + CACHE_BYTES + FIXED_BYTES


def check_run_memory(spec: EvolutionSpec, **kwargs) -> int:
    """Refuse (``ResourceError``) a run whose :func:`peak_bytes` exceeds available memory.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4)
        >>> check_run_memory(qdq.RealTime(qdq.Hamiltonian(p, D=0.5))) > 0
        True
    """
    need = peak_bytes(spec, **kwargs)
    if getattr(spec.grid, "flat", False):  # bits
        check_memory(need, f"the emulator's {spec.grid.num_qubits}-bit {spec.method} run "
                           "(peak ~32 B per amplitude)",
                     hint="use fewer bits, or sample bitstrings without a dense state: "
                          "qdq.engines.bitstrings.sample_bitstrings")
        return need
    check_memory(need, f"the emulator's {spec.grid.num_qubits}-qubit {spec.method} run "
                       f"(peak ~{PEAK_BYTES_PER_AMP} B per amplitude)")
    return need
