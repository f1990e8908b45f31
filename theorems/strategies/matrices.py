"""Design matrices with a prescribed condition number, built directly (no filtering).

X = U diag(s) V^T with U, V Haar-random (QR of Gaussians, sign-fixed) and singular values
s log-spaced from sigma_max down to sigma_max / kappa; so rank X = m exactly and
cond(X) = kappa to rounding. Shared by every family whose instances are (X, y, w0).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def haar_orthonormal(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """n x k with orthonormal columns, Haar distributed."""
    Q, R = np.linalg.qr(rng.standard_normal((n, k)))
    return Q * np.sign(np.diag(R))


def conditioned_matrix(rng: np.random.Generator, m: int, d: int, kappa: float, sigma_max: float = 1.0) -> np.ndarray:
    """m x d (m <= d) with singular values log-spaced in [sigma_max / kappa, sigma_max]."""
    s = sigma_max * np.logspace(0.0, -np.log10(kappa), m)
    U = haar_orthonormal(rng, m, m)
    V = haar_orthonormal(rng, d, m)
    return (U * s) @ V.T


def seeds() -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=2**32 - 1)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A float in [lo, hi] drawn uniformly in log scale (shrinks towards lo)."""
    a, b = float(np.log10(lo)), float(np.log10(hi))
    return st.floats(min_value=a, max_value=b, allow_nan=False, allow_infinity=False).map(lambda e: float(10.0**e))


@st.composite
def underdetermined_system(draw, m_max: int = 12, extra_max: int = 30, kappa_max: float = 30.0):
    """(X, y, w0): m < d, rank m, cond(X) <= kappa_max, y arbitrary (always reachable), w0 any:
    zero, Gaussian, or large (||w0|| ~ 10 ||X^+ y||)."""
    m = draw(st.integers(min_value=1, max_value=m_max))
    d = m + draw(st.integers(min_value=1, max_value=extra_max))
    kappa = draw(log_uniform(1.0, kappa_max))
    sigma_max = draw(log_uniform(0.3, 3.0))
    w0_kind = draw(st.sampled_from(["gaussian", "zero", "large"]))
    rng = np.random.default_rng(draw(seeds()))
    X = conditioned_matrix(rng, m, d, kappa, sigma_max)
    y = rng.standard_normal(m)
    w0 = {"zero": np.zeros(d), "gaussian": rng.standard_normal(d), "large": 10.0 * rng.standard_normal(d)}[w0_kind]
    return {"X": X, "y": y, "w0": w0}
