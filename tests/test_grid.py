import numpy as np
import pytest

from qdq.errors import ProblemError, ResourceError
from qdq.grid import Grid


def test_points_spacing_and_periodic_convention():
    g = Grid([(-2.0, 2.0)], qubits=3)
    assert g.spacing == (0.5,)
    np.testing.assert_allclose(g.points[0], -2 + 0.5 * np.arange(8))
    assert 2.0 not in g.points[0]  # high is excluded: same point as low
    np.testing.assert_allclose(g.momenta[0], 2 * np.pi * np.fft.fftfreq(8, d=0.5))


def test_unequal_qubits_offsets_and_registers():
    g = Grid([(0, 1), (0, 2), (0, 3)], qubits=[1, 3, 2])
    assert g.shape == (2, 8, 4)
    assert g.offsets == (0, 1, 4)
    assert g.register(1) == [1, 2, 3]
    assert g.num_qubits == 6


def test_to_grid_matches_little_endian_definition():
    g = Grid([(0, 1), (0, 1)], qubits=[2, 3])
    flat = np.arange(g.size)
    arr = g.to_grid(flat)
    for j0 in range(4):
        for j1 in range(8):
            assert arr[j0, j1] == j0 + 4 * j1  # i = j0 * 2^0 + j1 * 2^offset_1
    np.testing.assert_array_equal(g.to_flat(arr), flat)


def test_k_squared_sums_dimensions():
    g = Grid([(0, 1), (0, 2)], qubits=[2, 2])
    k0, k1 = g.momenta
    np.testing.assert_allclose(g.k_squared, k0[:, None] ** 2 + k1[None, :] ** 2)


@pytest.mark.parametrize(
    "bounds, qubits, match",
    [
        ([(1.0, 1.0)], 3, "low=1 >= high=1"),
        ([(2.0, -1.0)], 3, "low=2 >= high=-1"),
        ([(0, 1)], 0, r"qubits\[0\] must be >= 1, got 0"),
        ([(0, 1), (0, 1)], [2], "2 dimensions"),
        ([(0, np.inf)], 2, "finite"),
        ([], 2, "empty"),
    ],
)
def test_bad_grids_raise_with_value(bounds, qubits, match):
    with pytest.raises(ProblemError, match=match):
        Grid(bounds, qubits)


def test_memory_refused_before_allocating(monkeypatch):
    import qdq.grid as grid_mod

    monkeypatch.setattr(grid_mod, "available_memory_bytes", lambda: 1 << 20)
    with pytest.raises(ResourceError, match=r"needs .* GiB but only .* GiB"):
        Grid([(0, 1)], qubits=20)


def test_too_many_qubits_refused():
    with pytest.raises(ResourceError, match="40 qubits"):
        Grid([(0, 1)] * 2, qubits=20)


# ----------------------------------------------------------- degenerate boxes (issue 17)
@pytest.mark.parametrize("bounds, qubits, match", [
    ([(0.0, 1e-300)], 3, r"\(0.0, 1e-300\) with 3 qubits"),
    ([(0.0, 1e-300)], 1, "1e-300"),
    ([(0.0, 1e-200)], 10, "1e-200"),
    ([(0.0, 5e-324)], 1, "5e-324"),
    ([(1.0, 1.0 + 1e-15)], 10, "points or momenta"),        # neighbours coincide
    ([(-1e308, 1e308)], 2, "inf"),                          # the length overflows
    ([(1.0, 1.0)], 1, "low=1 >= high=1; widen the box"),
    ([(np.nan, 1.0)], 2, "finite, got \\(nan, 1.0\\)"),
    ([(0.0, np.inf)], 2, "finite, got \\(0.0, inf\\)"),
    ([(-np.inf, 0.0)], 2, "finite"),
])
def test_degenerate_boxes_are_problem_errors_naming_the_value(bounds, qubits, match):
    with pytest.raises(ProblemError, match=match):
        Grid(bounds, qubits)


def test_moderate_tiny_and_huge_boxes_still_work():
    assert Grid([(0.0, 1e-100)], 10).spacing[0] > 0
    assert Grid([(-1e100, 1e100)], 10).spacing[0] > 0


