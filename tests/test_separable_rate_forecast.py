"""gd-separable-rate: how long heavy ball's transient lasts is forecast, and an instance whose
transient outlasts any budget is reported as such (inconclusive, with the horizon it needs).

The instance (thorough profile, inconclusive): two points, both support vectors (duals 2.32, 0.75,
mu = 0.649), heavy ball with beta = 0.746 at eta_frac = 0.75 on the logistic loss, a flow-time step
eff = 23.6. The first few heavy-ball steps overshoot the second support vector: x_2 = <z_2, rho> -
log(1/a_2) reaches 7.5 at tau ~ 350, where that point's loss term is exp(-7.5) of its asymptotic
value; rho then relaxes only linearly in log tau (rate a_2 ||P z_2||^2 = 0.71 per e-fold), x_2 ~ 1.2
at tau = 1.5e6, and the regime test of gd_runs passes only at tau_end ~ 5e10-8e10 (2e9-3.6e9 steps,
the budget is 2.5e6 steps / tau_end x100 = 2.65e7). Before the fix the variant was re-run to x10
and x100 (9 s) and still failed; now the forecast says so from the first run."""
from __future__ import annotations

import math

import numpy as np
import pytest

from models.separable import gd_separable_batched, gradient_flow_log_time
from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.separable import gd_runs
from theorems.families.separable.common import svm_of
from theorems.families.separable.gd_runs import VARIANTS, checkpoints, forecast, regime_test, settled_runs

INSTANCE = {
    "X": np.array([[-0.18801460547339247, 0.10675337164401105, 0.39768950767085304, 0.36724995072659744, -0.2313526951511763],
                   [-0.2345519099755348, -0.4784096230706391, -0.27703129697798756, -0.4134022947244823, -0.668526391456106]]),
    "y": np.array([-1.0, 1.0]),
    "w0": np.array([-1.2745053435253257, 0.06218899530307627, -0.5678281586764578, -0.2688770264163621, 0.6196321662396579]),
    "weight": np.ones(2),
    "eta_frac": 0.75,
    "beta": 0.7456333137200821,
}
HB_LOGISTIC = VARIANTS.index(("logistic", "heavy-ball"))


@pytest.fixture(autouse=True)
def _fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))


def _base():
    run, eff = gd_runs.gd_runs(INSTANCE)
    tau = run.t * eff[HB_LOGISTIC]
    keep = tau > 1.0
    return run, eff, tau[keep], run.w[keep, HB_LOGISTIC]


def _real(Text):
    """Heavy ball / logistic from w0 for Text steps, at the checkpoints settled_runs gives that run."""
    Z, s2, etas, betas = gd_runs._step_sizes(INSTANCE)
    T0 = int(gd_runs.gd_runs(INSTANCE)[0].t[-1])
    b = HB_LOGISTIC
    return gd_separable_batched(Z, INSTANCE["w0"][None, :], etas[b:b + 1], Text, losses=("logistic",), beta=betas[b:b + 1],
                                checkpoints=checkpoints(T0, Text))


def test_the_transient_is_an_overshot_support_vector():
    w_hat, a, _, mu = svm_of(INSTANCE)
    assert np.all(a > 0) and len(a) == 2 and mu == pytest.approx(0.6485, abs=1e-3)
    run, eff, tau, W = _base()
    Z = gd_runs._step_sizes(INSTANCE)[0]
    x = (W - np.outer(np.log(tau), w_hat)) @ Z.T - np.log(1.0 / a)
    k = int(np.argmax(x[:, 1]))
    assert x[k, 1] > 7.0 and 100 < tau[k] < 1000  # overshoot of the second support vector
    assert x[-1, 1] > 2.0  # still far from w_tilde at the end of the first run (tau_end = 2.65e5): exp(-2) = 0.14
    G = Z @ Z.T
    rate = a[1] * (G[1, 1] - G[0, 1] ** 2 / G[0, 0])  # the saturated relaxation rate per e-fold of tau
    assert rate == pytest.approx(0.709, abs=1e-3)


