"""Unit tests of solvers/svm.py: the certified hard-margin SVM and the l1 / l_inf max-margin LPs."""
import numpy as np
import pytest

from solvers.svm import hard_margin_svm, hard_margin_svm_dual, lp_max_margin, signed_data, svm_kkt_residuals, svm_margin
from theorems.strategies.separable import separable_data


@pytest.mark.parametrize("seed,m,d,k", [(0, 5, 3, 2), (1, 8, 5, 4), (2, 3, 2, 1), (3, 6, 4, 3)])
def test_svm_recovers_the_constructed_solution(seed, m, d, k):
    rng = np.random.default_rng(seed)
    X, y, w_known = separable_data(rng, m, d, k, gamma=0.5)
    w, a, cert = hard_margin_svm_dual(X, y)
    assert cert.valid, cert.residuals
    np.testing.assert_allclose(w, w_known, rtol=1e-8, atol=1e-10)
    assert int(np.sum(a > 0)) == k  # general position: exactly the constructed support vectors
    Z = signed_data(X, y)
    np.testing.assert_allclose(Z.T @ a, w, rtol=1e-10)  # stationarity
    assert np.min(Z @ w) >= 1 - 1e-10


def test_certificate_detects_a_wrong_solution():
    rng = np.random.default_rng(4)
    X, y, w_known = separable_data(rng, 6, 4, 2, gamma=0.7)
    w, a, cert = hard_margin_svm_dual(X, y)
    res = svm_kkt_residuals(signed_data(X, y), 1.1 * w, a)
    assert res["stationarity"] > 0.05 and res["duality_gap"] > 0.05


def test_non_separable_data_is_not_certified():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0])
    w, cert = hard_margin_svm(X, y)
    assert not cert.valid


@pytest.mark.parametrize("p", [1, np.inf])
def test_lp_max_margin_is_feasible_and_beats_the_svm_in_its_norm(p):
    rng = np.random.default_rng(5)
    X, y, w2 = separable_data(rng, 7, 5, 3, gamma=0.5)
    w, cert = lp_max_margin(X, y, p)
    assert cert.valid, cert.residuals
    Z = signed_data(X, y)
    assert np.min(Z @ w) >= 1 - 1e-8
    assert np.linalg.norm(w, p) <= np.linalg.norm(w2, p) * (1 + 1e-8)
    assert svm_margin(X, y, w, p) >= svm_margin(X, y, w2, p) - 1e-8


def test_degenerate_face_recovers_both_levels():
    from solvers.svm import degenerate_face
    from theorems.strategies.separable import degenerate_separable_data
    for seed, (d, k, k2, n_off, n_far) in enumerate([(2, 1, 1, 0, 0), (4, 2, 2, 1, 2), (5, 3, 1, 2, 3), (5, 1, 4, 0, 1)]):
        rng = np.random.default_rng(seed)
        X, y, w_hat, w_tilde, active, degenerate = degenerate_separable_data(rng, d, k, k2, n_off, n_far, 0.5, 0.7)
        F = degenerate_face(X, y)
        assert all(c.valid for c in F["certificates"]), [c.to_json() for c in F["certificates"]]
        np.testing.assert_allclose(F["w_hat"], w_hat, rtol=1e-12)
        np.testing.assert_allclose(F["w_tilde"], w_tilde, rtol=1e-12)
        assert list(F["active"]) == sorted(active) and list(F["degenerate"]) == sorted(degenerate)
        assert F["certificates"][1].residuals["w_hat_long_double_residual"] < 1e-17
        assert abs(float(F["w_hat_ld"] @ F["w_tilde"])) < 1e-12  # the log log t direction is orthogonal to w_hat


def test_degenerate_face_of_general_position_data_is_empty():
    from solvers.svm import degenerate_face
    X, y, _ = separable_data(np.random.default_rng(2), 6, 4, 2, gamma=0.5)
    F = degenerate_face(X, y)
    assert len(F["degenerate"]) == 0 and np.all(F["w_tilde"] == 0) and len(F["certificates"]) == 1


def test_svm_certified_on_a_singular_gram_matrix():
    """Collinear points (K = Z Z^T of rank 1, as projected degenerate support vectors can be): the
    LDP/NNLS route is exact where a first-order method on the dual stalls."""
    from solvers.svm import hard_margin_svm_dual
    X = np.array([[0.5, 0.0], [1.0, 0.0], [-1.5, 0.0]])
    y = np.array([1.0, 1.0, -1.0])
    w, a, cert = hard_margin_svm_dual(X, y)
    assert cert.valid, cert.to_json()
    np.testing.assert_allclose(w, [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(a, [4.0, 0.0, 0.0], atol=1e-12)


def test_degenerate_face_of_collinear_margin_points_is_not_degenerate():
    """Three collinear margin points (the middle one an average of the others): the dual is not
    unique, the projected zero-dual point cannot be separated, the second level is infeasible."""
    from solvers.svm import degenerate_face
    X = np.array([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [2.0, 2.5], [-2.0, -2.0]])
    y = np.array([1.0, 1.0, 1.0, 1.0, -1.0])
    F = degenerate_face(X, y)
    assert F["certificates"][0].valid
    np.testing.assert_allclose(F["w_hat"], [0.5, 0.5], atol=1e-12)
    assert len(F["degenerate"]) == 1 and not F["second_level_feasible"]
    assert np.all(np.isnan(F["w_tilde"])) and F["lam2"] == 0.0


def test_degenerate_face_of_non_separable_data():
    from solvers.svm import degenerate_face
    F = degenerate_face(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, -1.0]))
    assert not F["certificates"][0].valid and len(F["active"]) == 0 and np.all(np.isnan(F["w_tilde"]))


def test_lp_max_margin_failures_are_uncertified():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    y = np.array([1.0, -1.0])
    for p in (1, np.inf):
        w, cert = lp_max_margin(X, y, p)
        assert not cert.valid and np.all(np.isnan(w))
    w, cert = lp_max_margin(np.eye(2), np.ones(2), 2)  # only p in {1, inf}
    assert not cert.valid


def test_refine_long_double_solves_the_active_system_beyond_float64():
    from solvers.svm import refine_long_double
    rng = np.random.default_rng(0)
    ZA = rng.standard_normal((2, 4))
    w = np.linalg.lstsq(ZA, np.ones(2), rcond=None)[0]
    wl, res = refine_long_double(ZA, w)
    assert wl.dtype == np.longdouble and res < 1e-17
    np.testing.assert_allclose(wl.astype(float), w, rtol=1e-13)


def test_svm_margin_and_kkt_of_an_svm_on_two_points():
    X = np.array([[2.0, 0.0], [-1.0, 0.0]])
    y = np.array([1.0, -1.0])
    w, a, cert = hard_margin_svm_dual(X, y)
    assert cert.valid
    np.testing.assert_allclose(w, [1.0, 0.0], atol=1e-12)
    assert abs(svm_margin(X, y, w) - 1.0) < 1e-12
    res = svm_kkt_residuals(signed_data(X, y), w, a)
    assert max(res.values()) < 1e-12
