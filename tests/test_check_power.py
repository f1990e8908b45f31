"""Deliberately broken claims: the engine must put each out of good standing, not merely lose a
mutant. Plus the open expectation (measured, calibrated), the targeted search and the shrinking
budget, on toy claims whose truth is known."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st

from solvers.certificate import Certificate
from theorems import engine, registry
from theorems.audit import shared_code
from theorems.contract import Assumption, Claim, Evidence, Field, Mutant, Resolution, Verdict, far, near
from theorems.engine import run_claim
from theorems.resolution import perturb_limit, shift


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))


# ---- 1. a tolerance loosened a million times ---------------------------------------------------

def test_loosened_tolerance_is_out_of_good_standing():
    """Every built-in mutant of the real claim misses by O(1), so they all stay caught with a 1e6x
    looser tolerance; the resolution mutant at the declared 1e-8 does not."""
    real = registry.get("gd-least-squares-min-norm")

    def loose(inst, stmt):
        ev = real.check(inst, stmt)
        ev.tolerance *= 1e6
        return ev

    res = run_claim(real.with_(check=loose), "quick")
    assert res.verdict == Verdict.CONFIRMED
    assert res.mutants_caught == len(res.mutants), "the O(1) mutants do not see the loosened tolerance"
    assert res.resolution is not None and not res.resolution.met
    assert not res.in_good_standing
    # the same claim, untouched, meets its resolution
    assert run_claim(real, "quick").in_good_standing


# ---- 2. a defect term that swallows a wrong right-hand side ------------------------------------

B = 1.0


def _flow(x0, target, T):
    """Exact flow x' = -(x - target) from x0, sampled at 0.9 T and T."""
    return [target + (x0 - target) * math.exp(-t) for t in (0.9 * T, T)]


def _defect_check(rhs_target):
    def check(inst, stmt):
        x_mid, x_end = _flow(inst["x0"], rhs_target(inst), inst["T"])
        motion = abs(x_end - x_mid)  # a remaining-motion term, measured on the run
        pred = stmt["limit"](inst)
        return Evidence(gap=abs(x_end - pred), tolerance=1e-12 + 50.0 * motion,
                        tolerance_reason="1e-12 + 50 x the motion over the last 10% of the run",
                        certificates=[Certificate("toy", {"r": 0.0}, 1e-12)],
                        run_budget={"remaining motion": 50.0 * motion})
    return check


def _defect_claim(rhs_target):
    return Claim(
        id="toy-flow-limit", title="x' = -(x - b) lands on b", statement="x(inf) = b", source="test", family="toy",
        assumptions=(Assumption("T > 0", lambda i: None if i["T"] > 0 else "T <= 0"),),
        fields=(Field("x0", 0, "start"), Field("T", 0, "horizon")),
        strategy=lambda: st.fixed_dictionaries({"x0": st.floats(-3, 3), "T": st.just(3.0)}),
        check=_defect_check(rhs_target), params={"limit": lambda inst: B},
        mutants=(Mutant("wrong-limit", "x(inf) = b + 1", {"limit": lambda inst: B + 1.0}),),
        resolution=Resolution(1e-6, "absolute shift of the limit", lambda stmt, r: {"limit": lambda inst: B + r}),
        kind="identity")


def test_defect_term_that_swallows_a_wrong_rhs_is_inconclusive():
    """A short horizon leaves motion of order e^-2.7 |x0 - b| ~ 0.07, and 50x that absorbs a 1%
    error of the right-hand side (target 1.01 b): without the cap this buggy flow is confirmed."""
    buggy = _defect_claim(lambda inst: 1.01 * B)
    uncapped = buggy.with_(resolution=Resolution(1e-6, "absolute shift", buggy.resolution.mutate, cap=math.inf))
    r0 = run_claim(uncapped, "quick")
    assert r0.verdict == Verdict.CONFIRMED, "the uncapped defect term hides the bug (the hole this test closes)"
    res = run_claim(buggy, "quick")
    assert res.verdict == Verdict.INCONCLUSIVE and not res.in_good_standing
    assert "error budget" in res.note and "exceeds what this claim resolves" in res.note
    # the instance is kept for replay (a thorough search's draw could not be found again otherwise)
    saved = np.load(res.inconclusive_path)
    assert float(saved["x0"]) == res.first_inconclusive.instance["x0"]


# ---- 3. a certificate sharing the solver's helper ----------------------------------------------

def _verify_sharing(raw, reference):
    from solvers.min_norm import row_space_basis  # the solver's own helper

    Vr, Vn, _ = row_space_basis(raw["X"])
    return Certificate("shares the solver's row-space helper", {"null": float(np.linalg.norm(Vn.T @ reference["w"]))}, 1e-8)


def test_certificate_sharing_the_solvers_helper_is_flagged():
    real = registry.get("gd-least-squares-min-norm")
    assert not shared_code(real.verify), "the real certificate is independent"
    found = shared_code(_verify_sharing)
    assert any("solvers.min_norm" in f for f in found), found
    res = run_claim(real.with_(verify=_verify_sharing), "quick", with_mutants=False)
    assert res.audit and not res.in_good_standing


def test_independent_certificate_rejects_a_wrong_reference():
    """The engine hands the reference to verify: a solver bug (a forgotten w0) that its own
    certificate cannot see makes the claim inconclusive, never confirmed."""
    from solvers.min_norm import min_norm_interpolant

    real = registry.get("gd-least-squares-min-norm")

    def buggy_check(inst, stmt):
        ev = real.check(inst, stmt)
        w_bad, _ = min_norm_interpolant(inst["X"], inst["y"], np.zeros_like(inst["w0"]))
        ev.reference = {"w": w_bad}
        return ev

    res = run_claim(real.with_(check=buggy_check), "quick", with_mutants=False)
    assert res.verdict == Verdict.INCONCLUSIVE and "independent" in res.note


