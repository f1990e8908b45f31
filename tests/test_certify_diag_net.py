"""The independent diagonal-network certificates accept the right answers and reject wrong ones:
a 1e-6 relative perturbation, a forgotten start or shift c, alpha^2 dropped, the notes' h_D, the
wrong root of the quartic, a perturbed l1 vertex."""
import numpy as np
import pytest

from solvers.certify.diag_net import (barrier_inverse, fiber_minimum, min_l1_interpolant, min_l2_interpolant,
                                      q_depth_interpolant, q_interpolant, quartic_root)
from solvers.min_norm import min_norm_interpolant
from solvers.q_alpha import argmin_q_alpha, argmin_q_general
from solvers.q_depth import Barrier, argmin_q, depth_barrier, min_l1_vertex
from solvers.r_alpha import quartic_largest_root, quartic_smallest_root, r_param
from theorems.audit import shared_code
from theorems.resolution import moved


def _valid(c):
    return all(x.valid for x in (c if isinstance(c, list) else [c]))


def _system(seed=0, m=4, d=12):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)), rng.standard_normal(m)


def test_certificates_share_no_code_with_solvers_or_models():
    for f in (q_interpolant, q_depth_interpolant, min_l1_interpolant, min_l2_interpolant, quartic_root):
        assert not shared_code(f), shared_code(f)


@pytest.mark.parametrize("alpha", [1e-2, 0.3, 5.0, 50.0])
def test_q_alpha_certificate(alpha):
    X, y = _system()
    raw = {"X": X, "y": y, "alpha": alpha}
    beta = argmin_q_alpha(X, y, alpha, cross_check=False)[0]
    assert q_interpolant(raw, {"beta": beta}).valid
    assert not q_interpolant(raw, {"beta": moved(beta, 1e-6)}).valid
    # alpha^2 dropped: the argmin for alpha = 1
    assert not q_interpolant(raw, {"beta": argmin_q_alpha(X, y, 1.0, cross_check=False)[0]}).valid
    # the min-l2 interpolant is not argmin Q_alpha at finite alpha
    assert not q_interpolant(raw, {"beta": min_norm_interpolant(X, y, np.zeros(12))[0]}).valid


def test_general_start_certificate_needs_the_shift_and_the_start():
    X, y = _system(1)
    rng = np.random.default_rng(2)
    wp = rng.choice([-1.0, 1.0], 12) * rng.uniform(0.2, 2.0, 12)
    wm = rng.choice([-1.0, 1.0], 12) * rng.uniform(0.2, 2.0, 12)
    raw = {"X": X, "y": y, "w_plus0": wp, "w_minus0": wm}
    beta = argmin_q_general(X, y, wp, wm, cross_check=False)[0]
    assert q_interpolant(raw, {"beta": beta}).valid
    assert not q_interpolant(raw, {"beta": moved(beta, 1e-6)}).valid
    g = np.sqrt(np.abs(wp * wm))  # forgotten shift c
    assert not q_interpolant(raw, {"beta": argmin_q_general(X, y, g, g, cross_check=False)[0]}).valid
    a = np.full(12, np.sqrt(np.mean(np.abs(wp * wm))))  # forgotten per-coordinate start
    assert not q_interpolant(raw, {"beta": argmin_q_general(X, y, a, a, cross_check=False)[0]}).valid


@pytest.mark.parametrize("depth,alpha", [(2, 0.1), (3, 0.05), (4, 0.3), (5, 0.2), (5, 1.0)])
def test_q_depth_certificate(depth, alpha):
    X, y = _system(3)
    raw = {"X": X, "y": y, "depth": depth, "alpha": alpha}
    beta = argmin_q(X, y, depth_barrier(depth, alpha), cross_check=False)[0]
    assert q_depth_interpolant(raw, {"beta": beta}).valid
    assert not q_depth_interpolant(raw, {"beta": moved(beta, 1e-6)}).valid
    if depth > 2:
        # the notes' h_D: exponent -1/(D-2) and an extra alpha^D
        notes = argmin_q(X, y, Barrier(1.0 / (depth - 2.0), alpha ** (2 * depth)), cross_check=False)[0]
        assert not q_depth_interpolant(raw, {"beta": notes}).valid
    if depth > 2 and alpha != 1.0:  # alpha^D dropped (the same map at alpha = 1)
        assert not q_depth_interpolant(raw, {"beta": argmin_q(X, y, Barrier(depth / (depth - 2.0), 1.0),
                                                               cross_check=False)[0]}).valid


def test_barrier_inverse_roundtrip():
    for p in (3.0, 2.0, 5 / 3):
        u = np.array([-0.9999999, -0.5, 0.0, 1e-9, 0.3, 0.999999])
        b = (1 - u) ** (-p) - (1 + u) ** (-p)
        assert np.allclose(barrier_inverse(b, p), u, rtol=1e-13, atol=1e-15)
    assert barrier_inverse(np.array([1e300]), 3.0)[0] == 1.0  # beyond float64 near the barrier


