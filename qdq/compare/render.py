r"""Text renderings of a comparison :class:`~qdq.compare.report.Report`: Markdown, CSV, HTML.

Split out of :mod:`qdq.compare.report` (which keeps the data: cells, rows, figures, saving);
each function takes the report and returns text. :meth:`Report.to_markdown
<qdq.compare.report.Report.to_markdown>`, ``to_csv`` and ``to_html`` call them.

Every table holding a quantum row is followed by :data:`COMPILE_NOTE`: the quantum methods'
oracle is compiled from ζ tabulated at every grid point (``compile_evals`` objective
evaluations), which is an exhaustive grid search that already knows the grid argmin — the
per-shot and time-to-solution figures do not count that classical preprocessing.

Example:
    >>> import qdq
    >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
    >>> rep = qdq.compare(p, ["random"], repeats=2, budget=5, progress=False)
    >>> md_table(["a", "b"], [["1", "2"]]).splitlines()[1]
    '|---|---|'
    >>> to_csv(rep).splitlines()[0].split(",")[-1]
    'compile_evals'
"""

from __future__ import annotations

import csv
import html
import io
import math
from typing import Any

import numpy as np

from qdq.compare.table import COLUMNS as TABLE_COLUMNS
from qdq.compare.ttstable import tts_section

__all__ = ["COLUMNS", "COMPILE_NOTE", "md_table", "to_csv", "to_html", "to_markdown"]

#: Columns of a report row and of ``table.csv``: :data:`qdq.compare.table.COLUMNS` plus
#: ``compile_evals`` (objective evaluations spent compiling a quantum method's oracle).
COLUMNS: tuple[str, ...] = (*TABLE_COLUMNS, "compile_evals")

#: The line under every rendered table that holds a quantum row.
COMPILE_NOTE = ("quantum rows: the oracle is compiled from ζ at every grid point "
                "(compile_evals), an exhaustive grid search that already knows the grid argmin")


def _fmt(v: Any, spec: str = ".4g") -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if math.isinf(v):
            return "∞"
        return format(v, spec)
    return str(v)


def _rate(rate, lo, hi) -> str:
    if rate is None:
        return "–"
    return f"{rate:.2f} [{lo:.2f}, {hi:.2f}]"


def header_lines(report) -> list[str]:
    m = report.meta
    seeds = m.get("seeds", [])
    budgets = m.get("budgets", {})
    btxt = ", ".join(f"{k}: {_fmt(v)}" for k, v in budgets.items() if k != "grid-argmin")
    lines = [
        f"- functions: {', '.join(report.functions)}",
        f"- methods: {', '.join(method_tags(report))}",
        f"- repeats: {m.get('repeats')} (seeds {seeds[0]}–{seeds[-1]})" if seeds else
        f"- repeats: {m.get('repeats')}",
        f"- budget per repeat: {btxt}; grid-argmin: N grid evaluations",
        f"- budget semantics: {m.get('settings', {}).get('budget_semantics', '')}",
        ("- success: the repeat's outcome (best point found) lies within the radius r of "
         "the known minimizer" + (" (and, separately, its value within ε of the known "
                                  "minimum)" if has_epsilon(report) else "")
         if criterion_text(report).startswith("outcome") else
         "- success: the repeat's best value lies within ε of the known minimum")
        + "; intervals are 95 % Wilson score intervals",
        "- per-shot success (quantum): final probability mass within r (the QHD paper's "
        "success probability); for `random`: the box fraction within r (one uniform "
        "sample); expected shots = 1 / (P_success · per-shot success)",
        "- CX per shot: closed-form CX count of the circuit one shot runs (qdq.circuits: "
        "potential oracles + kinetic blocks per step; imaginary time: probabilistic "
        "ancilla blocks)",
    ]
    s = m.get("settings", {})
    if s.get("protocol") == "qhd":
        lines.append(
            f"- protocol: QHD 2-D — each function rescaled to the unit square, "
            f"{2 ** int(s.get('grid_qubits') or 8)}² grid, anneal with the QHD cubic "
            f"schedule (D = ½, T = 10, {s.get('steps') or 10_000} first-order steps), "
            "classical methods on the same rescaled function")
    for mm in m["methods"]:
        if mm["options"]:
            lines.append(f"- options of {mm['label']}: {mm['options']}")
    return lines


