"""Periodic grids on qubit registers.

A box ``[low_d, high_d)`` per dimension is sampled at ``N_d = 2**n_d`` points
``x_j = low + j*h``, ``h = (high - low)/N`` (``high`` is excluded: it is the same
point as ``low`` on the periodic grid). Momenta follow numpy's FFT order,
``k = 2π * fftfreq(N, d=h)``, so the grid index ``j`` read as an ``n``-bit two's
complement integer ``m`` gives ``k = 2π m / L``.

Qubit order: dimension ``d`` occupies qubits ``offset_d … offset_d + n_d − 1``
(``offset_d = n_0 + … + n_{d−1}``), qubit ``offset_d`` being the least significant
bit of ``j_d`` (Qiskit little-endian). Statevector index ``i = Σ_d j_d · 2**offset_d``.
User-facing arrays are *grid-shaped*, ``(N_0, N_1, …)``, indexed ``[j_0, j_1, …]``.

Example:
    >>> g = Grid([(-1.0, 1.0), (0.0, 4.0)], qubits=[2, 3])
    >>> g.shape, g.num_qubits
    ((4, 8), 5)
    >>> g.points[0]
    array([-1. , -0.5,  0. ,  0.5])
    >>> flat = np.arange(32)
    >>> int(g.to_grid(flat)[1, 2])     # j_0 = 1 on qubits 0-1, j_1 = 2 on qubits 2-4
    9
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qdq.errors import ProblemError, ResourceError
from qdq.layout import Layout, normalize_qubits

#: Complex amplitudes above this many qubits are refused outright (2**34 * 16 B = 256 GiB).
MAX_QUBITS = 34


def _normalize_bounds(bounds) -> tuple[tuple[float, float], ...]:
    try:
        pairs = [tuple(float(v) for v in b) for b in bounds]
    except (TypeError, ValueError) as exc:
        raise ProblemError(
            f"bounds must be a sequence of (low, high) pairs, got {bounds!r}"
        ) from exc
    if not pairs:
        raise ProblemError("bounds is empty; give one (low, high) pair per dimension")
    for d, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ProblemError(f"bounds[{d}] must be a (low, high) pair, got {pair!r}")
        low, high = pair
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ProblemError(f"bounds[{d}] must be finite, got {pair!r}")
        if low >= high:
            fix = "widen the box" if low == high else "swap them"
            raise ProblemError(
                f"bounds[{d}] needs low < high, got low={low:g} >= high={high:g}; {fix}"
            )
    return tuple(pairs)  # type: ignore[return-value]


def _normalize_qubits(qubits, dims: int) -> tuple[int, ...]:
    return normalize_qubits(qubits, dims)


def _check_resolution(bounds, qubits) -> None:
    """Refuse boxes whose spacing or momenta are not representable (would give NaN/inf).

    ``h = L/N`` must be a normal float larger than the float spacing at the box's ends (else
    neighbouring grid points coincide), and ``k_max² = (π/h)²`` finite, else the kinetic
    term ``D|k|²`` overflows and every phase built from it is NaN.
    """
    k_limit = float(np.sqrt(np.finfo(float).max))  # (π/h)² finite  <=>  π/h < this
    for d, ((low, high), q) in enumerate(zip(bounds, qubits, strict=True)):
        length = high - low
        # math.ldexp avoids 2.0**q overflowing; q is at most a few thousand here.
        h = math.ldexp(length, -q) if np.isfinite(length) and q < 2048 else 0.0
        ulp = float(np.spacing(max(abs(low), abs(high))))
        if not np.isfinite(length) or not h >= np.finfo(float).tiny or h <= ulp or \
                np.pi / h >= k_limit:
            raise ProblemError(
                f"bounds[{d}] = {(low, high)!r} with {q} qubits gives grid spacing "
                f"h = {length:g}/2^{q}, whose points or momenta (π/h)² are not representable; "
                "use a box of moderate width (e.g. 1e-100 < high − low < 1e100) or fewer qubits"
            )


def _read_first_int(path: str) -> int | None:
    """The integer on the first line of ``path`` (``None`` if absent, unreadable or "max")."""
    try:
        with open(path) as fh:
            text = fh.readline().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _meminfo_available() -> int | None:
    """``MemAvailable`` of /proc/meminfo in bytes (``None`` where there is none)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return None


