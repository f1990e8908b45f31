"""Gradient flow of homogeneous models on separable data, followed in its own loss level.

A model f(theta; x) is N-homogeneous when f(c theta; x) = c^N f(theta; x) (c > 0). On data
(x_n, y_n) its margins are q_n(theta) = y_n f(theta; x_n); the loss is
    exp:       L = sum_n exp(-q_n),
    logistic:  L = sum_g log(1 + sum_{i in g} exp(-q_i))   (groups g: one margin each for binary
               labels; the K - 1 margins w_{y_n}.x_n - w_k.x_n of a point for softmax cross-entropy).
Every model here is given by ``margins_jac(theta) -> (q, J)`` with J = dq/dtheta (m x P).

:func:`margin_flow` follows the gradient flow dtheta/dt = -grad L(theta) reparametrized by its own
loss level s = log(1/L) (the clock is irrelevant for the path; this is the time change of
``models.separable.exp_loss_flow_log_domain``, for any model): with g = -grad L / L = J^T w,
    dtheta/ds = g / ||g||^2,   w = softmax(-q) (exp),   w_i = sigma(a_g) e^{-q_i - a_g} / L (logistic),
a_g = log sum_{i in g} e^{-q_i}; everything is formed from logs, so L = 10^-(10^8) is as easy as
L = 1/2. Past s_switch the clock is lam = log s (dtheta/dlam = s g / ||g||^2): the flow relaxes on
an O(1) scale in s but drifts on a log s scale, so the implicit solver (LSODA) then takes steps of
O(1) in lam; its Jacobian is the Gauss-Newton part s (I/|g|^2 - 2 g g^T/|g|^4) (-J^T (diag w - w w^T) J)
(exact for the exp loss up to the curvature terms sum_n w_n d^2 q_n, which only slow Newton's
convergence, never the accuracy: error control acts on the right-hand side).

Smoothed margin (Lyu & Li 2020, ICLR, "Gradient descent maximizes the margin of homogeneous neural
networks"): gamma~ = G(L) / ||theta||^N with G(L) = log(1/L) for the exp loss and
G(L) = -log(exp(L) - 1) for the logistic loss (their g(log 1/L), g the inverse of
f(q) = -log log(1 + e^{-q})); it is non-decreasing along the flow once G(L) > 0, i.e. L < 1 (exp)
or L < log 2 (logistic). :func:`smoothed_margin` computes both and the naive log(1/L)/||theta||^N.

Models here (all smooth): :func:`diagonal_model` (beta = u_1 o ... o u_N, N-homogeneous) and
:func:`squared_activation_model` (f = sum_j a_j <w_j, x>^2, 3-homogeneous); deep linear and
linear convolutional nets are in :mod:`models.deep_linear` and :mod:`models.conv_net`.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.integrate
import scipy.optimize
from scipy.special import logsumexp, softmax

MarginsJac = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
LOSSES = ("exp", "logistic")


@dataclass
class MarginFlowRun:
    """The flow at n_out checkpoints: ``s`` the loss level log(1/L) recomputed from the state (the
    clock the solver integrated is in ``clock``), ``theta`` (n, P)."""

    s: np.ndarray
    theta: np.ndarray
    clock: np.ndarray
    seconds: float
    info: dict = field(default_factory=dict)


def _log_softplus(a: np.ndarray) -> np.ndarray:
    """log(log(1 + e^a)), stable for a -> -inf (where it is a - e^a / 2 + ...)."""
    a = np.asarray(a, float)
    out = np.empty_like(a)
    big = a > -30.0
    out[big] = np.log(np.log1p(np.exp(a[big])))
    e = np.exp(a[~big])
    out[~big] = a[~big] + np.log1p(-e / 2.0)
    return out


def _group_lse(neg_q: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """a_g = log sum_{i in g} exp(neg_q_i) for each group g."""
    mx = np.full(n_groups, -np.inf)
    np.maximum.at(mx, groups, neg_q)
    acc = np.zeros(n_groups)
    np.add.at(acc, groups, np.exp(neg_q - mx[groups]))
    return mx + np.log(acc)


def loss_weights(q: np.ndarray, loss: str, groups: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(w, s): w = -dL/dq / L (non-negative, the dual weights) and s = log(1/L), from logs."""
    q = np.asarray(q, float)
    if loss == "exp":
        return softmax(-q), float(-logsumexp(-q))
    if loss != "logistic":
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    if groups is None:
        groups = np.arange(len(q))
    n_groups = int(groups.max()) + 1
    a = _group_lse(-q, groups, n_groups)
    log_terms = _log_softplus(a)  # log of each group's loss
    log_L = float(logsumexp(log_terms))
    log_sig = -np.logaddexp(0.0, -a)  # log sigma(a_g)
    w = np.exp(log_sig[groups] - q - a[groups] - log_L)
    return w, -log_L


