"""normalized-gd-fast-margin-rate on the thorough profile's counterexample (5 points in R^2, 2 support
vectors, eta_frac 0.5). On [100, 3000] the residual slopes of the direction and margin gaps against 1/t
were +0.14: the window was pre-asymptotic. The iterate is eta gamma t u + b_t with the offset's
component along u, beta ~ 8.1, a time shift tau = beta / (eta gamma) ~ 139 steps (second order), and
the slowest non-support point relaxes in ~237 steps; t * (direction gap) -> 17.83 (Theta(1/t) holds).
The window premises move the window to [900, 27000], where the statement passes and both mutants fail."""
import numpy as np

from models.step_schedules import margin_and_direction_gaps
from solvers.svm import signed_data
from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.deeper.common import svm_reference
from theorems.families.deeper.fast_rate import RATE_MARGIN, fast_run, premises, relaxation_factor

INSTANCE = {
    "X": np.array([[-0.1694392783152384, -0.20741048601747858], [-0.27959222242222276, 0.04739515604891586],
                   [0.22731375108350554, -0.1554884920997688], [-0.02545066832383731, -0.2506303900456297],
                   [0.8794477184130186, 0.27107500329392736]]),
    "y": np.array([-1.0, 1.0, -1.0, -1.0, 1.0]),
    "w0": np.array([0.1683702553728936, 1.0840093208840258]),
    "eta_frac": 0.5,
}


def _setup():
    X, y = INSTANCE["X"], INSTANCE["y"]
    w_hat, a, _ = svm_reference(X, y)
    Z = signed_data(X, y)
    eta = INSTANCE["eta_frac"] / float(np.max(np.sum(Z**2, axis=1)))
    return X, y, Z, w_hat, a, eta


def test_t_times_gap_converges_so_the_old_window_was_pre_asymptotic():
    X, y, Z, w_hat, a, eta = _setup()
    run = fast_run(X, y, INSTANCE["w0"], 0.5, 27000)
    _, dg = margin_and_direction_gaps(Z, run.w, w_hat)
    td = run.t * dg
    at = {int(t): v for t, v in zip(run.t, td)}
    assert abs(at[27000] - 17.74) < 0.01  # t D_t -> 17.83 (17.828 at 3e5, measured): Theta(1/t)
    i100, i3000 = np.searchsorted(run.t, 100), np.searchsorted(run.t, 3000)
    assert td[i3000] / td[i100] > 1.4  # but it still grew by > 40% over [100, 3000] (log-slope +0.14)
    # the frozen-offset model explains it: tau = beta / (eta gamma) ~ 139 steps of time shift
    assert abs(relaxation_factor(Z, w_hat, a, eta) - 237.0) < 1.0


def test_premises_reject_the_old_window_and_accept_the_extended_one():
    X, y, Z, w_hat, a, eta = _setup()
    relax = relaxation_factor(Z, w_hat, a, eta)
    for horizon, expect in ((3000, False), (9000, False), (27000, True)):
        run = fast_run(X, y, INSTANCE["w0"], 0.5, horizon)
        sel = run.t >= horizon / 30
        ok, pre = premises(Z, w_hat, eta, run.t[sel], run.w[sel], relax)
        assert ok is expect, (horizon, pre)
    assert 130 < pre["tau_second_order"] < 145
    assert abs(pre["geometric_direction_bias"]) <= RATE_MARGIN / 2


def test_claim_on_the_counterexample():
    c = registry.get("normalized-gd-fast-margin-rate")
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["horizon"] == 27000 and abs(ev.details["direction_slope_vs_rate"]) < 0.05
    for m in c.mutants:
        ev = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert ev.outcome == "fail", (m.id, ev.why())
