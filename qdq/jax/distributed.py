r"""Multi-process runs of the sharded engine: ``jax.distributed`` set-up and a local launcher.

Every process of a multi-process run executes the same program: it calls
:func:`initialize` *before any other JAX call*, then ``run_sharded(spec)`` (or
``qdq.run(spec, backend="jax", devices=None)``) with the same spec; the mesh spans all
global devices and every process gets the same :class:`~qdq.Result`.

* :func:`initialize` wraps ``jax.distributed.initialize`` with bounded timeouts; on CPU it
  selects the gloo collectives (TCP) and sets the number of host devices per process.
  Arguments left ``None`` are read from ``QDQ_COORDINATOR`` (``host:port``),
  ``QDQ_NUM_PROCESSES``, ``QDQ_PROCESS_ID`` and ``QDQ_LOCAL_DEVICES``; with none of these
  set JAX's own cluster detection (SLURM, Open MPI, …) is used.
* :func:`launch_local` starts ``num_processes`` copies of a command on this machine with
  those variables set and the coordinator on ``127.0.0.1`` — the CPU test of the
  distributed path, and a way to try a script before a cluster.

Nothing here listens anywhere but the coordinator address it is given; the launcher only
uses the loopback interface.

Example:
    >>> env = process_env(0, 2, "127.0.0.1:12345", local_devices=2)
    >>> env["QDQ_PROCESS_ID"], env["QDQ_NUM_PROCESSES"], env["QDQ_LOCAL_DEVICES"]
    ('0', '2', '2')
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qdq.errors import BackendError, ParameterError

__all__ = ["ProcessOutput", "free_port", "initialize", "launch_local", "process_env"]

ENV_COORDINATOR = "QDQ_COORDINATOR"
ENV_NUM_PROCESSES = "QDQ_NUM_PROCESSES"
ENV_PROCESS_ID = "QDQ_PROCESS_ID"
ENV_LOCAL_DEVICES = "QDQ_LOCAL_DEVICES"
#: Seconds a process waits for the others at start-up (JAX's default is 300).
INIT_TIMEOUT = 60


def _int_env(name: str) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ParameterError(f"environment variable {name} must be an integer, got "
                             f"{raw!r}") from exc


def initialize(coordinator_address: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, *, local_devices: int | None = None,
               timeout: int = INIT_TIMEOUT) -> bool:
    """Join a multi-process JAX run (call before any other JAX call in the process).

    Args:
        coordinator_address: ``"host:port"`` of process 0's coordinator (default
            ``$QDQ_COORDINATOR``).
        num_processes: Number of processes (default ``$QDQ_NUM_PROCESSES``).
        process_id: This process's rank ``0 … num_processes − 1`` (default
            ``$QDQ_PROCESS_ID``).
        local_devices: CPU only: host devices this process exposes (default
            ``$QDQ_LOCAL_DEVICES``; ignored on GPU, where each process sees its GPUs).
        timeout: Seconds to wait for the other processes at start-up and shutdown.

    Returns:
        ``True`` once initialized (also when JAX's cluster auto-detection supplied the
        addresses), ``False`` when nothing asks for several processes (no arguments, no
        variables, a single process).

    Raises:
        ParameterError: Inconsistent arguments (a rank out of range, a partial set).
        BackendError: JAX could not connect the processes.
    """
    import jax

    coordinator_address = coordinator_address or os.environ.get(ENV_COORDINATOR) or None
    num_processes = num_processes if num_processes is not None else _int_env(ENV_NUM_PROCESSES)
    process_id = process_id if process_id is not None else _int_env(ENV_PROCESS_ID)
    local_devices = local_devices if local_devices is not None else _int_env(ENV_LOCAL_DEVICES)
    given = [v is not None for v in (coordinator_address, num_processes, process_id)]
    if any(given) and not all(given):
        raise ParameterError(
            f"give coordinator_address, num_processes and process_id together, got "
            f"{coordinator_address!r}, {num_processes!r}, {process_id!r}")
    if num_processes is not None and (num_processes < 1 or not 0 <= process_id < num_processes):
        raise ParameterError(f"process_id must be in 0..{num_processes - 1} for num_processes="
                             f"{num_processes}, got {process_id!r}")
    if local_devices is not None:
        if local_devices < 1:
            raise ParameterError(f"local_devices must be >= 1, got {local_devices!r}")
        jax.config.update("jax_num_cpu_devices", int(local_devices))
    # TCP collectives for CPU devices; GPUs use NCCL whatever this says.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    if num_processes == 1:
        return False
    try:
        jax.distributed.initialize(coordinator_address=coordinator_address,
                                   num_processes=num_processes, process_id=process_id,
                                   initialization_timeout=int(timeout),
                                   shutdown_timeout_seconds=int(timeout))
    except ValueError as exc:
        if not any(given):  # no cluster detected and nothing given: a single process
            return False
        raise BackendError(f"jax.distributed.initialize failed: {exc}") from exc
    except RuntimeError as exc:
        raise BackendError(
            f"jax.distributed.initialize failed ({exc}); check that every process uses the "
            f"same coordinator ({coordinator_address}) and that it is reachable") from exc
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago (for a local coordinator).

    Example:
        >>> 0 < free_port() < 65536
        True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def process_env(process_id: int, num_processes: int, coordinator: str, *,
                local_devices: int = 1) -> dict[str, str]:
    """The variables :func:`initialize` reads, for one process of a run."""
    return {ENV_COORDINATOR: coordinator, ENV_NUM_PROCESSES: str(int(num_processes)),
            ENV_PROCESS_ID: str(int(process_id)), ENV_LOCAL_DEVICES: str(int(local_devices))}


@dataclass(frozen=True)
class ProcessOutput:
    """What one launched process did: rank, exit code, captured output."""

    process_id: int
    returncode: int
    stdout: str
    stderr: str


def launch_local(argv: Sequence[str], *, num_processes: int = 2, local_devices: int = 2,
                 timeout: float = 180.0, port: int | None = None,
                 env: Mapping[str, str] | None = None) -> list[ProcessOutput]:
    """Run ``argv`` as ``num_processes`` cooperating processes on this machine (loopback).

    Each process gets :func:`process_env` (rank, count, coordinator ``127.0.0.1:port``,
    ``local_devices`` CPU devices) on top of ``env`` (default: this process's
    environment) and must call :func:`initialize`. All are killed when ``timeout`` passes.

    Args:
        argv: The command, e.g. ``[sys.executable, "script.py"]``.
        num_processes: Number of processes (>= 1).
        local_devices: CPU devices per process.
        timeout: Seconds for the whole run.
        port: Coordinator port (default: a free one).
        env: Base environment of the processes.

    Returns:
        One :class:`ProcessOutput` per process, by rank.

    Raises:
        ParameterError: A bad count.
        BackendError: The run did not finish within ``timeout`` (output so far included).
    """
    if isinstance(num_processes, bool) or not isinstance(num_processes, int) or \
            num_processes < 1:
        raise ParameterError(f"num_processes must be an integer >= 1, got {num_processes!r}")
    coordinator = f"127.0.0.1:{port or free_port()}"
    base = dict(os.environ if env is None else env)
    procs = []
    try:
        for rank in range(num_processes):
            penv = {**base, **process_env(rank, num_processes, coordinator,
                                          local_devices=local_devices)}
            procs.append(subprocess.Popen(list(argv), env=penv, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
        deadline = time.monotonic() + timeout
        outputs = []
        for rank, proc in enumerate(procs):
            try:
                out, err = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired as exc:
                raise BackendError(
                    f"launch_local: process {rank} of {num_processes} did not finish within "
                    f"{timeout:g} s (coordinator {coordinator})") from exc
            outputs.append(ProcessOutput(rank, proc.returncode, out, err))
        return outputs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
