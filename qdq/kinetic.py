r"""Kinetic terms: the ``−D∇²`` of each search space, owned by the Hamiltonian.

A kinetic term ``L`` is diagonal in its own basis. It says, for every engine and builder:

* its **basis change** (``basis``): ``"fourier"`` (FFT / QFT per register) or
  ``"hadamard"`` (a Hadamard on every qubit — the QFT of a one-qubit register);
* its **diagonal** in that basis (:meth:`KineticTerm.diagonal`, layout-shaped, ``D = 1``)
  and per register (:meth:`KineticTerm.register_diagonal`; the terms are separable:
  ``L = Σ_d L_d``), which the circuit program turns into phases;
* its action ``Lψ`` (:meth:`KineticTerm.apply`), energy ``⟨ψ|L|ψ⟩`` and dense matrix;
* its **default scale** ``D`` (:attr:`KineticTerm.default_D`).

Two spaces are built in:

* :class:`FourierLaplacian` — ``−∇²`` on a periodic grid, ``|k|²`` in momentum space with
  ``k = 2π fftfreq(N, h)`` (the continuous problems);
* :class:`HypercubeLaplacian` — the graph Laplacian of the hypercube ``{0,1}ⁿ``,
  ``L = Σᵢ (1 − Xᵢ)``: ``0`` on ``|+⟩`` and ``2`` on ``|−⟩`` for every bit, so
  ``2·popcount(z)`` in the Hadamard basis. ``D·L + ζ`` is the transverse-field Ising
  Hamiltonian when ζ is a QUBO. On each one-qubit register it *is* the Fourier Laplacian of
  a two-point periodic grid of length ``π√2`` (``k² ∈ {0, 2}``); the tests check that.

A new space is one subclass here (or in its own module) and the problem that returns it
from ``kinetic_term``; ``tests/test_kinetic.py`` adds the cycle graph's Laplacian that way.

Example:
    >>> L = HypercubeLaplacian(2)
    >>> L.diagonal().tolist()                    # Hadamard basis: 2 · popcount
    [0.0, 2.0, 2.0, 4.0]
    >>> plus = np.full(4, 0.5)
    >>> float(L.energy(plus))                    # |+>|+> is its ground state
    0.0
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from qdq.errors import ResourceError


def momentum_index(n: int) -> np.ndarray:
    """Two's-complement momentum index ``m`` of register values ``j = 0 … 2^n−1``.

    Example:
        >>> momentum_index(3)
        array([ 0,  1,  2,  3, -4, -3, -2, -1])
    """
    j = np.arange(1 << n)
    return np.where(j < (1 << (n - 1)), j, j - (1 << n)) if n > 0 else j


class KineticTerm:
    """Base class of kinetic terms (see the module docstring); subclasses fill it in."""

    #: Name recorded in results and specs.
    name = "kinetic"
    #: ``"fourier"`` or ``"hadamard"``: where the term is diagonal.
    basis = "fourier"
    #: The ``D`` a Hamiltonian gets when none is given.
    default_D = 0.5  # noqa: N815 - the physics name, as Hamiltonian.D

    def __init__(self, layout):
        self.layout = layout

    def register_diagonal(self, d: int) -> np.ndarray:
        """Eigenvalues of ``L_d`` on register ``d`` in its basis, by register value ``j``."""
        raise NotImplementedError

    def max_abs(self) -> float:
        """``max |eigenvalue|`` (``D = 1``): the emulator's overflow check."""
        return float(sum(np.max(np.abs(self.register_diagonal(d)))
                         for d in range(self.layout.dims)))

    def register_scale(self, d: int) -> float | None:
        """``s`` with ``register_diagonal(d) = s·m²``, or ``None``.

        ``m`` is the two's-complement register value. ``None``: the diagonal is not of that
        form, and circuits take the Walsh spectrum of the diagonal itself (even in ``m``).
        """
        return None

    def diagonal(self) -> np.ndarray:
        """Layout-shaped eigenvalues ``Σ_d L_d`` in the term's basis (``D = 1``)."""
        lay = self.layout
        parts = [self.register_diagonal(d) for d in range(lay.dims)]
        if lay.flat:
            out = np.zeros(lay.size)
            idx = np.arange(lay.size)
            for d, part in enumerate(parts):
                reg = (idx >> lay.offsets[d]) & ((1 << lay.qubits[d]) - 1)
                out += part[reg]
            return out
        out = np.zeros(lay.shape)
        for d, part in enumerate(parts):
            out = out + part.reshape([-1 if a == d else 1 for a in range(lay.dims)])
        return out

    def to_basis(self, psi: np.ndarray) -> np.ndarray:
        """``psi`` (layout-shaped) in the term's eigenbasis (unitary transform)."""
        raise NotImplementedError

    def from_basis(self, phi: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_basis`."""
        raise NotImplementedError

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``Lψ`` for a layout-shaped ``psi`` (``D = 1``)."""
        return self.from_basis(self.diagonal() * self.to_basis(np.asarray(psi, dtype=complex)))

    def energy(self, psi: np.ndarray) -> float:
        """``⟨ψ|L|ψ⟩ / ⟨ψ|ψ⟩`` (``D = 1``)."""
        w = np.abs(self.to_basis(np.asarray(psi, dtype=complex))) ** 2
        return float(np.sum(self.diagonal() * w) / np.sum(w))

    def dense(self) -> np.ndarray:
        """Dense ``L`` on states flattened in C order of the layout shape (small spaces)."""
        from qdq.grid import check_memory

        n = self.layout.size
        check_memory(16 * n * n * 3, f"a dense {n}x{n} kinetic term",
                     hint="use fewer qubits")
        eye = np.eye(n, dtype=complex).reshape((n, *self.layout.shape))
        cols = np.stack([self.apply(e).reshape(-1) for e in eye], axis=1)
        return cols

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"name": self.name, "basis": self.basis}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.layout!r})"


class FourierLaplacian(KineticTerm):
    """``−∇²`` on a periodic :class:`~qdq.grid.Grid`: ``|k|²`` in momentum space.

    Example:
        >>> from qdq.grid import Grid
        >>> T = FourierLaplacian(Grid([(0, 2 * np.pi)], qubits=2))
        >>> T.register_diagonal(0).tolist()           # k = 0, 1, −2, −1
        [0.0, 1.0, 4.0, 1.0]
    """

    name = "fourier-laplacian"
    basis = "fourier"
    default_D = 0.5  # noqa: N815 - the physics name, as Hamiltonian.D

    def register_diagonal(self, d: int) -> np.ndarray:
        """``k_d² = (2π m / L_d)²`` by register value (FFT order), as the circuit blocks use."""
        k = 2 * np.pi * momentum_index(self.layout.qubits[d]) / self.layout.lengths[d]
        return k**2

    def register_scale(self, d: int) -> float:
        """``(2π / L_d)²``: ``k² = (2π/L)² m²``."""
        return (2 * np.pi / self.layout.lengths[d]) ** 2

    def diagonal(self) -> np.ndarray:
        """Grid-shaped ``|k|²`` (the grid's cached, read-only array)."""
        return self.layout.k_squared

    def to_basis(self, psi: np.ndarray) -> np.ndarray:
        """n-D FFT."""
        return sfft.fftn(psi)

    def from_basis(self, phi: np.ndarray) -> np.ndarray:
        """n-D inverse FFT."""
        return sfft.ifftn(phi)


class HypercubeLaplacian(KineticTerm):
    """The hypercube's graph Laplacian ``L = Σᵢ (1 − Xᵢ)`` on ``n`` bits (flat layout).

    In the Hadamard basis ``L = 2·popcount(z)``; ``e^{−icL}`` is one ``RX``-type rotation
    per qubit, so no full transform is needed: :meth:`exp_inplace` applies ``n`` butterflies.

    Example:
        >>> L = HypercubeLaplacian(1)
        >>> np.round(L.dense().real, 12).tolist()          # 1 − X
        [[1.0, -1.0], [-1.0, 1.0]]
    """

    name = "hypercube-laplacian"
    basis = "hadamard"
    default_D = 1.0  # noqa: N815

    def __init__(self, layout_or_n):
        if isinstance(layout_or_n, (int, np.integer)):
            from qdq.layout import Layout

            layout_or_n = Layout([1] * int(layout_or_n), flat=True)
        super().__init__(layout_or_n)
        self.n = self.layout.num_qubits

    def register_diagonal(self, d: int) -> np.ndarray:
        """``[0, 2]``: ``1 − X`` is 0 on ``|+⟩`` and 2 on ``|−⟩``."""
        return np.array([0.0, 2.0])

    def register_scale(self, d: int) -> float:
        """2: on one qubit ``m² ∈ {0, 1}`` and ``1 − X`` has eigenvalues ``{0, 2}``."""
        return 2.0

    def diagonal(self) -> np.ndarray:
        """``2·popcount(z)`` over the flat Hadamard-basis index ``z``."""
        z = np.arange(self.layout.size, dtype=np.int64)
        count = np.zeros(z.size)
        for i in range(self.n):
            count += (z >> i) & 1
        return 2.0 * count

    def to_basis(self, psi: np.ndarray) -> np.ndarray:
        """The Walsh–Hadamard transform ``H^{⊗n} ψ`` (unitary)."""
        out = np.array(psi, dtype=complex, copy=True).reshape(-1)
        for i in range(self.n):
            v = out.reshape(-1, 2, 1 << i)
            a, b = v[:, 0, :].copy(), v[:, 1, :]
            v[:, 0, :] += b
            v[:, 1, :] = a - b
        return out / np.sqrt(float(out.size))

    def from_basis(self, phi: np.ndarray) -> np.ndarray:
        """``H^{⊗n}`` is its own inverse."""
        return self.to_basis(phi)

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``Lψ = nψ − Σᵢ Xᵢψ`` (no transform)."""
        psi = np.asarray(psi, dtype=complex).reshape(-1)
        out = self.n * psi
        for i in range(self.n):
            v = psi.reshape(-1, 2, 1 << i)
            o = out.reshape(-1, 2, 1 << i)
            o[:, 0, :] -= v[:, 1, :]
            o[:, 1, :] -= v[:, 0, :]
        return out

    def energy(self, psi: np.ndarray) -> float:
        """``⟨L⟩ = Σᵢ (1 − ⟨Xᵢ⟩)``."""
        psi = np.asarray(psi, dtype=complex).reshape(-1)
        return float(np.vdot(psi, self.apply(psi)).real / np.vdot(psi, psi).real)

    def exp_inplace(self, psi: np.ndarray, c: float, imaginary: bool) -> None:
        r"""``ψ ← e^{−icL}ψ`` (real) or ``ψ ← e^{−cL}ψ`` (imaginary), ``c`` including ``D``.

        Per qubit, ``e^{−ic(1−X)} = e^{−ic}(cos c + i sin c X)`` and
        ``e^{−c(1−X)} = ((1 + e^{−2c}) + (1 − e^{−2c}) X)/2`` — largest eigenvalue 1, as
        the probabilistic circuit block (the caller renormalizes).
        """
        if imaginary:
            e = np.exp(-2.0 * c)
            alpha, beta = 0.5 * (1.0 + e), 0.5 * (1.0 - e)
        else:
            ph = np.exp(-1j * c)
            alpha, beta = ph * np.cos(c), ph * 1j * np.sin(c)
        butterflies(psi, alpha, beta, self.n)

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {**super().to_dict(), "bits": self.n}


def butterflies(psi: np.ndarray, alpha: complex, beta: complex, n: int) -> None:
    """In place, on every qubit ``i < n``: ``(a, b) ← (αa + βb, βa + αb)``.

    One pass per qubit over the flat state (``a``: bit ``i`` = 0, ``b``: bit ``i`` = 1).
    Low qubits (short runs of ``2^i``) are processed on a strided view; the temporary is
    a few blocks of 2¹⁷ amplitudes (bounded memory).

    Example:
        >>> psi = np.array([1, 0, 0, 0], dtype=complex)
        >>> butterflies(psi, 0.0, 1.0, 2)            # X on both qubits: |00> -> |11>
        >>> psi.real.tolist()
        [0.0, 0.0, 0.0, 1.0]
    """
    if psi.dtype != np.complex128 or not psi.flags.c_contiguous:
        raise ResourceError("butterflies needs a C-contiguous complex128 state")
    flat = psi.reshape(-1)
    block = 1 << 17
    for i in range(n):
        v = flat.reshape(-1, 2, 1 << i)
        cols = min(1 << i, block)
        rows = max(1, block // cols)
        for r in range(0, v.shape[0], rows):
            for s in range(0, 1 << i, cols):
                a = v[r:r + rows, 0, s:s + cols]
                b = v[r:r + rows, 1, s:s + cols]
                t = a * alpha
                t += b * beta
                b *= alpha
                b += a * beta
                a[...] = t


#: Kinetic terms by name: ``Hamiltonian(problem, kinetic="name")`` and stored specs use it.
KINETIC_TERMS: dict[str, type[KineticTerm]] = {
    FourierLaplacian.name: FourierLaplacian,
    HypercubeLaplacian.name: HypercubeLaplacian,
}


def register_kinetic(cls: type[KineticTerm]) -> type[KineticTerm]:
    """Add a kinetic term class to :data:`KINETIC_TERMS` under its ``name`` (a decorator).

    Example:
        >>> register_kinetic(FourierLaplacian) is FourierLaplacian
        True
    """
    KINETIC_TERMS[cls.name] = cls
    return cls


def kinetic_for(problem, kinetic=None) -> KineticTerm:
    """The kinetic term of ``problem``: its own (``None``), a registered name, or an instance.

    Raises:
        ParameterError: An unknown name, or an instance on another layout.
    """
    from qdq.errors import ParameterError

    if kinetic is None:
        return problem.kinetic_term
    if isinstance(kinetic, str):
        cls = KINETIC_TERMS.get(kinetic)
        if cls is None:
            raise ParameterError(f"unknown kinetic term {kinetic!r}; registered: "
                                 f"{', '.join(sorted(KINETIC_TERMS))}")
        return cls(problem.grid)
    if isinstance(kinetic, KineticTerm):
        if kinetic.layout != problem.grid:
            raise ParameterError("the kinetic term lives on another layout than the problem; "
                                 "build it from problem.grid")
        return kinetic
    raise ParameterError(f"kinetic must be a registered name or a qdq.kinetic.KineticTerm, "
                         f"got {type(kinetic).__name__}")
