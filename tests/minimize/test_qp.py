"""Quadratic programs: HiGHS round trips, bad files, references, minimize(qp)."""

import numpy as np
import pytest

import qdq
from qdq.errors import ProblemError
from qdq.minimize import QuadraticProgram, minimize, read_qp

pytest.importorskip("highspy")


def _qp():
    return QuadraticProgram.from_arrays([[2, 0.5], [0.5, 1]], [1, -1], A=[[1, 1]], b=[2],
                                        A_eq=[[1, -1]], b_eq=[-2.25],
                                        bounds=[(-1, 3), (-2, 4)])


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_round_trip_through_highs(tmp_path, suffix):
    qp = _qp()
    path = qp.write(tmp_path / f"small{suffix}")
    back = qdq.read_qp(path)
    np.testing.assert_allclose(back.Q, qp.Q)
    np.testing.assert_allclose(back.c, qp.c)
    np.testing.assert_allclose(back.A, qp.A)
    np.testing.assert_allclose(back.row_lower, [-np.inf, -2.25])
    np.testing.assert_allclose(back.row_upper, [2, -2.25])
    assert back.bounds == [(-1.0, 3.0), (-2.0, 4.0)]
    x = np.array([0.3, -0.7])
    assert back(x) == pytest.approx(qp(x), abs=1e-12)


def test_minimize_a_qp_file_beside_highs(tmp_path):
    path = _qp().write(tmp_path / "m.lp")
    res = minimize(read_qp(path), seed=1, options={"steps": 200, "max_stages": 3})
    ref = res.reference
    assert ref["solver"] == "highs" and "optimal" in str(ref["status"]).lower()  # any spelling
    assert res.success and abs(res.fun - ref["fun"]) < 1e-7
    np.testing.assert_allclose(res.x, ref["x"], atol=1e-5)
    assert abs(res.x[0] - res.x[1] + 2.25) < 1e-8  # the equality row holds


def test_nonconvex_reference_is_scipy_global():
    qp = QuadraticProgram.from_arrays([[-2, 0], [0, 1]], [0.5, 0], bounds=[(-1, 1), (-1, 1)])
    assert not qp.is_convex
    ref = qp.reference(seed=0)
    assert ref["solver"] in ("dual_annealing", "differential_evolution")
    np.testing.assert_allclose(ref["fun"], -1.5, atol=1e-8)  # x = (-1, 0)


def test_bad_lp_names_the_line(tmp_path):
    bad = tmp_path / "bad.lp"
    bad.write_text("minimize\n obj: x + y +\nsubject to\n c1: x + y <= 2\nend\n")
    with pytest.raises(ProblemError, match=r"bad\.lp:3"):
        read_qp(bad)


def test_bad_mps_field_names_the_line(tmp_path):
    bad = tmp_path / "bad.mps"
    bad.write_text("NAME\nROWS\n N  obj\n L  r0\nCOLUMNS\n    c0  obj  1\n    c0  r0  abc\n"
                   "RHS\n    RHS  r0  2\nENDATA\n")
    with pytest.raises(ProblemError, match="line 7: field 3 of the COLUMNS section must be a "
                                           "number, got 'abc'"):
        read_qp(bad)
    bad.write_text("NAME\nROWS\n N  obj\nCOLUMS\nENDATA\n")
    with pytest.raises(ProblemError, match="line 4: unknown MPS section 'COLUMS'"):
        read_qp(bad)


def test_unreadable_files(tmp_path):
    with pytest.raises(ProblemError, match=".lp or .mps"):
        read_qp(tmp_path / "model.txt")
    with pytest.raises(ProblemError, match="cannot read"):
        read_qp(tmp_path / "missing.lp")
    with pytest.raises(ProblemError, match="shape"):
        QuadraticProgram.from_arrays(np.eye(3), [1, 2])


def test_unbounded_qp_needs_bounds():
    qp = QuadraticProgram.from_arrays(np.eye(2), [1, 1])
    with pytest.raises(ProblemError, match="finite"):
        minimize(qp)
    res = minimize(qp, [(-2, 2), (-2, 2)], seed=0, options={"steps": 200, "max_stages": 3})
    np.testing.assert_allclose(res.x, [-1, -1], atol=1e-7)
