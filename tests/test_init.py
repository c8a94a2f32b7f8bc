import subprocess
import sys

import qdq


def test_every_public_name_resolves():
    for name in qdq.__all__:
        assert getattr(qdq, name) is not None, name
    assert callable(qdq.compare) and callable(qdq.submit) and callable(qdq.run)


def test_import_is_light():
    # Qiskit, PennyLane and the IBM runtime load only when used.
    code = ("import sys, qdq; heavy = [m for m in ('qiskit', 'pennylane', 'qiskit_ibm_runtime', "
            "'qiskit_aer') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
