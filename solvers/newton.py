"""Shared piece of the dual Newton solvers (Q_alpha, Q_D, Bregman projections)."""
from __future__ import annotations

import numpy as np
import scipy.linalg


def newton_direction(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """-H^{-1} g for a symmetric positive (semi)definite Hessian H: Cholesky-based solve, with a
    least-squares fallback when H is numerically singular (e.g. curvature underflow at small alpha)."""
    try:
        return -scipy.linalg.solve(H, g, assume_a="pos")
    except (np.linalg.LinAlgError, ValueError):
        return -np.linalg.lstsq(H, g, rcond=None)[0]
