"""square-reparam-l1-limit on the thorough profile's inconclusive instance: the approach to the
min-l1 interpolant is still pre-asymptotic at alpha = 1e-8 (off-basis coordinate 1, s0 = 0.5005, has
q K = 521, so eps = q K alpha^{s0} = 0.05 there and the local slopes 0.34, 0.41, 0.46 are still
rising: slope-change ratio r = 1.00). The alpha sequence is followed further while the slope is not
settled; at 1e-10 it is (r = 0.49) and the order s0 is confirmed, its +-0.05 shifts refuted."""
import numpy as np
import pytest
from scipy.special import lambertw

from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.mirror_descent import asymptotics as asy
from theorems.families.mirror_descent.common import flow_limit_error_bound, flow_to_limit, lp_reference, slope_order

INSTANCE = {
    "X": np.array([[0.22011261887159345, -0.2339493061081414, -0.8092429498487917, -0.07522227243755483, 0.8179918995474929],
                   [-0.3534391748672801, 0.9692856112873802, 0.3259074935112368, -0.4938923597366787, -0.5346064711800892],
                   [-0.503439992076465, -0.8225619504891992, 0.04187055542210759, -0.07206081188882879, 0.1711720336174241]]),
    "y": np.array([-1.1718918067414001, -0.2955337477701083, -0.8541891109883423]),
}


def test_the_first_seven_alphas_are_pre_asymptotic():
    X, y = INSTANCE["X"], INSTANCE["y"]
    u = lp_reference(X, y)[0]
    runs = [flow_to_limit(X, y, a) for a in asy.ALPHAS_SMALL]
    ds = np.array([np.linalg.norm(r.u_final - u) for r in runs])
    errs = np.array([flow_limit_error_bound(X, y, r.u_final, a) for r, a in zip(runs, asy.ALPHAS_SMALL)])
    fit = slope_order(asy.ALPHAS_SMALL, ds, errs)
    assert fit.ratio >= 0.8 and fit.bound > asy.L1_RESOLUTION  # the run the thorough profile saw
    assert np.all(np.diff(fit.slopes) > 0) and fit.slopes[-1] < 0.47
    assert 0.04 < asy.regime_parameter(X, y, 1e-8) < 0.06


def test_lambert_w_regime_matches_the_flow():
    """u_j = W(q K alpha^{s_j}) / q (derivation in asymptotics.regime_parameter) against the flow."""
    X, y = INSTANCE["X"], INSTANCE["y"]
    u, _, s, _ = lp_reference(X, y)
    on = u > 1e-9 * u.sum()
    B = X[:, on]
    K = float(np.exp(X[:, 1] @ np.linalg.solve(B.T, np.log(u[on]))))
    q = float(np.sum(np.linalg.solve(B, X[:, 1]) ** 2 / u[on]))
    assert q * K == pytest.approx(521.5, rel=1e-3)
    for a in (1e-8, 1e-10):
        pred = float(lambertw(q * K * a ** s[1]).real) / q
        assert flow_to_limit(X, y, a).u_final[1] == pytest.approx(pred, rel=3e-3 if a == 1e-8 else 1e-5)


def test_claim_is_conclusive_after_following_alpha_further():
    c = registry.get("square-reparam-l1-limit")
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["alphas"][-1] == pytest.approx(1e-10) and ev.converged
    assert sum(ev.run_budget.values()) < asy.L1_RESOLUTION / 2
    assert abs(ev.details["extrapolated_order"] - ev.details["s0"]) < 0.006
    for r in (-asy.L1_RESOLUTION, asy.L1_RESOLUTION):
        bad = safe_evaluate(c, INSTANCE, dict(c.resolution.mutate(c.params, r)))
        assert bad.outcome == "fail", bad.why()
    for m in c.mutants:
        bad = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert bad.outcome == "fail", (m.id, bad.why())
