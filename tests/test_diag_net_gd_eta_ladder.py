"""diag-net-gd-misses-by-eta on the thorough profile's inconclusive instance (two points in R^5,
alpha 0.459). Its run budget was 3.03e-2 (Richardson correction 3.0e-2) over the cap 2e-2: y has a
large component (1.41) along the weak direction of X (singular values 1 and 0.111), so ||beta*|| = 13.4
(|beta*_5| = 10.8) and the weights grow from w+^2 + w-^2 = 0.42 at the start to 10.8 at the limit, 25.8x
the curvature that the step bound (taken at the start) scales the ladder by. At eta = 0.2..0.025 x bound
the eta^2 term of the miss is still large: the local slopes are 0.874, 0.941, 0.972 (1 - s halving per
halving, 0.126 -> 0.059 -> 0.028), so the correction |s3 - s2| is 0.030 although the Richardson values
themselves (1.009, 1.002, 1.0005) are already close to 1. The ladder is now extended one halving at a time
while the budget exceeds half the cap: here 2 halvings (to 0.00625 x bound), correction 7.0e-3, order 1.0001.
"""
import numpy as np

from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.diag_net.asymptotics import GD_FRACTIONS, _gd_fit
from theorems.families.diag_net.common import _q_general, _start

CLAIM = "diag-net-gd-misses-by-eta"
INSTANCE = {
    "X": np.array([[0.5860017073618071, -0.550307915589287, 0.4892043479677047, -0.0678936162071664, -0.3260545270756978],
                   [0.1089179768545425, 0.009273413998007267, 0.03508004260224537, -0.0006356478268562136,
                    0.05232805640440568]]),
    "y": np.array([-0.5451226380027724, 1.405607802566782]),
    "alpha": 0.458629110224014,
}


def test_the_base_ladder_alone_is_over_the_cap_on_this_instance():
    X, y = INSTANCE["X"], INSTANCE["y"]
    wp, wm = _start(INSTANCE)
    beta, _, info = _q_general(X, y, wp, wm, False)
    *_, local, order, budget = _gd_fit(X, y, wp, wm, beta, info["curvature"], GD_FRACTIONS)
    assert sum(budget.values()) > registry.get(CLAIM).resolution.budget_cap  # 3.03e-2 > 2e-2
    assert abs(order - 1.0) < 0.01 and np.all(np.diff(local) > 0)  # slopes rise to 1: the eta^2 term, not noise


def test_instance_is_resolved_and_its_mutants_refuted():
    c = registry.get(CLAIM)
    ev = safe_evaluate(c, INSTANCE, None)
    assert ev.outcome == "pass", ev.why()
    assert ev.converged and sum(ev.run_budget.values()) <= c.resolution.budget_cap / 2
    assert ev.gap <= ev.tolerance
    assert len(ev.details["fractions"]) > len(GD_FRACTIONS)  # the ladder was extended (to 0.00625 x bound)
    for m in c.mutants:
        e = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert e.converged and e.outcome == "fail", (m.id, e.why())
    # the resolution mutant (order off by 0.02, either way) is refuted here too
    for r in (c.resolution.declared, -c.resolution.declared):
        e = safe_evaluate(c, INSTANCE, {**c.params, "order": 1.0 + r})
        assert e.converged and e.outcome == "fail", (r, e.why())
