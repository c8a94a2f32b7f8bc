"""Two processes on loopback (2 CPU devices each, 4 global) give the single-device result.

Each process runs :func:`qdq.jax.distributed.initialize` then the same specs; process 0
writes the final states to a file, which this test compares with the numpy emulator.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from qdq.engines.emulator import run_emulator  # noqa: E402
from qdq.errors import BackendError, ParameterError  # noqa: E402
from qdq.jax.distributed import initialize, launch_local, process_env  # noqa: E402
from tests.jax.test_sharded import ROOT, TOL, cases  # noqa: E402

NAMES = ("imag-o1", "anneal", "real-3d")

WORKER = """
import json, sys
import numpy as np
sys.path.insert(0, {root!r})
from qdq.jax.distributed import initialize
assert initialize(), "initialize() did not start a multi-process run"
import jax
from qdq.jax.sharded import run_sharded
from tests.jax.test_sharded import cases
specs = cases()
out = {{}}
for name in {names!r}:
    r = run_sharded(specs[name])
    out[name] = (r.statevector, r.success_probability, r.extra)
if jax.process_index() == 0:
    np.savez({path!r} + ".tmp.npz", **{{k: v[0] for k, v in out.items()}})
    meta = {{k: [v[1], v[2]] for k, v in out.items()}}
    with open({path!r} + ".tmp.json", "w") as f:
        json.dump(meta, f)
    import os
    os.replace({path!r} + ".tmp.npz", {path!r} + ".npz")
    os.replace({path!r} + ".tmp.json", {path!r} + ".json")
print("OK", jax.process_index(), jax.process_count(), jax.device_count())
"""


def _collectives_supported() -> bool:
    return "jax_cpu_collectives_implementation" in jax.config.values


@pytest.mark.slow
@pytest.mark.skipif(not _collectives_supported(),
                    reason="this jax has no jax_cpu_collectives_implementation option: "
                           "multi-process CPU runs need gloo CPU collectives")
def test_two_processes_on_loopback_match_the_emulator(tmp_path):
    path = str(tmp_path / "states")
    script = WORKER.format(root=str(ROOT), names=NAMES, path=path)
    outs = launch_local([sys.executable, "-c", script], num_processes=2, local_devices=2,
                        timeout=240, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    for o in outs:
        assert o.returncode == 0, (o.process_id, o.stderr[-4000:])
        assert f"OK {o.process_id} 2 4" in o.stdout, o.stdout
    states = np.load(path + ".npz")
    meta = json.loads(Path(path + ".json").read_text())
    specs = cases()
    for name in NAMES:
        ref = run_emulator(specs[name])
        success, extra = meta[name]
        assert extra == {"devices": 4, "processes": 2, "platform": "cpu", "layout": "slab"}
        assert np.abs(states[name] - ref.statevector).max() < TOL, name
        assert abs(success - ref.success_probability) < TOL, name


def test_process_env_names_rank_count_and_coordinator():
    env = process_env(1, 2, "127.0.0.1:5000", local_devices=3)
    assert env == {"QDQ_COORDINATOR": "127.0.0.1:5000", "QDQ_NUM_PROCESSES": "2",
                   "QDQ_PROCESS_ID": "1", "QDQ_LOCAL_DEVICES": "3"}


@pytest.mark.parametrize("kwargs, match", [
    ({"coordinator_address": "127.0.0.1:1"}, "together"),
    ({"coordinator_address": "127.0.0.1:1", "num_processes": 2, "process_id": 2}, "0..1"),
])
def test_initialize_refuses_inconsistent_arguments(kwargs, match, monkeypatch):
    for var in ("QDQ_COORDINATOR", "QDQ_NUM_PROCESSES", "QDQ_PROCESS_ID", "QDQ_LOCAL_DEVICES"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ParameterError, match=match):
        initialize(**kwargs)


def test_launch_local_refuses_a_bad_process_count():
    with pytest.raises(ParameterError, match="num_processes"):
        launch_local([sys.executable, "-c", "pass"], num_processes=0)


def test_launch_local_gives_each_process_its_rank():
    code = "import os; print(os.environ['QDQ_PROCESS_ID'], os.environ['QDQ_COORDINATOR'])"
    outs = launch_local([sys.executable, "-c", code], num_processes=3, timeout=60)
    ranks = [o.stdout.split()[0] for o in outs]
    assert ranks == ["0", "1", "2"] and all(o.returncode == 0 for o in outs)
    assert all(o.stdout.split()[1].startswith("127.0.0.1:") for o in outs)


def test_launch_local_kills_processes_past_the_timeout():
    with pytest.raises(BackendError, match="did not finish within 1 s"):
        launch_local([sys.executable, "-c", "import time; time.sleep(60)"], num_processes=2,
                     timeout=1)
