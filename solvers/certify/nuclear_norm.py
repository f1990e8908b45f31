"""Certificate of a minimum nuclear norm solution under A(X) = y, from the raw measurements.

PSD problem: min tr X s.t. <A_i, X> = y_i, X PSD; dual max y^T lam s.t. I - A*(lam) PSD.
General problem: min ||X||_* s.t. A(X) = y; dual max y^T lam s.t. ||A*(lam)||_2 <= 1.
Weak duality (value - y^T lam = <I - A*(lam), X> >= 0, resp. ||X||_* - <A*(lam), X> >= 0) makes a
feasible X with a dual-feasible lam and a small gap optimal. Everything is recomputed here from
the raw fields -- A (m x n1 x n2) or completion ``entries`` (k x 2 row/column indices) with ``shape``
-- and the reference's pair (X, lam): A*(lam) is summed from the raw A_i, not taken from the solver.

Two certificates: *primal* (relative residual ||A(X) - y|| / (||A|| ||X|| + ||y||) and, for the PSD
problem, the PSD violation), held to 1e-8 so that a 1e-6 relative error of X is rejected; *dual*
(dual infeasibility and relative duality gap), held to 1e-7: the value is then certified to that
relative accuracy, far below the 1e-6..1e-2 relative distances the claims measure.
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate

PRIMAL_TOL = 1e-8
DUAL_TOL = 1e-7


def operator_from_raw(raw):
    """(measure, adjoint, operator 2-norm bound, shape) from the raw fields."""
    A = np.asarray(raw.get("A", np.zeros((0, 0, 0))), float)
    if A.ndim == 3 and A.shape[0] > 0:
        M = A.reshape(A.shape[0], -1)
        shape = A.shape[1:]
        return (lambda X: M @ np.asarray(X).ravel()), (lambda lam: (lam @ M).reshape(shape)), \
            float(np.linalg.norm(M, 2)), shape
    E = np.asarray(raw["entries"]).astype(int)
    shape = tuple(int(v) for v in np.asarray(raw["shape"]).ravel()[:2])
    r, c = E[:, 0], E[:, 1]

    def adjoint(lam):
        G = np.zeros(shape)
        G[r, c] += lam  # entries are distinct (an assumption of the claims)
        return G

    return (lambda X: np.asarray(X)[r, c]), adjoint, 1.0, shape


def min_nuclear_norm(raw, reference) -> list[Certificate]:
    """``reference``: {"X": X, "lam": lam, "psd": bool}."""
    measure, adjoint, Anorm, shape = operator_from_raw(raw)
    y = np.asarray(raw["y"], float)
    X = np.asarray(reference["X"], float)
    lam = np.asarray(reference["lam"], float)
    psd = bool(reference.get("psd", True))
    xn = float(np.linalg.norm(X))
    resid = float(np.linalg.norm(measure(X) - y)) / (Anorm * xn + float(np.linalg.norm(y)))
    primal = {"primal_residual": resid}
    if psd:
        Xs = 0.5 * (X + X.T)
        primal["asymmetry"] = float(np.linalg.norm(X - X.T)) / max(xn, 1e-300)
        primal["psd_violation"] = max(0.0, -float(np.linalg.eigvalsh(Xs)[0])) / max(float(np.linalg.norm(Xs, 2)), 1e-300)
        value = float(np.trace(Xs))
        S = np.eye(shape[0]) - adjoint(lam)
        dual_inf = max(0.0, -float(np.linalg.eigvalsh(0.5 * (S + S.T))[0]))
        what = "min tr X, X PSD: I - A*(lam) PSD"
    else:
        value = float(np.sum(np.linalg.svd(X, compute_uv=False)))
        dual_inf = max(0.0, float(np.linalg.norm(adjoint(lam), 2)) - 1.0)
        what = "min ||X||_*: ||A*(lam)||_2 <= 1"
    gap = abs(value - float(y @ lam)) / max(value, 1e-300)
    return [Certificate("independent: A(X) = y" + (", X PSD" if psd else "") + ", from the raw A_i", primal, PRIMAL_TOL),
            Certificate(f"independent: {what} (A*(lam) summed from the raw A_i), duality gap",
                        {"dual_infeasibility": dual_inf, "duality_gap": gap}, DUAL_TOL)]
