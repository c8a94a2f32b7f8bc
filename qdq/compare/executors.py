r"""Executors of a suite: serial, threads, processes, Dask, and the worker lifetime guard.

:func:`make_executor` resolves a name to an object with ``submit(fn, *args)`` returning
futures, plus a shutdown hook when this module owns it:

* ``"serial"`` — :class:`SerialExecutor`, each call at once in the calling thread;
* ``"thread"`` — a :class:`concurrent.futures.ThreadPoolExecutor`;
* ``"process"`` — a :class:`concurrent.futures.ProcessPoolExecutor` (``fork`` on Linux when
  no other thread runs, else ``forkserver``/``spawn``, which need the usual
  ``if __name__ == "__main__":`` guard in scripts); its workers run :func:`worker_start`:
  one BLAS thread each, and they exit when the parent process dies;
* ``"dask"`` — a :class:`distributed.LocalCluster` of ``workers`` processes;
* any object with ``submit`` (a ``concurrent.futures`` executor, a ``distributed.Client``)
  is used as is and not shut down.

Example:
    >>> ex, shutdown = make_executor("serial", 1)
    >>> ex.submit(pow, 2, 10).result(), shutdown is None
    (1024, True)
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from qdq.errors import ParameterError

__all__ = [
    "EXECUTORS",
    "PARENT_POLL_SECONDS",
    "SerialExecutor",
    "cancel_all",
    "finished_ok",
    "iter_completed",
    "limit_blas_threads",
    "make_executor",
    "worker_start",
]

#: Executor names :func:`make_executor` understands (or pass an object with ``submit``).
EXECUTORS: tuple[str, ...] = ("serial", "thread", "process", "dask")


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in the calling thread (deterministic order)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            fut.set_exception(exc)
        return fut


def make_executor(executor: Any, workers: int) -> tuple[Any, Callable[..., None] | None]:
    """Resolve ``executor`` to an object with ``submit`` and a shutdown hook (if owned).

    Raises:
        ParameterError: An unknown executor name (valid names listed) or ``workers < 1``.
        DependencyError: ``"dask"`` without ``dask.distributed`` installed.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1, got {workers!r}")
    if executor is None or executor == "serial":
        return SerialExecutor(), None
    if hasattr(executor, "submit") and not isinstance(executor, str):
        return executor, None
    if executor == "thread":
        ex = cf.ThreadPoolExecutor(max_workers=workers)
        return ex, lambda wait=True: ex.shutdown(wait=wait, cancel_futures=not wait)
    if executor == "process":
        ctx = _mp_context()
        ex = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                    initializer=worker_start, initargs=(os.getpid(),))

        def close_pool(wait: bool = True) -> None:
            if not wait:  # interrupted: stop running cells now, they are recomputed later
                for proc in list(getattr(ex, "_processes", {}).values()):
                    proc.terminate()
            ex.shutdown(wait=wait, cancel_futures=not wait)

        return ex, close_pool
    if executor == "dask":
        from qdq.errors import require

        distributed = require("distributed", "dask")
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
        client.run(limit_blas_threads)

        def close(wait: bool = True) -> None:
            client.close()
            cluster.close()

        return client, close
    import difflib

    close = difflib.get_close_matches(str(executor), EXECUTORS, n=2)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise ParameterError(f"unknown executor {executor!r}{hint}; use one of "
                         f"{', '.join(EXECUTORS)} or an object with submit()")


def limit_blas_threads(threads: int = 1) -> int:
    """Limit BLAS (OpenBLAS/MKL/OpenMP) threads of this process; best effort.

    Parallel workers that each start one BLAS thread per core oversubscribe the machine:
    on two cores SciPy's L-BFGS-B (small dense BLAS calls per evaluation) runs several
    times slower. Workers of the ``"process"`` and ``"dask"`` executors call this at
    start. Uses :mod:`threadpoolctl` when installed, else the OpenBLAS libraries loaded
    in the process (Linux), and sets the usual environment variables for libraries loaded
    later.

    Returns:
        The number of libraries that were limited.

    Example:
        >>> limit_blas_threads(1) >= 0
        True
    """
    import os

    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:  # pragma: no cover - depends on the environment
        threadpool_limits(threads)
        return 1
    import ctypes

    count = 0
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh
                     if "openblas" in line.lower() and line.split()[-1].startswith("/")}
    except OSError:  # pragma: no cover - not Linux
        return 0
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:  # pragma: no cover
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(ctypes.c_int(threads))
                count += 1
                break
    return count


#: How often a pool worker checks that the process that started it is still alive (s).
PARENT_POLL_SECONDS = 0.5


def worker_start(parent_pid: int | None = None) -> None:
    """Initializer of ``"process"`` workers: one BLAS thread, and die with the parent.

    A worker blocked waiting for work never notices on its own that the parent was
    killed (``kill -9``), and would live forever. So on Linux the kernel is asked to
    send it ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and on every
    platform a daemon thread polls ``os.getppid()`` every :data:`PARENT_POLL_SECONDS`
    and calls ``os._exit`` once the worker has been re-parented.

    Args:
        parent_pid: The pid of the process that owns the pool (a forkserver in between
            is fine: the worker then follows the forkserver, which follows the owner).
    """
    import threading

    limit_blas_threads()
    ppid = os.getppid()
    _set_parent_death_signal()
    if parent_pid is not None and ppid != parent_pid and not _alive(parent_pid):
        os._exit(1)  # the owner died before this worker finished starting
    if os.getppid() != ppid:  # the parent died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != ppid or (parent_pid is not None and not _alive(parent_pid)):
                os._exit(1)

    threading.Thread(target=watch, name="qdq-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else, or no signals here
        return True
    return True


def _set_parent_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; ``False`` where unavailable."""
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        return False


def _mp_context():
    """Start method: ``fork`` on Linux while only the main thread runs, else forkserver.

    ``fork`` is fast and needs no ``__main__`` guard in scripts; with other threads
    alive it is unsafe, so ``forkserver`` (or ``spawn``) is used instead.
    """
    import multiprocessing as mp
    import sys
    import threading

    methods = mp.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods \
            and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def iter_completed(futures: list) -> Iterable:
    """Yield futures as they finish (concurrent.futures, distributed, or anything with done())."""
    if all(isinstance(f, cf.Future) for f in futures):
        yield from cf.as_completed(futures)
        return
    if futures and type(futures[0]).__module__.startswith("distributed"):
        from distributed import as_completed

        yield from as_completed(futures)
        return
    left = list(futures)
    while left:
        done = [f for f in left if f.done()]
        for f in done:
            left.remove(f)
            yield f
        if not done:
            time.sleep(0.02)


def cancel_all(futures: Iterable) -> None:
    """Cancel every future that has not started (best effort, any future type)."""
    for f in futures:
        try:
            f.cancel()
        except Exception:  # noqa: BLE001 - best effort
            pass


def finished_ok(fut) -> bool:
    """Whether a future finished normally (done, not cancelled, no exception)."""
    try:
        return bool(fut.done() and not fut.cancelled() and fut.exception() is None)
    except Exception:  # noqa: BLE001 - foreign future types
        return False
