"""Smoke runs of ``bench/phase_kernel.py`` and ``bench/step_breakdown.py`` at tiny sizes."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def test_phase_kernel_prints_times_and_small_errors(capsys):
    bench = load_script("bench/phase_kernel.py", "phase_kernel_bench")
    bench.main(["--points", "4096", "--repeats", "3"])
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 3
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[1]) > 0 and float(cells[2]) > 0
        assert float(cells[4]) <= 4 and float(cells[5]) <= 4  # both kernels within 4 ε


def test_step_breakdown_names_every_part(capsys):
    pytest.importorskip("jax")
    bench = load_script("bench/step_breakdown.py", "step_breakdown_bench")
    bench.main(["--n", "16", "--steps", "5", "--repeats", "5"])
    out = capsys.readouterr().out
    for part in ("FFTW 2-D pair", "scipy.fft pair", "half-angle tan", "JAX jnp.fft pair",
                 "JAX whole step", "expi_bounded"):
        assert part in out