def criterion_text(report) -> str:
    radius = any(f["criterion"].get("radius") is not None for f in report.meta["functions"])
    return "outcome within r" if radius else "value within ε of the minimum"


def method_tags(report) -> list[str]:
    return [f"{mm['label']} (baseline)" if mm["category"] == "baseline" else mm["label"]
            for mm in report.meta["methods"]]


def has_epsilon(report) -> bool:
    return any(f["criterion"].get("epsilon") is not None for f in report.meta["functions"])


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (header row, rule, one line per row)."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def pivot_rows(report) -> tuple[list[str], list[list[str]]]:
    header = ["function", "r", *report.methods]
    quantum = [m for m in report.methods if report.method_category(m) == "quantum"]
    header += [f"{m} per-shot" for m in quantum] + ["uniform per-sample"]
    published = any(f.get("published_qhd") is not None for f in report.meta["functions"])
    if published:
        header.append("QHD256 published")
    rows = []
    for f in report.functions:
        fm = report.function_meta(f)
        by = {r["method"]: r for r in report.table if r["function"] == f}
        line = [f, _fmt(fm["criterion"].get("radius"))]
        line += [_fmt(by[m]["success_rate"], ".2f") if m in by else "–"
                 for m in report.methods]
        line += [_fmt(by[m]["shot_success"], ".3f") if m in by else "–" for m in quantum]
        line.append(_fmt(fm.get("area_fraction"), ".3f"))
        if published:
            line.append(_fmt(fm.get("published_qhd"), ".3f"))
        rows.append(line)
    return header, rows


def quantum_rows(report) -> tuple[list[str], list[list[str]]]:
    header = ["function", "method", "P_gm", "P_success", "yield P_s·P_gm",
              "per-shot success", "expected shots", "CX per shot", "compile evals",
              "uniform P_gm"]
    rows = []
    for r in report.table:
        if r["category"] != "quantum":
            continue
        d = report.distribution_cell(r["function"], r["method"]) or {}
        if d.get("error"):
            rows.append([r["function"], r["method"], "error: " + d["error"][:80],
                         *(["–"] * 7)])
            continue
        rows.append([r["function"], r["method"], _fmt(r["p_gm"]), _fmt(r["p_success"]),
                     _fmt(r["yield"]), _fmt(r["shot_success"]), _fmt(r["expected_shots"]),
                     _fmt(r["cx_per_shot"]), _fmt(r.get("compile_evals")),
                     _fmt(d.get("uniform_p_global_min"))])
    return header, rows


def long_rows(report) -> tuple[list[str], list[list[str]]]:
    eps = any(f["criterion"].get("epsilon") is not None
              and f["criterion"].get("radius") is not None for f in report.meta["functions"])
    header = ["function", "method", "budget", "n", "success [95% CI]"]
    if eps:
        header.append("success ε [95% CI]")
    header += ["median value", "best value", "median gap", "mean evals", "compile evals",
               "wall s", "errors"]
    rows = []
    for r in report.table:
        name = r["method"] + (" (baseline)" if r["category"] == "baseline" else "")
        line = [r["function"], name, _fmt(r["budget"]), _fmt(r["n"]),
                _rate(r["success_rate"], r["ci_low"], r["ci_high"])]
        if eps:
            line.append(_rate(r["eps_rate"], r["eps_ci_low"], r["eps_ci_high"]))
        line += [_fmt(r["median_value"]), _fmt(r["best_value"]), _fmt(r["median_gap"]),
                 _fmt(r["mean_evals"], ".0f"), _fmt(r.get("compile_evals")),
                 _fmt(r["wall_time"], ".3g"),
                 _fmt(r["errors"])]
        rows.append(line)
    return header, rows