def test_gd_follows_the_flow_in_log_time():
    """The forecast's premise, on this instance: heavy ball from its iterate at tau_end stays within
    O(eff / tau_end) of the flow continuing it, over a further factor 10 of tau."""
    run, eff, tau, W = _base()
    T0 = int(run.t[-1])
    ext = _real(10 * T0)
    t_ext = ext.t * eff[HB_LOGISTIC]
    late = t_ext > 2 * tau[-1]
    Z, s2, _, _ = gd_runs._step_sizes(INSTANCE)
    flow = gradient_flow_log_time(Z, W[-1], tau[-1], t_ext[late], "logistic", time_scale=s2)
    assert flow.info["success"]
    dev = float(np.max(np.abs(flow.w - ext.w[late, 0])))
    assert dev <= 2 * eff[HB_LOGISTIC] / tau[-1], dev  # measured 1.1e-4 = 1.26 eff / tau_end
    # while rho = w - w_hat log tau moves by O(1) there: the agreement is not that of a frozen run
    move = float(np.linalg.norm(flow.w[-1] - W[-1] - math.log(t_ext[-1] / tau[-1]) * svm_of(INSTANCE)[0]))
    assert move > 1000 * dev, (move, dev)


def test_forecast_matches_the_real_run_and_is_beyond_the_budget():
    run, eff, tau, W = _base()
    w_hat, a, _, mu = svm_of(INSTANCE)
    Z = gd_runs._step_sizes(INSTANCE)[0]
    T0 = int(run.t[-1])
    steps = run.t[run.t * eff[HB_LOGISTIC] > 1.0].astype(np.int64)
    assert not regime_test(tau, W, w_hat, mu, Z)[0]
    budget = int(min(100 * T0, gd_runs.MAX_EXT_STEPS))
    # the real heavy ball at x10 fails the regime test; so does the forecast of that run (the same
    # checkpoints, GD to T0 and the flow after), and the forecast of the run at the budget (x100)
    ext = _real(10 * T0)
    t_ext = ext.t * eff[HB_LOGISTIC]
    keep = t_ext > 1.0
    assert not regime_test(t_ext[keep], ext.w[keep, 0], w_hat, mu, Z)[0]
    assert forecast(INSTANCE, HB_LOGISTIC, steps, W, np.array([10 * T0])) == math.inf
    assert forecast(INSTANCE, HB_LOGISTIC, steps, W, np.array([budget])) == math.inf
    # the horizon it needs: tau_end ~ 8e10, ~3.6e9 steps, 1400x the step budget
    cands = (T0 * 10.0 ** (np.arange(1, 33) / 4)).astype(np.int64)
    F = forecast(INSTANCE, HB_LOGISTIC, steps, W, cands)
    assert 1e5 * T0 <= F <= 1e6 * T0 and F > 1000 * gd_runs.MAX_EXT_STEPS, F / T0
    # forecast again from the longer run: the same horizon
    F10 = forecast(INSTANCE, HB_LOGISTIC, ext.t[keep].astype(np.int64), ext.w[keep, 0], cands[cands > 10 * T0])
    assert F10 == F


def test_claim_reports_the_instance_out_of_reach_without_rerunning():
    for f in (gd_runs.gd_runs, settled_runs):
        f.cache_clear()
    runs = settled_runs(INSTANCE)
    r = runs[HB_LOGISTIC]
    assert not r[3] and r[4] == 1 and r[5]["out_of_reach"]  # not re-run: the budget could not reach it
    assert r[5]["forecast_steps"] > 1000 * gd_runs.MAX_EXT_STEPS
    assert all(runs[b][3] for b in range(len(VARIANTS)) if b != HB_LOGISTIC)
    ev = safe_evaluate(registry.get("gd-separable-rate"), INSTANCE, None)
    assert ev.outcome == "inconclusive", ev.why()
    assert "heavy-ball/logistic still in a transient" in ev.convergence_note
    assert "the run at the budget would fail the regime test: not run further" in ev.convergence_note
