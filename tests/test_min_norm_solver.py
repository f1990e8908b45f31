"""The min-norm reference and its certificate: right answer, and the certificate can fail."""
from __future__ import annotations

import numpy as np

from solvers.min_norm import min_lp_distance_interpolant, min_norm_interpolant, row_space_basis


def _data(seed=0, m=4, d=9):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)), rng.standard_normal(m), rng.standard_normal(d)


def test_matches_pseudo_inverse_and_is_certified():
    X, y, w0 = _data()
    w, cert = min_norm_interpolant(X, y, w0)
    assert cert.valid
    assert np.allclose(w, w0 + np.linalg.pinv(X) @ (y - X @ w0), rtol=1e-12, atol=1e-12)


def test_certificate_residuals_detect_a_wrong_solution():
    """Any other interpolant has a null-space component; the certificate's KKT check sees it."""
    X, y, w0 = _data(1)
    w, _ = min_norm_interpolant(X, y, w0)
    _, Vn, _ = row_space_basis(X)
    other = w + 1e-3 * Vn[:, 0]
    assert np.linalg.norm(X @ other - y) < 1e-12  # still interpolates ...
    assert np.linalg.norm(Vn.T @ (other - w0)) > 1e-4  # ... but violates w - w0 in row(X)
    assert np.linalg.norm(other - w0) > np.linalg.norm(w - w0)


def test_lp_interpolants_are_certified_and_optimal_in_their_norm():
    X, y, w0 = _data(2)
    w2, _ = min_norm_interpolant(X, y, w0)
    for p in (1, np.inf):
        wp, cert = min_lp_distance_interpolant(X, y, w0, p)
        assert cert.valid, cert
        assert np.linalg.norm(X @ wp - y) < 1e-9
        assert np.linalg.norm(wp - w0, p) <= np.linalg.norm(w2 - w0, p) + 1e-9
