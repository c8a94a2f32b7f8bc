"""A merely long emulator run (steps = 10**12) shows progress and stops on Ctrl-C (issue 17)."""

import _thread
import signal
import threading
import time

import pytest

import qdq
from qdq.engines.emulator import PROGRESS_EVERY, run_emulator


@pytest.fixture(scope="module")
def endless():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=10**12)


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler for these tests.

    ``_thread.interrupt_main`` does nothing when SIGINT is ignored or left to the OS, and a
    library loaded by an earlier test in the same worker may have set that: the second test
    below would then run its 10¹² steps instead of failing.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class StopRunError(Exception):
    pass


def test_progress_reaches_a_long_run_early_and_can_cancel_it(endless):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if len(calls) == 3:
            raise StopRunError  # a caller's cancel button: propagates, nothing is reported

    watchdog = threading.Timer(30, _thread.interrupt_main)  # fail, never hang
    t0 = time.perf_counter()
    watchdog.start()
    try:
        with pytest.raises(StopRunError):
            run_emulator(endless, progress=progress)
    except KeyboardInterrupt:
        pytest.fail(f"progress was called only {len(calls)} times in 30 s")
    finally:
        watchdog.cancel()
    assert time.perf_counter() - t0 < 10
    assert calls[0] == (1, 2 * 10**12 + 1)
    assert calls[1][0] - calls[0][0] == PROGRESS_EVERY  # not every 2·10^10 factors


def test_keyboard_interrupt_stops_a_run_promptly(endless):
    timer = threading.Timer(0.3, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            qdq.run(endless, backend="emulator")
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 5
