"""``python -m qdq.cli``: the ``qdq`` command."""

from qdq.cli import main

main()
