"""The Hamiltonian ``H = −D∇² + ζ(x)`` on a periodic grid and its exact references.

The kinetic term is diagonal in momentum, ``T = D|k|²`` with ``k = 2π fftfreq(N, h)``;
the potential is diagonal in position. Three references are offered:

* :meth:`Hamiltonian.apply` — matrix-free ``Hψ`` by FFT (any size),
* :meth:`Hamiltonian.dense` — the dense matrix ``F⁻¹ diag(T) F + diag(ζ)`` (small grids),
* :meth:`Hamiltonian.eigenstates` — lowest eigenpairs by ``scipy.sparse.linalg.eigsh`` on a
  ``LinearOperator`` built from :meth:`apply`.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-6, 6)], qubits=7)
    >>> H = Hamiltonian(p, D=1.0)
    >>> E, _ = H.eigenstates(2)
    >>> np.round(E, 4)          # 2√(cD)(n + ½) = 1, 3
    array([1., 3.])
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from qdq.errors import ParameterError
from qdq.grid import check_memory
from qdq.problem import Problem, is_search_problem
from qdq.validate import check_positive


class Hamiltonian:
    """``H = −D∇² + ζ`` for a :class:`~qdq.Problem`.

    Args:
        problem: The discretized objective (its ``values`` are ζ on the grid).
        D: Diffusion (kinetic) constant, ``> 0`` (default: the kinetic term's, 0.5 on
            grids, 1 on the hypercube).
        kinetic: The kinetic term: ``None`` (the problem's own — Fourier Laplacian on a grid,
            hypercube Laplacian on bits), a name registered in
            :data:`qdq.kinetic.KINETIC_TERMS`, or a :class:`~qdq.kinetic.KineticTerm`.

    Raises:
        ParameterError: If ``D`` is not a positive finite number.
    """

    def __init__(self, problem: Problem, D: float | None = None, *, kinetic=None):
        if not is_search_problem(problem):
            raise ParameterError(
                f"Hamiltonian needs a qdq.Problem or qdq.BinaryProblem, got "
                f"{type(problem).__name__}; build one with qdq.Problem(objective, bounds, "
                "qubits) or qdq.BinaryProblem(objective)"
            )
        from qdq.kinetic import kinetic_for

        self.problem = problem
        self._kinetic_term = kinetic_for(problem, kinetic)
        self.D = check_positive("D", self._kinetic_term.default_D if D is None else D)

    @property
    def kinetic_term(self):
        """The kinetic term object (:mod:`qdq.kinetic`): its basis, diagonal, action."""
        return self._kinetic_term

    @property
    def _fourier(self) -> bool:
        from qdq.kinetic import FourierLaplacian

        return type(self.kinetic_term) is FourierLaplacian

    @property
    def grid(self):
        """The problem's grid."""
        return self.problem.grid

    @property
    def kinetic(self) -> np.ndarray:
        """Layout-shaped kinetic diagonal in the kinetic term's basis (``D|k|²`` on grids)."""
        return self.D * self.kinetic_term.diagonal()

    @property
    def potential(self) -> np.ndarray:
        """Grid-shaped potential ζ on the grid."""
        return self.problem.values

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """Return ``Hψ`` for a grid-shaped ``psi`` (matrix-free, by FFT)."""
        psi = np.asarray(psi, dtype=complex)
        if not self._fourier:
            return self.D * self.kinetic_term.apply(psi) + self.potential * psi
        return sfft.ifftn(self.kinetic * sfft.fftn(psi)) + self.potential * psi

    def kinetic_energy(self, psi: np.ndarray) -> float:
        """``⟨ψ|T|ψ⟩ / ⟨ψ|ψ⟩`` computed in the kinetic term's basis."""
        if not self._fourier:
            return self.D * self.kinetic_term.energy(psi)
        phi = sfft.fftn(np.asarray(psi, dtype=complex))
        w = np.abs(phi) ** 2
        return float(np.sum(self.kinetic * w) / np.sum(w))

    def potential_energy(self, psi: np.ndarray) -> float:
        """``⟨ψ|ζ|ψ⟩ / ⟨ψ|ψ⟩``."""
        w = np.abs(np.asarray(psi)) ** 2
        return float(np.sum(self.potential * w) / np.sum(w))

    def energy(self, psi: np.ndarray) -> float:
        """``⟨ψ|H|ψ⟩ / ⟨ψ|ψ⟩``."""
        return self.kinetic_energy(psi) + self.potential_energy(psi)

    def dense(self) -> np.ndarray:
        """Dense ``H`` acting on grid-shaped states flattened in C order (``psi.reshape(-1)``).

        Raises:
            ResourceError: If the matrix would not fit in memory.
        """
        n = self.grid.size
        check_memory(16 * n * n * 3, f"a dense {n}x{n} Hamiltonian")
        if not self._fourier:
            H = self.D * self.kinetic_term.dense() + np.diag(self.potential.reshape(-1))
            return 0.5 * (H + H.conj().T)
        eye = np.eye(n, dtype=complex).reshape((n, *self.grid.shape))
        axes = tuple(range(1, self.grid.dims + 1))
        T = sfft.ifftn(self.kinetic * sfft.fftn(eye, axes=axes), axes=axes).reshape(n, n).T
        H = T + np.diag(self.potential.reshape(-1))
        return 0.5 * (H + H.conj().T)

    def eigenstates(self, k: int = 1, *, tol: float = 1e-10,
                    method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
        """Lowest ``k`` eigenpairs.

        ``method="auto"`` diagonalizes the dense matrix up to 512 grid points and uses
        LOBPCG above, preconditioned by ``(D|k|² + σ)^{-1}`` applied by FFT (the kinetic
        term dominates the spectral width, so this makes the iteration count nearly
        grid-independent; plain Lanczos ``eigsh(which="SA")`` needs tens of seconds on
        1024 points). ``"eigsh"`` forces Lanczos.

        Args:
            k: Number of eigenpairs.
            tol: Iterative-solver tolerance.
            method: ``"auto"``, ``"dense"``, ``"lobpcg"`` or ``"eigsh"``.

        Returns:
            ``(energies, states)`` — energies ascending, ``states[i]`` grid-shaped and
            normalized, with the largest-magnitude amplitude made real positive.
        """
        from scipy.sparse.linalg import LinearOperator, eigsh

        n = self.grid.size
        if k < 1 or k >= n:
            raise ParameterError(f"k must be in [1, {n - 1}], got {k}")
        if method not in ("auto", "dense", "lobpcg", "eigsh"):
            raise ParameterError(f"method must be auto, dense, lobpcg or eigsh, got {method!r}")
        if method == "auto":
            method = "dense" if n <= 512 else "lobpcg" if self._fourier else "eigsh"
        if method == "lobpcg" and not self._fourier:
            raise ParameterError("method='lobpcg' preconditions with the FFT; use 'eigsh' or "
                                 f"'dense' for the {self.kinetic_term.name}")
        shape = self.grid.shape
        if method == "dense":
            w, v = np.linalg.eigh(self.dense())
            w, v = w[:k], v[:, :k]
        elif method == "lobpcg":
            w, v = self._lobpcg(k, tol)
        else:
            op = LinearOperator((n, n), dtype=complex,
                                matvec=lambda x: self.apply(x.reshape(shape)).reshape(-1))
            rng = np.random.default_rng(0)
            v0 = rng.standard_normal(n) + 0j
            w, v = eigsh(op, k=k, which="SA", tol=tol, v0=v0)
            order = np.argsort(w)
            w, v = w[order], v[:, order]
        states = []
        for i in range(k):
            s = v[:, i].reshape(self.grid.shape)
            j = np.argmax(np.abs(s))
            s = s * (np.abs(s.flat[j]) / s.flat[j])
            states.append(s / np.linalg.norm(s))
        return np.asarray(w, dtype=float), np.asarray(states)

    def _lobpcg(self, k: int, tol: float) -> tuple[np.ndarray, np.ndarray]:
        from scipy.sparse.linalg import LinearOperator, lobpcg

        n, shape = self.grid.size, self.grid.shape
        # H is real symmetric in position space (V real, D|k|² even in k): iterate in reals.
        vmin = float(self.potential.min())
        sigma = float(self.potential.max() - vmin) + 1.0
        precond = 1.0 / (self.kinetic + sigma)

        def matmat(X):
            X = X.reshape(*shape, -1)
            axes = tuple(range(len(shape)))
            HX = sfft.ifftn(self.kinetic[..., None] * sfft.fftn(X, axes=axes), axes=axes)
            return (HX.real + (self.potential - vmin)[..., None] * X).reshape(n, -1)

        def apply_m(X):
            X = X.reshape(*shape, -1)
            axes = tuple(range(len(shape)))
            return sfft.ifftn(precond[..., None] * sfft.fftn(X, axes=axes),
                              axes=axes).real.reshape(n, -1)

        op = LinearOperator((n, n), matvec=matmat, matmat=matmat, dtype=float)
        M = LinearOperator((n, n), matvec=apply_m, matmat=apply_m, dtype=float)
        rng = np.random.default_rng(0)
        X0 = rng.standard_normal((n, k + 2))
        w, v = lobpcg(op, X0, M=M, tol=tol, maxiter=2000, largest=False)
        order = np.argsort(w)[:k]
        return w[order] + vmin, v[:, order].astype(complex)

    def ground_state(self) -> tuple[float, np.ndarray]:
        """``(E_0, ψ_0)``: the lowest eigenpair."""
        E, states = self.eigenstates(1)
        return float(E[0]), states[0]

    def __repr__(self) -> str:
        return f"Hamiltonian({self.problem!r}, D={self.D:g})"
