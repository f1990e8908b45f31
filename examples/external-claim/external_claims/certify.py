"""Independent certificate of argmin ||w - w0|| s.t. Xw = y, from the raw X, y, w0 (numpy only).

It shares no code with the model or the solver in :mod:`external_claims.claims`: Xw = y is
recomputed, and w - w0 in row(X) is tested by an orthonormal basis of row(X) from numpy's QR.
"""
from __future__ import annotations

import numpy as np

from theorems.api import Certificate


def min_norm_certificate(raw, reference) -> Certificate:
    X, y, w0 = (np.asarray(raw[k], dtype=float) for k in ("X", "y", "w0"))
    w = np.asarray(reference["w"], dtype=float)
    scale = max(float(np.linalg.norm(w)), float(np.linalg.norm(w0)), 1e-300)
    Q, _ = np.linalg.qr(X.T)
    d = w - w0
    off_row = float(np.linalg.norm(d - Q @ (Q.T @ d))) / scale
    resid = float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    s = np.linalg.svd(X, compute_uv=False)
    return Certificate("external: Xw = y and w - w0 in row(X)", {"primal": resid, "off_row": off_row},
                       100.0 * max(X.shape) * float(s[0] / s[-1]) * np.finfo(float).eps)
