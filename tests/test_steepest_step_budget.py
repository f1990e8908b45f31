"""Steepest descent's step budget is derived from the instance (theorems.families.separable.steepest.sd_step_bound).

Regression: on the thorough profile's instance below (l1 max margin gamma_1 = 0.0458, B = max ||z_i||_inf
= 0.830, (B/gamma_1)^2 = 328, log(1/L(w0)) = -1.99) greedy coordinate descent with c = 1/20 needs ~6600
steps per unit of log(1/L); the former fixed budget of 2.5e5 steps stopped it at log(1/L) = 37.8, where the
early-window rate term 2 C / s_e = 2.7e-2 (+ jitter 2.6e-3) exceeded the claim's resolution 3e-2:
inconclusive. The descent-lemma bound gives 6.87e5 steps to log(1/L) = 100; the run takes 6.57e5 (~5 s)
and passes (tolerance 1.1e-2)."""
import numpy as np
import pytest

from models.separable import steepest_descent_log_domain
from solvers.svm import signed_data
from theorems import registry
from theorems.families.separable.common import lp_reference
from theorems.families.separable.steepest import SD_C, SD_STEP_CAP, sd_step_bound

# steepest-descent-l1-max-margin, thorough profile, the inconclusive instance
INST = {"X": np.array([[-0.049463689117187855, 0.18481542158292985, -0.040835523788558196, 0.0787721467217366],
                       [-0.015006023671096118, -0.08673456172915496, 0.12950494451890068, -0.1512522038349248],
                       [-0.11473713848392122, 0.07531697971443377, -0.02907124736298166, -0.17797770676000665],
                       [-0.1326832489028424, -0.21855244759698786, 0.0696573545816977, -0.04990040083563853],
                       [0.8304835170881282, 0.46298568753569597, -0.11971786445180978, 0.0882185485130121]]),
        "y": np.array([-1.0, 1.0, 1.0, 1.0, 1.0]),
        "w0": np.array([-1.2062387681304405, -0.9596287058093766, -1.2392506750113437, 0.12668787451447155]),
        "weight": 1.0}


def _gamma(p):
    Z = signed_data(INST["X"], INST["y"])
    u = lp_reference(INST["X"], INST["y"], p)[0]
    return Z, float(np.min(Z @ (u / np.linalg.norm(u, p))))


@pytest.mark.parametrize("p", [1, np.inf])
def test_the_step_bound_is_an_upper_bound_and_nearly_tight(p):
    """The run reaches s_end within the bound (it is a proof, not an estimate), and uses most of it
    (||q||_* -> gamma_p, so the per-step gain tends to the bound's c (1 - c e^c/2) gamma_p^2 / B^2)."""
    Z, g = _gamma(p)
    s_end = 8.0
    need = sd_step_bound(Z, INST["w0"], None, p, SD_C, g, s_end=s_end)
    run = steepest_descent_log_domain(Z, INST["w0"], p, s_end, c=SD_C, max_steps=int(np.ceil(need)) + 1)
    assert run.info["reached"] >= s_end
    assert 0.5 * need < run.info["steps"] <= need


def test_the_former_fixed_budget_was_too_small_and_the_derived_one_fits_the_cap():
    Z, g = _gamma(1)
    assert abs(g - 0.04584801527660504) < 1e-9
    need = sd_step_bound(Z, INST["w0"], None, 1, SD_C, g)
    assert 250_000 < need < SD_STEP_CAP  # 6.87e5: within the ~10 s cap


@pytest.mark.thorough  # one run of 6.6e5 steps: ~5 s, plus the mutants (memoized run)
def test_thorough_inconclusive_instance_is_resolved():
    claim = registry.get("steepest-descent-l1-max-margin")
    ev = claim.evaluate(dict(INST))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["steps"] < ev.details["step_bound"] < SD_STEP_CAP
    assert ev.gap <= ev.tolerance
    assert sum(ev.run_budget.values()) < claim.resolution.declared  # was 3.01e-2 > 3e-2


def test_a_run_stopped_by_the_cap_is_inconclusive_and_reports_the_steps_it_needs(monkeypatch):
    """Beyond the cap the instance is not judged below SD_MIN_S: the note gives the bound's step count."""
    from theorems.families.separable import steepest
    monkeypatch.setattr(steepest, "SD_STEP_CAP", 20_000)
    ev = registry.get("steepest-descent-l1-max-margin").evaluate(dict(INST))
    assert ev.outcome == "inconclusive"
    assert ev.details["steps"] == 20_000 and abs(ev.details["step_bound"] - 6.87e5) < 1e4
    assert "takes up to 6.87e+05 steps" in ev.why()