def _cgroup_available(root: str = "/sys/fs/cgroup", self_cgroup: str = "/proc/self/cgroup"
                      ) -> int | None:
    """Memory this process's cgroup may still use (``None`` without a limit).

    v2: ``memory.max − memory.current``; v1: ``memory.limit_in_bytes − memory.usage_in_bytes``.

    Both the process's own cgroup folder and the root (what a container sees of its own
    cgroup) are read; the smallest headroom wins.
    """
    v2_rel = v1_rel = "/"
    try:
        with open(self_cgroup) as fh:
            for line in fh:
                parts = line.rstrip("\n").split(":", 2)
                if len(parts) != 3:
                    continue
                if parts[0] == "0" and parts[1] == "":
                    v2_rel = parts[2] or "/"
                elif "memory" in parts[1].split(","):
                    v1_rel = parts[2] or "/"
    except OSError:
        pass
    out = []
    for base in {root + v2_rel.rstrip("/"), root, root + "/unified" + v2_rel.rstrip("/")}:
        limit = _read_first_int(base + "/memory.max")
        if limit is not None:
            out.append(max(0, limit - (_read_first_int(base + "/memory.current") or 0)))
    for base in {root + "/memory" + v1_rel.rstrip("/"), root + "/memory"}:
        limit = _read_first_int(base + "/memory.limit_in_bytes")
        if limit is not None and limit < 1 << 60:  # v1 writes "no limit" as ~2^63
            out.append(max(0, limit - (_read_first_int(base + "/memory.usage_in_bytes") or 0)))
    return min(out) if out else None


def _rlimit_available() -> int | None:
    """Address space this process may still map under ``RLIMIT_AS`` (``ulimit -v``).

    ``limit − VmSize`` (current mappings, from /proc/self/status); ``None`` when unlimited.
    """
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):  # pragma: no cover - non-POSIX
        return None
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    size = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    size = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return max(0, soft - size)


#: Readers of the limits that apply to this process; :func:`available_memory_bytes` takes
#: the smallest answer (tests replace them).
MEMORY_READERS = {"meminfo": _meminfo_available, "cgroup": _cgroup_available,
                  "rlimit": _rlimit_available}


def available_memory_bytes() -> int:
    """Return the memory this process may still allocate, in bytes (best effort).

    The minimum of every limit that applies (:data:`MEMORY_READERS`): the machine's
    ``MemAvailable``, the cgroup's ``memory.max − memory.current`` (v1:
    ``memory.limit_in_bytes − memory.usage_in_bytes``) and the address-space limit
    ``RLIMIT_AS`` (``ulimit -v``) minus what is already mapped. 8 GiB if none can be read.

    Example:
        >>> available_memory_bytes() > 0
        True
    """
    values = []
    for reader in MEMORY_READERS.values():
        try:
            v = reader()
        except Exception:  # a reader must never make a check crash; the others still count
            v = None
        if v is not None:
            values.append(int(v))
    return min(values) if values else 8 << 30


def _gib(num_bytes: int) -> str:
    """``num_bytes`` in GiB, also for integers too large for a float (``2^k B``)."""
    n = int(num_bytes)
    return f"{n / 2**30:.2f} GiB" if n.bit_length() < 1000 else f"~2^{n.bit_length() - 1} B"


def check_memory(num_bytes: int, what: str, *, fraction: float = 0.8,
                 hint: str = "use fewer qubits per dimension") -> None:
    """Refuse work that would need more than ``fraction`` of available memory.

    Args:
        num_bytes: Bytes the work would allocate.
        what: Human description used in the message.
        fraction: Share of available memory that may be used.
        hint: What to do instead (ends the message).

    Raises:
        ResourceError: If ``num_bytes`` exceeds the allowance (before anything is allocated).

    Example:
        >>> check_memory(1024, "a tiny array")
    """
    avail = available_memory_bytes()
    if num_bytes > fraction * avail:
        raise ResourceError(
            f"{what} needs {_gib(num_bytes)} but only {avail / 2**30:.2f} GiB "
            f"is available ({fraction:.0%} usable); {hint}"
        )