def log_inverse_loss(q: np.ndarray, loss: str, groups: np.ndarray | None = None) -> np.ndarray:
    """log(1/L) for margins q (..., m), exact at any scale."""
    q = np.asarray(q, float)
    if loss == "exp":
        return -logsumexp(-q, axis=-1)
    flat = q.reshape(-1, q.shape[-1])
    out = np.array([loss_weights(row, loss, groups)[1] for row in flat])
    return out.reshape(q.shape[:-1])


def _level_states(sol, tau_end: float, theta0: np.ndarray, targets: np.ndarray, level) -> np.ndarray:
    """States of the dense output ``sol`` on [0, tau_end] at the loss levels ``targets`` (ascending,
    targets[0] = level(theta0), all below level(sol(tau_end))): theta0 itself for the first, then the
    root of level(sol(tau)) = target, bracketed on a grid of 40 points per target (s is non-decreasing
    in tau: ds/dtau = ||g||^2) and refined by Brent's method to rounding in tau.

    Exact levels matter: two runs of the flow (e.g. at two ODE tolerances) are compared checkpoint by
    checkpoint, so their checkpoints must sit at the same loss level up to the integration error.
    Snapping each target to the first grid state at or above it does not: a rounding-level change of
    a grid state's level (the dense output at tau = 0 is theta0 only to an ulp) moves a checkpoint by
    a whole grid step in s, and along a steep stretch of the flow that step alone changes the compared
    quantity by far more than the integration error."""
    out = np.empty((len(targets), len(theta0)))
    if not len(targets):
        return out
    taus = np.linspace(0.0, tau_end, 40 * len(targets))
    fs = np.array([level(sol(t)) for t in taus])
    up = np.maximum.accumulate(fs)
    out[0] = theta0
    for k in range(1, len(targets)):
        target = targets[k]
        j = min(int(np.searchsorted(up, target)), len(taus) - 1)  # fs[j] = up[j] >= target > up[j - 1] >= fs[j - 1]
        if j == 0 or fs[j] <= target:
            out[k] = sol(taus[j])
            continue
        tau = scipy.optimize.brentq(lambda t: level(sol(t)) - target, taus[j - 1], taus[j], xtol=1e-300,
                                    rtol=4.0 * np.finfo(float).eps, maxiter=200)
        out[k] = sol(tau)
    return out


