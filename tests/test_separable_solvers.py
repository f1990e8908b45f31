"""Unit tests of solvers/svm.py: the certified hard-margin SVM and the l1 / l_inf max-margin LPs."""
import numpy as np
import pytest
import scipy.optimize

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


# Degenerate data drawn by the claims' strategy (1 active support vector, 2 zero-dual margin points
# in R^2) on which SciPy 1.17's NNLS stopped at a non-minimizer of the LDP problem (relative KKT
# violation 7.7e-2): the LDP route then disagreed with Clarabel's by 0.71 ||w|| and the first-level
# certificate of gd-separable-degenerate-loglog failed (support_sets_differ = 1).
DEGENERATE_X = np.array([[-0.014186449077857143, -0.3469266481343082], [0.8090196046219406, 0.3144245035248998],
                         [-0.36111309721216533, -0.3327401990564511]])
DEGENERATE_Y = np.array([1.0, -1.0, 1.0])


def test_svm_certified_on_degenerate_data_where_scipy_nnls_fails():
    from solvers.certify.svm import degenerate_second_level, hard_margin_svm as independent
    from solvers.svm import degenerate_face, nnls_checked, nnls_kkt_violation
    X, y = DEGENERATE_X, DEGENERATE_Y
    Z = signed_data(X, y)
    w, a, cert = hard_margin_svm_dual(X, y)
    assert cert.valid, cert.to_json()
    assert cert.residuals["support_sets_differ"] == 0.0 and cert.residuals["ldp_nnls_kkt"] < 1e-15
    z0 = Z[0]  # the only active support vector: w_hat = z0 / ||z0||^2, the others on the margin with dual 0
    np.testing.assert_allclose(w, z0 / (z0 @ z0), rtol=1e-13)
    np.testing.assert_allclose(a, [1.0 / (z0 @ z0), 0.0, 0.0], rtol=1e-13)
    np.testing.assert_allclose(Z @ w, 1.0, atol=1e-14)
    assert independent({"X": X, "y": y}, {"w": w}).valid
    # the LDP problem itself: the checked NNLS returns its minimizer, u = a / (1 + 1^T a)
    E, f = np.vstack([Z.T, np.ones((1, 3))]), np.array([0.0, 0.0, 1.0])
    u, viol = nnls_checked(E, f)
    assert viol <= 1e-15 and nnls_kkt_violation(E, f, u) == viol
    np.testing.assert_allclose(u, a / (1.0 + a.sum()), rtol=1e-13, atol=1e-16)
    F = degenerate_face(X, y)
    assert all(c.valid for c in F["certificates"]) and list(F["active"]) == [0] and list(F["degenerate"]) == [1, 2]
    assert all(c.valid for c in degenerate_second_level({"X": X, "y": y}, {"w_hat": F["w_hat"], "w_tilde": F["w_tilde"]}))


def test_lawson_hanson_matches_the_nnls_minimizer():
    """Random problems (over- and under-determined) and the rank-deficient LDP matrix of degenerate
    data: KKT conditions to round-off, and the residual of SciPy's answer where SciPy's is optimal."""
    from solvers.svm import lawson_hanson, nnls_kkt_violation
    rng = np.random.default_rng(0)
    for m, n in [(6, 3), (3, 6), (5, 5), (2, 8)]:
        A, b = rng.standard_normal((m, n)), rng.standard_normal(m)
        x = lawson_hanson(A, b)
        assert np.all(x >= 0) and nnls_kkt_violation(A, b, x) < 1e-14
        x_sp = scipy.optimize.nnls(A, b)[0]
        if nnls_kkt_violation(A, b, x_sp) < 1e-14:
            assert abs(np.linalg.norm(A @ x - b) - np.linalg.norm(A @ x_sp - b)) < 1e-12
    Z = signed_data(DEGENERATE_X, DEGENERATE_Y)
    E, f = np.vstack([Z.T, np.ones((1, 3))]), np.array([0.0, 0.0, 1.0])
    x = lawson_hanson(E, f)
    assert nnls_kkt_violation(E, f, x) < 1e-15 and x[1] == 0.0 and x[2] == 0.0
    # a column that duplicates one already passive (rank-deficient A): rejected, not entered on round-off
    A = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    x = lawson_hanson(A, np.array([1.0, 2.0, 3.0]))
    assert nnls_kkt_violation(A, np.array([1.0, 2.0, 3.0]), x) < 1e-15
    assert np.all(lawson_hanson(A, -np.ones(3)) == 0.0)  # b in the polar cone: x = 0
    # a column entering makes a passive coefficient negative: the step back to the boundary drops it
    A, b = np.array([[-1.0, -2.0, 1.0], [-1.0, 2.0, -2.0], [1.0, 1.0, -1.0]]), np.array([-2.0, -1.0, -1.0])
    x = lawson_hanson(A, b)
    np.testing.assert_allclose(x, [0.0, 2.6, 3.2], rtol=1e-14)
    assert nnls_kkt_violation(A, b, x) < 1e-15
    # a negative entering tolerance lets columns with g_j <= 0 in: each gets no positive coefficient
    # on the passive set and is rejected, so the answer is unchanged
    np.testing.assert_allclose(lawson_hanson(A, b, tol=-1.0), x, rtol=1e-14)


