"""The ``qdq`` command line (typer + rich): :data:`app` assembles the subcommands.

* ``qdq solve`` — one problem, one method, one backend (:mod:`qdq.cli.solve`);
* ``qdq runs``, ``qdq runs show ID`` — the local store's runs (:mod:`qdq.cli.runs`);
* ``qdq compare``, ``qdq suite`` — methods side by side (:mod:`qdq.cli.compare`);
* ``qdq scaling`` — time to solution vs dimension and resolution (:mod:`qdq.cli.scaling`);
* ``qdq submit``, ``qdq jobs …`` — IBM hardware and fake backends (:mod:`qdq.cli.hardware`);
* ``qdq estimate`` — fault-tolerant resource estimates (:mod:`qdq.cli.estimate`);
* ``qdq minimize`` — scipy-style minimization with refinement and constraints
  (:mod:`qdq.cli.minimize`);
* ``qdq version``.

The TOML problem file that ``--config`` reads, the options the commands share, and how
errors are reported (``--json``) are in :mod:`qdq.cli.common`; tables in
:mod:`qdq.cli.tables`.

This package imports its command modules; they import :mod:`qdq.cli.common` and
:mod:`qdq.cli.tables`, never this ``__init__``. Nothing outside ``qdq.cli`` imports the
command line.

Example:
    >>> from typer.testing import CliRunner
    >>> out = CliRunner().invoke(app, ["solve", "--qubits", "4", "--steps", "20",
    ...                                "--backend", "emulator", "--json", "--no-save"])
    >>> out.exit_code, '"p_global_min"' in out.stdout
    (0, True)
"""

from __future__ import annotations

import typer

from qdq.cli import compare, estimate, hardware, minimize, runs, scaling, solve

__all__ = ["app", "main"]

app = typer.Typer(
    name="qdq",
    help="Quantum dynamics for optimization: objectives as Schrödinger potentials, "
    "evolved as circuits (Aer, IBM, PennyLane) and on a fast FFT emulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

solve.register(app)
runs.register(app)


@app.command()
def version() -> None:
    """Print the qdq version."""
    from importlib.metadata import version as dist_version

    typer.echo(dist_version("qdq"))


compare.register(app)
hardware.register(app)
minimize.register(app)
scaling.register(app)
estimate.register(app)


def main() -> None:  # pragma: no cover - console entry
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
