"""The engine's verdict logic on toy claims whose truth is known."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from solvers.certificate import Certificate
from theorems.contract import Assumption, Claim, Evidence, Field, Mutant, Resolution, Verdict
from theorems.engine import run_claim


_TOY_RESOLUTION = Resolution(0.1, "toy: the bound c replaced by -r (any draw refutes it)", lambda stmt, r: {"c": -r})


def _toy(check, expected="holds", mutants=None, assumptions=None, **kw):
    kw.setdefault("kind", "identity")  # compared with a closed form: no reference to certify
    kw.setdefault("resolution", _TOY_RESOLUTION)
    return Claim(
        id="toy-claim", title="toy", statement="|x| <= c", source="test", family="toy",
        assumptions=assumptions or (Assumption("x finite", lambda i: None if math.isfinite(i["x"]) else "inf"),),
        fields=(Field("x", 0, "a number"),),
        strategy=lambda: st.fixed_dictionaries({"x": st.floats(-10, 10)}),
        check=check, params={"c": 100.0},
        mutants=mutants or (Mutant("small-c", "c = 1", {"c": 1.0}),),
        expected=expected, **kw)


def _abs_check(cert_ok=True):
    def check(inst, stmt):
        cert = Certificate("toy", {"r": 0.0 if cert_ok else 1.0}, 1e-12)
        return Evidence(gap=abs(inst["x"]), tolerance=stmt["c"], tolerance_reason="c", certificates=[cert])
    return check


def test_confirmed_and_mutant_caught(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    res = run_claim(_toy(_abs_check()), "quick")
    assert res.verdict == Verdict.CONFIRMED and res.in_good_standing
    assert res.mutants[0].caught and res.mutants[0].verdict == "refuted"


def test_a_judged_claim_without_its_declarations_is_out_of_good_standing(tmp_path, monkeypatch):
    """A claim from any package that states no resolution, or compares against a reference without an
    independent certificate, cannot be in good standing however its check came out."""
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    for kw, missing in (({"resolution": None}, "no declared resolution"),
                        ({"kind": "limit"}, "no independent certificate")):
        res = run_claim(_toy(_abs_check(), **kw), "quick")
        assert res.verdict == Verdict.CONFIRMED and all(m.caught for m in res.mutants)
        assert not res.in_good_standing
        assert any(missing in a for a in res.audit), res.audit


def test_refuted_counterexample_is_shrunk_and_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    claim = _toy(_abs_check()).with_(params={"c": 1.0})
    res = run_claim(claim, "quick", with_mutants=False)
    assert res.verdict == Verdict.REFUTED
    x = res.counterexample.instance["x"]
    assert 1.0 < abs(x) <= 2.0, f"Hypothesis should shrink to a simple failing value, got {x}"
    saved = np.load(res.counterexample_path)
    assert float(saved["x"]) == x


def test_uncertified_reference_is_inconclusive_never_confirmed():
    res = run_claim(_toy(_abs_check(cert_ok=False)), "quick", with_mutants=False)
    assert res.verdict == Verdict.INCONCLUSIVE and not res.in_good_standing


def test_crashing_check_is_inconclusive_with_the_error_named():
    def boom(inst, stmt):
        raise FloatingPointError("solver blew up")
    res = run_claim(_toy(boom), "quick", with_mutants=False)
    assert res.verdict == Verdict.INCONCLUSIVE
    assert "FloatingPointError" in res.note


def test_precondition_misses_make_a_claim_inconclusive():
    claim = _toy(_abs_check(), assumptions=(Assumption("never", lambda i: "always violated"),))
    res = run_claim(claim, "quick", with_mutants=False)
    assert res.verdict == Verdict.INCONCLUSIVE
    assert "preconditions" in res.note or "assumptions" in res.note


def test_expected_fails_control_must_be_confirmed(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    claim = _toy(_abs_check(), expected="fails",
                 mutants=(Mutant("corrected", "c = 100", {"c": 100.0}, must=Verdict.CONFIRMED),)).with_(params={"c": 0.5})
    res = run_claim(claim, "quick")
    assert res.verdict == Verdict.REFUTED and res.in_good_standing
    assert res.mutants[0].caught


def test_inconclusive_calibration_evaluations_are_replaced_by_reserve_draws_and_reported():
    from theorems.mutation import run_mutant

    def check(inst, stmt):  # the run cannot reach its regime when x < 0: inconclusive there
        return Evidence(gap=abs(inst["x"]), tolerance=stmt["c"], tolerance_reason="c", converged=inst["x"] >= 0,
                        convergence_note="" if inst["x"] >= 0 else "regime not reached")

    claim = _toy(check, expected="open")
    near = Mutant("near", "c = 100", {"c": 100.0}, must=Verdict.CONFIRMED)
    insts = [{"x": 1.0}, {"x": -1.0}, {"x": 2.0}]
    res = run_mutant(claim, near, insts, reserve=lambda: [{"x": -3.0}, {"x": 4.0}], calibration=True)
    assert res.caught and res.replaced == 2 and res.instances == 3 and "2 inconclusive" in res.why
    # reserve exhausted: the inconclusive evaluation stays and the calibration does not count as caught
    res = run_mutant(claim, near, insts, reserve=[{"x": -3.0}], calibration=True)
    assert not res.caught and res.verdict == "inconclusive"
    # a far calibration must still be refuted on every evaluation, replacements included
    far = Mutant("far", "c = 0.5", {"c": 0.5})
    res = run_mutant(claim, far, insts, reserve=[{"x": 0.1}], calibration=True)
    assert not res.caught and res.refuted_on == 2 and res.replaced == 1
