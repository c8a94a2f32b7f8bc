"""The rich output of the commands: consoles, the result summary table, listing tables.

Listings (``qdq runs``, ``qdq jobs list``) print one line per row, cut with "…" to the
terminal's width, unless ``--wide`` or the output is a pipe or a file (:func:`wants_wide`).

May import rich and qdq's results; never :mod:`qdq.cli` itself.

Example:
    >>> short_time("2024-05-01T12:34:56.789+00:00"), short_id("qdq-0123456789ab")
    ('05-01 12:34', 'qdq-01234567')
"""

from __future__ import annotations

from typing import Any

from qdq.redact import printable

#: The most characters one table cell or title shows (stored text can be megabytes).
MAX_CELL = 1000

__all__ = ["console", "listing_console", "listing_row", "listing_table", "short_id",
           "short_time", "summary_table", "wants_wide"]


def console(stderr: bool = False):
    """A rich console on stdout (or stderr)."""
    from rich.console import Console

    return Console(stderr=stderr)


def summary_table(result, title: str):
    """A rich table of a result's summary with the baselines beside it.

    Example:
        >>> import os
        >>> from rich.console import Console
        >>> from qdq.api import run
        >>> from qdq.evolution import Anneal
        >>> from qdq.problem import Problem
        >>> r = run(Anneal(Problem("x**2", bounds=[(-1, 1)], qubits=3), time=1.0, steps=10),
        ...         backend="emulator")
        >>> c = Console(width=100, record=True, file=open(os.devnull, "w"))
        >>> c.print(summary_table(r, "x**2"))
        >>> "gain over uniform" in c.export_text()
        True
    """
    from rich.markup import escape
    from rich.table import Table

    s = result.summary()
    t = Table(title=escape(printable(title, limit=MAX_CELL)), show_header=True,
              header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.6g}"
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(f"{x:.4g}" for x in v) + ")"
        return str(v)

    rows = [
        ("best point (most probable cell)", s["best_point"]),
        ("ζ at best point", s["best_value"]),
        ("exact grid argmin (baseline)", s["grid_argmin"]),
        ("grid minimum ζ (baseline)", s["grid_minimum"]),
        ("P(global-min cell)", s["p_global_min"]),
        ("uniform sampling 1/N per shot (baseline)", s["uniform_baseline"]),
        ("gain over uniform", s["p_global_min_ratio"]),
        ("success probability (postselection)", s["success_probability"]),
        ("unconditional yield per shot", s["unconditional_yield"]),
        ("⟨ζ⟩", s["expected_potential"]),
        ("⟨H⟩", s["expected_energy"] if s["expected_energy"] is not None else "n/a"),
        ("wall time (s)", sum(s["timing"].values())),
    ]
    if "bitstring" in s:  # a binary problem: bits, energies and the exact optimum
        rows[:4] = [
            (f"most probable bitstring ({s['bit_order']})", s["bitstring"]),
            ("ζ of that bitstring", s["best_energy"]),
            ("exact optimum ζ (brute force, baseline)", s["exact_optimum"]),
            ("an optimal bitstring", s["optimal_bitstring"]),
        ]
        rows[4] = ("P(ground state)", s["p_ground_state"])
        rows.insert(4, ("most probable energy level ζ (its probability)",
                        f"{s['most_probable_energy']:.6g} "
                        f"({s['most_probable_energy_probability']:.4g})"))
        rows.insert(8, ("approximation ratio (ζmax − ⟨ζ⟩)/(ζmax − ζmin)",
                        s["approximation_ratio"]))
    for k, v in rows:
        t.add_row(k, fmt(v))
    return t


def short_id(value: Any, wide: bool = False) -> str:
    """An id as listings show it: git-style, the first 8 characters after any ``qdq-`` prefix.

    Example:
        >>> short_id("qdq-0123456789ab"), short_id("qdq-0123456789ab", wide=True), short_id(42)
        ('qdq-01234567', 'qdq-0123456789ab', '42')
    """
    text = str(value)
    if wide:
        return text
    prefix = "qdq-" if text.startswith("qdq-") else ""
    return prefix + text[len(prefix):len(prefix) + 8]


def short_time(value: Any, wide: bool = False) -> str:
    """An ISO-8601 time as ``MM-DD HH:MM`` (UTC, as stored; the full text with ``wide``).

    Example:
        >>> short_time("2024-05-01T12:34:56.789+00:00")
        '05-01 12:34'
    """
    text = "—" if value is None else str(value)
    if wide or len(text) < 16:
        return text
    return text[5:16].replace("T", " ")


def listing_table(title: str, columns: list[tuple[str, str]], wide: bool,
                  flexible: tuple[str, ...] = ()):
    """A rich table for listings: one line per row, cells cut with "…" unless ``wide``.

    Args:
        title: Table title.
        columns: ``(header, justify)`` pairs.
        wide: Keep every cell whole (print on :func:`listing_console` ``(True)``).
        flexible: Headers of the columns that give up width first when the table is too
            wide for the terminal (free text such as labels); fill rows with
            :func:`listing_row` so those cells are cut, not wrapped.

    Example:
        >>> import os
        >>> from rich.console import Console
        >>> t = listing_table("t", [("id", "left"), ("label", "left")], False, ("label",))
        >>> t.add_row(*listing_row(["42", "a long label " * 10], False))
        >>> c = Console(width=40, record=True, file=open(os.devnull, "w"))
        >>> c.print(t)
        >>> [len(line) <= 40 for line in c.export_text().splitlines()].count(False)
        0
    """
    from rich import box
    from rich.table import Table

    # Right padding only: two spaces between columns leave the free-text columns room at 80.
    t = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
              padding=(0, 1, 0, 0))
    for header, justify in columns:
        # A column rich may squeeze first must be "wrappable"; its cells (Text with
        # no_wrap, from listing_row) are still cut to one line.
        t.add_column(header, justify=justify, no_wrap=not wide and header not in flexible,
                     overflow="fold" if wide else "ellipsis")
    return t


def listing_row(cells: list[Any], wide: bool) -> list:
    """Cells for :func:`listing_table`: plain text that is cut with "…", never wrapped.

    Every cell goes through :func:`qdq.redact.printable` (no terminal escapes, no
    secrets) and is cut to :data:`MAX_CELL` characters even with ``wide``.
    """
    from rich.text import Text

    texts = [printable(c, limit=MAX_CELL) for c in cells]
    if wide:
        return [Text(t) for t in texts]
    return [Text(t, no_wrap=True, overflow="ellipsis") for t in texts]


def wants_wide(wide: bool) -> bool:
    """Whether a listing shows everything: ``--wide``, or output to a pipe or file.

    A terminal gets the table cut to its width; what a script or a file reads is never cut.
    """
    from rich.console import Console

    return bool(wide) or not Console().is_terminal


def listing_console(wide: bool):
    """The console listings print on: the terminal's width, or unbounded when ``wide``."""
    from rich.console import Console

    return Console(width=100_000) if wide else Console()
