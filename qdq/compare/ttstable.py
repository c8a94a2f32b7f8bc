r"""The time-to-solution section of a comparison report (Markdown/HTML table rows).

:func:`tts_section` turns the ``tts99*`` columns of :attr:`Report.table
<qdq.compare.report.Report.table>` (:func:`qdq.compare.tts.tts_columns`) into a header,
rows and notes: TTS99 with its 95 % bootstrap interval in the row's own unit (shots for
quantum methods, objective evaluations otherwise), then every cost unit as a column —
evaluations, CPU seconds (classical), oracle calls, CX and fault-tolerant seconds
(quantum). The fault-tolerant column appears only when some row has it; otherwise a note
says why (:data:`qdq.compare.ftcost.FT_NOTE`).

Example:
    >>> rows = [{"function": "f", "method": "dmc", "category": "classical", "p_attempt": 0.5,
    ...          "tts_unit": "evaluations", "tts99": 664.4, "tts99_low": 300.0,
    ...          "tts99_high": 1500.0, "tts99_inf": False, "tts99_evals": 664.4,
    ...          "tts99_cpu_s": 0.2, "tts99_oracle_calls": None, "tts99_cx": None,
    ...          "tts99_ft_s": None}]
    >>> header, body, notes = tts_section(rows)
    >>> body[0][:5]
    ['f', 'dmc', 'evaluations', '0.5', '664.4 [300, 1500]']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qdq.compare.ftcost import FT_NOTE
from qdq.compare.tts import format_tts

__all__ = ["TTS_NOTE", "number_text", "tts_section"]

#: How the section's numbers are defined (printed above the table).
TTS_NOTE = ("TTS99 = cost per attempt · max(1, ln 0.01 / ln(1 − p)): the cost to succeed with "
            "probability 0.99 by repeating independent attempts (one classical run at its "
            "budget, or one quantum shot); 95 % percentile-bootstrap intervals over the "
            "repeats (quantum: the point uses the exact per-shot probability of the final "
            "distribution, the interval the sampled shots); ∞ (> x): no success seen")


def number_text(v, spec: str = ".3g") -> str:
    """``v`` in a table cell: ``"–"`` for ``None``, ``"∞"`` for infinity, else formatted."""
    if v is None:
        return "–"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return format(v, spec)


def tts_section(table: Sequence[dict]) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and notes of the time-to-solution table.

    Args:
        table: Report rows carrying the :data:`~qdq.compare.tts.TTS_COLUMNS`.

    Returns:
        ``(header, rows, notes)``; ``rows`` is empty when no row has a TTS.
    """
    ft = any(r.get("tts99_ft_s") is not None for r in table)
    header = ["function", "method", "unit", "p per attempt", "TTS99 [95% CI]", "evaluations",
              "CPU s", "oracle calls", "CX"]
    if ft:
        header.append("FT runtime s")
    rows = []
    for r in table:
        if r.get("tts99") is None and not r.get("tts99_inf"):
            continue
        line = [r["function"], r["method"], str(r.get("tts_unit") or "–"),
                number_text(r.get("p_attempt")), format_tts(r),
                number_text(r.get("tts99_evals")), number_text(r.get("tts99_cpu_s")),
                number_text(r.get("tts99_oracle_calls")), number_text(r.get("tts99_cx"))]
        if r.get("tts99_inf"):   # every unit this category has is infinite too
            line[5:9] = ["∞", "–", "∞", "∞"] if r.get("category") == "quantum" \
                else ["∞", "∞", "–", "–"]
        if ft:
            line.append("∞" if r.get("tts99_inf") else number_text(r.get("tts99_ft_s")))
        rows.append(line)
    notes = [TTS_NOTE]
    if not ft and any(r.get("category") == "quantum" for r in table):
        notes.append(FT_NOTE)
    return header, rows, notes
