"""two-layer-balancedness on the thorough profile's counterexample: GD near its stability edge at
eta = T/100, where one unit's drift falls like eta^2 over k = 100 ... 800 (its first-order
coefficient is small against the second-order one). The statement O(eta) is an upper bound: it
passes; the O(eta^2) mutant is still refuted (another unit shows order 1, checked on a finer window)."""
import numpy as np

from models.wide_net import two_layer_gd
from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.neurons.balancedness import K_MAX, order_test

INSTANCE = {
    "X": np.array([[2.0409191213851825, -2.5556650313141818, 1.0], [0.41809884672577885, -0.5677696061279298, 1.0],
                   [-0.45264929211044586, -0.2155971630897659, 1.0]]),
    "y": np.array([-4.039972258294502, -0.46386475528837895, -1.7304261525498834]),
    "a0": np.array([2.326099661651418, 0.15805062925954522, -0.24684155603911676]),
    "W0": np.array([[-0.19690119270594525, -0.46763244227626505, -0.7386053858435849],
                    [-0.2735606840642583, 0.3373617719547501, -0.16698752460135668],
                    [0.6704310920718348, -0.13986149034660597, 0.016981695553665233]]),
    "slope": 0.0, "T": 2.0,
}


def _drifts(ks):
    a0, W0 = INSTANCE["a0"], INSTANCE["W0"]
    out = []
    for k in ks:
        a, W, _, _ = two_layer_gd(a0, W0, INSTANCE["X"], INSTANCE["y"], INSTANCE["T"] / k, k, record_every=k)
        out.append((np.sum(W**2, 1) - a**2) - (np.sum(W0**2, 1) - a0**2))
    return INSTANCE["T"] / np.array(ks, float), np.array(out)


def test_unit_0_is_pre_asymptotic_on_the_first_window():
    etas, d = _drifts([100, 200, 400, 800])
    local = np.diff(np.log(np.abs(d[:, 0]))) / np.diff(np.log(etas))
    assert np.all(np.abs(local - 2.0) < 0.05)  # looks like O(eta^2) ...
    etas, d = _drifts([12800, 25600, 51200])
    local = np.diff(np.log(np.abs(d[:, 0]))) / np.diff(np.log(etas))
    assert np.all(local < 1.3)  # ... but is O(eta) further down
    assert d[0, 1] == 0.0  # unit 1 is inactive on the data


def test_order_test_is_one_sided_and_skips_still_units():
    etas, d = _drifts([100, 200, 400, 800])
    gap, unit, fit, tol, _ = order_test(etas, d, 1.0, 1e-12)
    assert gap == 0.0 and unit == 2 and abs(fit.slope - 1.0) < 0.1  # the least steep unit, order 1
    gap2, unit2, _, _, _ = order_test(etas, d, 2.0, 1e-12)
    assert gap2 > 1.0 and unit2 == 2
    assert order_test(etas, np.zeros_like(d), 1.0, 1e-12) is None


def test_claim_on_the_counterexample():
    c = registry.get("two-layer-balancedness")
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    mutant = next(m for m in c.mutants if m.id == "gd-order-2")
    ev = safe_evaluate(c, INSTANCE, {**c.params, **mutant.overrides})
    assert ev.outcome == "fail" and ev.details["window_k"][1] <= K_MAX, ev.why()
