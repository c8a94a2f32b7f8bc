"""Small, seeded training harnesses for testing optimizers on real (bundled) data.

:mod:`qdq.training.digits`: sklearn's 8×8 handwritten digits, three pure-JAX models
(logistic regression, a one-hidden-layer MLP, a tiny CNN), a training loop with equal
gradient evaluations across optimizers, and learning-rate tuning on a validation split.
Needs JAX, optax and scikit-learn (imported lazily where optional).
"""

from __future__ import annotations

__all__: list[str] = []
