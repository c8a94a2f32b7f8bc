r"""``qdq scaling`` (added to the main app by :func:`register`).

Runs :func:`qdq.compare.study.scaling`: TTS99 of each method versus dimension (at fixed
qubits per dimension) or versus resolution (several ``--qubits`` at fixed ``--dims``),
each method at its best scanned setting, with fitted scaling exponents and, with
``--extrapolate``, clearly marked extrapolation past the simulated sizes::

    qdq scaling --functions ackley,rosenbrock,rotated_rastrigin --dims 1-6 --qubits 3 \
        --methods anneal,real-time,imaginary-time,dual_annealing,differential_evolution,\
multistart-lbfgs,dmc --budgets 30,100,300,1000 --steps 50,200,800 --shots 1000 \
        --repeats 10 --store scaling.sqlite3 --out scaling --extrapolate 8,12,16

Cells are stored as they finish; the same command resumes a killed study.

May import :mod:`qdq.cli.common` and :mod:`qdq.compare`; never :mod:`qdq.cli` itself.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['scaling']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdq.cli.common import FiguresOpt, JsonErrorsCommand, QuietOpt, fail, print_json
from qdq.errors import ParameterError, QdqError

__all__ = ["register"]


def _ints(text: str, what: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"{what} must be comma-separated integers, got {text!r}") \
            from None


def register(app: typer.Typer) -> None:
    """Add the ``scaling`` command to a typer app (the ``qdq`` CLI)."""

    @app.command("scaling", cls=JsonErrorsCommand)
    def scaling_cmd(
        functions: Annotated[str, typer.Option(
            help="Comma-separated benchmark names (QHD-rescaled to the unit box); use "
            "non-separable ones.")] = "ackley,rosenbrock,rotated_rastrigin",
        dims: Annotated[str, typer.Option(help="Dimensions: '1-4' or '1,2,4'.")] = "1-3",
        qubits: Annotated[str, typer.Option(
            "--qubits", "-q", help="Qubits per dimension: '3', or '2-6' for a resolution "
            "study.")] = "3",
        methods: Annotated[str | None, typer.Option(
            help="Comma-separated methods; random and grid-argmin are always added "
            "(binary: uniform and exact). (default: anneal,dual_annealing; binary: "
            "sa,greedy,qaoa:p=1,anneal)", show_default=False)] = None,
        family: Annotated[str | None, typer.Option(
            help="A binary family instead of functions: labs | maxcut3 | sk (TTS99 vs n). "
            "(default: none)", show_default=False)] = None,
        sizes: Annotated[str, typer.Option(
            help="Binary sizes n: '8-14' or '8,10,12' (with --family).")] = "8-12",
        reads: Annotated[int, typer.Option(
            help="Reads per classical setting (with --family).")] = 100,
        budgets: Annotated[str, typer.Option(
            help="Evaluations per run scanned for classical methods and random.")]
            = "30,100,300,1000",
        steps: Annotated[str, typer.Option(
            help="Steps scanned for quantum methods (each at its default time).")]
            = "50,200,800",
        shots: Annotated[int, typer.Option(help="Shots per repeat (quantum).")] = 1000,
        radius: Annotated[float | None, typer.Option(
            help="Success radius in the unit box for every function. (default: each "
            "function's own: 0.1 for QHD rows, else one grid-cell diagonal)",
            show_default=False)] = None,
        repeats: Annotated[int, typer.Option(help="Seeds per size and setting.")] = 10,
        seed: Annotated[int, typer.Option(help="First seed.")] = 1,
        extrapolate: Annotated[str | None, typer.Option(
            help="Dimensions to extrapolate the d-fits to, e.g. '8,12'. (default: none)",
            show_default=False)] = None,
        suite_name: Annotated[str | None, typer.Option(
            help="Store key. (default: from the functions and sizes)",
            show_default=False)] = None,
        executor: Annotated[str, typer.Option(help="serial | thread | process | "
                                                   "dask.")] = "serial",
        workers: Annotated[int, typer.Option(help="Workers of the executor.")] = 1,
        store: Annotated[Path | None, typer.Option(
            help="SQLite store (resumable). (default: $QDQ_STORE, or the user data dir)",
            show_default=False)] = None,
        out: Annotated[Path, typer.Option(help="Report folder.")] = Path("qdq-scaling"),
        figures: FiguresOpt = True,
        quiet: QuietOpt = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the fits and file paths "
                                              "(or the error) as JSON. (default: off)")]
            = False,
    ) -> None:
        """TTS99 vs dimension / resolution per method, at each method's best setting."""
        import io

        from qdq.compare.study import scaling
        from qdq.files import atomic_write_bytes, atomic_write_text
        from qdq.jsonable import strict_json_text
        from qdq.redact import printable
        from qdq.store import Store

        if family is not None:
            from qdq.cli.binary_scaling import run_binary_scaling

            run_binary_scaling(family, sizes, methods or "sa,greedy,qaoa:p=1,anneal",
                               reads=reads, seed=seed, store=store, out=out, figures=figures,
                               quiet=quiet, as_json=as_json, suite_name=suite_name)
            return
        methods = methods or "anneal,dual_annealing"
        try:
            quantum = [{"steps": s} for s in _ints(steps, "--steps")]
            ext = _ints(extrapolate, "--extrapolate") if extrapolate else []
            study = scaling(functions, dims=dims, qubits=qubits, methods=methods,
                            budgets=_ints(budgets, "--budgets"), quantum=quantum, shots=shots,
                            repeats=repeats, seed=seed, suite_name=suite_name,
                            store=Store(store) if store is not None else True,
                            executor=executor, workers=workers, progress=not quiet,
                            radius=radius)
            files = {"report": str(out / "scaling.md")}
            atomic_write_text(out / "scaling.md", study.to_markdown(ext))
            atomic_write_text(out / "fits.json", strict_json_text(study.fits(), indent=1))
            files["fits"] = str(out / "fits.json")
            if figures:
                from qdq.compare.figures import pyplot

                plt = pyplot()
                for name in study.functions:
                    fig = study.figure(name, ext)
                    if fig is None:
                        continue
                    buf = io.BytesIO()
                    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
                    plt.close(fig)
                    atomic_write_bytes(out / f"scaling-{name}.png", buf.getvalue())
                    files[f"figure-{name}"] = str(out / f"scaling-{name}.png")
        except (QdqError, OSError) as exc:
            raise fail(exc, as_json) from None
        if as_json:
            payload = {"fits": study.fits(), "files": files, "run_info": study.report.run_info,
                       "skipped": study.skipped}
            print_json(payload)
            return
        if not quiet:
            typer.echo(printable(study.to_markdown(ext), newlines=True))
        typer.echo(printable(f"report: {files['report']}"))