def test_min_l1_certificate():
    X, y = _system(4, 3, 9)
    raw = {"X": X, "y": y}
    beta, _, vertex = min_l1_vertex(X, y)
    assert min_l1_interpolant(raw, {"beta": beta, "dual": vertex.dual}).valid
    assert not min_l1_interpolant(raw, {"beta": moved(beta, 1e-6)}).valid
    assert not min_l1_interpolant(raw, {"beta": beta, "dual": 1.01 * vertex.dual}).valid
    assert not min_l1_interpolant(raw, {"beta": min_norm_interpolant(X, y, np.zeros(9))[0]}).valid
    # a feasible point on the wrong vertex: supported on other coordinates
    S = np.argsort(-np.abs(beta))[:3]
    other = np.setdiff1d(np.arange(9), S)[:3]
    wrong = np.zeros(9)
    wrong[other] = np.linalg.solve(X[:, other], y)
    assert not min_l1_interpolant(raw, {"beta": wrong}).valid


def test_min_l1_certificate_with_a_small_support_uses_the_lp_dual():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 8))
    beta = np.zeros(8)
    beta[2] = 1.5  # a 1-sparse interpolant of y = 1.5 x_2 is the l1 minimizer when x_2 dominates
    X[:, 2] = 3.0 * X[:, 2] / np.linalg.norm(X[:, 2])
    y = X @ beta
    b1, _, _ = min_l1_vertex(X, y)
    if np.count_nonzero(np.abs(b1) > 1e-12) == 1:
        assert min_l1_interpolant({"X": X, "y": y}, {"beta": b1}).valid


def test_min_l2_certificate():
    X, y = _system(6)
    beta = min_norm_interpolant(X, y, np.zeros(12))[0]
    assert min_l2_interpolant({"X": X, "y": y}, {"beta": beta}).valid
    assert not min_l2_interpolant({"X": X, "y": y}, {"beta": moved(beta, 1e-6)}).valid


B = np.array([0.0, 1e-9, -1e-3, 0.5, -3.0, 40.0, 1e5, 1e8])
RB = {"b": B, "alpha": 0.5}  # the raw instance of diag-net-r-alpha-quartic


def test_quartic_certificate_right_root():
    assert _valid(quartic_root(RB, {"b": B, "r": r_param(B)}))
    assert _valid(quartic_root(RB, {"b": B, "r": np.array([quartic_smallest_root(b) for b in B])}))


def test_quartic_certificate_rejects_the_wrong_root_and_perturbations():
    assert not _valid(quartic_root(RB, {"b": B, "r": np.array([quartic_largest_root(b) for b in B])}))
    assert not _valid(quartic_root(RB, {"b": B, "r": r_param(B) * (1 + 1e-6)}))
    # the notes' R_alpha without alpha^2: r(b) for b = beta/alpha^2 vs beta/alpha^2 r(b)... a scale error
    assert not _valid(quartic_root({"b": B[1:]}, {"b": B[1:], "r": 4.0 * r_param(B[1:])}))


def test_fiber_minimum_small_and_large_b():
    assert fiber_minimum(0.0) == 0.0
    assert abs(fiber_minimum(1e-8) - 1e-16 / 8) < 1e-6 * 1e-16 / 8  # r(b) ~ b^2/8 near 0
    assert abs(fiber_minimum(-2.0) - fiber_minimum(2.0)) == 0.0
    assert abs(fiber_minimum(1e6) - float(r_param(1e6))) < 1e-12 * 1e6


def test_quartic_certificate_recomputes_b_from_the_raw_instance():
    """A reference carrying another b (with r consistent with it) is rejected: b is recomputed from raw['b']."""
    wrong = B * (1 + 1e-6)
    assert not _valid(quartic_root(RB, {"b": wrong, "r": r_param(wrong)}))
    assert not _valid(quartic_root(RB, {"r": r_param(wrong)}))  # even without a handed b
    assert not _valid(quartic_root({"b": B[::-1]}, {"b": B, "r": r_param(B)}))  # another instance's b
    assert not _valid(quartic_root(RB, {"b": B[1:], "r": r_param(B[1:])}))  # a coordinate dropped


def test_quartic_certificate_on_the_alpha_ladder():
    """diag-net-r-alpha-to-l1 evaluates r at b = beta_j / alpha^2 (beta = raw b at the handed coordinates): a
    ladder built with alpha instead of alpha^2, or from other coordinates, is rejected; the right one is not."""
    from theorems.families.diag_net.parameter_space import check_r_to_l1

    raw = {"b": np.array([0.0, 3e-4, -0.7, 2.5, 1e-5, -40.0]), "alpha": 0.3}
    ref = check_r_to_l1(dict(raw), {"order": 1.0}).reference
    assert _valid(quartic_root(raw, ref))
    coords, alphas = ref["coords"], ref["alphas"]
    assert list(coords) == [2, 3, 5]
    beta = raw["b"][coords]
    no_square = np.concatenate([beta / a for a in alphas])  # alpha^2 forgotten
    assert not _valid(quartic_root(raw, dict(ref, b=no_square, r=r_param(no_square))))
    other = dict(ref, coords=np.array([1, 3, 5]))  # r certified at the raw b of other coordinates: not the handed b
    assert not _valid(quartic_root(raw, other))
    assert not _valid(quartic_root(raw, dict(ref, r=ref["r"] * (1 + 1e-6))))
    # the check's fallback when no |b_j| > 1e-3
    tiny = {"b": np.array([0.0, 1e-4, -2e-5]), "alpha": 1.0}
    assert _valid(quartic_root(tiny, check_r_to_l1(dict(tiny), {"order": 1.0}).reference))