def margin_flow(margins_jac: MarginsJac, theta0: np.ndarray, s_end: float, loss: str = "exp",
                groups: np.ndarray | None = None, n_out: int = 60, s_switch: float = 5.0,
                rtol: float = 1e-10, atol: float = 1e-12, n_head: int = 0, tau_max: float = 1e8,
                max_nfev: int = 60000) -> MarginFlowRun:
    """Gradient flow of L(theta) followed in s = log(1/L) (see module docstring) to s_end.

    Up to s1 = max(s_switch, s(theta0) + s_switch) the clock is tau = int L dt (dtheta/dtau = g,
    regular also near saddles, where g -> 0 and the s clock is singular), stopped by an event at
    s = s1; then lam = log s; checkpoints log-spaced in s from s1, preceded by ``n_head`` points at
    exactly equally spaced loss levels from the start, the first being theta0 itself (``info['n_head']``;
    for monotonicity checks over the whole run; root-found on the dense output, :func:`_level_states`).
    Raises RuntimeError if log(1/L) does not reach s1 by tau_max, or after max_nfev right-hand side
    evaluations (a start stuck near a saddle): the caller reports that run as not converged."""
    theta0 = np.asarray(theta0, float)
    q0, _ = margins_jac(theta0)
    _, s0 = loss_weights(q0, loss, groups)
    s1 = max(s_switch, s0 + s_switch)
    if not s_end > s1:
        raise ValueError(f"s_end = {s_end:g} must exceed the switch point {s1:g}")

    def parts(theta):
        q, J = margins_jac(theta)
        w, _ = loss_weights(q, loss, groups)
        g = J.T @ w
        return q, J, w, g

    calls = [0]

    def counted(theta):
        calls[0] += 1
        if calls[0] > max_nfev:
            raise RuntimeError(f"margin flow: more than {max_nfev} right-hand side evaluations (a start near a saddle?)")
        return parts(theta)

    def rhs_tau(tau, theta):  # tau = int L dt: dtheta/dtau = g, ds/dtau = ||g||^2 (regular at saddles)
        return counted(theta)[3]

    def reach(tau, theta):
        return loss_weights(margins_jac(theta)[0], loss, groups)[1] - s1

    reach.terminal, reach.direction = True, 1.0

    def rhs_lam(lam, theta):
        g = counted(theta)[3]
        return math.exp(lam) * g / (g @ g)

    def jac_lam(lam, theta):
        _, J, w, g = parts(theta)
        n2 = g @ g
        H = (J.T * w) @ J - np.outer(g, g)
        return -math.exp(lam) * (np.eye(len(g)) / n2 - 2.0 * np.outer(g, g) / n2**2) @ H

    t0 = time.perf_counter()
    head = scipy.integrate.solve_ivp(rhs_tau, (0.0, tau_max), theta0, method="LSODA", rtol=rtol, atol=atol,
                                     events=reach, dense_output=bool(n_head))
    if head.status != 1:
        raise RuntimeError(f"margin flow: log(1/L) did not reach {s1:g} by tau = {tau_max:g} ({head.message})")
    theta1 = head.y_events[0][0]
    head_th = np.zeros((0, len(theta0)))
    if n_head:  # states at exactly n_head equally spaced loss levels, from the dense output
        head_th = _level_states(head.sol, head.t_events[0][0], theta0, np.linspace(s0, s1, n_head + 1)[:-1],
                                lambda th: loss_weights(margins_jac(th)[0], loss, groups)[1])
    lams = np.linspace(math.log(s1), math.log(s_end), n_out)
    sol = scipy.integrate.solve_ivp(rhs_lam, (lams[0], lams[-1]), theta1, method="LSODA", t_eval=lams,
                                    jac=jac_lam, rtol=rtol, atol=atol)
    secs = time.perf_counter() - t0
    if not sol.success or sol.y.shape[1] != n_out:
        raise RuntimeError(f"margin flow (log s clock): {sol.message}")
    TH = np.vstack([head_th, sol.y.T])
    s_state = np.array([loss_weights(margins_jac(th)[0], loss, groups)[1] for th in TH])
    clock = np.r_[s_state[:len(head_th)], np.exp(sol.t)]  # the head's clock is tau: its points carry their own s
    drift = float(np.max(np.abs(s_state - clock) / np.maximum(1.0, clock)))
    return MarginFlowRun(s_state, TH, clock, secs,
                         info={"nfev": int(calls[0]), "njev": int(sol.njev), "clock_drift": drift,
                               "s_start": float(s0), "s_switch": float(s1), "loss": loss, "n_head": int(n_head)})