def test_polish_rejects_a_wrong_support_and_a_failing_route(monkeypatch):
    """z1 = (1, 0), z2 = (2, 1): the SVM is w = (1, 0) with support {z1}. On the candidate support
    {z2} the min-norm w = z2/5 violates z1's constraint: rejected. On {z1, z2} the min-norm w = (1, -1) is
    feasible but outside the cone of z1, z2 (no a >= 0 gives it): NNLS's support of it, {z1}, is
    polished instead, which gives the SVM (so does an interior-point dual of 1e-5 on a point 1e-9 above
    the margin). A second route that fails (the LDP reports infeasible) leaves the answer uncertified."""
    from solvers import svm
    Z = np.array([[1.0, 0.0], [2.0, 1.0]])
    assert svm._polish(Z, np.array([0.0, 1.0])) is None
    np.testing.assert_allclose(svm._polish(Z, np.array([1.0, 1.0])), [1.0, 0.0], atol=1e-15)
    Zn = np.array([[1.0, 0.0], [1.000000001, 1.0]])
    np.testing.assert_allclose(svm._polish(Zn, np.array([1.0, 6.7e-5])), [1.0, 0.0], atol=1e-15)
    assert svm._polish(Z, np.array([0.0, 0.0])) is None and svm._polish(Z, np.full(2, np.nan)) is None
    np.testing.assert_allclose(svm._polish(Z, np.array([1.0, 1e-7])), [1.0, 0.0], atol=1e-15)  # an interior-point 1e-7: not in S

    def infeasible(Z):
        raise RuntimeError("LDP: the constraints are infeasible (data not separable)")
    monkeypatch.setattr(svm, "_svm_ldp_nnls", infeasible)
    w, a, cert = svm.hard_margin_svm_dual(Z, np.ones(2))
    np.testing.assert_allclose(w, [1.0, 0.0], atol=1e-12)
    assert not cert.valid and cert.residuals["ldp_nnls_kkt"] == np.inf


def test_nnls_checked_falls_back_when_scipy_is_wrong(monkeypatch):
    """SciPy's answer is only kept if it meets the KKT conditions; a non-minimizer or an
    iteration-limit error is replaced by the Lawson-Hanson solution."""
    from solvers import svm
    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((5, 4)), rng.standard_normal(5)
    x_ref = svm.lawson_hanson(A, b)
    monkeypatch.setattr(scipy.optimize, "nnls", lambda A, b, maxiter=None: (np.ones(A.shape[1]), 0.0))
    x, viol = svm.nnls_checked(A, b)
    np.testing.assert_allclose(x, x_ref, atol=1e-14)
    assert viol < 1e-14

    def limit(A, b, maxiter=None):
        raise RuntimeError("Maximum number of iterations reached.")
    monkeypatch.setattr(scipy.optimize, "nnls", limit)
    x, viol = svm.nnls_checked(A, b)
    np.testing.assert_allclose(x, x_ref, atol=1e-14)
    w, a, cert = svm.hard_margin_svm_dual(DEGENERATE_X, DEGENERATE_Y)  # every NNLS of the solver by Lawson-Hanson
    assert cert.valid, cert.to_json()
