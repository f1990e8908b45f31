"""The independent certificate of the least-squares family (solvers/certify/min_norm.py).

``min_distance_interpolant(raw, {"w": w})`` must accept w* = w0 + X^+(y - X w0) on every kind of
instance the family draws (cond(X) up to 1e4, zero / Gaussian / large starts) and reject the wrong
answers a solver bug would produce: a 1e-6 relative perturbation, a forgotten start (X^+ y), the
l1 / l_inf answers, an interpolant of a dropped row, a sign-flipped target. The solver's own
certificate is not involved: the reference is recomputed here with numpy's pinv.
"""
from __future__ import annotations

import numpy as np
import pytest

from solvers.certify.min_norm import min_distance_interpolant
from solvers.min_norm import min_lp_distance_interpolant
from theorems import registry
from theorems.audit import shared_code
from theorems.resolution import moved
from theorems.strategies.matrices import conditioned_matrix

CASES = [(m, d, kappa, start) for (m, d) in ((1, 2), (3, 9), (12, 42)) for kappa in (1.0, 30.0, 1e4)
         for start in ("zero", "gaussian", "large")]


def _raw(m, d, kappa, start, seed=0):
    rng = np.random.default_rng(seed + 1000 * m + d)
    X = conditioned_matrix(rng, m, d, kappa, float(rng.uniform(0.3, 3.0)))
    y = rng.standard_normal(m)
    w0 = {"zero": np.zeros(d), "gaussian": rng.standard_normal(d), "large": 10 * rng.standard_normal(d)}[start]
    return {"X": X, "y": y, "w0": w0}


def _truth(raw):
    X, y, w0 = raw["X"], raw["y"], raw["w0"]
    return w0 + np.linalg.pinv(X) @ (y - X @ w0)


def _valid(raw, w):
    return min_distance_interpolant(raw, {"w": w}).valid


@pytest.mark.parametrize("m,d,kappa,start", CASES)
def test_the_right_answer_is_certified(m, d, kappa, start):
    raw = _raw(m, d, kappa, start)
    cert = min_distance_interpolant(raw, {"w": _truth(raw)})
    assert cert.valid, cert
    assert set(cert.residuals) == {"primal_residual", "outside_row_space"}


@pytest.mark.parametrize("m,d,kappa,start", CASES)
@pytest.mark.parametrize("salt", ["a", "b", "c"])
def test_a_relative_perturbation_of_1e_6_is_rejected(m, d, kappa, start, salt):
    raw = _raw(m, d, kappa, start)
    assert not _valid(raw, moved(_truth(raw), 1e-6, salt))


@pytest.mark.parametrize("m,d,kappa,start", [c for c in CASES if c[3] != "zero"])
def test_a_forgotten_start_is_rejected(m, d, kappa, start):
    raw = _raw(m, d, kappa, start)
    from_origin = np.linalg.pinv(raw["X"]) @ raw["y"]
    assert not _valid(raw, from_origin)


@pytest.mark.parametrize("p", [1, np.inf], ids=["l1", "linf"])
@pytest.mark.parametrize("m,d,kappa,start", [c for c in CASES if c[2] <= 30.0])
def test_the_answer_in_another_norm_is_rejected(m, d, kappa, start, p):
    raw = _raw(m, d, kappa, start)
    wp, cert = min_lp_distance_interpolant(raw["X"], raw["y"], raw["w0"], p)
    assert cert.valid  # a genuine l1 / l_inf interpolant: it does satisfy Xw = y ...
    assert np.linalg.norm(raw["X"] @ wp - raw["y"]) <= 1e-9 * (1 + np.linalg.norm(raw["y"]))
    assert not _valid(raw, wp)  # ... but w - w0 is not in row(X)


@pytest.mark.parametrize("m,d,kappa,start", [c for c in CASES if c[0] > 1])
def test_a_dropped_row_or_a_flipped_target_is_rejected(m, d, kappa, start):
    raw = _raw(m, d, kappa, start)
    X, y, w0 = raw["X"], raw["y"], raw["w0"]
    dropped = w0 + np.linalg.pinv(X[1:]) @ (y[1:] - X[1:] @ w0)  # w - w0 in row(X), but X_1 w != y_1
    assert not _valid(raw, dropped)
    flipped = w0 + np.linalg.pinv(X) @ (-y - X @ w0)
    assert not _valid(raw, flipped)


def test_the_certificate_reads_raw_fields_only_and_shares_no_solver_code():
    raw = _raw(3, 9, 30.0, "gaussian")
    w = _truth(raw)
    before = {k: v.copy() for k, v in raw.items()}
    min_distance_interpolant(raw, {"w": w})
    assert all(np.array_equal(before[k], raw[k]) for k in raw)
    assert shared_code(min_distance_interpolant) == []
    fam = [c for c in registry.all_claims() if c.family == "least-squares"]
    assert len(fam) == 14
    assert all(c.verify is min_distance_interpolant for c in fam)
    assert all(c.resolution is not None and c.resolution.declared <= 1e-8 for c in fam)


def test_the_family_run_budget_is_capped_at_the_resolution():
    """A run stopped early (a residual far above round-off) puts its distance to the interpolation
    set into the run budget: beyond the 1e-8 cap the instance is inconclusive, never a pass."""
    claim = registry.get("gd-least-squares-min-norm")
    raw = _raw(3, 9, 30.0, "gaussian")
    inst = {**raw, "eta_frac": 0.5}

    def early(inst, stmt):
        import theorems.families.least_squares as fam

        ev = fam.check(inst, stmt)
        ev.run_budget["distance to the interpolation set"] = 1e-6  # as if stopped at residual ~1e-6
        return ev

    good = claim.evaluate(inst)
    assert good.outcome == "pass" and sum(good.run_budget.values()) <= 1e-8
    bad = claim.with_(check=early).evaluate(inst)
    assert bad.outcome == "inconclusive" and "error budget" in bad.convergence_note


def test_shared_certificate_helpers_edge_cases():
    from solvers.certify.common import condition, outside_span

    v = np.array([3.0, 4.0, 0.0])
    assert outside_span(np.zeros((3, 0)), v) == 5.0  # an empty span: all of v is outside it
    assert outside_span(np.eye(3)[:, :2], v) == 0.0
    assert condition(np.diag([2.0, 0.0])) == np.inf and condition(np.diag([4.0, 2.0])) == 2.0