@dataclass(frozen=True, eq=True)
class Grid(Layout):
    """A periodic tensor-product grid, one qubit register per dimension.

    A :class:`~qdq.layout.Layout` (registers on qubits: shape, offsets, flat index) with a
    box (bounds, spacing, points, momenta).

    Args:
        bounds: ``(low, high)`` per dimension, ``low < high``.
        qubits: Qubits per dimension (one int for all, or a list).
        dense: Check that a full state vector fits (the default). ``False`` checks each
            register alone: a grid that is only ever handled per dimension or per term
            group (circuit construction, resource estimates) may be far larger than memory.

    Raises:
        ProblemError: On malformed bounds or qubit counts.
        ResourceError: If the state vector (complex128) would not fit in memory
            (``dense=False``: one register's).
    """

    bounds: tuple[tuple[float, float], ...] = ()

    def __init__(self, bounds: Sequence[Sequence[float]], qubits: int | Sequence[int], *,
                 dense: bool = True):
        b = _normalize_bounds(bounds)
        q = _normalize_qubits(qubits, len(b))
        object.__setattr__(self, "bounds", b)
        object.__setattr__(self, "qubits", q)
        object.__setattr__(self, "flat", False)
        n = self.num_qubits if dense else max(self.qubits)
        if n > MAX_QUBITS:
            # Integer arithmetic: 2.0**n overflows a float for n > 1023.
            raise ResourceError(
                f"{n} qubits need a state vector of 2^{n} "
                f"amplitudes (2^{n - 26} GiB); at most {MAX_QUBITS} qubits are "
                f"supported, got qubits={list(self.qubits)} — use fewer qubits"
            )
        _check_resolution(self.bounds, self.qubits)
        check_memory(16 * (1 << n) * 3, f"a {n}-qubit state vector (x3 workspace)")

    @property
    def lengths(self) -> tuple[float, ...]:
        """Box length ``L_d = high_d − low_d`` per dimension."""
        return tuple(hi - lo for lo, hi in self.bounds)

    @property
    def spacing(self) -> tuple[float, ...]:
        """Grid spacing ``h_d = L_d / N_d``."""
        return tuple(L / N for L, N in zip(self.lengths, self.shape, strict=True))

    @cached_property
    def points(self) -> tuple[np.ndarray, ...]:
        """1-D coordinate arrays ``x_j = low + j h`` per dimension."""
        return tuple(
            lo + h * np.arange(N)
            for (lo, _), h, N in zip(self.bounds, self.spacing, self.shape, strict=True)
        )

    @cached_property
    def momenta(self) -> tuple[np.ndarray, ...]:
        """1-D momentum arrays ``k = 2π fftfreq(N, d=h)`` per dimension."""
        return tuple(
            2 * np.pi * np.fft.fftfreq(N, d=h)
            for N, h in zip(self.shape, self.spacing, strict=True)
        )

    def mesh(self) -> tuple[np.ndarray, ...]:
        """Broadcastable coordinate arrays (``np.ix_`` style, no copies)."""
        return tuple(np.ix_(*self.points)) if self.dims > 1 else self.points

    @cached_property
    def k_squared(self) -> np.ndarray:
        """Grid-shaped ``|k|² = Σ_d k_d²`` (read-only)."""
        ks = np.ix_(*self.momenta) if self.dims > 1 else self.momenta
        out = np.zeros(self.shape)
        for k in ks:
            out = out + k**2
        out.setflags(write=False)
        return out

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"bounds": [list(b) for b in self.bounds], "qubits": list(self.qubits)}

    @classmethod
    def from_dict(cls, data: dict) -> Grid:
        """Inverse of :meth:`to_dict`."""
        return cls(data["bounds"], data["qubits"])


def layout_from_dict(data: dict) -> Layout:
    """A :class:`Grid` from a dict with ``bounds``, else a :class:`~qdq.layout.Layout`.

    Example:
        >>> layout_from_dict({"qubits": [1, 1], "flat": True}).shape
        (4,)
    """
    if "bounds" in data:
        return Grid.from_dict(data)
    return Layout.from_dict(data)
