"""Certificate of argmin ||w - w0||_2 s.t. Xw = y, from X, y, w0 and the answer w.

KKT (Gunasekar et al. 2018a, Thm 1): w is the minimizer iff Xw = y and w - w0 lies in row(X).
Both are recomputed here: the relative primal residual ||Xw - y|| / (||X|| ||w|| + ||y||) and the
relative component of w - w0 outside row(X) (a pivoted QR of X^T, not the solver's SVD/lstsq).
Tolerance: a backward-stable solve of a system with condition number kappa has forward error
~ kappa u; 100 max(m, d) kappa u leaves room for the dimension factors and nothing more (a 1e-6
relative error is rejected up to kappa ~ 1e7 / (100 max(m, d))).
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS, arr, condition, outside_span


def min_distance_interpolant(raw, reference) -> Certificate:
    X, y, w0 = arr(raw, "X"), arr(raw, "y"), arr(raw, "w0")
    w = np.asarray(reference["w"], dtype=float)
    scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)), np.finfo(float).tiny)
    resid = float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    off_row = outside_span(X.T, w - w0) / scale
    tol = 100.0 * max(X.shape) * condition(X) * EPS
    return Certificate("independent: Xw = y and w - w0 in row(X), from X, y, w0",
                       {"primal_residual": resid, "outside_row_space": off_row}, tol)