def smoothed_margin(s: np.ndarray, rho: np.ndarray, degree: float, loss: str, transform: str = "lyu-li") -> np.ndarray:
    """gamma~ = G / rho^degree with G = log(1/L) = s (transform 'log', or the exp loss) or, for the
    logistic loss with transform 'lyu-li', G = -log(exp(L) - 1), L = e^{-s} (stable for L -> 0)."""
    s = np.asarray(s, float)
    if loss == "exp" or transform == "log":
        G = s
    elif transform == "lyu-li":
        L = np.exp(-s)
        # -log(expm1(L)) = s - log(expm1(L) / L); expm1(L)/L = 1 + L/2 + L^2/6 + ...
        ratio = np.where(L > 1e-8, np.expm1(L) / np.where(L > 0, L, 1.0), 1.0 + L / 2.0)
        G = s - np.log(ratio)
    else:
        raise ValueError(f"unknown transform {transform!r}")
    return G / np.asarray(rho, float) ** degree


# ---- smooth homogeneous models ------------------------------------------------------------------

def diagonal_model(X: np.ndarray, y: np.ndarray, depth: int) -> MarginsJac:
    """beta = u_1 o u_2 o ... o u_N (theta = (u_1, ..., u_N), each in R^d): N-homogeneous,
    q_n = y_n <x_n, beta>, dq_n/du_l = y_n x_n o prod_{j != l} u_j."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    d = Z.shape[1]

    def fun(theta):
        U = theta.reshape(depth, d)
        beta = np.prod(U, axis=0)
        others = np.stack([np.prod(np.delete(U, l, axis=0), axis=0) for l in range(depth)])
        J = (Z[:, None, :] * others[None, :, :]).reshape(len(Z), depth * d)
        return Z @ beta, J

    return fun


def squared_activation_model(X: np.ndarray, y: np.ndarray, width: int) -> MarginsJac:
    """f(theta; x) = sum_j a_j <w_j, x>^2, theta = (a in R^k, W in R^{k x d}): 3-homogeneous,
    dq/da_j = y <w_j, x>^2, dq/dw_j = 2 y a_j <w_j, x> x."""
    X = np.asarray(X, float)
    yv = np.asarray(y, float)
    d = X.shape[1]
    k = width

    def fun(theta):
        a, W = theta[:k], theta[k:].reshape(k, d)
        H = X @ W.T  # (m, k)
        q = yv * (H**2 @ a)
        Ja = yv[:, None] * H**2
        JW = (2.0 * yv[:, None] * H * a[None, :])[:, :, None] * X[:, None, :]
        return q, np.hstack([Ja, JW.reshape(len(X), k * d)])

    return fun


__all__ = ["LOSSES", "MarginFlowRun", "diagonal_model", "log_inverse_loss", "loss_weights", "margin_flow",
           "smoothed_margin", "squared_activation_model"]


def margin_gd(margins_jac: MarginsJac, theta0: np.ndarray, eta: float, T: int, loss: str = "exp",
              groups: np.ndarray | None = None, n_checkpoints: int = 60) -> MarginFlowRun:
    """Plain GD theta_{t+1} = theta_t - eta grad L(theta_t) = theta_t + eta L(theta_t) g(theta_t) for
    T steps (a loop: each step needs the previous one), recorded at log-spaced steps; ``clock`` holds
    the step numbers and ``s`` the loss level log(1/L)."""
    theta = np.array(theta0, float, copy=True)
    cps = np.unique(np.r_[np.geomspace(1, T, n_checkpoints).astype(np.int64), T])
    out, svals = np.empty((len(cps), len(theta))), np.empty(len(cps))
    k = 0
    t0 = time.perf_counter()
    for t in range(1, T + 1):
        q, J = margins_jac(theta)
        w, s = loss_weights(q, loss, groups)
        theta += eta * math.exp(-s) * (J.T @ w)
        if t == cps[k]:
            out[k] = theta
            svals[k] = loss_weights(margins_jac(theta)[0], loss, groups)[1]
            k += 1
    return MarginFlowRun(svals, out, cps.astype(float), time.perf_counter() - t0, info={"steps": T, "eta": eta})
