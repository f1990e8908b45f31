"""relu-smoothing-spline-trajectory on the thorough profile's inconclusive instance (sb = 1.756, six
points, antisymmetric start). Its width error e_t = ||P(f_n - g_t)(X)|| / ||P f_n(X)|| was 0.27 at
n = 8192 (t = 1, seed 0; cap 0.1). Root cause: P y has only 3.0% of its norm along the top eigenvector
of the projected limit kernel (mu = 0.174, 0.020, 0.0041, 0.0016; components -0.03, -0.45, 0.57, 0.69),
so ||K P y|| = 0.0108 ||P y|| = mu_max / 16, and at early times P f_n ~ eta_bar t K_n P y is small while
the kernel's O(n^-1/2) fluctuation (of size ~ mu_max) acts on all of P y: the relative error is
amplified ~16x. The normalization is the right one (D_t is in the same ||P f_n|| units, and it is at
early t that the constant of lam is resolved); the run needs wider nets. The sweep now doubles the
width beyond the instance's largest until the largest nets' error fits the cap (here 16384, 32768:
e = 0.086), up to max_width."""
import numpy as np

from theorems import registry
from theorems.engine import safe_evaluate

CLAIM = "relu-smoothing-spline-trajectory"
INSTANCE = {
    "x": np.array([-1.21089599, -0.56822188, 0.02309406, 0.7439804, 1.24851438, 1.95852137]),
    "y": np.array([-0.9305013, 0.35538818, 0.19629922, -0.53586312, 1.4278943, 1.10486742]),
    "sw": 1.0, "sb": 1.75622261508363, "seed": 89112, "start": 1,
    "widths": np.array([256, 512, 1024, 2048, 4096, 8192]), "n_seeds": 2, "step_frac": 0.05,
    "record_steps": np.array([1, 4, 16, 64, 256]),
}


def test_instance_is_resolved_by_wider_nets_and_its_mutants_refuted():
    c = registry.get(CLAIM)
    ev = safe_evaluate(c, INSTANCE, None)
    assert ev.outcome == "pass", ev.why()
    assert ev.converged and ev.gap <= ev.tolerance
    assert sum(ev.run_budget.values()) <= c.resolution.budget_cap
    assert ev.details["extended_widths"] == [16384, 32768] and ev.details["largest_width"] == 32768
    for m in c.mutants:
        e = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert e.converged and e.outcome == "fail", (m.id, e.why())


def test_without_the_extension_the_instance_is_inconclusive_and_says_what_it_needs():
    c = registry.get(CLAIM)
    ev = safe_evaluate(c, {**INSTANCE, "max_width": 8192}, None)
    assert ev.outcome == "inconclusive" and "exceeds what this claim resolves" in ev.why()
    assert ev.details["extended_widths"] == [] and ev.details["width_needed_for_cap"] == 65536  # 8192 (0.27 / 0.1)^2
