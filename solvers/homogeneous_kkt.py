"""KKT residual of the margin problem of a homogeneous model (Lyu & Li 2020, ICLR, Def. of an
(eps, delta)-KKT point; Nacson et al. 2019, ICML).

For an N-homogeneous model with margins q_n(theta) the problem is
    min 1/2 ||theta||^2  s.t.  q_n(theta) >= 1,
KKT: theta = sum_n lam_n grad q_n(theta), lam >= 0, lam_n (q_n - 1) = 0. At a direction theta the
rescaled point theta~ = theta / q_min^(1/N) has q_min(theta~) = 1 and grad q_n(theta~) =
grad q_n(theta) / q_min^((N-1)/N) (gradients are (N-1)-homogeneous). The multipliers are chosen by
NNLS on the near-active set {n : q_n(theta~) <= 1 + active_rel}:
    eps   = min_{lam >= 0} ||theta~ - sum_A lam_n grad q_n(theta~)|| / ||theta~||,
    delta = sum_n lam_n (q_n(theta~) - 1) / sum_n lam_n.
The caller passes q and J = dq/dtheta at theta (the model lives in models/, never imported here).
"""
from __future__ import annotations

import numpy as np
import scipy.optimize


def homogeneous_kkt_residual(theta: np.ndarray, q: np.ndarray, J: np.ndarray, degree: float,
                             active_rel: float = 1e-3) -> dict[str, float | np.ndarray]:
    theta = np.asarray(theta, float)
    q = np.asarray(q, float)
    qmin = float(q.min())
    if not qmin > 0:
        return {"eps": np.inf, "delta": np.inf, "lam": np.full(len(q), np.nan), "active": 0}
    th = theta / qmin ** (1.0 / degree)
    qt = q / qmin
    Jt = np.asarray(J, float) / qmin ** ((degree - 1.0) / degree)
    A = np.flatnonzero(qt <= 1.0 + active_rel)
    lA, rnorm = scipy.optimize.nnls(Jt[A].T, th)
    lam = np.zeros(len(q))
    lam[A] = lA
    return {"eps": float(rnorm) / max(float(np.linalg.norm(th)), 1e-300),
            "delta": float(np.sum(lam * (qt - 1.0))) / max(float(lam.sum()), 1e-300),
            "lam": lam, "active": len(A)}


__all__ = ["homogeneous_kkt_residual"]