def has_quantum(report) -> bool:
    """Whether any row of the report is a quantum method's (its tables then get the note)."""
    return any(r["category"] == "quantum" for r in report.table)


def to_markdown(report, figures: dict[str, str] | None = None) -> str:
    """The report as Markdown.

    Settings, the pivot of success rates, quantum per-shot metrics and the full table;
    figure links when ``figures`` maps names to (relative) paths. Each table with a quantum
    row is followed by :data:`COMPILE_NOTE`.
    """
    note = [COMPILE_NOTE, ""] if has_quantum(report) else []
    parts = [f"# qdq comparison — {report.meta.get('suite', '')}", "",
             *header_lines(report), ""]
    parts += [f"## Success rate per repeat ({criterion_text(report)})", "",
              md_table(*pivot_rows(report)), "", *note]
    qh, qr = quantum_rows(report)
    if qr:
        parts += ["## Quantum-dynamics methods, per shot", "", md_table(qh, qr), "", *note]
    parts += ["## All methods", "", md_table(*long_rows(report)), "", *note]
    th, tr, tnotes = tts_section(report.table)
    if tr:
        parts += ["## Time to solution (99 %)", "", *[f"- {n}" for n in tnotes], "",
                  md_table(th, tr), "", *note]
    if report.run_info.get("elapsed") is not None:
        parts += [f"Computed {report.run_info.get('computed_cells', 0)} cells, reused "
                  f"{report.run_info.get('reused_cells', 0)} from the store, in "
                  f"{report.run_info['elapsed']:.1f} s.", ""]
    tim = report.timing()
    if any(t["cells"] for t in tim):
        parts += ["## Compute time (all cells)", "",
                  md_table(["method", "cells", "worker wall s", "CPU s"],
                         [[t["method"], _fmt(t["cells"]), _fmt(t["wall_s"], ".1f"),
                           _fmt(t["cpu_s"], ".1f")] for t in tim]), "", *note]
    if figures:
        parts += ["## Figures", ""]
        parts += [f"![{name}]({path})" for name, path in figures.items()]
        parts.append("")
    return "\n".join(parts)


def to_csv(report) -> str:
    """:attr:`table` as CSV with the :data:`COLUMNS` header."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    for r in report.table:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in COLUMNS})
    return buf.getvalue()


def to_html(report, figures: dict[str, str] | None = None) -> str:
    """A standalone HTML page with the same content as :meth:`to_markdown`."""
    note = f"<p>{html.escape(COMPILE_NOTE)}</p>" if has_quantum(report) else ""

    def table(header, rows):
        h = "".join(f"<th>{html.escape(c)}</th>" for c in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                       for r in rows)
        return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>{note}"

    title = html.escape(f"qdq comparison — {report.meta.get('suite', '')}")
    items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in header_lines(report))
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
             "margin-bottom:2em}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:right}th{background:#eee}img{max-width:100%}</style></head><body>",
             f"<h1>{title}</h1><ul>{items}</ul>",
             f"<h2>Success rate per repeat ({html.escape(criterion_text(report))})</h2>",
             table(*pivot_rows(report))]
    qh, qr = quantum_rows(report)
    if qr:
        parts += ["<h2>Quantum-dynamics methods, per shot</h2>", table(qh, qr)]
    parts += ["<h2>All methods</h2>", table(*long_rows(report))]
    th, tr, tnotes = tts_section(report.table)
    if tr:
        parts += ["<h2>Time to solution (99 %)</h2>",
                  "".join(f"<p>{html.escape(n)}</p>" for n in tnotes), table(th, tr)]
    if figures:
        parts.append("<h2>Figures</h2>")
        parts += [f"<figure><img src='{html.escape(p)}' alt='{html.escape(n)}'>"
                  f"<figcaption>{html.escape(n)}</figcaption></figure>"
                  for n, p in figures.items()]
    parts.append("</body></html>")
    return "\n".join(parts)
