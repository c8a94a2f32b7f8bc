"""Maps that bring points back into the box ``[low, high]`` (per dimension).

Example:
    >>> import numpy as np
    >>> reflect_into_box(np.array([[1.2], [-0.5]]), np.array([0.0]), np.array([1.0]))
    array([[0.8],
           [0.5]])
    >>> wrap_into_box(np.array([[1.25]]), np.array([0.0]), np.array([1.0]))
    array([[0.25]])
"""

from __future__ import annotations

import numpy as np

__all__ = ["reflect_into_box", "wrap_into_box", "clip_into_box"]


def reflect_into_box(X: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Mirror points at the walls (any number of times) until they lie in the box.

    Reflection is the walker-level picture of a Neumann (zero-flux) wall: a diffusing
    particle that hits the wall bounces back, so no probability mass piles up there.

    Args:
        X: Points, shape ``(m, d)``.
        lows: Lower corner, shape ``(d,)``.
        highs: Upper corner, shape ``(d,)``.

    Returns:
        Reflected points, same shape.
    """
    width = highs - lows
    # Folding with period 2L handles steps longer than the box in one shot.
    y = np.mod(X - lows, 2.0 * width)
    y = np.where(y > width, 2.0 * width - y, y)
    return lows + y


def wrap_into_box(X: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Wrap points periodically into ``[low, high)`` (the periodic grid of docs/conventions.md).

    Args:
        X: Points, shape ``(m, d)``.
        lows: Lower corner, shape ``(d,)``.
        highs: Upper corner, shape ``(d,)``.

    Returns:
        Wrapped points, same shape.
    """
    return lows + np.mod(X - lows, highs - lows)


def clip_into_box(X: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Project points onto the box (Euclidean projection = coordinate-wise clipping).

    Args:
        X: Points, shape ``(m, d)``.
        lows: Lower corner, shape ``(d,)``.
        highs: Upper corner, shape ``(d,)``.

    Returns:
        Clipped points, same shape.
    """
    return np.clip(X, lows, highs)
