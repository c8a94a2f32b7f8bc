r"""``qdq runs`` and ``qdq runs show ID``: the runs recorded in the local store.

May import :mod:`qdq.cli.common`, :mod:`qdq.cli.tables` and the store; never :mod:`qdq.cli`
itself.

Example:
    >>> import os, tempfile, typer
    >>> from typer.testing import CliRunner
    >>> app = typer.Typer()
    >>> register(app)
    >>> db = os.path.join(tempfile.mkdtemp(), "runs.sqlite3")
    >>> out = CliRunner().invoke(app, ["runs", "--json", "--store", db])
    >>> out.exit_code, out.stdout
    (0, '[]\n')
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from qdq.cli.common import JsonErrorsCommand, JsonErrorsGroup, fail, print_json, warn
from qdq.cli.tables import (
    MAX_CELL,
    console,
    listing_console,
    listing_row,
    listing_table,
    short_time,
    wants_wide,
)
from qdq.errors import ParameterError, QdqError
from qdq.redact import printable

__all__ = ["register", "runs_app", "runs_table"]

runs_app = typer.Typer(name="runs", help="List the runs in the local store; `qdq runs show "
                       "ID` prints one.", invoke_without_command=True, add_completion=False,
                       pretty_exceptions_enable=False, cls=JsonErrorsGroup)

RunsStoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="SQLite store path. (default: $QDQ_STORE, or qdq.sqlite3 in the user data "
    "dir)", show_default=False)]
RunsJsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (errors too). "
                                           "(default: off)")]


def _run_fields(row: dict) -> dict:
    """The columns of one stored run: method and backend from its parameters or result.

    The store checked the row's column types; the fields inside are free-form JSON, so
    each is used only if it has the expected type (a string, a number), else left out.
    """
    params, res = row.get("params") or {}, row.get("result") or {}
    method = params.get("method") if isinstance(params.get("method"), dict) else {}
    run = params.get("run") if isinstance(params.get("run"), dict) else {}

    def text(*values):
        return next((v for v in values if isinstance(v, str) and v), None)

    p_gm = res.get("p_global_min")
    ok = isinstance(p_gm, (int, float)) and not isinstance(p_gm, bool)
    return {"id": row["id"], "created": row["created"], "kind": row["kind"],
            "label": row.get("label"), "method": text(method.get("name"), res.get("method")),
            "backend": text(run.get("backend"), res.get("backend")),
            "p_global_min": p_gm if ok else None}


def runs_table(rows: list[dict], wide: bool = False, title: str = "qdq runs"):
    """The ``qdq runs`` table: one line per run, cells cut with "…" to fit unless ``wide``.

    Example:
        >>> import os
        >>> from rich.console import Console
        >>> row = {"id": 7, "created": "2024-05-01T12:34:56+00:00", "kind": "solve",
        ...        "label": "x**2", "params": {"method": {"name": "anneal"},
        ...        "run": {"backend": "aer"}}, "result": {"p_global_min": 0.5}}
        >>> c = Console(width=80, record=True, file=open(os.devnull, "w"))
        >>> c.print(runs_table([row]))
        >>> text = c.export_text()
        >>> "anneal" in text and "05-01 12:34" in text
        True
    """
    t = listing_table(title, [("id", "right"), ("created", "left"), ("kind", "left"),
                              ("method", "left"), ("backend", "left"), ("P_gm", "right"),
                              ("label", "left")], wide,
                      flexible=("method", "backend", "label"))
    for row in rows:
        f = _run_fields(row)
        p_gm = "—" if f["p_global_min"] is None else f"{f['p_global_min']:.4g}"
        t.add_row(*listing_row([f["id"], short_time(f["created"], wide), f["kind"],
                                f["method"] or "—", f["backend"] or "—", p_gm,
                                f["label"] or "—"], wide))
    return t


@runs_app.callback()
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many to list, newest first.",
                                       show_default=True)] = 20,
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind (e.g. solve). "
                                             "(default: every kind)", show_default=False)] = None,
    wide: Annotated[bool, typer.Option("--wide", help="Whole cells, full times; no cutting "
                                       "to the terminal width. (default: off)")] = False,
    as_json: RunsJsonOpt = False,
    store: RunsStoreOpt = None,
) -> None:
    """List recent runs recorded in the local store (`qdq runs show ID` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from qdq.store import Store

    try:
        if isinstance(limit, bool) or limit < 1:
            raise ParameterError(f"--limit must be a whole number >= 1, got {limit!r}")
        rows = Store(store).list_runs(kind=kind, limit=limit, strict=False)
    except QdqError as exc:
        raise fail(exc, as_json) from None
    # A damaged row is reported and skipped, so one bad write never hides the rest.
    for bad in (r for r in rows if r.get("error")):
        warn(f"skipped {bad['error']}")
    rows = [r for r in rows if not r.get("error")]
    if as_json:
        print_json([_run_fields(r) for r in rows])
        return
    wide = wants_wide(wide)
    listing_console(wide).print(runs_table(rows, wide))


@runs_app.command("show", cls=JsonErrorsCommand)
def runs_show(
    run_id: Annotated[int, typer.Argument(help="Run id (the first column of `qdq runs`).",
                                          show_default=False)],
    as_json: RunsJsonOpt = False,
    store: RunsStoreOpt = None,
) -> None:
    """Print one stored run: its spec (problem, method, run), metrics and file paths."""
    from qdq.errors import StoreError
    from qdq.store import Store

    try:
        db = Store(store)
        try:
            row = db.get_run(run_id)
        except StoreError as exc:
            if not str(exc).startswith("no run with id"):
                raise
            raise StoreError(f"no run with id {run_id} in the store {str(db.path)!r}; "
                             "`qdq runs` lists the stored runs (pass --store for another "
                             "file)") from None
    except QdqError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        print_json({**row, "store": str(db.path)})
        return
    _print_run(row, db.path)


def _cell(value) -> str:
    """Stored text as a table cell: markup escaped, printable, at most MAX_CELL chars."""
    from rich.markup import escape

    return escape(printable(value, limit=MAX_CELL))


def _dumped(value) -> str:
    return json.dumps(value, default=str)


def _print_run(row: dict, store_path) -> None:
    from rich.table import Table

    out = console()
    f = _run_fields(row)
    out.print(f"[bold]run {f['id']}[/bold] ({_cell(f['kind'])}, {_cell(f['created'])}) — "
              f"{_cell(f['label'] or '')}", highlight=False, soft_wrap=True)
    spec = Table(title="spec", show_header=True, header_style="bold")
    spec.add_column("table")
    spec.add_column("key")
    spec.add_column("value", overflow="fold")
    for table, values in row["params"].items():
        items = values.items() if isinstance(values, dict) else [("", values)]
        for key, val in items:
            spec.add_row(_cell(f"[{table}]"), _cell(key), _cell(_dumped(val)))
    out.print(spec)
    res = dict(row["result"])
    files = res.pop("files", None) or {}
    if not isinstance(files, dict):  # free-form JSON: show it as it is, among the metrics
        res["files"], files = files, {}
    metrics = Table(title="metrics", show_header=True, header_style="bold")
    metrics.add_column("quantity")
    metrics.add_column("value", justify="right", overflow="fold")
    for key, val in res.items():
        if key in ("problem", "settings"):  # already in the spec
            continue
        if isinstance(val, float):
            text = f"{val:.6g}"
        elif isinstance(val, dict):
            text = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={_dumped(v)}"
                             for k, v in val.items())
        else:
            text = _dumped(val)
        metrics.add_row(_cell(key), _cell(text))
    out.print(metrics)
    for key, val in files.items():
        if key not in ("store_run", "store"):
            out.print(f"[dim]{_cell(key)}:[/dim] {_cell(val)}", highlight=False,
                      soft_wrap=True)
    out.print(f"[dim]store:[/dim] {_cell(store_path)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``runs`` group (``qdq runs``, ``qdq runs show ID``) to a typer app."""
    app.add_typer(runs_app, name="runs")
