"""A broken GD must not pass the separable claims that continue GD by the gradient flow.

gd-separable-svm-direction (and the margin-gap erratum) judge the limit on the exponential-loss flow
continuing each GD / heavy-ball run from its last iterate; that flow reaches w_hat from any start, so
the direction alone cannot see GD. The step-size refinement of
theorems/families/separable/consistency.py must: each bug below is patched into the dynamics the
family calls (``gd_runs.gd_separable_batched``), the direction at log(1/L) = 1e10 still lands on
w_hat (gap <= tolerance: the continuation alone would pass), and the instance / the claim is
inconclusive, out of good standing."""
from __future__ import annotations

import numpy as np
import pytest

import models.separable as ms
from theorems import registry
from theorems.contract import Verdict
from theorems.engine import run_claim, safe_evaluate
from theorems.families.separable import common, consistency, gd_runs
from theorems.strategies.separable import separable_data

REAL = ms.gd_separable_batched


def _clear():
    for f in (gd_runs.gd_runs, gd_runs.settled_runs, consistency.consistency, common.far_flow):
        f.cache_clear()


@pytest.fixture(autouse=True)
def _fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_HOME", str(tmp_path))
    _clear()  # memoized runs of the real GD must not answer for the broken one, nor the reverse
    yield
    _clear()


def _rows(beta, which):
    """Boolean mask of the batch rows a bug affects: 'all', 'gd' (beta = 0) or 'hb' (beta > 0)."""
    b = np.asarray(beta, float)
    return np.ones_like(b, bool) if which == "all" else (b > 0 if which == "hb" else b == 0)


def _split(broken, which):
    """GD with ``broken(Z, w0, eta, T, kw)`` on the affected rows and the real GD on the others."""

    def run(Z, w0, eta, T, losses=("exp",), beta=0.0, **kw):
        B = len(w0)
        eta = np.broadcast_to(np.asarray(eta, float), (B,))
        beta = np.broadcast_to(np.asarray(beta, float), (B,))
        losses = tuple(losses) * (B if len(losses) == 1 else 1)
        hit = _rows(beta, which)
        out = REAL(Z, w0, eta, T, losses=losses, beta=beta, **kw)
        if hit.any():
            idx = np.flatnonzero(hit)
            bad = broken(Z, np.asarray(w0)[idx], eta[idx], T, tuple(losses[i] for i in idx), beta[idx], dict(kw))
            out.w[:, idx], out.loss[:, idx] = bad.w, bad.loss
        return out

    return run


def _labels_flipped(Z, w0, eta, T, losses, beta, kw):  # the gradient with the first point's label dropped (flipped)
    Z = np.array(Z, float)
    Z[0] = -Z[0]
    return REAL(Z, w0, eta, T, losses=losses, beta=beta, **kw)


def _point_dropped(Z, w0, eta, T, losses, beta, kw):  # the first point missing from the gradient
    if kw.get("weights") is not None:
        kw["weights"] = np.asarray(kw["weights"])[1:]
    return REAL(np.asarray(Z)[1:], w0, eta, T, losses=losses, beta=beta, **kw)


def _wrong_step(Z, w0, eta, T, losses, beta, kw):  # 1.5 x the stated step (still stable)
    return REAL(Z, w0, 1.5 * eta, T, losses=losses, beta=beta, **kw)


def _momentum_ignored(Z, w0, eta, T, losses, beta, kw):  # heavy ball run as plain GD
    return REAL(Z, w0, eta, T, losses=losses, beta=0.0 * beta, **kw)


BUGS = {
    "gd-labels-flipped": _split(_labels_flipped, "gd"),
    "gd-point-dropped": _split(_point_dropped, "gd"),
    "gd-wrong-step": _split(_wrong_step, "gd"),
    "heavy-ball-labels-flipped": _split(_labels_flipped, "hb"),
    "heavy-ball-momentum-ignored": _split(_momentum_ignored, "hb"),
}


def _instance(beta=0.6):
    X, y, _ = separable_data(np.random.default_rng(3), 6, 4, 2, gamma=0.6)
    return {"X": X, "y": y, "w0": np.zeros(4), "weight": np.ones(6), "eta_frac": 0.5, "beta": beta}


def test_split_helper_runs_the_real_gd_on_unaffected_rows():
    inst = _instance()
    Z = inst["y"][:, None] * inst["X"]
    w0 = np.zeros((2, 4))
    a = REAL(Z, w0, [0.1, 0.1], 30, losses=("exp", "exp"), beta=[0.0, 0.6])
    b = BUGS["heavy-ball-labels-flipped"](Z, w0, [0.1, 0.1], 30, losses=("exp", "exp"), beta=[0.0, 0.6])
    np.testing.assert_array_equal(a.w[:, 0], b.w[:, 0])
    assert not np.allclose(a.w[:, 1], b.w[:, 1])


