"""diag-net-exp-loss-l1-max-margin on the thorough profile's inconclusive instance (2 points in R^5, alpha = 1, exp
loss). Its slowest off-support exponent is e_min = 0.314 (e_j = 0.393, 0.448, 0.314), so the direction's remaining
motion decays only like s^-0.34: at the old fixed horizon s = 1e6 it was 0.0169, x3 = 0.0506 just above the
resolution 0.05, and the run was inconclusive. The check now follows the flow to the horizon the e_j predict
(theorems.families.diag_net_beyond.exp_horizon): 1e7, where x3 it is 0.023, and the claim passes (fitted order 0.341
in [0.314, 1]) while both mutants and the resolution-sized perturbation are refuted."""
import numpy as np
import pytest

from solvers.margin_lp import l1_max_margin, off_support_exponents
from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.diag_net_beyond import exp_horizon as hz
from theorems.families.diag_net_beyond.exp_loss import L1_RESOLUTION, S_FAR, _dual_flow

INSTANCE = {
    "X": np.array([[-0.0994898371256332, 0.6991043229099212, -0.24328510686834856, -0.15837862322836435,
                    0.006856817523975884],
                   [-0.555518217986466, 0.006856817523975879, 0.14891673830627478, 0.338378825875823,
                    0.7473364737740503]]),
    "y": np.array([1.0, -1.0]),
    "alpha": 1.0,
    "loss": 0,
}


def _motion(s_end):
    X, y = INSTANCE["X"], INSTANCE["y"]
    run = _dual_flow(X, y, 1.0, hz.levels(s_end, [S_FAR]), "exp")
    B = run.beta / np.sum(np.abs(run.beta), axis=1, keepdims=True)
    return hz.remaining_motion(run.s, B)


def test_old_horizon_too_short_and_the_predicted_one_is_enough():
    X, y = INSTANCE["X"], INSTANCE["y"]
    b1, lam, _ = l1_max_margin(X, y)
    e_min = float(np.min(off_support_exponents(X, y, b1, lam)))
    assert abs(e_min - 0.3141) < 1e-3
    assert hz.levels(1e6, [S_FAR]).size == 49  # the old grid: 48 levels on [10, 1e6] plus 1e-1700's level
    m6, p6 = _motion(1e6)
    assert 3 * m6 > L1_RESOLUTION and abs(3 * m6 - 0.0506) < 1e-3  # the old run: inconclusive, just
    h_lo, h_hi = hz.horizons(1e6, m6, p6, e_min, L1_RESOLUTION)
    assert 1e6 < h_lo <= h_hi < 1.1e6
    assert hz.next_horizon(1e6, m6, p6, e_min, L1_RESOLUTION) == 1e7
    m7, p7 = _motion(1e7)
    assert 3 * m7 < 0.5 * L1_RESOLUTION
    # the bound behind the horizon: the motion shrinks by at least 10^-e_min per decade, by at most 10^-p_m
    assert 10**-p6 <= m7 / m6 <= 10**-e_min
    assert hz.next_horizon(1e7, m7, p7, e_min, L1_RESOLUTION) is None  # settled


def test_beyond_the_budget_it_stops():
    # a motion that its own local order cannot bring under the cap before S_MAX: no further run
    h_lo, _ = hz.horizons(1e6, 0.4, 0.2, 0.2, L1_RESOLUTION)
    assert h_lo > hz.S_MAX and hz.next_horizon(1e6, 0.4, 0.2, 0.2, L1_RESOLUTION) is None
    # not decaying: no horizon at all
    assert hz.horizons(1e6, 0.1, 0.0, 0.3, L1_RESOLUTION) == (np.inf, np.inf)
    # at the budget already: stop; otherwise at least a decade further, capped at the budget
    assert hz.next_horizon(hz.S_MAX, 0.02, 0.5, 0.4, L1_RESOLUTION) is None
    assert hz.next_horizon(1e8, 0.1, 0.9, 0.8, L1_RESOLUTION) == hz.S_MAX


def test_claim_on_the_instance():
    c = registry.get("diag-net-exp-loss-l1-max-margin")
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["s_end"] == pytest.approx(1e7) and 3 * ev.details["remaining_motion"] < L1_RESOLUTION
    assert 0.314 < ev.details["fitted_order"] < 0.36
    for m in c.mutants:
        ev = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert ev.outcome == "fail", (m.id, ev.why())
    ev = safe_evaluate(c, INSTANCE, {**c.params, **c.resolution.mutate(c.params, L1_RESOLUTION)})
    assert ev.outcome == "fail", ev.why()
