"""Diagonal nets beta = w+^D - w-^D (D >= 2) on the exponential or logistic loss, by gradient flow
followed in its own loss level s = log(1/L) (Moroshko et al. 2020; note 004 "For our model ... with
logistic loss"; the time change of models.separable).

Z = diag(y) X (rows z_n = y_n x_n), margins m = Z beta, L(w) = sum_n l(m_n), l(u) = e^{-u} or
log(1 + e^{-u}) (a SUM over the n points: log(1/L_mean) = s + log N). With p_n = -l'(m_n) > 0,
    grad_{w+} L = -D w+^(D-1) o Z^T p,   grad_{w-} L = +D w-^(D-1) o Z^T p,
and d log(1/L)/dt = ||grad L||^2 / L, so along the same path
    dw+/ds = D w+^(D-1) o q / (D^2 sum_j (w+_j^(2D-2) + w-_j^(2D-2)) q_j^2),  dw-/ds = -D w-^(D-1) o q / (same),
q = Z^T (p / L). p / L is a softmax for the exponential loss (softmax(-m)) and
exp(log sigmoid(-m_n) - log L) for the logistic loss, both computed in the log domain; beta grows only
like s, so w stays O(s^(1/D)): loss levels 10^-1700 (s = 3914), 10^-4300 and far below are reached with
no overflow. The flow is integrated in the clock theta = log(1 + s - s0) (s0 = log(1/L(w0))) by LSODA
(stiff: the relaxation among the points on the margin speeds up as s grows); the loss level is
recomputed from the state at every output (``clock_drift``).

:func:`exp_loss_flow_dual` runs the depth-2 flow from an alpha start in its exact dual coordinates (N-dimensional,
exact Jacobian), which the relaxation among the points on the margin does not slow down: loss 10^-434294 in a few
hundred steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
from scipy.special import log_expit, logsumexp


@dataclass
class ExpRun:
    s: np.ndarray  # requested loss levels log(1/L)
    w_plus: np.ndarray  # (len(s), d)
    w_minus: np.ndarray
    depth: int
    loss: str
    seconds: float = 0.0
    info: dict = field(default_factory=dict)

    @property
    def beta(self) -> np.ndarray:
        return self.w_plus**self.depth - self.w_minus**self.depth


def log_losses(m: np.ndarray, loss: str) -> np.ndarray:
    """log l(m_n), elementwise, stable for any m (the logistic branch uses log(log1p(e^-m)))."""
    m = np.asarray(m, float)
    if loss == "exp":
        return -m
    if loss == "logistic":
        big = m > 30.0
        e = np.exp(-np.where(big, m, 0.0))
        small_part = np.log(np.log1p(np.exp(-np.where(big, 0.0, m))))
        return np.where(big, -m + np.log1p(-0.5 * e), small_part)
    raise ValueError(f"unknown loss {loss!r}")


def log_inverse_loss(Z: np.ndarray, beta: np.ndarray, loss: str = "exp") -> np.ndarray:
    """s = log(1/L) = -logsumexp(log l(Z beta)), for one beta or a stack (last axis d)."""
    m = np.asarray(beta, float) @ Z.T
    return -logsumexp(log_losses(m, loss), axis=-1)


def weights(m: np.ndarray, loss: str) -> np.ndarray:
    """p / L with p_n = -l'(m_n): softmax(-m) (exp) or exp(log sigmoid(-m) - log L) (logistic)."""
    ll = log_losses(m, loss)
    logL = logsumexp(ll)
    lp = -m if loss == "exp" else log_expit(-m)
    return np.exp(lp - logL)


def exp_loss_flow(X, y, w_plus0, w_minus0, s_out, depth: int = 2, loss: str = "exp", rtol: float = 1e-11,
                  atol_rel: float = 1e-14, method: str = "LSODA") -> ExpRun:
    """The flow's state at the loss levels ``s_out`` (increasing, above log(1/L(w0)))."""
    if depth < 2:
        raise ValueError("depth must be >= 2")
    X, y = np.asarray(X, float), np.asarray(y, float)
    Z = y[:, None] * X
    D = int(depth)
    wp0, wm0 = np.asarray(w_plus0, float), np.asarray(w_minus0, float)
    d = wp0.size
    s_out = np.asarray(s_out, float)
    s0 = float(log_inverse_loss(Z, wp0**D - wm0**D, loss))
    if not np.all(s_out > s0):
        raise ValueError(f"requested loss levels must exceed the start's log(1/L) = {s0:.4g}")

    def dw_ds(w):
        wp, wm = w[:d], w[d:]
        q = Z.T @ weights(Z @ (wp**D - wm**D), loss)
        ap, am = D * wp ** (D - 1), D * wm ** (D - 1)
        den = float(np.sum((ap * ap + am * am) * q * q))
        return np.concatenate([ap * q, -am * q]) / den

    def rhs(theta, w):
        return np.exp(theta) * dw_ds(w)  # ds/dtheta = 1 + s - s0 = e^theta

    th_out = np.log1p(s_out - s0)
    w0 = np.concatenate([wp0, wm0])
    atol = atol_rel * max(float(np.min(np.abs(w0))), 1e-300)
    t0 = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (0.0, float(th_out[-1])), w0, method=method, t_eval=th_out, rtol=rtol,
                                    atol=atol)
    secs = time.perf_counter() - t0
    W = sol.y.T
    n = W.shape[0]
    wp, wm = W[:, :d], W[:, d:]
    s_state = log_inverse_loss(Z, wp**D - wm**D, loss) if n else np.array([])
    drift = float(np.max(np.abs(s_state - s_out[:n]) / np.maximum(1.0, np.abs(s_out[:n])))) if n else np.inf
    return ExpRun(s_out[:n], wp, wm, D, loss, secs,
                  {"s0": s0, "nfev": int(sol.nfev), "success": bool(sol.success and n == s_out.size),
                   "message": str(sol.message), "clock_drift": drift, "s_state": s_state, "rtol": rtol})