def test_real_gd_follows_the_flow_at_first_order():
    from theorems.families.separable.gd import DIRECTION_STEPS, DIRECTION_TAU
    res = consistency.consistency(_instance(), DIRECTION_TAU, DIRECTION_STEPS)
    assert res["ok"], res["note"]
    assert all(0.9 <= r["order"] <= 2.1 for r in res["rows"]), res["rows"]
    ev = safe_evaluate(registry.get("gd-separable-svm-direction"), _instance(), None)
    assert ev.outcome == "pass", ev.why()
    assert "follow the gradient flow at first order" in ev.convergence_note


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_broken_gd_makes_the_direction_instance_inconclusive(monkeypatch, bug):
    monkeypatch.setattr(gd_runs, "gd_separable_batched", BUGS[bug])
    ev = safe_evaluate(registry.get("gd-separable-svm-direction"), _instance(), None)
    assert ev.gap <= ev.tolerance, "the continuation alone still lands on w_hat (the hole this test closes)"
    assert ev.outcome == "inconclusive", ev.why()
    assert "does not follow the gradient flow" in ev.convergence_note
    broken = [v for v, r in ev.details["gd_flow_consistency"].items() if not r["ok"]]
    side = "heavy-ball" if bug.startswith("heavy-ball") else "gd"
    assert broken and all(v.startswith(side) for v in broken), broken


@pytest.mark.parametrize("bug", ["gd-labels-flipped", "heavy-ball-momentum-ignored"])
def test_broken_gd_puts_the_direction_claim_out_of_good_standing(monkeypatch, bug):
    monkeypatch.setattr(gd_runs, "gd_separable_batched", BUGS[bug])
    res = run_claim(registry.get("gd-separable-svm-direction"), "quick", with_mutants=False)
    assert res.verdict in (Verdict.REFUTED, Verdict.INCONCLUSIVE) and not res.in_good_standing, res.note
    assert "does not follow the gradient flow" in res.note


def test_broken_gd_puts_the_margin_gap_erratum_out_of_good_standing(monkeypatch):
    """An expected-fails claim: a broken GD must not be 'refuted as expected'."""
    claim = registry.get("separable-margin-gap-single-sv")
    X, y, _ = separable_data(np.random.default_rng(1), 5, 3, 1, gamma=0.6)
    inst = {"X": X, "y": y, "w0": np.zeros(3), "weight": np.ones(5), "eta_frac": 0.5, "beta": 0.5}
    assert safe_evaluate(claim, inst, None).outcome == "fail"  # the real GD: the erratum is refuted
    monkeypatch.setattr(gd_runs, "gd_separable_batched", BUGS["gd-point-dropped"])
    _clear()
    ev = safe_evaluate(claim, inst, None)
    assert ev.outcome == "inconclusive" and "does not follow the gradient flow" in ev.convergence_note, ev.why()
    _clear()
    res = run_claim(claim, "quick", with_mutants=False)
    assert res.verdict != Verdict.REFUTED and not res.in_good_standing, res.note


def test_a_flow_that_lands_elsewhere_is_refuted_not_excused(monkeypatch):
    """The direction is estimated by the secant of the continuing flow over its last decade, with an
    error bound that uses neither w_hat nor the statement: a continuation that drops the support
    vector of largest dual (its limit is another SVM) is a counterexample, not an inconclusive run."""
    from theorems.families.separable import gd
    X, y, _ = separable_data(np.random.default_rng(2), 3, 2, 2, gamma=0.6)  # small: the broken flow is stiff
    inst = {"X": X, "y": y, "w0": np.zeros(2), "weight": np.ones(3), "eta_frac": 0.5, "beta": 0.6}
    claim = registry.get("gd-separable-svm-direction")
    assert safe_evaluate(claim, inst, None).outcome == "pass"
    k = int(np.argmax(gd.svm_of(inst)[1]))
    real = common.far_flow

    def dropped(Z, w_start, weights, frame, loose=False):
        keep = np.arange(len(Z)) != k
        return real(np.asarray(Z)[keep], w_start, None if weights is None else np.asarray(weights)[keep], frame, loose)

    monkeypatch.setattr(gd, "far_flow", dropped)
    ev = safe_evaluate(claim, inst, None)
    assert ev.outcome == "fail" and ev.gap > 1e-3 > 1e6 * ev.tolerance, ev.why()
