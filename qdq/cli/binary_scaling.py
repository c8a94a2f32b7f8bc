r"""``qdq scaling --family …``: TTS99 vs ``n`` on a binary family (:mod:`qdq.compare.binary_study`).

::

    qdq scaling --family labs --sizes 8-16 --methods sa-poly,mts,greedy,qaoa:p=1/4,anneal \
        --reads 100 --store scaling.sqlite3 --out labs-scaling

Writes ``scaling.md`` (points, fits, published figures), ``points.json``, ``fits.json`` and,
unless ``--no-figures``, ``scaling-<family>.png``. Cells are stored as they finish; the same
command resumes a killed study. May import :mod:`qdq.cli.common` and :mod:`qdq.compare`.
"""

from __future__ import annotations

import io
from pathlib import Path

import typer

from qdq.cli.common import fail, print_json
from qdq.errors import QdqError

__all__ = ["run_binary_scaling"]


def _json_points(study) -> list[dict]:
    return [{k: v for k, v in p.items() if k != "estimate"} for p in study.points()]


def run_binary_scaling(family: str, sizes: str, methods: str, *, reads: int, seed: int,
                       store: Path | None, out: Path, figures: bool, quiet: bool,
                       as_json: bool, suite_name: str | None) -> None:
    """Run (or resume) the study, write its report files and print the tables."""
    from qdq.compare.binary_study import binary_scaling
    from qdq.files import atomic_write_bytes, atomic_write_text
    from qdq.jsonable import strict_json_text
    from qdq.redact import printable
    from qdq.store import Store

    try:
        study = binary_scaling(family, sizes, methods=methods, reads=reads, seed=seed,
                               store=Store(store) if store is not None else True,
                               suite_name=suite_name, progress=not (quiet or as_json))
        files = {"report": str(out / "scaling.md")}
        atomic_write_text(out / "scaling.md", study.to_markdown())
        atomic_write_text(out / "points.json", strict_json_text(_json_points(study), indent=1))
        atomic_write_text(out / "fits.json", strict_json_text(study.fits(), indent=1))
        files.update(points=str(out / "points.json"), fits=str(out / "fits.json"))
        if figures:
            from qdq.compare.binary_report import figure
            from qdq.compare.figures import pyplot

            plt = pyplot()
            fig = figure(study)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
            plt.close(fig)
            name = f"scaling-{family}.png"
            atomic_write_bytes(out / name, buf.getvalue())
            files["figure"] = str(out / name)
    except (QdqError, OSError) as exc:
        raise fail(exc, as_json) from None
    if as_json:
        print_json({"fits": study.fits(), "files": files, "run_info": study.info})
        return
    if not quiet:
        typer.echo(printable(study.to_markdown(), newlines=True))
    typer.echo(printable(f"report: {files['report']}"))
