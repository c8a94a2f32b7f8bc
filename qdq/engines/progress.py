"""A rich progress bar on stderr for long engine runs (only in a terminal).

Example:
    >>> import sys
    >>> update, close = rich_progress("demo") if not sys.stderr.isatty() else (None, None)
    >>> update is None
    True
"""

from __future__ import annotations

import sys


def rich_progress(description: str):
    """A rich progress callback on stderr and its closer (``None`` outside a terminal)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   "{task.percentage:>3.0f}%", TimeRemainingColumn(), transient=True,
                   console=Console(stderr=True))
    bar.start()
    task = bar.add_task(description, total=1)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop
