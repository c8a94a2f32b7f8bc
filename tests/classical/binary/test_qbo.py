"""QbO (Seok & Cho): the quantized acceptance rule and resolution schedule, by hand; bits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdq.binary.instances import labs, random_regular_maxcut, sk
from qdq.binary.problem import BinaryProblem
from qdq.classical.binary.qbo import (
    MAX_DOUBLINGS,
    FlipDelta,
    QbOAcceptance,
    flat_index,
    initial_resolution,
    lower_bound,
    qbo_bits,
    qbo_search,
    quantize,
)
from qdq.errors import ParameterError, ProblemError


def _scripted(costs):
    """A propose function that returns the next scripted cost (the point *is* its cost)."""
    it = iter(costs)
    return lambda x, rng: next(it)


def test_quantize_rounds_half_up_on_the_grid():
    assert quantize(10.0, 1 / 16) == 16.0          # ⌊0.625 + ½⌋ = 1 → 16
    assert quantize(7.9, 1 / 16) == 0.0             # ⌊0.49375 + ½⌋ = 0
    assert quantize(24.0, 0.5) == 24.0              # ⌊12.5⌋ = 12 → 24 (half rounds up)
    assert quantize(23.0, 0.5) == 24.0              # ⌊11.5 + ½⌋ = 12
    assert quantize(-1.25, 2.0) == -1.0             # ⌊−2.5 + ½⌋ = −2 → −1
    assert quantize(-1.26, 2.0) == -1.5


def test_initial_resolution_is_the_authors_eta_and_handles_nonpositive_costs():
    # Their compute_eta: 2^(−⌊log₂ f₀ + 1⌋). Hand values.
    assert initial_resolution(10.0) == 2.0 ** -4      # log₂10 = 3.32 → ⌊4.32⌋ = 4
    assert initial_resolution(8.0) == 2.0 ** -4       # log₂8 = 3 → 4: step 16 > 8
    assert initial_resolution(7.99) == 2.0 ** -3
    assert initial_resolution(0.3) == 2.0              # log₂0.3 = −1.74 → ⌊−0.74⌋ = −1
    # f₀ ≤ 0: their math.log raises; qdq uses |f₀| (and 1 at 0).
    with pytest.raises(ValueError):
        math.log(-3.0, 2)
    assert initial_resolution(-10.0) == initial_resolution(10.0)
    assert initial_resolution(0.0) == 1.0
    with pytest.raises(ParameterError, match="finite"):
        initial_resolution(float("nan"))
    # The step 1/Q₀ is the power of two just above |f₀|, for any magnitude.
    for f0 in (1e-6, 0.75, 1.0, 3.0, 1e6):
        step = 1 / initial_resolution(f0)
        assert f0 < step <= 2 * f0


def test_acceptance_and_resolution_against_a_hand_computed_sequence():
    # f₀ = 10: Q₀ = 1/16, current = quantize(10, 1/16) = 16. Worked by hand:
    #   20 @ Q=1/16: ⌊1.25+½⌋=1 → 16 ≤ 16 accept; Q=1/8, current = ⌊2.5+½⌋/Q = 24
    #   25 @ 1/8 : ⌊3.125+½⌋=3 → 24 ≤ 24 accept; Q=1/4, current = ⌊6.25+½⌋·4 = 24
    #   26 @ 1/4 : ⌊6.5+½⌋=7 → 28 > 24   reject; Q stays
    #   23 @ 1/4 : ⌊5.75+½⌋=6 → 24 accept; Q=1/2, current = ⌊11.5+½⌋·2 = 24
    #   24 @ 1/2 : ⌊12+½⌋=12 → 24 accept; Q=1,   current = 24
    #   24.4 @ 1 : ⌊24.9⌋=24 → 24 accept; Q=2,   current = ⌊48.8+½⌋/2 = 24.5
    #   24.9 @ 2 : ⌊49.8+½⌋=50 → 25 > 24.5 reject
    #   9 @ 2    : 9 accept (new best);    Q=4,   current = 9
    #   9.1 @ 4  : ⌊36.4+½⌋=36 → 9 accept; Q=8,  current = ⌊72.8+½⌋/8 = 9.125
    #   9.2 @ 8  : ⌊73.6+½⌋=74 → 9.25 > 9.125 reject
    costs = [20, 25, 26, 23, 24, 24.4, 24.9, 9, 9.1, 9.2]
    best, f_best, trace = qbo_search(lambda x: float(x), _scripted(costs), 10.0,
                                     iterations=len(costs), rng=np.random.default_rng(0))
    assert trace.accepted.tolist() == [True, True, False, True, True, True, False, True,
                                       True, False]
    assert trace.resolution.tolist() == [1 / 16, 1 / 8, 1 / 4, 1 / 4, 1 / 2, 1, 2, 2, 4, 8]
    assert trace.energies.tolist() == [float(c) for c in costs]
    assert (best, f_best) == (9, 9.0)
    # Not trivially "greedy": uphill moves 10 → 20 → 25 were accepted at coarse Q.
    assert trace.accepted[0] and costs[0] > 10


def test_acceptance_object_matches_the_trace_and_freezes_q():
    rule = QbOAcceptance(10.0)
    assert (rule.Q, rule.current) == (1 / 16, 16.0)
    assert rule.offer(20.0) and (rule.Q, rule.current) == (1 / 8, 24.0)
    assert not rule.offer(1000.0) and rule.Q == 1 / 8
    # Ties are accepted: a plateau doubles Q every step, until MAX_DOUBLINGS.
    for _ in range(MAX_DOUBLINGS + 10):
        assert rule.offer(20.0)
    assert rule.doublings == MAX_DOUBLINGS
    assert rule.Q == 2.0 ** (MAX_DOUBLINGS - 4) and math.isfinite(rule.current)
    assert rule.offer(20.0 - 1e-9) and not rule.offer(20.0 + 1e-9)


def test_qbo_search_runs_a_real_proposal_on_a_1d_landscape():
    # Minimize (x − 7)² over integers by ±1 steps: QbO ends at 7.
    def propose(x, rng):
        return x + int(rng.choice((-1, 1)))

    best, f, trace = qbo_search(lambda x: (x - 7) ** 2 + 1.0, propose, 40, iterations=400,
                                rng=np.random.default_rng(3))
    assert (best, f) == (7, 1.0)
    assert trace.accepted.sum() >= 33                 # it had to walk at least 33 steps


@pytest.mark.parametrize("make", [lambda: sk(7, seed=1), lambda: labs(7),
                                  lambda: BinaryProblem({(0, 1, 2): 3.0, (1,): -2.0,
                                                         (0, 3): 1.5, (2, 3): -0.5})])
def test_flip_delta_is_exact_against_recomputation(make):
    b = make()
    fd = FlipDelta(b)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, b.num_bits)
    fd.reset(x)
    for _ in range(40):
        i = int(rng.integers(b.num_bits))
        y = fd.x.copy()
        y[i] ^= 1
        assert fd.delta(i) == pytest.approx(b.energy(y) - b.energy(fd.x), abs=1e-9)
        fd.flip(i)
        assert fd.x.tolist() == y.tolist()


def test_lower_bound_bounds_every_assignment():
    for b in (sk(8, seed=2), labs(8), random_regular_maxcut(8, 3, seed=0)):
        assert lower_bound(b) <= b.values.min() + 1e-9


def test_qbo_bits_reaches_the_maxcut_optimum_in_most_reads():
    b = random_regular_maxcut(10, 3, seed=3)
    exact = b.exact()
    r = qbo_bits(b, reads=40, seed=1, iterations=300)
    hits = r.hits(exact.energy)
    assert hits.mean() >= 0.8                        # measured: 1.0 (100 reads, seed=1)
    # Guard: a uniform random assignment is optimal with probability count/2ⁿ.
    assert exact.count / 2**10 < 0.01
    # Reported energies are the problem's own, at the reported states.
    assert np.allclose(r.energies, b.values[r.states])
    assert r.evals_per_read == 300 and r.method == "qbo"


def test_qbo_bits_on_a_harder_maxcut_and_reproducibility():
    b = random_regular_maxcut(10, 3, seed=2)
    e = b.exact().energy
    r1 = qbo_bits(b, reads=40, seed=7, iterations=300)
    r2 = qbo_bits(b, reads=40, seed=7, iterations=300)
    assert r1.hits(e).mean() >= 0.35                  # measured: 0.56 (100 reads, seed=1)
    assert r1.energies.tolist() == r2.energies.tolist()
    assert r1.states.tolist() == r2.states.tolist()
    # Zero iterations: the random starts, nothing more.
    r0 = qbo_bits(b, reads=40, seed=7, iterations=0)
    assert r0.hits(e).mean() < r1.hits(e).mean()


def test_qbo_bits_validates():
    b = labs(5)
    with pytest.raises(ParameterError, match="reads"):
        qbo_bits(b, reads=0, seed=0)
    with pytest.raises(ParameterError, match="seed"):
        qbo_bits(b, reads=1, seed=-1)
    with pytest.raises(ProblemError, match="BinaryProblem"):
        qbo_bits("x0*x1", reads=1, seed=0)


def test_flat_index_convention():
    assert flat_index(np.array([1, 0, 1])) == 5
    assert flat_index(np.ones(63, dtype=int)) == -1
