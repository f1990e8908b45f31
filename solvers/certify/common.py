"""Small linear-algebra pieces the certificates share among themselves (never with the solvers)."""
from __future__ import annotations

import numpy as np
import scipy.linalg

EPS = np.finfo(float).eps


def arr(raw, name: str) -> np.ndarray:
    return np.asarray(raw[name], dtype=float)


def outside_span(M: np.ndarray, v: np.ndarray) -> float:
    """||v - P v|| where P projects onto the column span of M (by a pivoted QR of M)."""
    if M.size == 0:
        return float(np.linalg.norm(v))
    Q, R, _ = scipy.linalg.qr(M, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    r = int(np.sum(diag > diag[0] * max(M.shape) * EPS)) if diag.size and diag[0] > 0 else 0
    Q = Q[:, :r]
    return float(np.linalg.norm(v - Q @ (Q.T @ v)))


def condition(M: np.ndarray) -> float:
    s = np.linalg.svd(M, compute_uv=False)
    return float(s[0] / s[-1]) if s.size and s[-1] > 0 else np.inf
