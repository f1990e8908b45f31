"""Max-margin references for the exp/logistic-loss diagonal nets: l1 (an LP, with its dual), l2, and the
KKT residual of the non-convex l_{2/D} max-margin problem (2/D < 1).

* l1: beta_1 = argmin ||beta||_1 s.t. Z beta >= 1 (Z = diag(y) X). HiGHS on the split form gives
  beta_1 and the dual lambda >= 0 (max 1^T lambda s.t. ||Z^T lambda||_inf <= 1); the LP of
  :func:`solvers.svm.lp_max_margin` (HiGHS vs Clarabel) is a second route. Certificate: duality gap,
  primal and dual feasibility, complementarity, route disagreement (which also flags a non-unique
  LP solution: "the" l1 direction is then undefined).
  Off-support exponents (derivation in theorems.families.diag_net_beyond.exp_loss): e_j =
  1 - |(Z^T lambda)_j| for j off the support; the depth-2 exp-loss direction approaches beta_1 like
  a sum of (s / alpha^2)^(-e_j), s = log(1/L).
* l1 with equal margins (Z beta = 1, not >= 1): :func:`l1_min_equal_margins`, the same LP with equality rows
  (dual nu free); it differs from the l1 max margin exactly when some margin is inactive there.
* l2: the hard-margin SVM (solvers.svm.hard_margin_svm, certified there).
* l_{2/D}, D >= 3 (Lyu & Li 2020; Moroshko et al. 2020; note 004 "SOSP of ||beta||_{2/D}"):
  b is a KKT point of min sum |b_j|^{2/D} s.t. Z b >= 1 iff there is tau >= 0 with
  tau_n (z_n^T b - 1) = 0 and (2/D) |b_j|^{2/D - 1} sign(b_j) = (Z^T tau)_j for b_j != 0 (no condition
  where b_j = 0: the parameter-space gradient D w^(D-1) vanishes there). Multiplied by b_j, the
  stationarity reads (2/D)|b_j|^{2/D} = b_j (Z^T tau)_j for every j (zero coordinates included),
  linear in tau: :func:`lp_kkt_residual` fits tau >= 0 by NNLS on the active constraints and returns
  the relative residual and complementarity. p = 2/D is the statement; p = 1, 2 are other norms.
"""
from __future__ import annotations

import numpy as np
import scipy.optimize

from .certificate import Certificate
from .svm import hard_margin_svm, lp_max_margin

EPS = np.finfo(float).eps


def signed(X, y) -> np.ndarray:
    return np.asarray(y, float)[:, None] * np.asarray(X, float)