def test_degenerate_box_through_problem_and_cli():
    from typer.testing import CliRunner

    import qdq
    from qdq.cli import app

    with pytest.raises(ProblemError, match="1e-300"):
        qdq.Problem("x**2", bounds=[(0, 1e-300)], qubits=3)
    res = CliRunner().invoke(app, ["solve", "-f", "x**2", "-b", "0,1e-300", "-q", "3"])
    assert res.exit_code == 2 and "1e-300" in res.output
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)


# ------------------------------------------------ the memory guard's limits (issue 17)
def _readers(monkeypatch, **values):
    import qdq.grid as grid_mod

    def reader(name):
        return lambda: values.get(name)

    readers = {name: reader(name) for name in grid_mod.MEMORY_READERS}
    monkeypatch.setattr(grid_mod, "MEMORY_READERS", readers)


def test_available_memory_is_the_smallest_limit(monkeypatch):
    from qdq.grid import available_memory_bytes

    _readers(monkeypatch, meminfo=64 << 30, cgroup=2 << 30, rlimit=None)
    assert available_memory_bytes() == 2 << 30
    _readers(monkeypatch, meminfo=64 << 30, cgroup=None, rlimit=1 << 30)
    assert available_memory_bytes() == 1 << 30
    _readers(monkeypatch, meminfo=None, cgroup=None, rlimit=None)
    assert available_memory_bytes() == 8 << 30   # nothing readable: the documented default


def test_a_failing_reader_does_not_break_the_check(monkeypatch):
    import qdq.grid as grid_mod

    def boom():
        raise RuntimeError("unreadable")

    monkeypatch.setattr(grid_mod, "MEMORY_READERS", {"a": boom, "b": lambda: 3 << 30})
    assert grid_mod.available_memory_bytes() == 3 << 30


def test_cgroup_limit_refuses_a_grid_meminfo_would_allow(monkeypatch):
    _readers(monkeypatch, meminfo=512 << 30, cgroup=16 << 20)
    with pytest.raises(ResourceError, match="0.02 GiB is available"):
        Grid([(0, 1)], qubits=20)       # 48 MiB of state vector + workspace


def _cgroup_tree(tmp_path, self_line, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    proc = tmp_path / "self_cgroup"
    proc.write_text(self_line)
    return str(tmp_path / "cg"), str(proc)


def test_cgroup_v2_headroom_is_max_minus_current(tmp_path):
    from qdq.grid import _cgroup_available

    root, proc = _cgroup_tree(tmp_path, "0::/job\n", {
        "cg/job/memory.max": "1073741824\n", "cg/job/memory.current": "268435456\n"})
    assert _cgroup_available(root, proc) == (1 << 30) - (1 << 28)
    root, proc = _cgroup_tree(tmp_path / "b", "0::/job\n", {
        "cg/job/memory.max": "max\n", "cg/job/memory.current": "5\n"})
    assert _cgroup_available(root, proc) is None


def test_cgroup_v1_headroom_and_its_no_limit_value(tmp_path):
    from qdq.grid import _cgroup_available

    root, proc = _cgroup_tree(tmp_path, "4:memory:/box\n0::/\n", {
        "cg/memory/box/memory.limit_in_bytes": str(2 << 30),
        "cg/memory/box/memory.usage_in_bytes": str(1 << 30)})
    assert _cgroup_available(root, proc) == 1 << 30
    root, proc = _cgroup_tree(tmp_path / "b", "4:memory:/\n", {
        "cg/memory/memory.limit_in_bytes": "9223372036854771712"})
    assert _cgroup_available(root, proc) is None


def test_rlimit_as_is_honoured_in_a_limited_process():
    """``ulimit -v`` (RLIMIT_AS) in a child: the guard refuses what the limit forbids."""
    import subprocess
    import sys

    code = (
        "import resource\n"
        "from qdq.errors import ResourceError\n"
        "import qdq.grid as g\n"
        "vm = int([l for l in open('/proc/self/status') if l.startswith('VmSize')][0]"
        ".split()[1]) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (vm + (256 << 20), resource.RLIM_INFINITY))\n"
        "avail = g.available_memory_bytes()\n"
        "assert avail <= 256 << 20, avail\n"
        "try:\n"
        "    g.check_memory(1 << 30, 'a 1 GiB array')\n"
        "except ResourceError as exc:\n"
        "    print('refused:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "refused: a 1 GiB array needs 1.00 GiB" in out.stdout