def exp_loss_flow_dual(X, y, alpha: float, s_out, loss: str = "exp", rtol: float = 1e-11,
                       method: str = "LSODA") -> ExpRun:
    """The depth-2 flow from w+ = w- = alpha 1 in its exact dual coordinates, at the loss levels ``s_out``.

    Along the flow w+- = alpha exp(+-2 Z^T Lambda) with Lambda = int_0^t p >= 0 (p_n = -l'(m_n); solvers.q_margin), so
    beta = alpha^2 (e^z - e^-z), z = 4 Z^T Lambda, and the state is Lambda in R^N (N points) instead of w in R^2d.
    In the loss-level clock (same time change as :func:`exp_loss_flow`; H = Z diag(C) Z^T, C = 4 (w+^2 + w-^2) =
    d beta / d(Z^T Lambda)):
        dLambda/ds = q / (q^T H q),   q = p / L,
    integrated in theta = log(1 + s - s0) by LSODA with the exact Jacobian
        dq/dLambda = (q q^T - diag(q o sigma(m))) H  (exp loss: sigma = 1),
        d(q^T H q)/dLambda = 2 H (dq/dLambda)^T ... = 2 (dq/dLambda)^T H q + 4 Z (q~^2 o 4 beta),  q~ = Z^T q.
    N-dimensional and with an exact Jacobian, the stiff relaxation among the points on the margin (rate ~ s in
    this clock) costs a few hundred steps up to s = 10^6 (loss 10^-434294), where the parameter-space form needs
    tens of thousands. Margins are O(s) and their O(1) differences set q, so float64 keeps ~10 digits of them up
    to s ~ 10^6 (the loss level is recomputed from the state: ``clock_drift``)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    Z = y[:, None] * X
    N, d = Z.shape
    la = 2.0 * np.log(float(alpha))
    s_out = np.asarray(s_out, float)
    s0 = float(log_inverse_loss(Z, np.zeros(d), loss))
    if not np.all(s_out > s0):
        raise ValueError(f"requested loss levels must exceed the start's log(1/L) = {s0:.4g}")

    def state(lam):
        z = 4.0 * (Z.T @ lam)
        bp, bm = np.exp(la + z), np.exp(la - z)  # w+^2, w-^2
        return bp - bm, 4.0 * (bp + bm)

    def parts(lam):
        beta, C = state(lam)
        m = Z @ beta
        q = weights(m, loss)
        qt = Z.T @ q
        return beta, C, m, q, qt, float(qt @ (C * qt))

    def rhs(theta, lam):
        _, _, _, q, _, den = parts(lam)
        return np.exp(theta) * q / den

    def jac(theta, lam):
        beta, C, m, q, qt, den = parts(lam)
        H = (Z * C) @ Z.T
        sig = np.ones(N) if loss == "exp" else np.exp(log_expit(m))
        dq = (np.outer(q, q) - np.diag(q * sig)) @ H
        dden = 2.0 * ((qt * C) @ (Z.T @ dq)) + Z @ (qt * qt * 16.0 * beta)
        return np.exp(theta) * (dq / den - np.outer(q, dden) / den**2)

    th_out = np.log1p(s_out - s0)
    t0 = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (0.0, float(th_out[-1])), np.zeros(N), method=method, t_eval=th_out,
                                    jac=jac, rtol=rtol, atol=rtol * 1e-3)
    secs = time.perf_counter() - t0
    L = sol.y.T
    n = L.shape[0]
    z = 4.0 * (L @ Z)
    wp, wm = float(alpha) * np.exp(0.5 * z), float(alpha) * np.exp(-0.5 * z)
    s_state = log_inverse_loss(Z, wp**2 - wm**2, loss) if n else np.array([])
    drift = float(np.max(np.abs(s_state - s_out[:n]) / np.maximum(1.0, np.abs(s_out[:n])))) if n else np.inf
    return ExpRun(s_out[:n], wp, wm, 2, loss, secs,
                  {"s0": s0, "nfev": int(sol.nfev), "success": bool(sol.success and n == s_out.size),
                   "message": str(sol.message), "clock_drift": drift, "s_state": s_state, "rtol": rtol, "Lambda": L})


__all__ = ["ExpRun", "exp_loss_flow", "exp_loss_flow_dual", "log_inverse_loss", "log_losses", "weights"]
