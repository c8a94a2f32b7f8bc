import pytest

pytest.importorskip("jax", reason="JAX is not installed (pip install 'qdq[jax]')")
