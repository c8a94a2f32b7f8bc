r"""Coordinate-block sweeps: quantum stages on 2–3 variables at a time (a heuristic).

A grid holds at most a few variables (``2^{n·d}`` points). For more, the sweep fixes every
variable but a block of ``block_size`` at the incumbent, runs a stage (with ``block_stages``
rounds of box refinement) on the block's box, and accepts the block's best point when it
lowers the incumbent's key (violation first under constraints, then the value). It cycles
over the blocks (consecutive indices, the last block wrapping around) until a whole sweep
improves nothing or ``max_sweeps`` is reached.

This is block coordinate descent with a global search per block: it finds the optimum of
separable and weakly coupled problems, and can stall at a point that is optimal per block
but not jointly (strongly coupled nonconvex problems). Every block stage's grid counts in
``nfev`` like any stage.

May import numpy and :mod:`qdq.minimize.refine`.

Example:
    >>> blocks(5, 2)
    [[0, 1], [2, 3], [4, 0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from qdq.minimize.refine import shrink_box

__all__ = ["HEURISTIC", "blocks", "sweep"]

#: The label every block-sweep result carries.
HEURISTIC = ("coordinate-block sweeps (heuristic): quantum stages on blocks of variables with "
             "the others fixed at the incumbent, cycled until no block improves; a fixed point "
             "per block need not be the global optimum")


def blocks(dims: int, size: int) -> list[list[int]]:
    """Consecutive blocks of ``size`` variables covering ``0 … dims−1`` (the last wraps)."""
    out = []
    for start in range(0, dims, size):
        out.append([(start + i) % dims for i in range(size)])
    return out


def sweep(stage: Callable[[Sequence[tuple[float, float]], list[int], np.ndarray], dict],
          key: Callable[[float, float], tuple], bounds: Sequence[Sequence[float]],
          incumbent: np.ndarray, incumbent_key: tuple, *, block_size: int = 2,
          block_stages: int = 1, max_sweeps: int = 10, on_stage=None) -> dict:
    """Cycle block stages until a sweep improves nothing.

    Args:
        stage: ``stage(box, free, incumbent) -> record`` (see
            :func:`qdq.minimize.stage.run_stage`).
        key: ``key(fun, violation)`` ordering points (smaller is better).
        bounds: The full box.
        incumbent: Start point (all variables).
        incumbent_key: Its key.
        block_size: Variables per block (2 or 3 in practice).
        block_stages: Stages per block visit (later ones on shrunken boxes).
        max_sweeps: Most sweeps.
        on_stage: Called with each record (bookkeeping).

    Returns:
        ``{"x", "key", "sweeps", "improved_blocks", "stages"}``.
    """
    x = np.array(incumbent, dtype=float)
    best_key = incumbent_key
    n_stages, improved_total, sweeps = 0, 0, 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007 - the count is reported
        improved = 0
        for free in blocks(len(x), block_size):
            box = [tuple(bounds[d]) for d in free]
            for _ in range(block_stages):
                rec = stage(box, free, x)
                n_stages += 1
                if on_stage is not None:
                    on_stage(rec)
                k = key(rec["fun"], rec["violation"])
                if k < best_key:
                    # Only a real gain counts as an improvement; ties would cycle forever.
                    gain = k[:-1] < best_key[:-1] or \
                        k[-1] < best_key[-1] - 1e-10 * (1 + abs(best_key[-1]))
                    x, best_key = np.array(rec["x"], dtype=float), k
                    improved += int(gain)
                box = shrink_box(rec, free, box, [bounds[d] for d in free])
        improved_total += improved
        if improved == 0:
            break
    return {"x": x, "key": best_key, "sweeps": sweeps, "improved_blocks": improved_total,
            "stages": n_stages}
