"""deep-matrix-factorization-singular-values on the thorough profile's inconclusive instance (2 x 2,
m = 3 Gaussian measurements, depth 4). The flow settles on a rank-1 critical point with L > 0
(G = g u_2 v_2^T, g ~ 0.057 > 0, sigma_2 ~ 77/t^2): the residual target is unreachable and the run
stops at t = 1e6. The old budget weighted the growing max|I_2| (~5.7e4) by sigma_1^(2q) (4.7e-6);
each sigma_r's own sensitivity gives < 1e-9, and the window ends where the balancedness term,
N D int||G|| dt (||G|| stays 0.057), reaches the resolution."""
import numpy as np

from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.matrix.deep import (SV_RESOLUTION, SV_RTOL, SV_T_MAX, _predicted, sv_budget, sv_run)

CLAIM = "deep-matrix-factorization-singular-values"
INSTANCE = {
    "A": np.array([[[0.9017275691814342, -1.2105126315870363], [-0.8396005108487294, -0.45719352316760553]],
                   [[0.439430068009945, -0.16388773333926676], [-0.33792553415705895, 0.4394229258314077]],
                   [[0.14184978138498586, 0.4789160643011446], [0.0810252094285287, 0.5068897335278703]]]),
    "y": np.array([1.2222869455793595, -0.4150850533910272, -1.1526621856772405]),
    "W0": np.array([[-0.033573643119015506, 0.032311863989695135], [0.05007441205367305, 0.021430700471583467]]),
    "depth": 4, "seed": 63575181,
}


def _run():
    i = INSTANCE
    return sv_run(i["A"], i["y"], i["W0"], i["depth"], i["seed"])


def test_flow_settles_on_a_rank_one_critical_point():
    run = _run()
    assert run.stop == "time" and run.t == SV_T_MAX and not run.converged
    assert 0.22 < run.residual < 0.23  # target 1e-3 ||y|| ~ 1.9e-3: out of reach at any horizon
    M = INSTANCE["A"].reshape(3, 4)
    G = ((M @ run.X.ravel() - INSTANCE["y"]) @ M).reshape(2, 2)
    U, s, Vt = np.linalg.svd(run.X)
    C = U.T @ G @ Vt.T  # G in the singular bases: only the (2, 2) entry survives
    assert abs(C[1, 1] - 0.0569) < 1e-3 and np.max(np.abs(C.ravel()[:3])) < 1e-12
    assert s[1] < 1e-9 * s[0]
    # sigma_2' = -4 sigma_2^(3/2) g  =>  (sigma_2^(-1/2))' = 2 g  =>  sigma_2 ~ 1/(2 g t)^2 = 77/t^2
    assert abs(s[1] * (2.0 * C[1, 1] * run.t) ** 2 - 1.0) < 1e-3


def test_integral_budget_uses_each_singular_values_sensitivity():
    run = _run()
    sig = np.array([np.linalg.svd(X, compute_uv=False) for X in run.history_X])
    state, integ, bal, _ = sv_budget(run, sig, 0.75, 4.0, 4)
    I = run.history_extra[:, :2]
    old = 2.0 * np.sqrt(run.steps + 1.0) * SV_RTOL * 4.0 * sig.max() ** 1.5 * np.abs(I).max()
    assert np.abs(I[:, 1]).max() > 5e4 and old / sig.max() > 1e-6  # what made the instance inconclusive
    assert integ[-1] / sig.max() < 1e-9
    gap = np.max(np.abs(_predicted(sig[0][None, :], I, 0.75, 4.0) - sig))
    assert gap < 0.1 * (state[-1] + integ[-1])  # the ODE budget holds with room on the whole run
    assert bal[-1] / sig.max() > SV_RESOLUTION  # ... but the balancedness term over 1e6 does not fit


def test_claim_passes_on_its_window_and_still_resolves():
    c = registry.get(CLAIM)
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    d = ev.details
    assert 1e4 < d["window_t"] < d["t_end"] == SV_T_MAX
    assert sum(ev.run_budget.values()) <= SV_RESOLUTION
    assert d["window_power"] > 10 * ev.tolerance and ev.gap < 1e-2 * ev.tolerance
    for m in c.mutants:
        ev = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert ev.outcome == "fail", (m.id, ev.why())
    ev = safe_evaluate(c, INSTANCE, {**c.params, **c.resolution.mutate(c.params, SV_RESOLUTION)})
    assert ev.outcome == "fail", ev.why()