# ---- the open expectation ----------------------------------------------------------------------

def _open_check(inst, stmt):
    gap = abs(inst["x"]) * stmt["slope"]
    return Evidence(gap=gap, tolerance=1e-3, tolerance_reason="calibration threshold 1e-3",
                    certificates=[Certificate("toy", {"r": 0.0}, 1e-12)])


def _open_claim(near_slope=0.0, far_slope=10.0):
    return Claim(
        id="toy-open", title="a conjecture", statement="gap is small", source="test", family="toy",
        assumptions=(Assumption("finite", lambda i: None),), fields=(Field("x", 0, "a number"),),
        strategy=lambda: st.fixed_dictionaries({"x": st.floats(0.1, 1.0)}),
        check=_open_check, params={"slope": 0.5},
        mutants=(near("true-case", "slope 0", {"slope": near_slope}),
                 far("false-case", "slope 10", {"slope": far_slope},
                     strategy=lambda: st.fixed_dictionaries({"x": st.floats(0.5, 1.0)}))),
        expected="open", kind="limit")


def test_open_claim_is_measured_with_calibrations():
    res = run_claim(_open_claim(), "quick")
    assert res.verdict == Verdict.MEASURED and res.in_good_standing
    s = res.gap_summary()
    assert 0.05 <= s["min"] <= s["median"] <= s["max"] <= 0.5
    assert res.worst_path and np.load(res.worst_path)["x"] * 0.5 == pytest.approx(s["max"])
    assert all(m.calibration and m.caught for m in res.mutants)


def test_open_claim_with_a_failing_calibration_is_out_of_good_standing():
    assert not run_claim(_open_claim(near_slope=1.0), "quick").in_good_standing
    assert not run_claim(_open_claim(far_slope=1e-5), "quick").in_good_standing


# ---- resolution ladder, targeted search, shrinking budget --------------------------------------

def _exact_check(inst, stmt):
    pred = stmt["limit"](inst)[0]
    return Evidence(gap=float(np.linalg.norm(inst["v"] - pred) / np.linalg.norm(inst["v"])), tolerance=3e-10,
                    tolerance_reason="exact", certificates=[Certificate("toy", {"r": 0.0}, 1e-12)])


def test_resolution_ladder_measures_the_finest_refuted_size():
    claim = Claim(
        id="toy-exact", title="exact", statement="v = v", source="test", family="toy",
        assumptions=(Assumption("ok", lambda i: None),), fields=(Field("v", 1, "a vector"),),
        strategy=lambda: st.builds(lambda s: {"v": np.random.default_rng(s).standard_normal(4)}, st.integers(0, 99)),
        check=_exact_check, params={"limit": lambda inst: (inst["v"], None)},
        mutants=(Mutant("zero", "v = 0... almost", {"limit": lambda inst: (0.5 * inst["v"], None)}),),
        resolution=Resolution(1e-6, "relative perturbation", perturb_limit("limit")), kind="identity")
    res = run_claim(claim, "quick")
    assert res.resolution.met and res.resolution.measured == pytest.approx(1e-9)
    coarse = claim.with_(resolution=Resolution(1e-12, "relative perturbation", perturb_limit("limit")))
    r2 = run_claim(coarse, "quick")
    assert not r2.resolution.met and r2.resolution.measured == pytest.approx(1e-9) and not r2.in_good_standing


def test_shift_and_targeted_search_report_the_largest_ratio():
    calls = []

    def check(inst, stmt):
        calls.append(inst["x"])
        return Evidence(gap=abs(inst["x"] - stmt["order"]), tolerance=0.5, tolerance_reason="order",
                        certificates=[Certificate("toy", {"r": 0.0}, 1e-12)])

    claim = Claim(
        id="toy-order", title="order", statement="x ~ 2", source="test", family="toy",
        assumptions=(Assumption("ok", lambda i: None),), fields=(Field("x", 0, "x"),),
        strategy=lambda: st.fixed_dictionaries({"x": st.floats(1.6, 2.4)}),
        check=check, params={"order": 2.0}, mutants=(Mutant("one", "order 1", {"order": 1.0}),),
        resolution=Resolution(0.5, "order off by r", shift("order")), kind="rate")
    res = run_claim(claim, "quick")
    assert res.verdict == Verdict.CONFIRMED and res.max_ratio is not None and 0 < res.max_ratio <= 1
    assert res.resolution.measured == pytest.approx(0.5) and res.resolution.met  # 0.1 is inside the spread of x


def test_shrinking_stops_at_its_budget_and_keeps_the_counterexample(monkeypatch):
    import time

    monkeypatch.setitem(engine.SHRINK_SECONDS, "quick", 0.05)

    def slow(inst, stmt):
        time.sleep(0.01)
        return Evidence(gap=abs(inst["x"]), tolerance=1.0, tolerance_reason="c",
                        certificates=[Certificate("toy", {"r": 0.0}, 1e-12)])

    claim = Claim(
        id="toy-slow", title="slow", statement="|x| <= 1", source="test", family="toy",
        assumptions=(Assumption("ok", lambda i: None),), fields=(Field("x", 0, "x"),),
        strategy=lambda: st.fixed_dictionaries({"x": st.floats(-1e6, 1e6)}),
        check=slow, params={}, mutants=(), kind="identity")
    res = run_claim(claim, "quick", with_mutants=False)
    assert res.verdict == Verdict.REFUTED
    assert "shrinking stopped" in res.shrink_note
    assert abs(res.counterexample.instance["x"]) > 1.0
    assert np.load(res.counterexample_path)["x"] == res.counterexample.instance["x"]