def l1_max_margin(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """(beta_1, lambda, certificate): argmin ||beta||_1 s.t. Z beta >= 1 and its dual."""
    Z = signed(X, y)
    N, d = Z.shape
    res = scipy.optimize.linprog(np.ones(2 * d), A_ub=-np.hstack([Z, -Z]), b_ub=-np.ones(N), bounds=(0, None),
                                 method="highs")
    if res.status != 0:
        nanb = np.full(d, np.nan)
        return nanb, np.full(N, np.nan), Certificate(f"l1 max margin: HiGHS failed ({res.message})", {"solver": np.inf}, 1e-8)
    beta = res.x[:d] - res.x[d:]
    lam = np.maximum(-np.asarray(res.ineqlin.marginals, float), 0.0)
    obj = float(np.sum(np.abs(beta)))
    corr = Z.T @ lam
    marg = Z @ beta
    b2, c2 = lp_max_margin(X, y, 1)
    out = {
        "duality_gap": abs(obj - float(np.sum(lam))) / max(obj, 1e-300),
        "primal_infeasibility": float(max(0.0, np.max(1.0 - marg))),
        "dual_infeasibility": float(max(0.0, np.max(np.abs(corr)) - 1.0)),
        "complementarity": float(np.max(lam * np.abs(marg - 1.0))) / max(float(np.max(lam)), 1e-300),
        "second_route_disagreement": float(np.sum(np.abs(b2 - beta))) / max(obj, 1e-300),
        "second_route_certificate": 0.0 if c2.valid else float(c2.worst),
    }
    return beta, lam, Certificate("l1 max margin: HiGHS primal/dual, second LP route (HiGHS vs Clarabel)", out, 1e-6)


def l1_min_equal_margins(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, Certificate]:
    """(b, nu, certificate): argmin ||b||_1 s.t. Z b = 1 (every margin exactly 1: the regression-style constraint
    note 004's summary slide writes for the logistic loss) and its dual max 1^T nu s.t. ||Z^T nu||_inf <= 1 (nu
    free). Certificate: duality gap, primal and dual feasibility."""
    Z = signed(X, y)
    N, d = Z.shape
    res = scipy.optimize.linprog(np.ones(2 * d), A_eq=np.hstack([Z, -Z]), b_eq=np.ones(N), bounds=(0, None),
                                 method="highs")
    if res.status != 0:
        nanb = np.full(d, np.nan)
        return nanb, np.full(N, np.nan), Certificate(f"min l1 s.t. Z b = 1: HiGHS failed ({res.message})", {"solver": np.inf}, 1e-8)
    b = res.x[:d] - res.x[d:]
    nu = np.asarray(res.eqlin.marginals, float)
    obj = float(np.sum(np.abs(b)))
    out = {"duality_gap": abs(obj - float(np.sum(nu))) / max(obj, 1e-300),
           "primal_infeasibility": float(np.max(np.abs(Z @ b - 1.0))),
           "dual_infeasibility": float(max(0.0, np.max(np.abs(Z.T @ nu)) - 1.0))}
    return b, nu, Certificate("min l1 s.t. Z b = 1: HiGHS primal/dual", out, 1e-7)


def off_support_exponents(X, y, beta1: np.ndarray, lam: np.ndarray, rel: float = 1e-9) -> np.ndarray:
    """e_j = 1 - |(Z^T lambda)_j| for the coordinates off the support of beta_1."""
    corr = np.abs(signed(X, y).T @ lam)
    off = np.abs(beta1) <= rel * max(float(np.max(np.abs(beta1))), 1e-300)
    return 1.0 - corr[off]


def l2_max_margin(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, Certificate]:
    return hard_margin_svm(X, y)


def lp_kkt_residual(X: np.ndarray, y: np.ndarray, beta: np.ndarray, p: float, active_gap: float = 0.05,
                    weights: np.ndarray | None = None) -> dict:
    """KKT residual of b = beta / min margin for min ||b||_p^p s.t. Z b >= 1 (module docstring).

    Active constraints: normalized margin <= 1 + active_gap. ``weights`` (optional, >= 0): the
    multipliers are tau = c * weights restricted to the active set (c >= 0 by least squares; the
    flow's own softmax weights), else tau >= 0 free (NNLS). Returns stationarity (relative),
    complementarity (sum tau_n (margin_n - 1) / sum tau_n) and tau."""
    Z = signed(X, y)
    marg = Z @ beta
    mmin = float(np.min(marg))
    if not mmin > 0:
        return {"stationarity": np.inf, "complementarity": np.inf, "tau": np.zeros(Z.shape[0]), "min_margin": mmin}
    b = beta / mmin
    q = marg / mmin
    act = q <= 1.0 + active_gap
    target = p * np.abs(b) ** p
    M = (b[:, None] * Z[act].T)  # column n: b o z_n
    if weights is not None:
        v = M @ np.asarray(weights, float)[act]
        c = max(0.0, float(v @ target) / max(float(v @ v), 1e-300))
        tau_a = c * np.asarray(weights, float)[act]
    else:
        tau_a, _ = scipy.optimize.nnls(M, target)
    r = M @ tau_a - target
    tau = np.zeros(Z.shape[0])
    tau[act] = tau_a
    comp = float(tau @ (q - 1.0)) / max(float(np.sum(tau)), 1e-300)
    return {"stationarity": float(np.linalg.norm(r)) / max(float(np.linalg.norm(target)), 1e-300),
            "complementarity": comp, "tau": tau, "min_margin": mmin, "active": int(np.sum(act))}


__all__ = ["l1_max_margin", "l1_min_equal_margins", "l2_max_margin", "lp_kkt_residual", "off_support_exponents", "signed"]
